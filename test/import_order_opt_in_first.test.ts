/**
 * useWasmTrainingKernels() called before tfjs-backend-wasm is imported: the training kernels are
 * in place once the backend is set, without tfjs's "already registered" warning, and the calls
 * they hand on reach tfjs-wasm's own kernels, set up although they were unregistered before the
 * backend started.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ready, useWasmTrainingKernels } from '../src/index.js';
import { wasmTrainingKernelConfigs } from '../src/kernels/wasm/replacements.js';
import { expectConvnetTrains, watchWarnings } from './import_order_support.js';

it('puts the training kernels in place when the backend starts', async () => {
  const warnings = watchWarnings();
  useWasmTrainingKernels();
  await import('@tensorflow/tfjs-backend-wasm');
  await ready();
  expect(await tf.setBackend('wasm')).toBe(true);
  for (const config of wasmTrainingKernelConfigs) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 2]) as tf.Tensor4D, 1, 'valid');
  expect(Array.from(await y.data())).toEqual(Array(8).fill(9));
  // Not a bias: handed on to tfjs-wasm's own Add and Sum.
  const z = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([10, 20], [2, 1]));
  expect(Array.from(await z.data())).toEqual([11, 12, 23, 24]);
  expect(Array.from(await tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 1).data())).toEqual([3, 7]);
  await expectConvnetTrains();
  expect(warnings()).not.toMatch(/already registered/);
});
