/**
 * Property-based cross-backend test (fast-check): random shapes (N 1-3, H/W/C 1-9, Ho/Wo 1-7),
 * modes, paddings and alignCorners, and grids that mix ordinary coordinates in [-1.5, 1.5] with
 * extremes (NaN, ±Infinity, ±1e30, ±3e38, ±1e7, ±1, just outside ±1) and exact pixel centres and
 * edges. The output, d(input) and d(grid) of every backend must be finite and:
 * - cpu and wasm (the same float32 module) agree to 1e-5, everywhere;
 * - every backend agrees with the float64 reference within the parity tolerance, except where
 *   float32 and float64 may legitimately fall on different sides of a jump (test/fuzz_support.ts:
 *   such a point's output is not compared and its dy is 0) and, for d(grid), at huge or
 *   non-finite coordinates, where it must be exactly 0 when the reference's is (the
 *   extreme-coordinate rules in ARCHITECTURE.md) and only finite otherwise.
 * And each backend, run twice on the same case, repeats itself bit for bit (webgpu's d(input),
 * summed with atomics, only to 1e-5).
 *
 * The seed is fixed (FUZZ_SEED overrides it, FUZZ_RUNS the number of runs). A failure prints the
 * seed and path (FUZZ_SEED=... FUZZ_PATH=... replays it) and a ready-made entry for
 * test/regressions/grid_sample_fuzz.json, whose cases are replayed first on every run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MODES, PADDING_MODES } from '../src/kernels/names.js';
import { type SampleOptions, gridSampleReference } from '../src/reference/grid_sample.js';
import { nearJump } from './fuzz_support.js';
import { CPU_BACKENDS, EXTREME_COORDINATES, type Sampled, expectClose, sampleWithGrads, useBackend } from './helpers.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

const gpu = await requireWebGPU();
const BACKENDS: string[] = gpu ? [...CPU_BACKENDS, 'webgpu'] : [...CPU_BACKENDS];

const SEED = Number(process.env.FUZZ_SEED ?? 20251125);
const RUNS = Number(process.env.FUZZ_RUNS ?? 150);
const PATH = process.env.FUZZ_PATH;

/** Pixels within this distance of a jump are not compared with the reference. */
const JUMP_MARGIN = 1e-3;
/** cpu and wasm run the same float32 module. */
const SAME_MODULE_TOLERANCE = 1e-5;

const EXTREMES = [...EXTREME_COORDINATES, 1, -1];

interface FuzzCase {
  options: SampleOptions;
  inputShape: [number, number, number, number];
  gridShape: [number, number, number, number];
  input: number[];
  grid: number[];
  dy: number[];
}

/** The grid coordinate of pixel coordinate u on a side of `size` pixels (unnormalize's inverse). */
function gridCoordinate(u: number, size: number, alignCorners: boolean): number {
  if (alignCorners) return size === 1 ? 0 : (2 * u) / (size - 1) - 1;
  return (2 * u + 1) / size - 1;
}

/** Ordinary coordinates, extremes, and pixel centres and edges from just outside to just past the image. */
function coordinate(size: number, alignCorners: boolean): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.float({ min: -1.5, max: 1.5, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(...EXTREMES) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 2 * size + 1 }).map((h) => gridCoordinate(h / 2, size, alignCorners)) },
  );
}

const values = (length: number, limit: number) =>
  fc.array(fc.float({ min: -limit, max: limit, noNaN: true }), { minLength: length, maxLength: length });

const fuzzCase: fc.Arbitrary<FuzzCase> = fc.record({
  N: fc.integer({ min: 1, max: 3 }),
  H: fc.integer({ min: 1, max: 9 }),
  W: fc.integer({ min: 1, max: 9 }),
  C: fc.integer({ min: 1, max: 9 }),
  Ho: fc.integer({ min: 1, max: 7 }),
  Wo: fc.integer({ min: 1, max: 7 }),
  mode: fc.constantFrom(...MODES),
  paddingMode: fc.constantFrom(...PADDING_MODES),
  alignCorners: fc.boolean(),
}).chain(({ N, H, W, C, Ho, Wo, mode, paddingMode, alignCorners }) => {
  const points = N * Ho * Wo;
  return fc.record({
    input: values(N * H * W * C, 4),
    dy: values(points * C, 1),
    grid: fc.array(fc.tuple(coordinate(W, alignCorners), coordinate(H, alignCorners)), { minLength: points, maxLength: points })
      .map((xy) => xy.flat()),
  }).map((v): FuzzCase => ({
    options: { mode, paddingMode, alignCorners },
    inputShape: [N, H, W, C],
    gridShape: [N, Ho, Wo, 2],
    ...v,
  }));
});

/** JSON without losing NaN and ±Infinity (written as strings). */
const encode = (c: FuzzCase) => JSON.stringify(c, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v));
const decode = (c: unknown) => JSON.parse(JSON.stringify(c), (_, v: unknown) =>
  (v === 'NaN' || v === 'Infinity' || v === '-Infinity' ? Number(v) : v)) as FuzzCase;

/** `got`, with the elements `keep` rejects replaced by `want`'s: expectClose then names real indices. */
function keepOnly(got: Float32Array, want: ArrayLike<number>, keep: (i: number) => boolean): Float64Array {
  return Float64Array.from(got, (v, i) => (keep(i) ? v : want[i]!));
}

async function runOn(backend: string, c: FuzzCase, input: Float32Array, grid: Float32Array, dy: Float32Array): Promise<Sampled> {
  await useBackend(backend);
  const run = () => sampleWithGrads(input, c.inputShape, grid, c.gridShape, dy, c.options);
  return backend === 'webgpu' ? withGPUErrorScopes(run) : run();
}

async function check(c: FuzzCase): Promise<void> {
  const [N, H, W, C] = c.inputShape;
  const [, Ho, Wo] = c.gridShape;
  const input = Float32Array.from(c.input);
  const grid = Float32Array.from(c.grid);
  const points = N * Ho * Wo;
  const jumps = Array.from({ length: points }, (_, p) => nearJump(grid[2 * p]!, grid[2 * p + 1]!, W, H, c.options, JUMP_MARGIN));
  // A point near a jump gets no gradient from dy: where its taps or slopes fall depends on the
  // precision, so it could add to other pixels of d(input) or flip its d(grid).
  const dy = Float32Array.from(c.dy, (v, i) => (jumps[Math.floor(i / C)]!.value || jumps[Math.floor(i / C)]!.grad ? 0 : v));
  const got: Record<string, Sampled> = {};
  for (const backend of BACKENDS) got[backend] = await runOn(backend, c, input, grid, dy);

  for (const backend of BACKENDS) {
    for (const [name, values] of Object.entries(got[backend]!)) {
      const bad = (values as Float32Array).findIndex((v) => !Number.isFinite(v));
      expect(bad, `${backend} ${name}[${bad}] = ${(values as Float32Array)[bad]}: not finite`).toBe(-1);
    }
  }
  for (const name of ['output', 'dInput', 'dGrid'] as const) {
    expectClose(got.wasm![name], got.cpu![name], `wasm vs cpu ${name}`, SAME_MODULE_TOLERANCE);
  }

  // The reference sees the same float32 values; it computes in float64.
  const want = gridSampleReference(input, c.inputShape, grid, c.gridShape, c.options, dy);
  const huge = (i: number) => !(Math.abs(grid[i]!) <= 1e6);
  for (const backend of BACKENDS) {
    const r = got[backend]!;
    expectClose(keepOnly(r.output, want.output, (i) => !jumps[Math.floor(i / C)]!.value), want.output, `${backend} output`);
    expectClose(r.dInput, want.dInput!, `${backend} dInput`);
    expectClose(keepOnly(r.dGrid, want.dGrid!, (i) => !huge(i)), want.dGrid!, `${backend} dGrid`);
    for (let i = 0; i < grid.length; i++) {
      if (huge(i) && want.dGrid![i] === 0) expect(r.dGrid[i], `${backend} dGrid[${i}] at coordinate ${grid[i]}`).toBe(0);
    }
  }
}

/** check(), with a regression entry for the failing case added to its error. */
async function checkReporting(c: FuzzCase): Promise<void> {
  try {
    await check(c);
  } catch (e) {
    (e as Error).message += `\nregression entry for test/regressions/grid_sample_fuzz.json: {"case": ${encode(c)}}`;
    throw e;
  }
}

interface RegressionFile {
  cases: { note: string; case: unknown }[];
}
const regressions = (JSON.parse(readFileSync(join(__dirname, 'regressions/grid_sample_fuzz.json'), 'utf8')) as RegressionFile).cases;

describe(`gridSample on ${BACKENDS.join(', ')} and the float64 reference`, () => {
  it.each(regressions.map((r) => [r.note, r] as const))('regression: %s', async (_, r) => {
    await check(decode(r.case));
  });

  it('each backend repeats itself bit for bit, except webgpu\'s d(input)', async () => {
    // webgpu adds into d(input) with atomics, in whatever order its threads run: the sums may
    // differ in their last bits from run to run (as PyTorch's CUDA backward does).
    const cases = fc.sample(fuzzCase, { seed: SEED, numRuns: 20 });
    for (const c of cases) {
      const input = Float32Array.from(c.input);
      const grid = Float32Array.from(c.grid);
      const dy = Float32Array.from(c.dy);
      for (const backend of BACKENDS) {
        const first = await runOn(backend, c, input, grid, dy);
        const again = await runOn(backend, c, input, grid, dy);
        for (const name of ['output', 'dInput', 'dGrid'] as const) {
          if (backend === 'webgpu' && name === 'dInput') expectClose(again[name], first[name], `${backend} ${name} run twice`, SAME_MODULE_TOLERANCE);
          else expect(Array.from(again[name]), `${backend} ${name} ${encode(c)}`).toEqual(Array.from(first[name]));
        }
      }
    }
  });

  it(`agree on random cases (seed ${SEED}, ${RUNS} runs${PATH ? `, path ${PATH}` : ''})`, async () => {
    await fc.assert(fc.asyncProperty(fuzzCase, checkReporting), { seed: SEED, numRuns: RUNS, ...(PATH ? { path: PATH } : {}) });
  });
});
