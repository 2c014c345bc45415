// gridSample forward and backward on NHWC float32 tensors, PyTorch's semantics (see coords.ts).
//
// One loop over the grid serves forward and backward. For each grid point, computeSourceIndex
// turns the grid coordinates into pixel coordinates (with their derivatives); the mode's taps
// (1 for nearest, 4 for bilinear, 16 for bicubic) each carry a weight w and dw/dx, dw/dy, and
//   forward   out[c]      += w * in[tap, c]
//   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
// The channel loops run on f32x4 lanes (channels are contiguous in NHWC). A grid point with a
// NaN coordinate has no taps: it reads 0 and has no gradient. Taps outside the input are skipped,
// so nothing is read or written outside the buffers.
import { computeCoordinates, computeSourceIndexWithGrad, cubicWeights, cubicWeightsWithGrad, gradIn } from './coords';

export const MODE_BILINEAR: i32 = 0;
export const MODE_NEAREST: i32 = 1;
export const MODE_BICUBIC: i32 = 2;

// The current grid point's rows, set once per point (wasm globals, not memory).
let inBase: usize = 0; // input image of this batch item
let outRow: usize = 0; // forward: output pixel
let dyRow: usize = 0; // backward: incoming gradient of the output pixel
let dInBase: usize = 0; // backward: dInput image of this batch item
let channels: i32 = 0;
let backward: bool = false;
let accDx: f32 = 0;
let accDy: f32 = 0;

/** Reads (forward) or scatters into (backward) one input pixel: `pixel` = y * W + x. */
@inline function tap(pixel: i32, w: f32, dwdx: f32, dwdy: f32): void {
  const offset = (<usize>pixel * <usize>channels) << 2;
  const src = inBase + offset;
  let c = 0;
  if (!backward) {
    const wv = f32x4.splat(w);
    for (; c + 4 <= channels; c += 4) {
      const o = outRow + (<usize>c << 2);
      v128.store(o, f32x4.add(v128.load(o), f32x4.mul(wv, v128.load(src + (<usize>c << 2)))));
    }
    for (; c < channels; c++) {
      const o = outRow + (<usize>c << 2);
      store<f32>(o, load<f32>(o) + w * load<f32>(src + (<usize>c << 2)));
    }
    return;
  }
  const dst = dInBase + offset;
  const wv = f32x4.splat(w);
  let dotv = f32x4.splat(0);
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const d = v128.load(dyRow + k);
    dotv = f32x4.add(dotv, f32x4.mul(d, v128.load(src + k)));
    v128.store(dst + k, f32x4.add(v128.load(dst + k), f32x4.mul(wv, d)));
  }
  let dot = f32x4.extract_lane(dotv, 0) + f32x4.extract_lane(dotv, 1) + f32x4.extract_lane(dotv, 2) + f32x4.extract_lane(dotv, 3);
  for (; c < channels; c++) {
    const k = <usize>c << 2;
    const d = load<f32>(dyRow + k);
    dot += d * load<f32>(src + k);
    store<f32>(dst + k, load<f32>(dst + k) + w * d);
  }
  accDx += dot * dwdx;
  accDy += dot * dwdy;
}

@inline function tapIfInside(x: i32, y: i32, W: i32, H: i32, w: f32, dwdx: f32, dwdy: f32): void {
  if (<u32>x < <u32>W && <u32>y < <u32>H) tap(y * W + x, w, dwdx, dwdy);
}

function sampleNearest(ix: f32, iy: f32, W: i32, H: i32): void {
  // f32.nearest rounds half to even, as PyTorch's nearbyint does.
  tapIfInside(<i32>nearest<f32>(ix), <i32>nearest<f32>(iy), W, H, 1, 0, 0);
}

function sampleBilinear(ix: f32, iy: f32, W: i32, H: i32): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const x0 = <i32>fx;
  const y0 = <i32>fy;
  const e = ix - fx; // distance from the west pixel
  const s = iy - fy; // distance from the north pixel
  tapIfInside(x0, y0, W, H, (1 - e) * (1 - s), -(1 - s), -(1 - e));
  tapIfInside(x0 + 1, y0, W, H, e * (1 - s), 1 - s, -e);
  tapIfInside(x0, y0 + 1, W, H, (1 - e) * s, -s, 1 - e);
  tapIfInside(x0 + 1, y0 + 1, W, H, e * s, s, e);
}

@inline function lane(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

function sampleBicubic(ix: f32, iy: f32, W: i32, H: i32, padding: i32, alignCorners: bool): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const cx = cubicWeights(ix - fx);
  const cy = cubicWeights(iy - fy);
  const gx = cubicWeightsWithGrad(ix - fx);
  const gy = cubicWeightsWithGrad(iy - fy);
  for (let i = 0; i < 4; i++) {
    // Bicubic pads every tap (PyTorch's get_value_bounded); the padded position is an integer.
    const y = <i32>computeCoordinates(fy - 1 + <f32>i, H, padding, alignCorners);
    const wy = lane(cy, i);
    const dwy = lane(gy, i);
    for (let j = 0; j < 4; j++) {
      const x = <i32>computeCoordinates(fx - 1 + <f32>j, W, padding, alignCorners);
      const wx = lane(cx, j);
      tapIfInside(x, y, W, H, wy * wx, wy * lane(gx, j), dwy * wx);
    }
  }
}

/**
 * input [N,H,W,C], grid [N,Ho,Wo,2] (as `points` = Ho*Wo per batch item).
 * Forward (isBackward false): writes output [N,Ho,Wo,C].
 * Backward: reads dy [N,Ho,Wo,C], writes dInput [N,H,W,C] and dGrid [N,Ho,Wo,2].
 * Pointers are byte offsets; an unused one is 0.
 */
export function gridSample(
  inputPtr: usize, N: i32, H: i32, W: i32, C: i32,
  gridPtr: usize, points: i32,
  mode: i32, padding: i32, alignCorners: bool,
  isBackward: bool, outputPtr: usize, dyPtr: usize, dInputPtr: usize, dGridPtr: usize,
): void {
  channels = C;
  backward = isBackward;
  const rowBytes = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * rowBytes;
  if (isBackward) memory.fill(dInputPtr, 0, imageBytes * <usize>N);
  else memory.fill(outputPtr, 0, rowBytes * <usize>points * <usize>N);
  const padBeforeTaps = mode != MODE_BICUBIC;
  for (let n = 0; n < N; n++) {
    inBase = inputPtr + <usize>n * imageBytes;
    dInBase = dInputPtr + <usize>n * imageBytes;
    for (let p = 0; p < points; p++) {
      const point = <usize>n * <usize>points + <usize>p;
      const g = gridPtr + (point << 3);
      const gxIn = load<f32>(g);
      const gyIn = load<f32>(g, 4);
      let gxMult: f32 = 0;
      let gyMult: f32 = 0;
      accDx = 0;
      accDy = 0;
      outRow = outputPtr + point * rowBytes;
      dyRow = dyPtr + point * rowBytes;
      if (gxIn == gxIn && gyIn == gyIn) {
        const ix = computeSourceIndexWithGrad(gxIn, W, padding, alignCorners, padBeforeTaps);
        gxMult = gradIn;
        const iy = computeSourceIndexWithGrad(gyIn, H, padding, alignCorners, padBeforeTaps);
        gyMult = gradIn;
        if (mode == MODE_BILINEAR) sampleBilinear(ix, iy, W, H);
        else if (mode == MODE_NEAREST) sampleNearest(ix, iy, W, H);
        else sampleBicubic(ix, iy, W, H, padding, alignCorners);
      }
      if (isBackward) {
        // A clamped (infinite) coordinate has gradient 0, whatever was accumulated.
        const d = dGridPtr + (point << 3);
        store<f32>(d, gxMult == 0 ? <f32>0 : accDx * gxMult);
        store<f32>(d, gyMult == 0 ? <f32>0 : accDy * gyMult, 4);
      }
    }
  }
}
