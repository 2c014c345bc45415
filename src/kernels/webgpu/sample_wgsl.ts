/**
 * The taps of one grid point, in WGSL: the same steps as sampleBilinear / sampleBicubic in
 * assembly/taps.ts (nearest: nearestRows in assembly/grid_nearest.ts) and sampleTaps in
 * src/reference/grid_sample.ts. Each
 * tap is an input pixel with its weight w and dw/dx, dw/dy, and
 *   forward   out[c]      += w * in[tap, c]
 *   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
 * WGSL has no closures, so where the AssemblyScript calls tap() for each tap, the functions here
 * return their t-th tap and the programs loop t over TAP_COUNT (a constant, so the loop unrolls).
 * A tap outside the input has pixel -1: nothing is read or written for it.
 */
import { type GridSampleAttrs, type Mode, modeCode, paddingCode } from '../names.js';
import { COORDS_WGSL } from './coords_wgsl.js';
import { SAMPLE_3D_WGSL } from './sample_3d_wgsl.js';

/** Taps per axis; a point has this to the power of the spatial axes (4 bilinear, 8 trilinear, ...). */
const AXIS_TAPS: Record<Mode, number> = { bilinear: 2, nearest: 1, bicubic: 4 };

// MODE_BILINEAR, MODE_NEAREST and MODE_BICUBIC come with COORDS_WGSL's contract constants.
const SAMPLE_WGSL = /* wgsl */ `
// One input pixel: pixel = y * W + x, or -1 when (x, y) is outside the input.
struct Tap {
  pixel: i32,
  weight: f32,
  dWeightDx: f32,
  dWeightDy: f32,
}

fn tapIfInside(x: i32, y: i32, W: i32, H: i32, w: f32, dwdx: f32, dwdy: f32) -> Tap {
  if (x >= 0 && x < W && y >= 0 && y < H) { return Tap(y * W + x, w, dwdx, dwdy); }
  return Tap(-1, 0.0, 0.0, 0.0);
}

fn sampleNearest(ix: f32, iy: f32, W: i32, H: i32) -> Tap {
  // WGSL's round() rounds half to even, as PyTorch's nearbyint does.
  return tapIfInside(i32(round(ix)), i32(round(iy)), W, H, 1.0, 0.0, 0.0);
}

fn sampleBilinear(ix: f32, iy: f32, W: i32, H: i32, t: i32) -> Tap {
  let fx = floor(ix);
  let fy = floor(iy);
  let x0 = i32(fx);
  let y0 = i32(fy);
  let e = ix - fx; // distance from the west pixel
  let s = iy - fy; // distance from the north pixel
  switch (t) {
    case 0: { return tapIfInside(x0, y0, W, H, (1.0 - e) * (1.0 - s), -(1.0 - s), -(1.0 - e)); }
    case 1: { return tapIfInside(x0 + 1, y0, W, H, e * (1.0 - s), 1.0 - s, -e); }
    case 2: { return tapIfInside(x0, y0 + 1, W, H, (1.0 - e) * s, -s, 1.0 - e); }
    default: { return tapIfInside(x0 + 1, y0 + 1, W, H, e * s, s, e); }
  }
}

fn sampleBicubic(ix: f32, iy: f32, W: i32, H: i32, padding: i32, alignCorners: bool, t: i32) -> Tap {
  let fx = floor(ix);
  let fy = floor(iy);
  let cx = cubicWeights(ix - fx);
  let cy = cubicWeights(iy - fy);
  let gx = cubicWeightsWithGrad(ix - fx);
  let gy = cubicWeightsWithGrad(iy - fy);
  let i = t / 4;
  let j = t % 4;
  // Bicubic pads every tap (PyTorch's get_value_bounded); padded positions are integers.
  let y = i32(computeCoordinates(fy + f32(i - 1), H, padding, alignCorners));
  let x = i32(computeCoordinates(fx + f32(j - 1), W, padding, alignCorners));
  return tapIfInside(x, y, W, H, cy[i] * cx[j], cy[i] * gx[j], gy[i] * cx[j]);
}

// A grid point in pixel coordinates, with d(pixel)/d(grid) per axis; valid is false for NaN.
struct SourcePoint {
  ix: f32,
  iy: f32,
  gxMult: f32,
  gyMult: f32,
  valid: bool,
}

fn sourcePoint(gxIn: f32, gyIn: f32, W: i32, H: i32) -> SourcePoint {
  // isnan (tfjs's program header) tests the bits: WGSL compilers may assume floats are never NaN.
  if (isnan(gxIn) || isnan(gyIn)) { return SourcePoint(0.0, 0.0, 0.0, 0.0, false); }
  let padBeforeTaps = SAMPLE_MODE != MODE_BICUBIC;
  // ±Infinity and finite values beyond ±1e30 sample exactly as ±1e30 do (clamped, gradient 0);
  // bringing them in first keeps every step finite where a compiler assumes floats are.
  let x = computeSourceIndexWithGrad(clamp(gxIn, -1e30, 1e30), W, PADDING, ALIGN_CORNERS, padBeforeTaps);
  let y = computeSourceIndexWithGrad(clamp(gyIn, -1e30, 1e30), H, PADDING, ALIGN_CORNERS, padBeforeTaps);
  return SourcePoint(x.value, y.value, x.grad, y.grad, true);
}

fn sampleTap(p: SourcePoint, W: i32, H: i32, t: i32) -> Tap {
  if (SAMPLE_MODE == MODE_NEAREST) { return sampleNearest(p.ix, p.iy, W, H); }
  if (SAMPLE_MODE == MODE_BILINEAR) { return sampleBilinear(p.ix, p.iy, W, H, t); }
  return sampleBicubic(p.ix, p.iy, W, H, PADDING, ALIGN_CORNERS, t);
}
`;

/**
 * The coordinate math and the taps for one mode / padding / alignCorners, which are compiled in
 * as constants (each combination is its own shader), for an image (dims 2) or a volume (3,
 * sample_3d_wgsl.ts).
 */
export function samplingWgsl(attrs: GridSampleAttrs, dims: 2 | 3 = 2): string {
  return `
const SAMPLE_MODE: i32 = ${modeCode(attrs.mode)};
const TAP_COUNT: i32 = ${AXIS_TAPS[attrs.mode] ** dims};
const PADDING: i32 = ${paddingCode(attrs.paddingMode)};
const ALIGN_CORNERS: bool = ${attrs.alignCorners};
${COORDS_WGSL}
${dims === 2 ? SAMPLE_WGSL : SAMPLE_3D_WGSL}`;
}

/** Part of a program's shaderKey: tfjs caches one pipeline per key. */
export function samplingKey(attrs: GridSampleAttrs): string {
  return `${attrs.mode}_${attrs.paddingMode}_${attrs.alignCorners}`;
}
