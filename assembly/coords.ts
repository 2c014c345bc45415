// The coordinate math of grid sampling, in AssemblyScript (float32). The same steps and names as
// src/reference/coords.ts (float64 TypeScript) and src/kernels/webgpu/coords.wgsl (WGSL):
//   unnormalize        g -> (g + 1) * size/2 - 0.5       (alignCorners: (g + 1) * (size-1)/2)
//   clampToSafeRange   keeps ±Infinity and huge values finite, without changing any result
//   computeCoordinates the padding mode: zeros (none), border (clip), reflection (reflect, clip)
//   cubicWeights       the bicubic taps' weights (A = -0.75)
// Each "WithGrad" twin returns the same value and leaves d(value)/d(input) in `gradIn`, as
// PyTorch's *_set_grad functions do through a pointer. The module has no data segment and no
// allocator: it runs on memory it is given (tfjs-wasm's heap, or its own for the cpu backend).

export const PADDING_ZEROS: i32 = 0;
export const PADDING_BORDER: i32 = 1;
export const PADDING_REFLECTION: i32 = 2;

export const CUBIC_A: f32 = -0.75;
const SAFE_MARGIN: f32 = 4;
const REFLECTION_REACH: f32 = 4194304; // 2^22: integers and half-integers below it are exact

/** d(value)/d(input) of the last *WithGrad call. */
export let gradIn: f32 = 0;

@inline function unnormalizeScale(size: i32, alignCorners: bool): f32 {
  return alignCorners ? <f32>(size - 1) * 0.5 : <f32>size * 0.5;
}

@inline export function unnormalize(coord: f32, size: i32, alignCorners: bool): f32 {
  const scale = unnormalizeScale(size, alignCorners);
  // scale is 0 only for a 1-pixel side with alignCorners: every coordinate maps to 0, ±Infinity too.
  if (scale == 0) return 0;
  return alignCorners ? (coord + 1) * scale : (coord + 1) * scale - 0.5;
}

@inline export function unnormalizeWithGrad(coord: f32, size: i32, alignCorners: bool): f32 {
  gradIn = unnormalizeScale(size, alignCorners);
  return unnormalize(coord, size, alignCorners);
}

@inline function reflectionLow(alignCorners: bool): f32 {
  return alignCorners ? 0 : -0.5;
}

@inline function reflectionTwiceSpan(size: i32, alignCorners: bool): f32 {
  return alignCorners ? <f32>((size - 1) * 2) : <f32>(size * 2);
}

@inline function safeLow(size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding != PADDING_REFLECTION) return -SAFE_MARGIN;
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  const reach = twiceSpan == 0 ? <f32>0 : Mathf.floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
  return reflectionLow(alignCorners) - reach;
}

@inline function safeHigh(size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding != PADDING_REFLECTION) return <f32>(size - 1) + SAFE_MARGIN;
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  // A whole number of periods, so the clamped ends fold onto the first and last pixel.
  const reach = twiceSpan == 0 ? <f32>0 : Mathf.floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
  return reflectionLow(alignCorners) + twiceSpan * 0.5 + reach;
}

@inline export function clampToSafeRange(x: f32, size: i32, padding: i32, alignCorners: bool): f32 {
  return min(max(x, safeLow(size, padding, alignCorners)), safeHigh(size, padding, alignCorners));
}

@inline export function clampToSafeRangeWithGrad(x: f32, size: i32, padding: i32, alignCorners: bool): f32 {
  const lo = safeLow(size, padding, alignCorners);
  const hi = safeHigh(size, padding, alignCorners);
  gradIn = x > lo && x < hi ? 1 : 0;
  return min(max(x, lo), hi);
}

@inline export function clipCoordinates(x: f32, size: i32): f32 {
  return min(max(x, 0), <f32>(size - 1));
}

/** The borders themselves count as clipped (gradient 0), as in PyTorch. */
@inline export function clipCoordinatesWithGrad(x: f32, size: i32): f32 {
  gradIn = x > 0 && x < <f32>(size - 1) ? 1 : 0;
  return clipCoordinates(x, size);
}

@inline export function reflectCoordinates(x: f32, size: i32, alignCorners: bool): f32 {
  return reflectCoordinatesWithGrad(x, size, alignCorners);
}

export function reflectCoordinatesWithGrad(x: f32, size: i32, alignCorners: bool): f32 {
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan == 0) {
    gradIn = 0;
    return 0;
  }
  const low = reflectionLow(alignCorners);
  const inMinusLow = x - low;
  const absIn = Mathf.abs(inMinusLow);
  const extra = absIn - Mathf.trunc(absIn / twiceSpan) * twiceSpan;
  const reflectedExtra = twiceSpan - extra;
  const oneMoreFlip = extra > reflectedExtra;
  const negative = inMinusLow < 0;
  gradIn = oneMoreFlip != negative ? -1 : 1;
  return (oneMoreFlip ? reflectedExtra : extra) + low;
}

/** The padding mode applied to a pixel coordinate (PyTorch's compute_coordinates). */
@inline export function computeCoordinates(x: f32, size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding == PADDING_BORDER) return clipCoordinates(x, size);
  if (padding == PADDING_REFLECTION) return clipCoordinates(reflectCoordinates(x, size, alignCorners), size);
  return x;
}

export function computeCoordinatesWithGrad(x: f32, size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding == PADDING_BORDER) return clipCoordinatesWithGrad(x, size);
  if (padding == PADDING_REFLECTION) {
    const r = reflectCoordinatesWithGrad(x, size, alignCorners);
    const reflectGrad = gradIn;
    const c = clipCoordinatesWithGrad(r, size);
    gradIn *= reflectGrad;
    return c;
  }
  gradIn = 1;
  return x;
}

/**
 * Grid coordinate to pixel coordinate. Bicubic passes applyPadding = false: it pads each of its
 * 16 taps instead of the coordinate.
 */
export function computeSourceIndexWithGrad(coord: f32, size: i32, padding: i32, alignCorners: bool, applyPadding: bool): f32 {
  const u = unnormalizeWithGrad(coord, size, alignCorners);
  const unnormalizeGrad = gradIn;
  const s = clampToSafeRangeWithGrad(u, size, padding, alignCorners);
  const chain = unnormalizeGrad * gradIn;
  if (!applyPadding) {
    gradIn = chain;
    return s;
  }
  const p = computeCoordinatesWithGrad(s, size, padding, alignCorners);
  gradIn *= chain;
  return p;
}

@inline function cubicConvolution1(x: f32, a: f32): f32 {
  return ((a + 2) * x - (a + 3)) * x * x + 1;
}

@inline function cubicConvolution2(x: f32, a: f32): f32 {
  return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
}

/** Weights of the taps at floor(x) - 1 .. floor(x) + 2, for t = x - floor(x), as one f32x4. */
@inline export function cubicWeights(t: f32): v128 {
  const a = CUBIC_A;
  return f32x4(cubicConvolution2(t + 1, a), cubicConvolution1(t, a), cubicConvolution1(1 - t, a), cubicConvolution2(2 - t, a));
}

/**
 * d(cubicWeights)/dt, as one f32x4 (the weights themselves come from cubicWeights). The formulas
 * are PyTorch's get_cubic_coefficients_grad, which gives d/d(tap - t): hence the negation.
 */
@inline export function cubicWeightsWithGrad(t: f32): v128 {
  const a = CUBIC_A;
  // Written with `a` first so AssemblyScript keeps f32 (same formulas as the reference).
  let x: f32 = -1 - t;
  const g0 = (a * -3 * x - a * 10) * x - a * 8;
  x = -t;
  const g1 = ((a + 2) * -3 * x - (a + 3) * 2) * x;
  x = 1 - t;
  const g2 = ((a + 2) * 3 * x - (a + 3) * 2) * x;
  x = 2 - t;
  const g3 = (a * 3 * x - a * 10) * x + a * 8;
  return f32x4.neg(f32x4(g0, g1, g2, g3));
}
