/**
 * The taps of one grid point, in GLSL, for images and volumes alike: the same steps as
 * sampleNearest / sampleBilinear / sampleBicubic in src/kernels/webgpu/sample_wgsl.ts (volumes:
 * sample_3d_wgsl.ts), assembly/taps.ts (grid_sample_3d.ts; nearest: grid_nearest.ts) and the reference's rank-free
 * sampleTaps. Each tap is an input pixel (voxel) with its weight w and dw/dx, dw/dy (dw/dz):
 *   forward   out[c]      += w * in[tap, c]
 *   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
 * A tap is the product of one tap per axis (axisTap: nearest 1, linear 2, cubic 4 per axis, the
 * cubic ones padded each), so one text serves both ranks: SAMPLE_DIMS 2 fixes an image's z axis
 * at one tap (z 0, weight 1). As in the WGSL, the functions return their t-th tap; the fragment
 * programs write the loop over the TAP_COUNT taps out (unrollTaps), the d(input) vertex shader
 * takes one tap per vertex. A tap outside the input has x = -1: nothing is read or written for it.
 */
import { type GridSampleAttrs, type Mode, modeCode, paddingCode } from '../names.js';
import { COORDS_GLSL } from './coords_glsl.js';

/** Taps per axis: a point has AXIS_TAPS ** dims. */
const AXIS_TAPS: Record<Mode, number> = { bilinear: 2, nearest: 1, bicubic: 4 };

const SAMPLE_GLSL = /* glsl */ `
// One input pixel (x, y, z; z is 0 in an image), or x = -1 when it is outside the input.
struct Tap {
  int x;
  int y;
  int z;
  float weight;
  float dWeightDx;
  float dWeightDy;
  float dWeightDz;
};

// One axis of a grid point in pixel coordinates: the coordinate, d(pixel)/d(grid), and what the
// point's taps share, computed here once (GLSL compilers need not share it across unrolled
// taps): the floor and, for bicubic, the axis's weights and their derivatives.
struct Axis {
  float i;
  float gMult;
  float f;
  vec4 c;
  vec4 g;
};

// A grid point: its axes (z unused in an image); valid is false for NaN.
struct SourcePoint {
  Axis x;
  Axis y;
  Axis z;
  bool valid;
};

Axis sourceAxis(float gIn, int size) {
  bool padBeforeTaps = SAMPLE_MODE != MODE_BICUBIC;
  // ±Infinity and finite values beyond ±1e30 sample exactly as ±1e30 do (clamped, gradient 0);
  // bringing them in first keeps every step finite where a compiler assumes floats are.
  WithGrad s = computeSourceIndexWithGrad(clamp(gIn, -1e30, 1e30), size, PADDING, ALIGN_CORNERS, padBeforeTaps);
  float f = floor(s.value);
  vec4 none = vec4(0.0);
  if (SAMPLE_MODE != MODE_BICUBIC) return Axis(s.value, s.grad, f, none, none);
  return Axis(s.value, s.grad, f, cubicWeights(s.value - f), cubicWeightsWithGrad(s.value - f));
}

// The point at grid coordinates (gx, gy, gz) in an input of W x H (x D); images pass gz 0, D 1.
SourcePoint sourcePoint(float gx, float gy, float gz, int W, int H, int D) {
  Axis none = Axis(0.0, 0.0, 0.0, vec4(0.0), vec4(0.0));
  if (stnIsNaN(gx) || stnIsNaN(gy) || (SAMPLE_DIMS == 3 && stnIsNaN(gz))) return SourcePoint(none, none, none, false);
  Axis z = none;
  if (SAMPLE_DIMS == 3) z = sourceAxis(gz, D);
  return SourcePoint(sourceAxis(gx, W), sourceAxis(gy, H), z, true);
}

// Tap k of one axis: its position, weight and d(weight)/d(pixel coordinate).
struct AxisTap {
  int at;
  float weight;
  float dWeight;
};

AxisTap axisTap(Axis a, int size, int k) {
  // roundEven rounds half to even, as PyTorch's nearbyint does (tfjs redefines round()).
  if (SAMPLE_MODE == MODE_NEAREST) return AxisTap(int(roundEven(a.i)), 1.0, 0.0);
  float e = a.i - a.f; // distance from the lower pixel
  if (SAMPLE_MODE == MODE_BILINEAR) {
    if (k == 0) return AxisTap(int(a.f), 1.0 - e, -1.0);
    return AxisTap(int(a.f) + 1, e, 1.0);
  }
  // Bicubic pads every tap per axis (PyTorch's get_value_bounded); padded positions are integers.
  return AxisTap(int(computeCoordinates(a.f + float(k - 1), size, PADDING, ALIGN_CORNERS)), a.c[k], a.g[k]);
}

// Tap t: axis taps x = t % AXIS_TAPS, y = (t / AXIS_TAPS) % AXIS_TAPS, z = t / AXIS_TAPS^2.
Tap sampleTap(SourcePoint p, int W, int H, int D, int t) {
  AxisTap x = axisTap(p.x, W, t % AXIS_TAPS);
  AxisTap y = axisTap(p.y, H, (t / AXIS_TAPS) % AXIS_TAPS);
  AxisTap z = AxisTap(0, 1.0, 0.0);
  if (SAMPLE_DIMS == 3) z = axisTap(p.z, D, t / (AXIS_TAPS * AXIS_TAPS));
  if (x.at < 0 || x.at >= W || y.at < 0 || y.at >= H || z.at < 0 || z.at >= D) return Tap(-1, -1, -1, 0.0, 0.0, 0.0, 0.0);
  float wyz = y.weight * z.weight;
  return Tap(x.at, y.at, z.at, x.weight * wyz, x.dWeight * wyz, x.weight * y.dWeight * z.weight, x.weight * y.weight * z.dWeight);
}
`;

/** The taps of a point: AXIS_TAPS per axis, over `dims` axes. */
export const tapCount = (attrs: GridSampleAttrs, dims: 2 | 3 = 2): number => AXIS_TAPS[attrs.mode] ** dims;

/**
 * The coordinate math and the taps for one mode / padding / alignCorners and rank (2 spatial axes
 * or 3), which are compiled in as constants (each combination is its own shader).
 */
export function samplingGlsl(attrs: GridSampleAttrs, dims: 2 | 3 = 2): string {
  return `
#define SAMPLE_MODE ${modeCode(attrs.mode)}
#define SAMPLE_DIMS ${dims}
#define AXIS_TAPS ${AXIS_TAPS[attrs.mode]}
#define TAP_COUNT ${tapCount(attrs, dims)}
#define PADDING ${paddingCode(attrs.paddingMode)}
#define ALIGN_CORNERS ${attrs.alignCorners}
${COORDS_GLSL}
${SAMPLE_GLSL}`;
}
