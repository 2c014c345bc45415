/**
 * For the fuzz and gradient-check tests: where a sample's result jumps, so that float32 and
 * float64 (or two float32 codes) may legitimately land on different sides.
 *
 * A grid coordinate becomes the pixel coordinate u (unnormalize, then clampToSafeRange). The
 * padding's clip and fold points and the interpolation's floor / round all sit on multiples of 0.5
 * in u (reflection folds at -0.5 + k * size or k * (size - 1); the fold maps multiples of 0.5 onto
 * multiples of 0.5), so:
 * - nearest's value (and its d(input)) jumps where u is a half-integer;
 * - bilinear's value is continuous, its d(grid) jumps at integers (floor, clip) and, with
 *   reflection, at half-integers (folds);
 * - bicubic is continuously differentiable everywhere (Keys' kernel is C1 and its padding acts on
 *   whole taps), so it never jumps;
 * - a clamped coordinate (outside the safe range, ±Infinity included) is exactly the bound in every
 *   precision, so it never counts as near a jump.
 */
import { clampToSafeRange, unnormalize } from '../src/reference/coords.js';
import type { SampleOptions } from '../src/reference/grid_sample.js';

/** Distance from u to the nearest offset + k * step. */
function latticeDistance(u: number, step: number, offset: number): number {
  const r = (u - offset) / step;
  return Math.abs(r - Math.round(r)) * step;
}

/** Whether the sample at grid coordinates (gx, gy) is within eps pixels of a jump in its value or in its d(grid). */
export function nearJump(
  gx: number, gy: number, W: number, H: number, o: SampleOptions, eps: number,
): { value: boolean; grad: boolean } {
  const near = { value: false, grad: false };
  if (Number.isNaN(gx) || Number.isNaN(gy)) return near; // no taps, in every precision
  for (const [g, size] of [[gx, W], [gy, H]] as const) {
    if (size === 1 && o.alignCorners) continue; // u is 0 whatever g is
    const u = unnormalize(g, size, o.alignCorners);
    if (!Number.isFinite(u) || clampToSafeRange(u, size, o.paddingMode, o.alignCorners) !== u) continue;
    const e = eps + Math.abs(u) * 1e-6;
    if (o.mode === 'nearest' && latticeDistance(u, 1, 0.5) < e) near.value = true;
    if (o.mode === 'bilinear' && latticeDistance(u, 0.5, 0) < e) near.grad = true;
  }
  return near;
}
