/**
 * Property-based cross-backend test for volumes (fast-check, fixed seed; VOLUME_FUZZ_SEED and
 * VOLUME_FUZZ_RUNS override): random shapes (N 1-2, D/H/W 1-6, C 1-5, Do/Ho/Wo 1-4), modes,
 * paddings and alignCorners, and grids that mix ordinary coordinates with the extremes and exact
 * voxel centres and edges. As test/fuzz.test.ts does for images: every backend's output, d(input)
 * and d(grid) are finite, cpu and wasm agree to 1e-5, and every backend agrees with the float64
 * reference within the parity tolerance, except where float32 and float64 may fall on different
 * sides of a jump (such a point's output is not compared and its dy is 0) and, for d(grid), at
 * huge coordinates, where it must be exactly 0 when the reference's is.
 */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { MODES, PADDING_MODES } from '../src/kernels/names.js';
import { type SampleOptions, gridSampleReference } from '../src/reference/grid_sample.js';
import { expectBackendsAgree, nearJump } from './fuzz_support.js';
import { CPU_BACKENDS, EXTREME_COORDINATES, type Sampled, sampleWithGrads, useBackend } from './helpers.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

const gpu = await requireWebGPU();
const BACKENDS: string[] = gpu ? [...CPU_BACKENDS, 'webgpu'] : [...CPU_BACKENDS];
const SEED = Number(process.env.VOLUME_FUZZ_SEED ?? 20261203);
const RUNS = Number(process.env.VOLUME_FUZZ_RUNS ?? 60);
const JUMP_MARGIN = 1e-3;

interface VolumeCase {
  options: SampleOptions;
  inputShape: number[];
  gridShape: number[];
  input: number[];
  grid: number[];
  dy: number[];
}

/** Ordinary coordinates, extremes, and voxel centres and edges from just outside to just past the volume. */
function coordinate(size: number, alignCorners: boolean): fc.Arbitrary<number> {
  const at = (u: number) => (alignCorners ? (size === 1 ? 0 : (2 * u) / (size - 1) - 1) : (2 * u + 1) / size - 1);
  return fc.oneof(
    { weight: 6, arbitrary: fc.float({ min: -1.5, max: 1.5, noNaN: true }) },
    { weight: 1, arbitrary: fc.constantFrom(...EXTREME_COORDINATES, 1, -1) },
    { weight: 2, arbitrary: fc.integer({ min: -3, max: 2 * size + 1 }).map((h) => at(h / 2)) },
  );
}

const values = (length: number, limit: number) =>
  fc.array(fc.float({ min: -limit, max: limit, noNaN: true }), { minLength: length, maxLength: length });
const side = (max: number) => fc.integer({ min: 1, max });

const volumeCase: fc.Arbitrary<VolumeCase> = fc.record({
  N: side(2), D: side(6), H: side(6), W: side(6), C: side(5), Do: side(4), Ho: side(4), Wo: side(4),
  mode: fc.constantFrom(...MODES), paddingMode: fc.constantFrom(...PADDING_MODES), alignCorners: fc.boolean(),
}).chain(({ N, D, H, W, C, Do, Ho, Wo, mode, paddingMode, alignCorners }) => {
  const points = N * Do * Ho * Wo;
  return fc.record({
    input: values(N * D * H * W * C, 4),
    dy: values(points * C, 1),
    grid: fc.array(fc.tuple(coordinate(W, alignCorners), coordinate(H, alignCorners), coordinate(D, alignCorners)),
      { minLength: points, maxLength: points }).map((p) => p.flat()),
  }).map((v): VolumeCase => ({
    options: { mode, paddingMode, alignCorners }, inputShape: [N, D, H, W, C], gridShape: [N, Do, Ho, Wo, 3], ...v,
  }));
});

async function runOn(backend: string, c: VolumeCase, input: Float32Array, grid: Float32Array, dy: Float32Array): Promise<Sampled> {
  await useBackend(backend);
  const run = () => sampleWithGrads(input, c.inputShape, grid, c.gridShape, dy, c.options);
  return backend === 'webgpu' ? withGPUErrorScopes(run) : run();
}

async function check(c: VolumeCase): Promise<void> {
  const [, D, H, W, C] = c.inputShape as [number, number, number, number, number];
  const input = Float32Array.from(c.input);
  const grid = Float32Array.from(c.grid);
  const points = grid.length / 3;
  // nearJump looks at each coordinate against its own side: x and y, then z (passed twice).
  const jumps = Array.from({ length: points }, (_, p) => {
    const xy = nearJump(grid[3 * p]!, grid[3 * p + 1]!, W, H, c.options, JUMP_MARGIN);
    const z = nearJump(grid[3 * p + 2]!, grid[3 * p + 2]!, D, D, c.options, JUMP_MARGIN);
    return { value: xy.value || z.value, grad: xy.grad || z.grad };
  });
  const dy = Float32Array.from(c.dy, (v, i) => (jumps[Math.floor(i / C)]!.value || jumps[Math.floor(i / C)]!.grad ? 0 : v));
  const got: Record<string, Sampled> = {};
  for (const backend of BACKENDS) got[backend] = await runOn(backend, c, input, grid, dy);
  expectBackendsAgree(got, gridSampleReference(input, c.inputShape, grid, c.gridShape, c.options, dy), grid, C, jumps);
}

describe(`volumes: gridSample on ${BACKENDS.join(', ')} and the float64 reference`, () => {
  it(`agree on random cases (seed ${SEED}, ${RUNS} runs)`, async () => {
    await fc.assert(fc.asyncProperty(volumeCase, async (c) => {
      try {
        await check(c);
      } catch (e) {
        (e as Error).message += `\ncase: ${JSON.stringify(c, (_, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v))}`;
        throw e;
      }
    }), { seed: SEED, numRuns: RUNS });
  });
});
