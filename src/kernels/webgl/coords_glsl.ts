/**
 * The coordinate math of grid sampling, in GLSL ES 3.00 (highp float): the same steps and names as
 * src/kernels/webgpu/coords_wgsl.ts (WGSL), assembly/coords.ts (AssemblyScript) and
 * src/reference/coords.ts (TypeScript, float64), so the four can be read side by side.
 *   unnormalize        g -> (g + 1) * size/2 - 0.5       (alignCorners: (g + 1) * (size-1)/2)
 *   clampToSafeRange   keeps ±Infinity and huge values finite, without changing any result
 *   computeCoordinates the padding mode: zeros (none), border (clip), reflection (reflect, clip)
 *   cubicWeights       the bicubic taps' weights (A = -0.75)
 * Each "WithGrad" twin returns the value and d(value)/d(input) as a WithGrad struct, as the WGSL
 * does. The mode and padding codes and the constants (CUBIC_A, SAFE_MARGIN, REFLECTION_REACH)
 * are interpolated from the contract module. The same text serves tfjs's fragment programs and the
 * d(input) vertex shader, so it relies on nothing from tfjs's shader header.
 */
import { kernelConstantDeclarations } from '../names.js';

export const COORDS_GLSL = /* glsl */ `
${kernelConstantDeclarations('glsl')}
// A value and d(value)/d(input).
struct WithGrad {
  float value;
  float grad;
};

// NaN by its bits: GLSL compilers may assume floats are never NaN and fold isnan() away.
bool stnIsNaN(float x) {
  return (floatBitsToUint(x) & 0x7fffffffu) > 0x7f800000u;
}

float unnormalizeScale(int size, bool alignCorners) {
  return alignCorners ? float(size - 1) * 0.5 : float(size) * 0.5;
}

float unnormalize(float coord, int size, bool alignCorners) {
  float scale = unnormalizeScale(size, alignCorners);
  // scale is 0 only for a 1-pixel side with alignCorners: every coordinate maps to 0, ±Infinity too.
  if (scale == 0.0) return 0.0;
  return alignCorners ? (coord + 1.0) * scale : (coord + 1.0) * scale - 0.5;
}

WithGrad unnormalizeWithGrad(float coord, int size, bool alignCorners) {
  return WithGrad(unnormalize(coord, size, alignCorners), unnormalizeScale(size, alignCorners));
}

float reflectionLow(bool alignCorners) {
  return alignCorners ? 0.0 : -0.5;
}

float reflectionTwiceSpan(int size, bool alignCorners) {
  return alignCorners ? float((size - 1) * 2) : float(size * 2);
}

// A whole number of reflection periods near 2^22, so the clamped ends fold onto the edges.
float reflectionReach(int size, bool alignCorners) {
  float twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan == 0.0) return 0.0;
  return floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
}

float safeLow(int size, int padding, bool alignCorners) {
  if (padding != PADDING_REFLECTION) return -SAFE_MARGIN;
  return reflectionLow(alignCorners) - reflectionReach(size, alignCorners);
}

float safeHigh(int size, int padding, bool alignCorners) {
  if (padding != PADDING_REFLECTION) return float(size - 1) + SAFE_MARGIN;
  return reflectionLow(alignCorners) + reflectionTwiceSpan(size, alignCorners) * 0.5 + reflectionReach(size, alignCorners);
}

float clampToSafeRange(float x, int size, int padding, bool alignCorners) {
  return min(max(x, safeLow(size, padding, alignCorners)), safeHigh(size, padding, alignCorners));
}

WithGrad clampToSafeRangeWithGrad(float x, int size, int padding, bool alignCorners) {
  float lo = safeLow(size, padding, alignCorners);
  float hi = safeHigh(size, padding, alignCorners);
  return WithGrad(min(max(x, lo), hi), x > lo && x < hi ? 1.0 : 0.0);
}

float clipCoordinates(float x, int size) {
  return min(max(x, 0.0), float(size - 1));
}

// The borders themselves count as clipped (gradient 0), as in PyTorch.
WithGrad clipCoordinatesWithGrad(float x, int size) {
  return WithGrad(clipCoordinates(x, size), x > 0.0 && x < float(size - 1) ? 1.0 : 0.0);
}

WithGrad reflectCoordinatesWithGrad(float x, int size, bool alignCorners) {
  float twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan == 0.0) return WithGrad(0.0, 0.0);
  float low = reflectionLow(alignCorners);
  float inMinusLow = x - low;
  float absIn = abs(inMinusLow);
  float extra = absIn - trunc(absIn / twiceSpan) * twiceSpan;
  float reflectedExtra = twiceSpan - extra;
  bool oneMoreFlip = extra > reflectedExtra;
  bool negative = inMinusLow < 0.0;
  return WithGrad((oneMoreFlip ? reflectedExtra : extra) + low, oneMoreFlip != negative ? -1.0 : 1.0);
}

float reflectCoordinates(float x, int size, bool alignCorners) {
  return reflectCoordinatesWithGrad(x, size, alignCorners).value;
}

// The padding mode applied to a pixel coordinate (PyTorch's compute_coordinates).
float computeCoordinates(float x, int size, int padding, bool alignCorners) {
  if (padding == PADDING_BORDER) return clipCoordinates(x, size);
  if (padding == PADDING_REFLECTION) return clipCoordinates(reflectCoordinates(x, size, alignCorners), size);
  return x;
}

WithGrad computeCoordinatesWithGrad(float x, int size, int padding, bool alignCorners) {
  if (padding == PADDING_BORDER) return clipCoordinatesWithGrad(x, size);
  if (padding == PADDING_REFLECTION) {
    WithGrad r = reflectCoordinatesWithGrad(x, size, alignCorners);
    WithGrad c = clipCoordinatesWithGrad(r.value, size);
    return WithGrad(c.value, c.grad * r.grad);
  }
  return WithGrad(x, 1.0);
}

// Grid coordinate to pixel coordinate. Bicubic passes applyPadding = false: it pads each of its
// 16 taps instead of the coordinate.
WithGrad computeSourceIndexWithGrad(float coord, int size, int padding, bool alignCorners, bool applyPadding) {
  WithGrad u = unnormalizeWithGrad(coord, size, alignCorners);
  WithGrad s = clampToSafeRangeWithGrad(u.value, size, padding, alignCorners);
  float chain = u.grad * s.grad;
  if (!applyPadding) return WithGrad(s.value, chain);
  WithGrad p = computeCoordinatesWithGrad(s.value, size, padding, alignCorners);
  return WithGrad(p.value, p.grad * chain);
}

float cubicConvolution1(float x, float a) {
  return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
}

float cubicConvolution2(float x, float a) {
  return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
}

// Weights of the taps at floor(x) - 1 .. floor(x) + 2, for t = x - floor(x).
vec4 cubicWeights(float t) {
  float a = CUBIC_A;
  return vec4(cubicConvolution2(t + 1.0, a), cubicConvolution1(t, a), cubicConvolution1(1.0 - t, a), cubicConvolution2(2.0 - t, a));
}

// d(cubicWeights)/dt (the weights themselves come from cubicWeights). The formulas are PyTorch's
// get_cubic_coefficients_grad, which gives d/d(tap - t): hence the negation.
vec4 cubicWeightsWithGrad(float t) {
  float a = CUBIC_A;
  float x = -1.0 - t;
  float g0 = (a * -3.0 * x - a * 10.0) * x - a * 8.0;
  x = -t;
  float g1 = ((a + 2.0) * -3.0 * x - (a + 3.0) * 2.0) * x;
  x = 1.0 - t;
  float g2 = ((a + 2.0) * 3.0 * x - (a + 3.0) * 2.0) * x;
  x = 2.0 - t;
  float g3 = (a * 3.0 * x - a * 10.0) * x + a * 8.0;
  return -vec4(g0, g1, g2, g3);
}
`;
