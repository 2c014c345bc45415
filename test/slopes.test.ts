/**
 * The slopes route (src/gradients/grid_sample_grad.ts, assembly/grid_slopes.ts): while tfjs records
 * gradients, one-channel bilinear gridSample on cpu and wasm runs GridSampleSlopes (the output and
 * each point's slopes) and its backward GridSampleSlopesGrad (d(grid) from the slopes). Checked:
 * the route is taken where it should be and nowhere else; the output, d(input) and d(grid) are
 * the bits of GridSample / GridSampleGrad (every padding and alignCorners, extreme and NaN
 * coordinates, non-finite dy, short blocks, images down to two pixels); the tensors it saves are
 * freed; on two threads, the same bits as on one.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridSample, GridSampleGrad, gridSample, useThreads } from '../src/index.js';
import { GridSampleSlopes, GridSampleSlopesGrad } from '../src/kernels/names.js';
import { MIN_WORK_PER_THREAD, MIN_WORK_PER_THREAD_COPIED, splitThresholds } from '../src/kernels/shared/split.js';
import type { SampleOptions } from '../src/reference/grid_sample.js';
import { ALL_OPTIONS, CPU_BACKENDS, EXTREME_COORDINATES, useBackend } from './helpers.js';
import { bits as rawBits, random } from './mask_support.js';

/**
 * The bits, every NaN as one: WebAssembly leaves a NaN's sign and payload to the engine, and one run
 * in 24 saw -NaN from one call and +NaN from the other for the same element under a non-finite dy
 * (V8's baseline and optimized tiers, both of which run these calls as the module tiers up, are
 * the suspect).
 */
const bits = (a: Float32Array) => rawBits(a.map((v) => (Number.isNaN(v) ? NaN : v)));

const BILINEAR = ALL_OPTIONS.filter((o) => o.mode === 'bilinear');

interface Case { inputShape: number[]; gridShape: number[]; input: number[]; grid: number[]; dy: number[] }

/** Input in [-1, 1); grid points past the edges, one in six extreme; dy with a few non-finite values if asked. */
function makeCase(seed: number, inputShape: number[], gridShape: number[], nonFiniteDy = false): Case {
  const rand = random(seed);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const grid = Array.from({ length: size(gridShape) }, () =>
    rand() < 1 / 6 ? EXTREME_COORDINATES[Math.floor(rand() * EXTREME_COORDINATES.length)]! : rand() * 2.6 - 1.3);
  const dy = Array.from({ length: (size(gridShape) / 2) * inputShape[3]! }, () => rand() * 2 - 1);
  if (nonFiniteDy) [NaN, Infinity, -Infinity].forEach((v, i) => (dy[(i * 7) % dy.length] = v));
  return { inputShape, gridShape, input: Array.from({ length: size(inputShape) }, () => rand() * 2 - 1), grid, dy };
}

/** Kernel names run by `f`, and its result's data (the tensors disposed). */
async function profiled(f: () => tf.Tensor[]): Promise<{ kernels: string[]; data: Float32Array[] }> {
  const info = await tf.profile(f);
  const result = info.result as tf.Tensor[];
  const data = await Promise.all(result.map((t) => t.data() as Promise<Float32Array>));
  tf.dispose(result);
  return { kernels: info.kernels.map((k) => k.name), data };
}

/**
 * The op's output and gradients while recording (the slopes route where it applies) against the
 * kernels called directly (GridSample, GridSampleGrad): bit for bit; and the kernels each ran.
 */
async function expectSameBits(c: Case, o: SampleOptions, slopesRoute: boolean): Promise<void> {
  const [x, g, dy] = [tf.tensor4d(c.input, c.inputShape as never), tf.tensor4d(c.grid, c.gridShape as never),
    tf.tensor4d(c.dy, [...c.gridShape.slice(0, 3), c.inputShape[3]!] as never)];
  const before = tf.memory().numTensors;
  const f = (a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, o);
  const kernel = (outputMask: [boolean, boolean]) =>
    tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...o, outputMask } as never) as tf.Tensor[];
  const want = await profiled(() => [tf.engine().runKernel(GridSample, { input: x, grid: g }, o as never) as tf.Tensor, ...kernel([true, true])]);
  const both = await profiled(() => tf.grads(f)([x, g], dy));
  const dGrid = await profiled(() => [tf.grad((b: tf.Tensor) => f(x, b))(g, dy)]);
  const dInput = await profiled(() => [tf.grad((a: tf.Tensor) => f(a, g))(x, dy)]);
  let recorded: tf.Tensor | undefined;
  await profiled(() => [tf.grad((b: tf.Tensor) => {
    const y = f(x, b);
    recorded = tf.keep(y.clone());
    return y;
  })(g, dy)]);
  const output = (await recorded!.data()) as Float32Array;
  recorded!.dispose();
  expect(tf.memory().numTensors, 'nothing the route saved outlives the gradient calls').toBe(before);
  tf.dispose([x, g, dy]);

  const [wantOutput, wantDInput, wantDGrid] = want.data as [Float32Array, Float32Array, Float32Array];
  expect(bits(output), 'output').toEqual(bits(wantOutput));
  expect(bits(both.data[0]!), 'd(input), both asked').toEqual(bits(wantDInput));
  expect(bits(both.data[1]!), 'd(grid), both asked').toEqual(bits(wantDGrid));
  expect(bits(dGrid.data[0]!), 'd(grid) alone').toEqual(bits(wantDGrid));
  expect(bits(dInput.data[0]!), 'd(input) alone').toEqual(bits(wantDInput));
  for (const [what, run] of [['both', both], ['d(grid)', dGrid], ['d(input)', dInput]] as const) {
    expect(run.kernels.includes(GridSampleSlopes), `${what}: GridSampleSlopes ran`).toBe(slopesRoute);
    expect(run.kernels.includes(GridSample), `${what}: GridSample ran`).toBe(!slopesRoute);
  }
  // Backward: both and d(grid) alone take d(grid) from the slopes; d(input) alone too (one call for both).
  expect(both.kernels.filter((k) => k === GridSampleSlopesGrad).length, 'both: one GridSampleSlopesGrad call').toBe(slopesRoute ? 1 : 0);
  expect(dGrid.kernels.includes(GridSampleGrad), 'd(grid) alone: no GridSampleGrad').toBe(!slopesRoute);
}

describe.each(CPU_BACKENDS)('%s backend: the slopes route', (backend) => {
  it.each(BILINEAR)('bits of the kernels, NaN and extreme points, a short block: %o', async (o) => {
    await useBackend(backend);
    await expectSameBits(makeCase(21, [3, 7, 9, 1], [3, 5, 7, 2]), o, true);
  });

  it.each(BILINEAR)('non-finite dy, corners and outside, images 2x1, 1x2 and 1x5: %o', async (o) => {
    await useBackend(backend);
    await expectSameBits(makeCase(22, [2, 6, 5, 1], [2, 4, 5, 2], true), o, true);
    for (const [H, W] of [[2, 1], [1, 2], [1, 5]]) await expectSameBits(makeCase(23 + H * 10 + W, [2, H, W, 1], [2, 3, 3, 2], true), o, true);
  });

  it('the STN batch ([8,28,28,1] -> 28x28, a small affine warp)', async () => {
    await useBackend(backend);
    const c = makeCase(24, [8, 28, 28, 1], [8, 28, 28, 2]);
    c.grid = c.grid.map((_, i) => {
      const k = Math.floor(i / 2) % 784;
      const [u, v] = [((k % 28) + 0.5) / 14 - 1, (Math.floor(k / 28) + 0.5) / 14 - 1];
      return i % 2 === 0 ? 0.9 * u - 0.2 * v + 0.05 : 0.2 * u + 0.9 * v - 0.1;
    });
    await expectSameBits(c, { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false }, true);
  });

  it('not taken: other modes, two or more channels, one-pixel images, volumes, and outside a gradient', async () => {
    await useBackend(backend);
    for (const o of ALL_OPTIONS.filter((a) => a.mode !== 'bilinear')) await expectSameBits(makeCase(25, [2, 5, 6, 1], [2, 3, 5, 2]), o, false);
    const bilinear = BILINEAR[0]!;
    await expectSameBits(makeCase(26, [2, 5, 6, 2], [2, 3, 5, 2]), bilinear, false);
    await expectSameBits(makeCase(27, [2, 1, 1, 1], [2, 3, 5, 2]), bilinear, false);
    const volume = await profiled(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a, b))(
      [tf.ones([1, 3, 4, 5, 1]), tf.zeros([1, 2, 2, 2, 3])], tf.ones([1, 2, 2, 2, 1])));
    expect(volume.kernels).not.toContain(GridSampleSlopes);
    const plain = await profiled(() => [gridSample(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.zeros([1, 2, 2, 2]) as tf.Tensor4D)]);
    expect(plain.kernels).toContain(GridSample);
    expect(plain.kernels).not.toContain(GridSampleSlopes);
  });
});

describe('the slopes route on two threads (cpu backend)', () => {
  // Split at the in-place heap's threshold (the cpu backend's own is 2^18 points × channels a thread).
  beforeAll(() => {
    splitThresholds.copied = MIN_WORK_PER_THREAD;
  });
  afterAll(() => {
    splitThresholds.copied = MIN_WORK_PER_THREAD_COPIED;
    return useThreads(1);
  });

  it.each(BILINEAR)('the same bits as one thread, forward and every gradient: %o', async (o) => {
    await useBackend('cpu');
    // 2 x 192 x 192 points: enough work to split (src/kernels/shared/split.ts).
    const c = makeCase(28, [2, 96, 80, 1], [2, 192, 192, 2]);
    const run = async () => {
      const [x, g, dy] = [tf.tensor4d(c.input, [2, 96, 80, 1]), tf.tensor4d(c.grid, [2, 192, 192, 2]), tf.tensor4d(c.dy, [2, 192, 192, 1])];
      let recorded: tf.Tensor | undefined;
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const y = gridSample(a as tf.Tensor4D, b as tf.Tensor4D, o);
        recorded ??= tf.keep(y.clone());
        return y;
      };
      const out = await profiled(() => [...tf.grads(f)([x, g], dy), tf.grad((b: tf.Tensor) => f(x, b))(g, dy), recorded!]);
      tf.dispose([x, g, dy]);
      expect(out.kernels).toContain(GridSampleSlopes);
      return out.data.map(bits);
    };
    await useThreads(1);
    const one = await run();
    expect(await useThreads(2)).toBe(2);
    const two = await run();
    expect(two).toEqual(one);
  });
});
