/**
 * The taps of one grid point, in GLSL: the same steps as sampleNearest / sampleBilinear /
 * sampleBicubic in src/kernels/webgpu/sample_wgsl.ts, assembly/grid_sample.ts and
 * src/reference/grid_sample.ts. Each tap is an input pixel with its weight w and dw/dx, dw/dy:
 *   forward   out[c]      += w * in[tap, c]
 *   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
 * As in the WGSL, the functions return their t-th tap; the fragment programs write the loop over
 * the TAP_COUNT taps out (unrollTaps), the d(input) vertex shader takes one tap per vertex. A
 * tap outside the input has x = -1: nothing is read or written for it. The taps of each axis are
 * computed separately (cubicWeights per axis), so a third axis for volumes adds one more factor.
 */
import { type GridSampleAttrs, type Mode, modeCode, paddingCode } from '../names.js';
import { COORDS_GLSL } from './coords_glsl.js';

const TAP_COUNTS: Record<Mode, number> = { bilinear: 4, nearest: 1, bicubic: 16 };

const SAMPLE_GLSL = /* glsl */ `
// One input pixel (x, y), or x = -1 when it is outside the input.
struct Tap {
  int x;
  int y;
  float weight;
  float dWeightDx;
  float dWeightDy;
};

// A grid point in pixel coordinates, with d(pixel)/d(grid) per axis; valid is false for NaN.
struct SourcePoint {
  float ix;
  float iy;
  float gxMult;
  float gyMult;
  bool valid;
  // What the point's taps share, computed here once (GLSL compilers need not share it across
  // unrolled taps): the cell's corner (floor of ix, iy) and, for bicubic, each axis's weights
  // and their derivatives (the taps are separable per axis).
  float fx;
  float fy;
  vec4 cx;
  vec4 cy;
  vec4 gx;
  vec4 gy;
};

SourcePoint sourcePoint(float gxIn, float gyIn, int W, int H) {
  vec4 none = vec4(0.0);
  if (stnIsNaN(gxIn) || stnIsNaN(gyIn)) return SourcePoint(0.0, 0.0, 0.0, 0.0, false, 0.0, 0.0, none, none, none, none);
  bool padBeforeTaps = SAMPLE_MODE != MODE_BICUBIC;
  // ±Infinity and finite values beyond ±1e30 sample exactly as ±1e30 do (clamped, gradient 0);
  // bringing them in first keeps every step finite where a compiler assumes floats are.
  WithGrad x = computeSourceIndexWithGrad(clamp(gxIn, -1e30, 1e30), W, PADDING, ALIGN_CORNERS, padBeforeTaps);
  WithGrad y = computeSourceIndexWithGrad(clamp(gyIn, -1e30, 1e30), H, PADDING, ALIGN_CORNERS, padBeforeTaps);
  float fx = floor(x.value);
  float fy = floor(y.value);
  if (SAMPLE_MODE != MODE_BICUBIC) return SourcePoint(x.value, y.value, x.grad, y.grad, true, fx, fy, none, none, none, none);
  return SourcePoint(x.value, y.value, x.grad, y.grad, true, fx, fy,
    cubicWeights(x.value - fx), cubicWeights(y.value - fy), cubicWeightsWithGrad(x.value - fx), cubicWeightsWithGrad(y.value - fy));
}

Tap tapIfInside(int x, int y, int W, int H, float w, float dwdx, float dwdy) {
  if (x >= 0 && x < W && y >= 0 && y < H) return Tap(x, y, w, dwdx, dwdy);
  return Tap(-1, -1, 0.0, 0.0, 0.0);
}

Tap sampleNearest(float ix, float iy, int W, int H) {
  // roundEven rounds half to even, as PyTorch's nearbyint does (tfjs redefines round()).
  return tapIfInside(int(roundEven(ix)), int(roundEven(iy)), W, H, 1.0, 0.0, 0.0);
}

Tap sampleBilinear(SourcePoint p, int W, int H, int t) {
  int x0 = int(p.fx);
  int y0 = int(p.fy);
  float e = p.ix - p.fx; // distance from the west pixel
  float s = p.iy - p.fy; // distance from the north pixel
  if (t == 0) return tapIfInside(x0, y0, W, H, (1.0 - e) * (1.0 - s), -(1.0 - s), -(1.0 - e));
  if (t == 1) return tapIfInside(x0 + 1, y0, W, H, e * (1.0 - s), 1.0 - s, -e);
  if (t == 2) return tapIfInside(x0, y0 + 1, W, H, (1.0 - e) * s, -s, 1.0 - e);
  return tapIfInside(x0 + 1, y0 + 1, W, H, e * s, s, e);
}

Tap sampleBicubic(SourcePoint p, int W, int H, int padding, bool alignCorners, int t) {
  int i = t / 4;
  int j = t - i * 4;
  // Bicubic pads every tap (PyTorch's get_value_bounded); padded positions are integers.
  int y = int(computeCoordinates(p.fy + float(i - 1), H, padding, alignCorners));
  int x = int(computeCoordinates(p.fx + float(j - 1), W, padding, alignCorners));
  return tapIfInside(x, y, W, H, p.cy[i] * p.cx[j], p.cy[i] * p.gx[j], p.gy[i] * p.cx[j]);
}

Tap sampleTap(SourcePoint p, int W, int H, int t) {
  if (SAMPLE_MODE == MODE_NEAREST) return sampleNearest(p.ix, p.iy, W, H);
  if (SAMPLE_MODE == MODE_BILINEAR) return sampleBilinear(p, W, H, t);
  return sampleBicubic(p, W, H, PADDING, ALIGN_CORNERS, t);
}
`;

export const tapCount = (attrs: GridSampleAttrs): number => TAP_COUNTS[attrs.mode];

/**
 * The coordinate math and the taps for one mode / padding / alignCorners, which are compiled in
 * as constants (each combination is its own shader).
 */
export function samplingGlsl(attrs: GridSampleAttrs): string {
  return `
#define SAMPLE_MODE ${modeCode(attrs.mode)}
#define TAP_COUNT ${tapCount(attrs)}
#define PADDING ${paddingCode(attrs.paddingMode)}
#define ALIGN_CORNERS ${attrs.alignCorners}
${COORDS_GLSL}
${SAMPLE_GLSL}`;
}
