/**
 * GridSampleGrad's outputMask ([d(input), d(grid)], PyTorch's output_mask) on the cpu and wasm
 * kernels (webgpu: test/webgpu.test.ts): a gradient left out comes back with shape [0]; one asked
 * for equals, bit for bit, what the kernel gives when asked for both. And the gradient asks the
 * kernel only for what tfjs needs.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gridSample } from '../src/index.js';
import { CPU_BACKENDS, useBackend } from './helpers.js';
import { bits, expectMasksAgree, maskCases, random } from './mask_support.js';

describe.each(CPU_BACKENDS)('%s backend: GridSampleGrad outputMask', (backend) => {
  it.each(maskCases(500))('%s', async (_, c) => {
    await useBackend(backend);
    await expectMasksAgree(c);
  });

  it('the STN call ([4,28,28,1] -> 28x28, some taps at the corners and outside)', async () => {
    await useBackend(backend);
    const rand = random(11);
    const inputShape = [4, 28, 28, 1];
    const gridShape = [4, 28, 28, 2];
    await expectMasksAgree({
      o: { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false }, inputShape, gridShape,
      input: Array.from({ length: 4 * 784 }, () => rand()),
      grid: Array.from({ length: 4 * 784 * 2 }, () => rand() * 2.2 - 1.1),
      dy: Array.from({ length: 4 * 784 }, () => rand() * 2 - 1),
    });
  });
});

describe.each(CPU_BACKENDS)('%s backend: the gradient asks only for what tfjs needs', (backend) => {
  const o = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
  const rand = random(3);
  const x = () => tf.tensor4d(Array.from({ length: 2 * 6 * 7 * 3 }, () => rand()), [2, 6, 7, 3]);
  const g = () => tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 2 }, () => rand() * 2.4 - 1.2), [2, 5, 4, 2]);
  const f = (a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, o);
  const dy = () => tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 3 }, () => rand() * 2 - 1), [2, 5, 4, 3]);

  /** The GridSampleGrad calls (their output shapes) and the gradients of a grads call. */
  async function profiled(which: 'input' | 'grid' | 'both') {
    const input = x();
    const grid = g();
    const d = dy();
    const before = tf.memory().numTensors;
    const info = await tf.profile(() => {
      if (which === 'input') return [tf.grad((a: tf.Tensor) => f(a, grid))(input, d)];
      if (which === 'grid') return [tf.grad((b: tf.Tensor) => f(input, b))(grid, d)];
      return tf.grads(f)([input, grid], d);
    });
    const grads = info.result as tf.Tensor[];
    const data = await Promise.all(grads.map((t) => t.data() as Promise<Float32Array>));
    tf.dispose(grads);
    // Nothing the gradient held on to outlives the grads call.
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([input, grid, d]);
    return { calls: info.kernels.filter((k) => k.name === 'GridSampleGrad').map((k) => k.outputShapes), data };
  }

  it('grid alone: one call for d(grid) alone; input alone or both: one call for both', async () => {
    await useBackend(backend);
    const gridOnly = await profiled('grid');
    const inputOnly = await profiled('input');
    const both = await profiled('both');
    expect(gridOnly.calls).toEqual([[[0], [2, 5, 4, 2]]]);
    expect(inputOnly.calls).toEqual([[[2, 6, 7, 3], [2, 5, 4, 2]]]);
    expect(both.calls).toEqual([[[2, 6, 7, 3], [2, 5, 4, 2]]]);
  });

  it('each gradient is the same whichever others are asked for', async () => {
    await useBackend(backend);
    const seed = (s: number) => {
      const r = random(s);
      return { input: tf.tensor4d(Array.from({ length: 2 * 6 * 7 * 3 }, () => r()), [2, 6, 7, 3]),
        grid: tf.tensor4d(Array.from({ length: 2 * 5 * 4 * 2 }, () => r() * 2.4 - 1.2), [2, 5, 4, 2]) };
    };
    const { input, grid } = seed(9);
    const d = dy();
    const [dInBoth, dGridBoth] = tf.grads(f)([input, grid], d);
    const dInAlone = tf.grad((a: tf.Tensor) => f(a, grid))(input, d);
    const dGridAlone = tf.grad((b: tf.Tensor) => f(input, b))(grid, d);
    expect(bits((await dInAlone.data()) as Float32Array)).toEqual(bits((await dInBoth!.data()) as Float32Array));
    expect(bits((await dGridAlone.data()) as Float32Array)).toEqual(bits((await dGridBoth!.data()) as Float32Array));
    tf.dispose([input, grid, d, dInBoth!, dGridBoth!, dInAlone, dGridAlone]);
  });
});
