// The coordinate math of grid sampling, in AssemblyScript: float32, four grid points at a time
// (one f32x4 lane each), as PyTorch's vectorised CPU kernel does. The same steps and names as
// src/reference/coords.ts (scalar float64 TypeScript) and src/kernels/webgpu (WGSL):
//   unnormalize        g -> (g + 1) * size/2 - 0.5       (alignCorners: (g + 1) * (size-1)/2)
//   clampToSafeRange   keeps ±Infinity and huge values finite, without changing any result
//   computeCoordinates the padding mode: zeros (none), border (clip), reflection (reflect, clip)
//   cubicWeights       the bicubic taps' weights (A = -0.75)
// Each function has its derivative twin beside it, named with "Grad": the same arguments (but
// unnormalizeGrad, a constant of the axis), and it returns d(value)/d(input) (PyTorch's *_set_grad
// functions return both, the derivative through a pointer). Both are inlined, so where a caller asks for a value and its derivative the
// optimizer computes their shared steps once; no module global carries a result. Where the
// reference takes an axis' size, these take the axis, whose constants setAxis() computed for the
// call (below).
// Clamps use pmin/pmax (one x86 instruction; wasm's NaN-exact min/max take about eight): equal
// in value to min/max for every non-NaN input, and NaN points are masked out by the callers.
// The module has no data segment and no allocator: it runs on memory it is given (tfjs-wasm's
// heap, or its own for the cpu backend).

// The padding codes and the constants are the contract's (src/kernels/names.ts, generated into
// contract.ts by scripts/build-wasm.mjs).
import { CUBIC_A, PADDING_BORDER, PADDING_REFLECTION, REFLECTION_REACH, SAFE_MARGIN } from './contract';
import {
  axisFlatX, axisFlatY, axisFlatZ, axisHighX, axisHighY, axisHighZ, axisLastX, axisLastY, axisLastZ, axisLowX, axisLowY, axisLowZ,
  axisPinnedX, axisPinnedY, axisPinnedZ, axisScaleX, axisScaleY, axisScaleZ, axisSpanX, axisSpanY, axisSpanZ, axisTwiceSpanX, axisTwiceSpanY, axisTwiceSpanZ,
} from './registers';

@inline function splat(x: f32): v128 {
  return f32x4.splat(x);
}

/** 1.0 where `mask` is set, else 0.0. */
@inline function maskToOne(mask: v128): v128 {
  return v128.and(mask, splat(1));
}

// The axes' constants. The functions below take an axis (AXIS_X, AXIS_Y, AXIS_Z) where the
// reference takes its size: what they need of the size (the unnormalize scale, the safe range, the
// reflection's span, the last pixel) depends on it, the padding and alignCorners alone, but V8
// does not move loop-invariant code out of a loop, so inlined in a kernel's loop over blocks they
// were computed again every block (with reflection, three scalar divisions an axis: 7-10% of a
// nearest or bilinear reflection forward). setAxis() computes them once per call into module globals
// (registers.ts), each a load in the loop.
export const AXIS_X: i32 = 0;
export const AXIS_Y: i32 = 1;
export const AXIS_Z: i32 = 2;

@inline function unnormalizeScale(size: i32, alignCorners: bool): f32 {
  return alignCorners ? <f32>(size - 1) * 0.5 : <f32>size * 0.5;
}

@inline function reflectionLow(alignCorners: bool): f32 {
  return alignCorners ? 0 : -0.5;
}

@inline function reflectionTwiceSpan(size: i32, alignCorners: bool): f32 {
  return alignCorners ? <f32>((size - 1) * 2) : <f32>(size * 2);
}

/** A whole number of reflection periods near 2^22, so the clamped ends fold onto the edges. */
@inline function reflectionReach(size: i32, alignCorners: bool): f32 {
  const twiceSpan = reflectionTwiceSpan(size, alignCorners);
  return twiceSpan == 0 ? <f32>0 : Mathf.floor(REFLECTION_REACH / twiceSpan) * twiceSpan;
}

@inline function safeLow(size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding != PADDING_REFLECTION) return -SAFE_MARGIN;
  return reflectionLow(alignCorners) - reflectionReach(size, alignCorners);
}

@inline function safeHigh(size: i32, padding: i32, alignCorners: bool): f32 {
  if (padding != PADDING_REFLECTION) return <f32>(size - 1) + SAFE_MARGIN;
  return reflectionLow(alignCorners) + reflectionTwiceSpan(size, alignCorners) * 0.5 + reflectionReach(size, alignCorners);
}

/** The constants of axis `axis` (of `size` pixels) for this call's padding and alignCorners. */
export function setAxis(axis: i32, size: i32, padding: i32, alignCorners: bool): void {
  const scale = splat(unnormalizeScale(size, alignCorners));
  const lo = splat(safeLow(size, padding, alignCorners)), hi = splat(safeHigh(size, padding, alignCorners));
  const twiceSpanF = reflectionTwiceSpan(size, alignCorners);
  const last = splat(<f32>(size - 1)), twiceSpan = splat(twiceSpanF), span = splat(twiceSpanF * 0.5);
  // A one-pixel side with alignCorners: every coordinate maps to 0, ±Infinity too (scale 0 would
  // give NaN there); a reflection span of 0 (the same side) reflects everything onto 0.
  const pinned = alignCorners && size == 1, flat = twiceSpanF == 0;
  if (axis == AXIS_X) {
    axisScaleX = scale; axisLowX = lo; axisHighX = hi; axisLastX = last; axisTwiceSpanX = twiceSpan; axisSpanX = span; axisPinnedX = pinned; axisFlatX = flat;
  } else if (axis == AXIS_Y) {
    axisScaleY = scale; axisLowY = lo; axisHighY = hi; axisLastY = last; axisTwiceSpanY = twiceSpan; axisSpanY = span; axisPinnedY = pinned; axisFlatY = flat;
  } else {
    axisScaleZ = scale; axisLowZ = lo; axisHighZ = hi; axisLastZ = last; axisTwiceSpanZ = twiceSpan; axisSpanZ = span; axisPinnedZ = pinned; axisFlatZ = flat;
  }
}

// An axis' constants by name, read with constant arguments (each folds to one global).
const SCALE = 0, LOW = 1, HIGH = 2, LAST = 3, TWICE_SPAN = 4, SPAN = 5, PINNED = 6, FLAT = 7;

@inline function axisVector(axis: i32, k: i32): v128 {
  if (axis == AXIS_X) return k == SCALE ? axisScaleX : k == LOW ? axisLowX : k == HIGH ? axisHighX : k == LAST ? axisLastX : k == SPAN ? axisSpanX : axisTwiceSpanX;
  if (axis == AXIS_Y) return k == SCALE ? axisScaleY : k == LOW ? axisLowY : k == HIGH ? axisHighY : k == LAST ? axisLastY : k == SPAN ? axisSpanY : axisTwiceSpanY;
  return k == SCALE ? axisScaleZ : k == LOW ? axisLowZ : k == HIGH ? axisHighZ : k == LAST ? axisLastZ : k == SPAN ? axisSpanZ : axisTwiceSpanZ;
}

@inline function axisFlag(axis: i32, k: i32): bool {
  if (axis == AXIS_X) return k == PINNED ? axisPinnedX : axisFlatX;
  if (axis == AXIS_Y) return k == PINNED ? axisPinnedY : axisFlatY;
  return k == PINNED ? axisPinnedZ : axisFlatZ;
}

/** The axis' last pixel index, size - 1 (as clipCoordinates clips to it). */
@inline export function lastPixel(axis: i32): v128 {
  return axisVector(axis, LAST);
}

@inline export function unnormalize(coord: v128, axis: i32, alignCorners: bool): v128 {
  // Asked as alignCorners && pinned: the usual case's constant alignCorners folds the branch away.
  if (alignCorners && axisFlag(axis, PINNED)) return splat(0);
  const scaled = f32x4.mul(f32x4.add(coord, splat(1)), axisVector(axis, SCALE));
  return alignCorners ? scaled : f32x4.sub(scaled, splat(0.5));
}

@inline export function unnormalizeGrad(axis: i32): v128 {
  return axisVector(axis, SCALE);
}

@inline export function clampToSafeRange(x: v128, axis: i32): v128 {
  return f32x4.pmin(f32x4.pmax(x, axisVector(axis, LOW)), axisVector(axis, HIGH));
}

@inline export function clampToSafeRangeGrad(x: v128, axis: i32): v128 {
  return maskToOne(v128.and(f32x4.gt(x, axisVector(axis, LOW)), f32x4.lt(x, axisVector(axis, HIGH))));
}

@inline export function clipCoordinates(x: v128, axis: i32): v128 {
  return f32x4.pmin(f32x4.pmax(x, splat(0)), lastPixel(axis));
}

/** The borders themselves count as clipped (gradient 0), as in PyTorch. */
@inline export function clipCoordinatesGrad(x: v128, axis: i32): v128 {
  return maskToOne(v128.and(f32x4.gt(x, splat(0)), f32x4.lt(x, lastPixel(axis))));
}

/** Reflects x into the span (PyTorch's reflect_coordinates). */
@inline export function reflectCoordinates(x: v128, axis: i32, alignCorners: bool): v128 {
  return reflect(x, axis, alignCorners, false);
}

@inline export function reflectCoordinatesGrad(x: v128, axis: i32, alignCorners: bool): v128 {
  return reflect(x, axis, alignCorners, true);
}

/** reflectCoordinates (grad false) or its derivative, ±1 (grad true): the same steps. */
@inline function reflect(x: v128, axis: i32, alignCorners: bool, grad: bool): v128 {
  if (axisFlag(axis, FLAT)) return splat(0);
  const twiceSpan = axisVector(axis, TWICE_SPAN);
  const low = splat(reflectionLow(alignCorners));
  const inMinusLow = f32x4.sub(x, low);
  // A block inside the span (the usual one) has no flip: the quotient below is 0 and extra is
  // inMinusLow itself, the nearer of extra and reflectedExtra (at least the half span) is extra,
  // so the result is the same bits without the division and its chain.
  if (v128.all_true<i32>(v128.and(f32x4.ge(inMinusLow, splat(0)), f32x4.le(inMinusLow, axisVector(axis, SPAN))))) {
    return grad ? splat(1) : f32x4.add(inMinusLow, low);
  }
  const absIn = f32x4.abs(inMinusLow);
  const extra = f32x4.sub(absIn, f32x4.mul(f32x4.trunc(f32x4.div(absIn, twiceSpan)), twiceSpan));
  const reflectedExtra = f32x4.sub(twiceSpan, extra);
  const oneMoreFlip = f32x4.gt(extra, reflectedExtra);
  if (grad) return v128.bitselect(splat(-1), splat(1), v128.xor(oneMoreFlip, f32x4.lt(inMinusLow, splat(0))));
  // reflectedExtra where oneMoreFlip, else extra: pmin's test, in one instruction (PyTorch's minimum).
  return f32x4.add(f32x4.pmin(extra, reflectedExtra), low);
}

/** The padding mode applied to a pixel coordinate (PyTorch's compute_coordinates). */
@inline export function computeCoordinates(x: v128, axis: i32, padding: i32, alignCorners: bool): v128 {
  if (padding == PADDING_BORDER) return clipCoordinates(x, axis);
  if (padding == PADDING_REFLECTION) return clipCoordinates(reflectCoordinates(x, axis, alignCorners), axis);
  return x;
}

@inline export function computeCoordinatesGrad(x: v128, axis: i32, padding: i32, alignCorners: bool): v128 {
  if (padding == PADDING_BORDER) return clipCoordinatesGrad(x, axis);
  if (padding == PADDING_REFLECTION) {
    return f32x4.mul(clipCoordinatesGrad(reflectCoordinates(x, axis, alignCorners), axis), reflectCoordinatesGrad(x, axis, alignCorners));
  }
  return splat(1);
}

/**
 * Grid coordinate to pixel coordinate (PyTorch's grid_sampler_compute_source_index). Inlined:
 * called with constant padding and alignCorners, its branches fold away.
 */
@inline export function computeSourceIndex(coord: v128, axis: i32, padding: i32, alignCorners: bool, applyPadding: bool): v128 {
  const s = clampToSafeRange(unnormalize(coord, axis, alignCorners), axis);
  return applyPadding ? computeCoordinates(s, axis, padding, alignCorners) : s;
}

/**
 * d(computeSourceIndex)/d(coord): the chain rule through unnormalize, clampToSafeRange and the
 * padding. Bicubic passes applyPadding = false: it pads each of its 16 taps instead of the
 * coordinate.
 */
@inline export function computeSourceIndexGrad(coord: v128, axis: i32, padding: i32, alignCorners: bool, applyPadding: bool): v128 {
  const u = unnormalize(coord, axis, alignCorners);
  const chain = f32x4.mul(unnormalizeGrad(axis), clampToSafeRangeGrad(u, axis));
  if (!applyPadding) return chain;
  const s = clampToSafeRange(u, axis);
  return f32x4.mul(computeCoordinatesGrad(s, axis, padding, alignCorners), chain);
}

/**
 * d(grid) from d(loss)/d(pixel coordinate) `dI` and computeSourceIndexGrad's `mult`: their
 * product, and exactly 0 where mult is 0 (a NaN point, a clamped or clipped coordinate) whatever
 * dI is (an infinite dI times 0 would be NaN).
 */
@inline export function applySourceIndexGrad(dI: v128, mult: v128): v128 {
  return v128.andnot(f32x4.mul(dI, mult), f32x4.eq(mult, f32x4.splat(0)));
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
 * cubicWeights with four points' t in the lanes: the weight of tap `k` (0-3, at floor(x) - 1 + k)
 * of each point, the same operations as cubicWeights' lane k (so the same bits).
 */
@inline export function cubicWeightLanes(t: v128, k: i32): v128 {
  const a = CUBIC_A;
  const one = splat(1);
  if (k == 0) return cubicConvolution2Lanes(f32x4.add(t, one), a);
  if (k == 1) return cubicConvolution1Lanes(t, a);
  if (k == 2) return cubicConvolution1Lanes(f32x4.sub(one, t), a);
  return cubicConvolution2Lanes(f32x4.sub(splat(2), t), a);
}

@inline function cubicConvolution1Lanes(x: v128, a: f32): v128 {
  return f32x4.add(f32x4.mul(f32x4.mul(f32x4.sub(f32x4.mul(splat(a + 2), x), splat(a + 3)), x), x), splat(1));
}

@inline function cubicConvolution2Lanes(x: v128, a: f32): v128 {
  return f32x4.sub(f32x4.mul(f32x4.add(f32x4.mul(f32x4.sub(f32x4.mul(splat(a), x), splat(5 * a)), x), splat(8 * a)), x), splat(4 * a));
}

/** cubicWeightsGrad with four points' t in the lanes: tap `k`'s, the same operations as its lane k. */
@inline export function cubicWeightGradLanes(t: v128, k: i32): v128 {
  const a = CUBIC_A;
  if (k == 0) {
    const x = f32x4.sub(splat(-1), t);
    return f32x4.neg(f32x4.sub(f32x4.mul(f32x4.sub(f32x4.mul(splat(a * -3), x), splat(a * 10)), x), splat(a * 8)));
  }
  if (k == 1) {
    const x = f32x4.neg(t);
    return f32x4.neg(f32x4.mul(f32x4.sub(f32x4.mul(splat((a + 2) * -3), x), splat((a + 3) * 2)), x));
  }
  if (k == 2) {
    const x = f32x4.sub(splat(1), t);
    return f32x4.neg(f32x4.mul(f32x4.sub(f32x4.mul(splat((a + 2) * 3), x), splat((a + 3) * 2)), x));
  }
  const x = f32x4.sub(splat(2), t);
  return f32x4.neg(f32x4.add(f32x4.mul(f32x4.sub(f32x4.mul(splat(a * 3), x), splat(a * 10)), x), splat(a * 8)));
}

/**
 * d(cubicWeights)/dt, as one f32x4. The formulas are PyTorch's get_cubic_coefficients_grad,
 * which gives d/d(tap - t): hence the negation.
 */
@inline export function cubicWeightsGrad(t: f32): v128 {
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
