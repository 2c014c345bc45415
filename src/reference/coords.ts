/**
 * The coordinate math of grid sampling, in plain TypeScript (float64): the third opinion in the
 * tests beside the AssemblyScript (assembly/coords.ts) and WGSL (src/kernels/webgpu/coords_wgsl.ts)
 * versions, which use the same names and the same steps. The constants and the mode names are the
 * contract's (src/kernels/names.ts), shared by every copy.
 *
 * A grid coordinate g in [-1, 1] becomes a pixel coordinate in four steps (PyTorch's
 * GridSamplerKernel.cpp, vectorised CPU path):
 *   unnormalize        g -> (g + 1) * size/2 - 0.5       (alignCorners: (g + 1) * (size-1)/2)
 *   clampToSafeRange   keeps ±Infinity and huge values finite, without changing any result
 *   computeCoordinates the padding mode: zeros (none), border (clip), reflection (reflect, clip)
 *   interpolation      bilinear / nearest / bicubic taps with their weights
 * Every step has a "WithGrad" twin that also returns d(out)/d(in), so that one loop over the grid
 * serves forward and backward.
 */

import { CUBIC_A, type PaddingMode, REFLECTION_REACH, SAFE_MARGIN } from '../kernels/names.js';

/** A value and its derivative with respect to the step's input. */
export interface WithGrad {
  value: number;
  grad: number;
}

function unnormalizeScale(size: number, alignCorners: boolean): number {
  return alignCorners ? (size - 1) / 2 : size / 2;
}

export function unnormalize(coord: number, size: number, alignCorners: boolean): number {
  const scale = unnormalizeScale(size, alignCorners);
  // scale is 0 only for a 1-pixel side with alignCorners: every coordinate maps to 0, ±Infinity too.
  if (scale === 0) return 0;
  return alignCorners ? (coord + 1) * scale : (coord + 1) * scale - 0.5;
}

export function unnormalizeWithGrad(coord: number, size: number, alignCorners: boolean): WithGrad {
  return { value: unnormalize(coord, size, alignCorners), grad: unnormalizeScale(size, alignCorners) };
}

/** Reflection bounds: coordinates fold into [low, low + twiceSpan / 2]. */
function reflectionLow(alignCorners: boolean): number {
  return alignCorners ? 0 : -0.5;
}
function reflectionTwiceSpan(size: number, alignCorners: boolean): number {
  return alignCorners ? 2 * (size - 1) : 2 * size;
}

function safeRange(size: number, padding: PaddingMode, alignCorners: boolean): [number, number] {
  if (padding !== 'reflection') return [-SAFE_MARGIN, size - 1 + SAFE_MARGIN];
  const low = reflectionLow(alignCorners);
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  // A whole number of periods, so the clamped ends fold onto the first and last pixel.
  const reach = twiceSpan === 0 ? 0 : Math.floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
  return [low - reach, low + twiceSpan / 2 + reach];
}

export function clampToSafeRange(x: number, size: number, padding: PaddingMode, alignCorners: boolean): number {
  const [lo, hi] = safeRange(size, padding, alignCorners);
  return Math.min(Math.max(x, lo), hi);
}

export function clampToSafeRangeWithGrad(x: number, size: number, padding: PaddingMode, alignCorners: boolean): WithGrad {
  const [lo, hi] = safeRange(size, padding, alignCorners);
  return { value: Math.min(Math.max(x, lo), hi), grad: x > lo && x < hi ? 1 : 0 };
}

export function clipCoordinates(x: number, size: number): number {
  return Math.min(Math.max(x, 0), size - 1);
}

/** The borders themselves count as clipped (gradient 0), as in PyTorch. */
export function clipCoordinatesWithGrad(x: number, size: number): WithGrad {
  const value = clipCoordinates(x, size);
  return { value, grad: x > 0 && x < size - 1 ? 1 : 0 };
}

export function reflectCoordinates(x: number, size: number, alignCorners: boolean): number {
  return reflectCoordinatesWithGrad(x, size, alignCorners).value;
}

export function reflectCoordinatesWithGrad(x: number, size: number, alignCorners: boolean): WithGrad {
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  if (twiceSpan === 0) return { value: 0, grad: 0 };
  const low = reflectionLow(alignCorners);
  const inMinusLow = x - low;
  const absIn = Math.abs(inMinusLow);
  const extra = absIn - Math.trunc(absIn / twiceSpan) * twiceSpan;
  const reflectedExtra = twiceSpan - extra;
  const oneMoreFlip = extra > reflectedExtra;
  const negative = inMinusLow < 0;
  return {
    value: (oneMoreFlip ? reflectedExtra : extra) + low,
    grad: oneMoreFlip !== negative ? -1 : 1,
  };
}

/** The padding mode applied to a pixel coordinate (PyTorch's compute_coordinates). */
export function computeCoordinates(x: number, size: number, padding: PaddingMode, alignCorners: boolean): number {
  if (padding === 'border') return clipCoordinates(x, size);
  if (padding === 'reflection') return clipCoordinates(reflectCoordinates(x, size, alignCorners), size);
  return x;
}

export function computeCoordinatesWithGrad(x: number, size: number, padding: PaddingMode, alignCorners: boolean): WithGrad {
  if (padding === 'border') return clipCoordinatesWithGrad(x, size);
  if (padding === 'reflection') {
    const r = reflectCoordinatesWithGrad(x, size, alignCorners);
    const c = clipCoordinatesWithGrad(r.value, size);
    return { value: c.value, grad: r.grad * c.grad };
  }
  return { value: x, grad: 1 };
}

/**
 * Grid coordinate to pixel coordinate. Bicubic passes applyPadding = false: it pads each of its
 * 16 taps instead of the coordinate.
 */
export function computeSourceIndexWithGrad(
  coord: number, size: number, padding: PaddingMode, alignCorners: boolean, applyPadding: boolean,
): WithGrad {
  const u = unnormalizeWithGrad(coord, size, alignCorners);
  const s = clampToSafeRangeWithGrad(u.value, size, padding, alignCorners);
  if (!applyPadding) return { value: s.value, grad: u.grad * s.grad };
  const p = computeCoordinatesWithGrad(s.value, size, padding, alignCorners);
  return { value: p.value, grad: u.grad * s.grad * p.grad };
}

function cubicConvolution1(x: number, a: number): number {
  return ((a + 2) * x - (a + 3)) * x * x + 1;
}
function cubicConvolution2(x: number, a: number): number {
  return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
}

/** Weights of the taps at floor(x) - 1 .. floor(x) + 2, for t = x - floor(x). */
export function cubicWeights(t: number): [number, number, number, number] {
  const a = CUBIC_A;
  return [cubicConvolution2(t + 1, a), cubicConvolution1(t, a), cubicConvolution1(1 - t, a), cubicConvolution2(2 - t, a)];
}

/**
 * cubicWeights and their derivatives d(weight)/dt. The formulas are PyTorch's
 * get_cubic_coefficients_grad, which gives d/d(tap - t): hence the minus signs.
 */
export function cubicWeightsWithGrad(t: number): { value: [number, number, number, number]; grad: [number, number, number, number] } {
  const a = CUBIC_A;
  let x = -1 - t;
  const g0 = (-3 * a * x - 10 * a) * x - 8 * a;
  x = -t;
  const g1 = (-3 * (a + 2) * x - 2 * (a + 3)) * x;
  x = 1 - t;
  const g2 = (3 * (a + 2) * x - 2 * (a + 3)) * x;
  x = 2 - t;
  const g3 = (3 * a * x - 10 * a) * x + 8 * a;
  return { value: cubicWeights(t), grad: [-g0, -g1, -g2, -g3] };
}
