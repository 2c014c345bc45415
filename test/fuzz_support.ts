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
import { expect } from 'vitest';
import type { GridSampleResult, SampleOptions } from '../src/reference/grid_sample.js';
import { type Sampled, expectClose } from './helpers.js';

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

/**
 * The fuzz tests' verdict on one case (images or volumes), given each backend's results `got` and
 * the float64 reference's `want` for the same float32 inputs: every value finite; cpu and wasm (the
 * same float32 module) within 1e-5; every backend within the parity tolerance of the reference,
 * except a point's output near a jump (`jumps[point].value`) and d(grid) at huge coordinates,
 * which must be exactly 0 where the reference's is.
 */
export function expectBackendsAgree(
  got: Record<string, Sampled>, want: GridSampleResult, grid: Float32Array, channels: number, jumps: readonly { value: boolean }[],
): void {
  for (const [backend, r] of Object.entries(got)) {
    for (const [name, values] of Object.entries(r)) {
      const bad = (values as Float32Array).findIndex((v) => !Number.isFinite(v));
      expect(bad, `${backend} ${name}[${bad}] = ${(values as Float32Array)[bad]}: not finite`).toBe(-1);
    }
  }
  for (const name of ['output', 'dInput', 'dGrid'] as const) {
    expectClose(got.wasm![name], got.cpu![name], `wasm vs cpu ${name}`, SAME_MODULE_TOLERANCE);
  }
  const huge = (i: number) => !(Math.abs(grid[i]!) <= 1e6);
  // `got` with the elements `keep` rejects replaced by `want`'s: expectClose then names real indices.
  const keepOnly = (g: Float32Array, w: ArrayLike<number>, keep: (i: number) => boolean) => Float64Array.from(g, (v, i) => (keep(i) ? v : w[i]!));
  for (const [backend, r] of Object.entries(got)) {
    expectClose(keepOnly(r.output, want.output, (i) => !jumps[Math.floor(i / channels)]!.value), want.output, `${backend} output`);
    expectClose(r.dInput, want.dInput!, `${backend} dInput`);
    expectClose(keepOnly(r.dGrid, want.dGrid!, (i) => !huge(i)), want.dGrid!, `${backend} dGrid`);
    for (let i = 0; i < grid.length; i++) {
      if (huge(i) && want.dGrid![i] === 0) expect(r.dGrid[i], `${backend} dGrid[${i}] at coordinate ${grid[i]}`).toBe(0);
    }
  }
}

/** cpu and wasm run the same float32 module. */
export const SAME_MODULE_TOLERANCE = 1e-5;
