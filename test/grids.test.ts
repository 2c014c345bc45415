/**
 * The grid generators projectiveGrid, tpsGrid and flowGrid: PyTorch parity (test/fixtures/grids.json,
 * made from the formulas with torch ops and autograd in float64) on cpu, wasm and webgpu, gradients
 * against central differences of the float64 reference, random shapes and parameters against the
 * reference (fast-check), the identity cases, w = 0, the sampling rule of flowGrid, empty sizes, the
 * paths in tfjs ops (kernels unregistered), and the argument errors. Only tfjs-core is imported (it
 * registers no gradients of its own), so every gradient here is the one stn-layer gives.
 */
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { affineGrid, flowGrid, gridSample, projectiveGrid, tpsGrid } from '../src/index.js';
import { projectiveGridConfig } from '../src/kernels/cpu/ProjectiveGrid.js';
import { projectiveGridGradConfig } from '../src/kernels/cpu/ProjectiveGridGrad.js';
import { stnMatMulConfig } from '../src/kernels/cpu/StnMatMul.js';
import { flowGridReference, projectiveGridReference, tpsGridReference, tpsLatticeReference } from '../src/reference/grids.js';
import { CPU_BACKENDS, expectClose, loadFixtures, useBackend } from './helpers.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

interface GeneratorFixture {
  name: string;
  kind: 'projective' | 'tps' | 'flow';
  alignCorners: boolean;
  params: number[];
  grid: number[];
  dGrid: number[];
  dParams: number[];
  size?: [number, number, number, number];
  hShape?: number[];
  targetsShape?: number[];
  controlPoints?: number[] | null;
  flowShape?: number[];
  inputSize?: number[];
}

const cases = loadFixtures<GeneratorFixture>('grids.json');
const gpu = await requireWebGPU();

const paramsShape = (c: GeneratorFixture) => (c.hShape ?? c.targetsShape ?? c.flowShape)!;
const pairs = (flat: readonly number[]) => Array.from({ length: flat.length / 2 }, (_, k) => [flat[2 * k]!, flat[2 * k + 1]!]);
const gridShape = (c: GeneratorFixture) =>
  c.kind === 'flow' ? c.flowShape! : [c.size![0], c.size![1], c.size![2], 2];

function generate(c: GeneratorFixture, params: tf.Tensor): tf.Tensor {
  switch (c.kind) {
    case 'projective':
      return projectiveGrid(params as tf.Tensor3D, c.size!, c.alignCorners);
    case 'tps':
      return tpsGrid(params as tf.Tensor3D, c.size!, {
        alignCorners: c.alignCorners, ...(c.controlPoints ? { controlPoints: pairs(c.controlPoints) } : {}),
      });
    case 'flow':
      return flowGrid(params as tf.Tensor4D, c.inputSize as [number, number], c.alignCorners);
  }
}

function reference(c: GeneratorFixture, params: ArrayLike<number>): Float64Array {
  switch (c.kind) {
    case 'projective':
      return projectiveGridReference(params, c.size!, c.alignCorners, c.hShape!.length === 2);
    case 'tps': {
      const K = c.targetsShape![1]!;
      return tpsGridReference(params, c.controlPoints ?? tpsLatticeReference(Math.round(Math.sqrt(K))), c.size!, c.alignCorners);
    }
    case 'flow':
      return flowGridReference(params, c.flowShape!, c.inputSize!, c.alignCorners);
  }
}

/** The grid and d(params) of sum(grid * dGrid) on the current backend. */
async function run(c: GeneratorFixture): Promise<{ grid: Float32Array; dParams: Float32Array }> {
  const params = tf.tensor(c.params, paramsShape(c));
  const dGrid = tf.tensor(c.dGrid, gridShape(c));
  const grid = generate(c, params);
  const dParams = tf.grad((p: tf.Tensor) => generate(c, p))(params, dGrid);
  const result = { grid: (await grid.data()) as Float32Array, dParams: (await dParams.data()) as Float32Array };
  tf.dispose([params, dGrid, grid, dParams]);
  return result;
}

async function expectFixture(c: GeneratorFixture): Promise<void> {
  const r = await run(c);
  expectClose(r.grid, c.grid, 'grid');
  expectClose(r.dParams, c.dParams, 'dParams');
}

it('tfjs-core alone is loaded: the gradients tested here are stn-layer\'s own', () => {
  for (const kernel of ['BatchMatMul', 'Multiply', 'RealDiv', 'Add', 'Reshape']) expect(tf.getGradient(kernel), kernel).toBeUndefined();
});

describe('reference (TypeScript, float64)', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_, c) => expectClose(reference(c, c.params), c.grid, 'grid'));
});

describe('gradients against central differences of the reference', () => {
  beforeAll(() => useBackend('cpu'));
  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    const p = Float64Array.from(c.params);
    const numeric = new Float64Array(p.length);
    const step = 1e-6;
    const loss = () => reference(c, p).reduce((s, g, i) => s + g * c.dGrid[i]!, 0);
    for (let i = 0; i < p.length; i++) {
      const v = p[i]!;
      p[i] = v + step;
      const up = loss();
      p[i] = v - step;
      const down = loss();
      p[i] = v;
      numeric[i] = (up - down) / (2 * step);
    }
    expectClose((await run(c)).dParams, numeric, 'dParams against central differences');
  });
});

const backends: { name: string; wrap: <T>(body: () => Promise<T>) => Promise<T> }[] = [
  ...CPU_BACKENDS.map((name) => ({ name, wrap: <T>(body: () => Promise<T>) => body() })),
  ...(gpu ? [{ name: 'webgpu', wrap: withGPUErrorScopes }] : []),
];

for (const { name, wrap } of backends) {
  describe(`${name} backend`, () => {
    beforeAll(() => useBackend(name));

    it.each(cases.map((c) => [c.name, c] as const))('PyTorch parity: %s', (_, c) => wrap(() => expectFixture(c)));

    it.each([false, true])('identity H, identity targets and zero flow give affineGrid\'s identity grid (alignCorners %s)', (ac) =>
      wrap(async () => {
        for (const size of [[2, 5, 7, 1], [1, 1, 1, 1], [1, 4, 1, 2], [1, 16, 16, 1]] as [number, number, number, number][]) {
          const [N, H, W] = size;
          const identity = affineGrid(tf.tensor3d(Array.from({ length: N }, () => [[1, 0, 0], [0, 1, 0]])), size, ac);
          const want = await identity.data();
          const eye = Array.from({ length: N }, () => [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
          expect(await projectiveGrid(eye, size, ac).data(), 'projective [N, 3, 3]').toEqual(want);
          expect(await projectiveGrid(eye.map((m) => m.flat().slice(0, 8)), size, ac).data(), 'projective [N, 8]').toEqual(want);
          expect(await flowGrid(tf.zeros([N, H, W, 2]), [H, W], ac).data(), 'flow').toEqual(want);
          const lattice = pairs(tpsLatticeReference(4));
          expectClose(await tpsGrid(Array.from({ length: N }, () => lattice), size, { alignCorners: ac }).data(), want, 'tps lattice', 1e-6);
          const custom = [[-0.7, -0.2], [0.9, -0.8], [0.1, 0.95], [-0.3, 0.4], [0.5, 0.1]];
          const viaCustom = tpsGrid(Array.from({ length: N }, () => custom), size, { controlPoints: custom, alignCorners: ac });
          expectClose(await viaCustom.data(), want, 'tps custom control points', 1e-6);
          tf.dispose([identity, viaCustom]);
        }
      }));

    it.each([false, true])('flowGrid at the input\'s size samples input position (j + dx, i + dy) (alignCorners %s)', (ac) =>
      wrap(async () => {
        const [H, W] = [6, 9];
        const ramp = tf.tensor4d(Array.from({ length: H * W }, (_, p) => 100 * Math.floor(p / W) + (p % W)), [1, H, W, 1]);
        // Displacements that keep every sample inside the pixel centres, where bilinear is exact on a ramp.
        const flow = Array.from({ length: H * W }, (_, p) => {
          const [i, j] = [Math.floor(p / W), p % W];
          return [((j * 7) % 5) * 0.37 - j * 0.25 * (j > W / 2 ? 1 : 0), ((i * 3) % 4) * 0.29 - (i > H / 2 ? 1.1 : 0)];
        });
        const out = await gridSample(ramp, flowGrid(tf.tensor4d(flow.flat(), [1, H, W, 2]), [H, W], ac), { alignCorners: ac }).data();
        const want = flow.map(([dx, dy], p) => 100 * (Math.floor(p / W) + dy!) + (p % W) + dx!);
        expectClose(out, want, 'sampled values', 1e-4);
        ramp.dispose();
      }));

    it('a vanishing line inside the image (w = 0): gridSample reads 0 there, d(h) is finite', () =>
      wrap(async () => {
        const size: [number, number, number, number] = [2, 5, 5, 1];
        // w = 2x: zero on the middle column (x = 0 exactly with alignCorners); elsewhere some points land inside.
        const h = tf.tensor3d([[[1, 0, 0], [0, 1, 0.2], [2, 0, 0]], [[1, 0.1, 0], [0, 1, 0], [2, 0, 0]]]);
        const image = tf.tensor4d(Array.from({ length: 50 }, (_, i) => 1 + (i % 7)), size);
        const sample = (t: tf.Tensor) => gridSample(image, projectiveGrid(t as tf.Tensor3D, size, true), { alignCorners: true });
        const grid = await projectiveGrid(h, size, true).data();
        expect(grid.some((v) => !Number.isFinite(v)), 'the middle column is not finite').toBe(true);
        const out = await sample(h).data();
        for (let n = 0; n < 2; n++) for (let i = 0; i < 5; i++) expect(out[n * 25 + i * 5 + 2], `out[${n}, ${i}, 2]`).toBe(0);
        const dh = await tf.grad(sample)(h).data();
        expect(Array.from(dh).every(Number.isFinite), `d(h) = ${Array.from(dh)}`).toBe(true);
        expect(Array.from(dh).some((v) => v !== 0), 'the other points still move h').toBe(true);
        tf.dispose([h, image]);
      }));

    it('empty sizes (N, H or W of 0) give empty grids and zero gradients of the parameters\' shape', () =>
      wrap(async () => {
        for (const size of [[0, 3, 4, 1], [2, 0, 4, 1], [2, 3, 0, 1]] as [number, number, number, number][]) {
          const [N, H, W] = size;
          const calls: [string, tf.Tensor, (p: tf.Tensor) => tf.Tensor][] = [
            ['projective', tf.ones([N, 3, 3]), (p) => projectiveGrid(p as tf.Tensor3D, size)],
            ['tps', tf.ones([N, 4, 2]), (p) => tpsGrid(p as tf.Tensor3D, size)],
            ['flow', tf.ones([N, H, W, 2]), (p) => flowGrid(p as tf.Tensor4D, [3, 4])],
          ];
          for (const [what, p, f] of calls) {
            expect(f(p).shape, `${what} [${size}]`).toEqual([N, H, W, 2]);
            const d = tf.grad(f)(p);
            expect(d.shape, `${what} [${size}] d(params)`).toEqual(p.shape);
            expect(Array.from(await d.data()).every((v) => v === 0), `${what} [${size}] d(params) is zero`).toBe(true);
          }
        }
      }));

    it('frees every tensor it makes, forward and backward', () =>
      wrap(async () => {
        const h = tf.tensor2d([[1, 0.1, 0, 0, 1, 0, 0.1, 0]]);
        const t = tf.tensor3d([pairs(tpsLatticeReference(3))]);
        const f = tf.zeros([1, 3, 4, 2]);
        const before = tf.memory().numTensors;
        const outs = [
          projectiveGrid(h, [1, 4, 5, 1]), tf.grad((x: tf.Tensor) => projectiveGrid(x as tf.Tensor2D, [1, 4, 5, 1]))(h),
          tpsGrid(t, [1, 4, 5, 1]), tf.grad((x: tf.Tensor) => tpsGrid(x as tf.Tensor3D, [1, 4, 5, 1]))(t),
          tpsGrid(t, [1, 4, 5, 1], { controlPoints: tf.tensor2d(pairs(tpsLatticeReference(3))) }),
          flowGrid(f, [5, 5]), tf.grad((x: tf.Tensor) => flowGrid(x as tf.Tensor4D, [5, 5]))(f),
        ];
        await Promise.all(outs.map((o) => o.data()));
        expect(tf.memory().numTensors - before).toBe(outs.length + 1); // + the controlPoints tensor made by the caller
        tf.dispose([...outs, h, t, f]);
      }));
  });
}

describe('random shapes and parameters (fast-check, fixed seed): every backend against the float64 reference', () => {
  /** N 1-3, H and W 1-9, both alignCorners; near-identity H with |w| >= 0.3, targets and flows. */
  const arbitrary = fc.record({
    N: fc.integer({ min: 1, max: 3 }), H: fc.integer({ min: 1, max: 9 }), W: fc.integer({ min: 1, max: 9 }),
    alignCorners: fc.boolean(), g: fc.integer({ min: 2, max: 4 }), seed: fc.integer({ min: 1, max: 1e6 }),
  });
  const noise = (n: number, seed: number, scale: number) => Array.from(values(n, seed), (v) => v * scale);
  function values(n: number, seed: number): Float64Array {
    return Float64Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.5);
  }

  for (const { name, wrap } of backends) {
    it(`${name}: projectiveGrid, tpsGrid and flowGrid`, async () => {
      await useBackend(name);
      await wrap(() => fc.assert(fc.asyncProperty(arbitrary, async ({ N, H, W, alignCorners, g, seed }) => {
        const size: [number, number, number, number] = [N, H, W, 1];
        const h = noise(N * 9, seed, 0.3).map((v, i) => v + ([0, 4, 8].includes(i % 9) ? 1 : 0));
        const t = noise(N * g * g * 2, seed + 1, 0.2).map((v, i) => v + tpsLatticeReference(g)[i % (g * g * 2)]!);
        const f = noise(N * H * W * 2, seed + 2, 4);
        const checks: [string, tf.Tensor, ArrayLike<number>][] = [
          ['projective', projectiveGrid(tf.tensor3d(Float32Array.from(h), [N, 3, 3]), size, alignCorners),
            projectiveGridReference(Float32Array.from(h), size, alignCorners, false)],
          ['tps', tpsGrid(tf.tensor3d(Float32Array.from(t), [N, g * g, 2]), size, { alignCorners }),
            tpsGridReference(Float32Array.from(t), tpsLatticeReference(g), size, alignCorners)],
          ['flow', flowGrid(tf.tensor4d(Float32Array.from(f), [N, H, W, 2]), [W + 1, H], alignCorners),
            flowGridReference(Float32Array.from(f), [N, H, W, 2], [W + 1, H], alignCorners)],
        ];
        for (const [what, got, want] of checks) expectClose(await got.data(), want, `${what} [${size}] alignCorners ${alignCorners}`);
        tf.dispose(checks.map(([, got]) => got));
      }), { seed: 20261203, numRuns: 40 }));
    });
  }
});

describe('the paths in tfjs ops (backends without stn-layer\'s ProjectiveGrid, ProjectiveGridGrad and StnMatMul kernels)', () => {
  const configs = [projectiveGridConfig, projectiveGridGradConfig, stnMatMulConfig];
  beforeAll(async () => {
    await useBackend('cpu');
    for (const c of configs) tf.unregisterKernel(c.kernelName, c.backendName);
  });
  afterAll(() => {
    for (const c of configs) tf.registerKernel(c);
  });
  it.each(cases.filter((c) => c.kind !== 'flow').map((c) => [c.name, c] as const))('PyTorch parity on cpu: %s', (_, c) => expectFixture(c));
});

describe('tpsGrid control points', () => {
  beforeAll(() => useBackend('cpu'));
  const size: [number, number, number, number] = [1, 6, 5, 1];

  it('a tensor and a nested array give the same grid, and each set its own (the per-set cache)', async () => {
    const a = [[-0.8, -0.6], [0.7, -0.9], [0.2, 0.8], [-0.5, 0.3]];
    const b = [[-0.9, -0.9], [0.9, -0.7], [0.0, 0.9], [0.4, 0.2]];
    const targets = [[[-0.7, -0.5], [0.8, -0.8], [0.1, 0.9], [-0.4, 0.2]]];
    for (const cp of [a, b, a]) {
      const want = tpsGridReference(targets.flat(2), cp.flat(), size, false);
      expectClose(await tpsGrid(targets, size, { controlPoints: cp }).data(), want, 'array');
      expectClose(await tpsGrid(targets, size, { controlPoints: tf.tensor2d(cp) }).data(), want, 'tensor');
    }
  });

  const K = (n: number) => [Array.from({ length: n }, (_, k) => [k / n, (k * k) / (n * n)])];
  it.each([
    ['duplicate points', [[0, 0], [0, 0], [1, 0], [0, 1]]],
    ['collinear points', [[0, 0], [0.5, 0.5], [1, 1], [-0.25, -0.25]]],
    ['fewer than 3 points', [[0, 0], [1, 1]]],
  ])('%s: RangeError naming controlPoints', (_, cp) => {
    const targets = [cp];
    expect(() => tpsGrid(targets, size, { controlPoints: cp })).toThrow(RangeError);
    expect(() => tpsGrid(targets, size, { controlPoints: cp })).toThrow(/tpsGrid: 'options\.controlPoints'/);
  });

  it.each([1, 2, 3, 5, 8])('K = %i without controlPoints (no g×g lattice, g >= 2): RangeError naming controlPoints', (n) => {
    expect(() => tpsGrid(K(n), size)).toThrow(RangeError);
    expect(() => tpsGrid(K(n), size)).toThrow(/'options\.controlPoints' is needed when K is not a perfect square/);
  });

  it('refuses control points of another K, unknown options and bad shapes', () => {
    expect(() => tpsGrid(K(4), size, { controlPoints: K(5)[0] })).toThrow(/'options\.controlPoints' must have shape \[K, 2\] with K = 4/);
    expect(() => tpsGrid(K(4), size, { controlPoint: [] } as never)).toThrow(/unknown option 'controlPoint'/);
    expect(() => tpsGrid([[1, 2]], size)).toThrow(/'targets' must have shape \[N, K, 2\]/);
    expect(() => tpsGrid(K(4), [2, 6, 5, 1])).toThrow(/'outputSize' batch must equal 'targets' batch 1/);
    expect(() => tpsGrid(K(4), size, { alignCorners: 1 } as never)).toThrow(/'options\.alignCorners' must be a boolean/);
  });
});

describe('projectiveGrid and flowGrid argument errors', () => {
  beforeAll(() => useBackend('cpu'));
  it('names the argument, expected and received', () => {
    expect(() => projectiveGrid([[[1, 0, 0], [0, 1, 0]]], [1, 2, 2, 1])).toThrow(/projectiveGrid: 'h' must have shape \[N, 3, 3\] or \[N, 8\]; received shape \[1, 2, 3\]/);
    expect(() => projectiveGrid([[1, 0, 0, 0, 1, 0, 0, 0]], [2, 2, 2, 1])).toThrow(/'outputSize' batch must equal 'h' batch 1/);
    expect(() => projectiveGrid([[1, 0, 0, 0, 1, 0, 0, 0]], [1, 2, 2] as never)).toThrow(/'outputSize' must be 4 non-negative integers/);
    expect(() => flowGrid(tf.zeros([1, 2, 2, 2]) as tf.Tensor4D, [2, 2, 2] as never)).toThrow(/flowGrid: 'flow' must have shape \[N, Do, Ho, Wo, 3\]/);
    expect(() => flowGrid(tf.zeros([1, 2, 2, 3]) as tf.Tensor4D, [2, 2])).toThrow(/'flow' must have shape \[N, Ho, Wo, 2\]/);
    expect(() => flowGrid(tf.zeros([1, 2, 2, 2]) as tf.Tensor4D, [0, 2])).toThrow(/'inputSize' must be 2 or 3 positive integers/);
    expect(() => flowGrid(tf.zeros([1, 2, 2, 2]) as tf.Tensor4D, [2, 2], 'yes' as never)).toThrow(/'alignCorners' must be a boolean/);
  });
});
