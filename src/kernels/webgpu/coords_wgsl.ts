/**
 * The coordinate math of grid sampling, in WGSL (f32): the same steps and names as
 * assembly/coords.ts (AssemblyScript) and src/reference/coords.ts (TypeScript, float64), so the
 * three can be read side by side.
 *   unnormalize        g -> (g + 1) * size/2 - 0.5       (alignCorners: (g + 1) * (size-1)/2)
 *   clampToSafeRange   keeps ±Infinity and huge values finite, without changing any result
 *   computeCoordinates the padding mode: zeros (none), border (clip), reflection (reflect, clip)
 *   cubicWeights       the bicubic taps' weights (A = -0.75)
 * Each "WithGrad" twin returns the value and d(value)/d(input) as a WithGrad struct, as the
 * reference does; the AssemblyScript has a "Grad" twin that returns the derivative alone (its
 * SIMD code has no structs, and both twins are inlined). The mode and padding codes and the
 * constants (CUBIC_A, SAFE_MARGIN, REFLECTION_REACH) are interpolated from the contract module.
 */
import { kernelConstantDeclarations } from '../names.js';

export const COORDS_WGSL = /* wgsl */ `
${kernelConstantDeclarations('wgsl')}
// A value and d(value)/d(input).
struct WithGrad {
  value: f32,
  grad: f32,
}

fn unnormalizeScale(size: i32, alignCorners: bool) -> f32 {
  return select(f32(size) * 0.5, f32(size - 1) * 0.5, alignCorners);
}

fn unnormalize(coord: f32, size: i32, alignCorners: bool) -> f32 {
  let scale = unnormalizeScale(size, alignCorners);
  // scale is 0 only for a 1-pixel side with alignCorners: every coordinate maps to 0, ±Infinity too.
  if (scale == 0.0) { return 0.0; }
  return select((coord + 1.0) * scale - 0.5, (coord + 1.0) * scale, alignCorners);
}

fn unnormalizeWithGrad(coord: f32, size: i32, alignCorners: bool) -> WithGrad {
  return WithGrad(unnormalize(coord, size, alignCorners), unnormalizeScale(size, alignCorners));
}

fn reflectionLow(alignCorners: bool) -> f32 {
  return select(-0.5, 0.0, alignCorners);
}

fn reflectionTwiceSpan(size: i32, alignCorners: bool) -> f32 {
  return select(f32(size * 2), f32((size - 1) * 2), alignCorners);
}

// A whole number of reflection periods near 2^22, so the clamped ends fold onto the edges.
fn reflectionReach(size: i32, alignCorners: bool) -> f32 {
  let twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan == 0.0) { return 0.0; }
  return floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
}

fn safeLow(size: i32, padding: i32, alignCorners: bool) -> f32 {
  if (padding != PADDING_REFLECTION) { return -SAFE_MARGIN; }
  return reflectionLow(alignCorners) - reflectionReach(size, alignCorners);
}

fn safeHigh(size: i32, padding: i32, alignCorners: bool) -> f32 {
  if (padding != PADDING_REFLECTION) { return f32(size - 1) + SAFE_MARGIN; }
  return reflectionLow(alignCorners) + reflectionTwiceSpan(size, alignCorners) * 0.5 + reflectionReach(size, alignCorners);
}

fn clampToSafeRange(x: f32, size: i32, padding: i32, alignCorners: bool) -> f32 {
  return min(max(x, safeLow(size, padding, alignCorners)), safeHigh(size, padding, alignCorners));
}

fn clampToSafeRangeWithGrad(x: f32, size: i32, padding: i32, alignCorners: bool) -> WithGrad {
  let lo = safeLow(size, padding, alignCorners);
  let hi = safeHigh(size, padding, alignCorners);
  return WithGrad(min(max(x, lo), hi), select(0.0, 1.0, x > lo && x < hi));
}

fn clipCoordinates(x: f32, size: i32) -> f32 {
  return min(max(x, 0.0), f32(size - 1));
}

// The borders themselves count as clipped (gradient 0), as in PyTorch.
fn clipCoordinatesWithGrad(x: f32, size: i32) -> WithGrad {
  return WithGrad(clipCoordinates(x, size), select(0.0, 1.0, x > 0.0 && x < f32(size - 1)));
}

fn reflectCoordinates(x: f32, size: i32, alignCorners: bool) -> f32 {
  return reflectCoordinatesWithGrad(x, size, alignCorners).value;
}

fn reflectCoordinatesWithGrad(x: f32, size: i32, alignCorners: bool) -> WithGrad {
  let twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan == 0.0) { return WithGrad(0.0, 0.0); }
  let low = reflectionLow(alignCorners);
  let inMinusLow = x - low;
  let absIn = abs(inMinusLow);
  let extra = absIn - trunc(absIn / twiceSpan) * twiceSpan;
  let reflectedExtra = twiceSpan - extra;
  let oneMoreFlip = extra > reflectedExtra;
  let negative = inMinusLow < 0.0;
  return WithGrad(select(extra, reflectedExtra, oneMoreFlip) + low, select(1.0, -1.0, oneMoreFlip != negative));
}

// The padding mode applied to a pixel coordinate (PyTorch's compute_coordinates).
fn computeCoordinates(x: f32, size: i32, padding: i32, alignCorners: bool) -> f32 {
  if (padding == PADDING_BORDER) { return clipCoordinates(x, size); }
  if (padding == PADDING_REFLECTION) { return clipCoordinates(reflectCoordinates(x, size, alignCorners), size); }
  return x;
}

fn computeCoordinatesWithGrad(x: f32, size: i32, padding: i32, alignCorners: bool) -> WithGrad {
  if (padding == PADDING_BORDER) { return clipCoordinatesWithGrad(x, size); }
  if (padding == PADDING_REFLECTION) {
    let r = reflectCoordinatesWithGrad(x, size, alignCorners);
    let c = clipCoordinatesWithGrad(r.value, size);
    return WithGrad(c.value, c.grad * r.grad);
  }
  return WithGrad(x, 1.0);
}

// Grid coordinate to pixel coordinate. Bicubic passes applyPadding = false: it pads each of its
// 16 taps instead of the coordinate.
fn computeSourceIndexWithGrad(coord: f32, size: i32, padding: i32, alignCorners: bool, applyPadding: bool) -> WithGrad {
  let u = unnormalizeWithGrad(coord, size, alignCorners);
  let s = clampToSafeRangeWithGrad(u.value, size, padding, alignCorners);
  let chain = u.grad * s.grad;
  if (!applyPadding) { return WithGrad(s.value, chain); }
  let p = computeCoordinatesWithGrad(s.value, size, padding, alignCorners);
  return WithGrad(p.value, p.grad * chain);
}

fn cubicConvolution1(x: f32, a: f32) -> f32 {
  return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
}

fn cubicConvolution2(x: f32, a: f32) -> f32 {
  return ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a;
}

// Weights of the taps at floor(x) - 1 .. floor(x) + 2, for t = x - floor(x).
fn cubicWeights(t: f32) -> vec4<f32> {
  let a = CUBIC_A;
  return vec4<f32>(cubicConvolution2(t + 1.0, a), cubicConvolution1(t, a), cubicConvolution1(1.0 - t, a), cubicConvolution2(2.0 - t, a));
}

// d(cubicWeights)/dt (the weights themselves come from cubicWeights). The formulas are PyTorch's
// get_cubic_coefficients_grad, which gives d/d(tap - t): hence the negation.
fn cubicWeightsWithGrad(t: f32) -> vec4<f32> {
  let a = CUBIC_A;
  var x = -1.0 - t;
  let g0 = (a * -3.0 * x - a * 10.0) * x - a * 8.0;
  x = -t;
  let g1 = ((a + 2.0) * -3.0 * x - (a + 3.0) * 2.0) * x;
  x = 1.0 - t;
  let g2 = ((a + 2.0) * 3.0 * x - (a + 3.0) * 2.0) * x;
  x = 2.0 - t;
  let g3 = (a * 3.0 * x - a * 10.0) * x + a * 8.0;
  return -vec4<f32>(g0, g1, g2, g3);
}
`;
