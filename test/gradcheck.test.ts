/**
 * The float64 reference's gradients against central finite differences, for every mode, padding
 * and alignCorners: d(input) and d(grid) of L = sum(gridSample(input, grid) * dy) on images and
 * on volumes (trilinear, nearest, tricubic: PyTorch has no tricubic, so this is its only check
 * beyond scripts/tricubic.py), d(theta) of affineGrid, and d(theta) through affineGrid into
 * gridSample (the STN chain). Grid points are
 * drawn away from jumps (test/fuzz_support.ts) so that the difference quotient never straddles
 * one; some lie far outside, where the coordinate is clamped and every gradient is 0.
 * The backends are held to the reference by test/fuzz.test.ts and test/parity.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODES, PADDING_MODES } from '../src/kernels/names.js';
import {
  type SampleOptions, affineGridGradReference, affineGridReference, gridSampleReference,
} from '../src/reference/grid_sample.js';
import { nearJump } from './fuzz_support.js';
import { expectClose } from './helpers.js';

const combos: SampleOptions[] = MODES.flatMap((mode) => PADDING_MODES.flatMap((paddingMode) =>
  [false, true].map((alignCorners) => ({ mode, paddingMode, alignCorners }))));

/** Room around each point, in pixels: far wider than the difference step. */
const MARGIN = 1e-3;
const H_INPUT = 1e-3; // L is linear in the input: any step is exact up to rounding
const H_GRID = 1e-6;
const TOLERANCE = 1e-6;

/** Deterministic floats spread evenly over [min, max] (fast-check's generator with a fixed seed). */
function floats(count: number, min: number, max: number, seed: number): number[] {
  const steps = 2 ** 30;
  return fc.sample(fc.noBias(fc.integer({ min: 0, max: steps })), { seed, numRuns: count }).map((k) => min + ((max - min) * k) / steps);
}

/** Central difference of f along each coordinate of x. */
function centralDifferences(f: (x: number[]) => number, x: readonly number[], h: number): Float64Array {
  return Float64Array.from(x, (_, i) => {
    const plus = [...x];
    const minus = [...x];
    plus[i]! += h;
    minus[i]! -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/**
 * Grid points away from every jump, `sizes` (W, H[, D]) giving each axis's size: 1 in 6 far
 * outside in x ([2.2, 2.8] in size), the rest in [-1.3, 1.3].
 */
function gridAwayFromJumps(points: number, sizes: readonly number[], o: SampleOptions, seed: number): number[] {
  const dims = sizes.length;
  const grid: number[] = [];
  const candidates = floats(40 * points * dims, -1.3, 1.3, seed);
  const far = floats(40 * points * dims, 2.2, 2.8, seed + 1);
  for (let k = 0; grid.length < dims * points; k += dims) {
    if (k >= candidates.length) throw new Error('too few grid points clear of jumps: draw more candidates');
    const g = candidates.slice(k, k + dims);
    if (k % (6 * dims) === 0) g[0] = g[1]! < 0 ? -far[k]! : far[k]!;
    // nearJump looks at each coordinate against its own axis's size (a pair at a time).
    const clear = g.every((c, axis) => {
      const near = nearJump(c, c, sizes[axis]!, sizes[axis]!, o, MARGIN);
      return !near.value && !near.grad;
    });
    if (clear) grid.push(...g);
  }
  return grid;
}

/** The reference's d(input) and d(grid) against central differences of L = sum(gridSample * dy). */
function expectGradientsAreDifferences(inputShape: readonly number[], gridShape: readonly number[], o: SampleOptions, seed: number): void {
  const dims = inputShape.length - 2;
  const sizes = inputShape.slice(1, dims + 1).reverse(); // x first
  const points = gridShape.slice(0, -1).reduce((a, b) => a * b, 1);
  const C = inputShape[dims + 1]!;
  const input = floats(inputShape.reduce((a, b) => a * b, 1), -2, 2, 10 * seed);
  const dy = floats(points * C, -1, 1, 10 * seed + 1);
  const grid = gridAwayFromJumps(points, sizes, o, 10 * seed + 2);
  const loss = (x: ArrayLike<number>, g: ArrayLike<number>) => dot(gridSampleReference(x, inputShape, g, gridShape, o).output, dy);
  const r = gridSampleReference(input, inputShape, grid, gridShape, o, dy);
  const what = `[${inputShape}] -> [${gridShape}]`;
  expectClose(r.dInput!, centralDifferences((x) => loss(x, grid), input, H_INPUT), `dInput ${what}`, TOLERANCE);
  expectClose(r.dGrid!, centralDifferences((g) => loss(input, g), grid, H_GRID), `dGrid ${what}`, TOLERANCE);
  if (o.mode === 'nearest') expect(r.dGrid!.every((v) => v === 0)).toBe(true);
}

describe('gridSample: the reference gradients are the finite differences of its output', () => {
  it.each(combos)('%o', (o) => {
    for (const [inputShape, gridShape, seed] of [[[2, 4, 5, 3], [2, 3, 3, 2], 1], [[1, 1, 6, 2], [1, 2, 5, 2], 2], [[1, 7, 1, 1], [1, 4, 2, 2], 3]] as const) {
      expectGradientsAreDifferences(inputShape, gridShape, o, seed);
    }
  });
});

describe('gridSample on volumes (trilinear, nearest, tricubic): the reference gradients are the finite differences of its output', () => {
  it.each(combos)('%o', (o) => {
    // A flat volume (D 1) and a thin one (W 1) besides the general case: the size-1 axes' rules.
    for (const [inputShape, gridShape, seed] of [
      [[2, 3, 4, 5, 2], [2, 2, 3, 2, 3], 4], [[1, 1, 3, 4, 1], [1, 2, 2, 3, 3], 5], [[1, 4, 3, 1, 2], [1, 3, 2, 2, 3], 6],
    ] as const) {
      expectGradientsAreDifferences(inputShape, gridShape, o, seed);
    }
  });
});

describe('affineGrid: d(theta) is the finite difference of the grid', () => {
  it.each([false, true])('alignCorners %s', (alignCorners) => {
    const size = [2, 3, 4, 1] as const;
    const theta = floats(12, -1.5, 1.5, 40);
    const dGrid = floats(2 * 3 * 4 * 2, -1, 1, 41);
    const loss = (t: ArrayLike<number>) => dot(affineGridReference(t, size, alignCorners), dGrid);
    expectClose(affineGridGradReference(dGrid, size, alignCorners), centralDifferences(loss, theta, 1e-3), 'dTheta', TOLERANCE);
  });
});

describe('the STN chain: d(theta) through affineGrid into gridSample', () => {
  it.each(combos.filter((o) => o.mode !== 'nearest'))('%o', (o) => {
    const inputShape = [1, 5, 6, 2] as const;
    const size = [1, 4, 3, 2] as const;
    const input = floats(5 * 6 * 2, -2, 2, 50);
    const dy = floats(4 * 3 * 2, -1, 1, 51);
    // A theta whose grid keeps clear of every jump (the draw is deterministic: the first that does).
    const thetas = floats(6 * 50, -1.2, 1.2, 52);
    const gridFor = (t: ArrayLike<number>) => affineGridReference(t, size, o.alignCorners);
    const clear = (t: number[]) => {
      const g = gridFor(t);
      for (let p = 0; p < g.length; p += 2) {
        const near = nearJump(g[p]!, g[p + 1]!, 6, 5, o, MARGIN);
        if (near.value || near.grad) return false;
      }
      return true;
    };
    const theta = Array.from({ length: 50 }, (_, k) => thetas.slice(6 * k, 6 * k + 6)).find(clear);
    expect(theta, 'a theta clear of jumps').toBeDefined();
    const loss = (t: ArrayLike<number>) => dot(gridSampleReference(input, inputShape, gridFor(t), [1, 4, 3, 2], o).output, dy);
    const dGrid = gridSampleReference(input, inputShape, gridFor(theta!), [1, 4, 3, 2], o, dy).dGrid!;
    expectClose(affineGridGradReference(dGrid, size, o.alignCorners), centralDifferences(loss, theta!, H_GRID), 'dTheta', TOLERANCE);
  });
});
