/**
 * For the import-order tests: what a backend's kernel registry holds, and the checks both orders
 * share. Imports only tfjs-core, so that each test file decides when stn-layer and the backend
 * packages load.
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients of its own ops; the tfjs umbrella package does (it brings the
// cpu and webgl backends, not wasm).
import '@tensorflow/tfjs';
import { expect, vi } from 'vitest';

/** The kernels registered for `backend`, by name. */
export function kernelsOf(backend: string): Map<string, tf.KernelConfig> {
  return new Map(tf.getKernelsForBackend(backend).map((k) => [k.kernelName, k]));
}

/** tfjs-core's kernel names (Conv2D, Add, ...): tfjs-core exports each as a string constant. */
const TFJS_KERNEL_NAMES = new Set<unknown>(Object.values(tf).filter((v) => typeof v === 'string'));

/**
 * Whether `names` (kernels registered for wasm) are stn-layer's own, which tfjs has none of, or
 * Conv2DBackpropFilter, the one tfjs-wasm lacks; and include the three every backend gets.
 */
export function expectOnlyOursAndMissing(names: string[]): void {
  expect(names.filter((name) => TFJS_KERNEL_NAMES.has(name))).toEqual([tf.Conv2DBackpropFilter]);
  expect(names).toEqual(expect.arrayContaining(['AffineGrid', 'GridSample', 'GridSampleGrad']));
}

/** Every kernel of `before` is still registered, the very same object. */
export function expectUnchanged(before: Map<string, tf.KernelConfig>, backend: string): void {
  const changed = [...before].filter(([name, config]) => tf.getKernel(name, backend) !== config).map(([name]) => name);
  expect(changed, `kernels of ${backend} that changed`).toEqual([]);
}

/** Collects console.warn output, where tfjs reports a kernel registered twice. */
export function watchWarnings(): () => string {
  const warn = vi.spyOn(console, 'warn');
  return () => warn.mock.calls.flat().join('\n');
}

/** One training step of a small convnet on the current backend: every gradient finite, the loss down. */
export async function expectConvnetTrains(): Promise<void> {
  const x = tf.randomNormal([4, 12, 12, 1], 0, 1, 'float32', 1);
  const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
  const w1 = tf.variable(tf.randomNormal([3, 3, 1, 4], 0, 0.3, 'float32', 2));
  const b1 = tf.variable(tf.zeros([4]));
  const w2 = tf.variable(tf.randomNormal([6 * 6 * 4, 3], 0, 0.1, 'float32', 3));
  const loss = () => tf.tidy(() => {
    const conv = tf.conv2d(x as tf.Tensor4D, w1 as tf.Tensor4D, 1, 'same');
    const h = tf.maxPool(tf.relu(tf.add(conv, b1)) as tf.Tensor4D, 2, 2, 'valid');
    return tf.losses.softmaxCrossEntropy(labels, tf.matMul(tf.reshape(h, [4, -1]), w2)) as tf.Scalar;
  });
  const before = (await loss().data())[0]!;
  const optimizer = tf.train.sgd(0.1);
  for (let i = 0; i < 3; i++) optimizer.minimize(loss);
  const after = (await loss().data())[0]!;
  expect(Number.isFinite(after)).toBe(true);
  expect(after).toBeLessThan(before);
  tf.dispose([x, labels, w1, b1, w2]);
  optimizer.dispose();
}
