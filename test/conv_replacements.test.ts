/**
 * stn-layer's wasm training kernels are in place whichever of stn-layer and tfjs-backend-wasm is
 * imported first, without tfjs's "already registered" warning. Here stn-layer comes first (the
 * other order is conv_kernels.test.ts's, through test/helpers.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it, vi } from 'vitest';
import { ready } from '../src/index.js';
import { wasmReplacementConfigs } from '../src/kernels/wasm/replacements.js';

it('replaces tfjs-backend-wasm\'s kernels when the backend package is imported after stn-layer', async () => {
  const warn = vi.spyOn(console, 'warn');
  await import('@tensorflow/tfjs-backend-wasm');
  await ready();
  expect(await tf.setBackend('wasm')).toBe(true);
  for (const config of wasmReplacementConfigs) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  expect(tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')).toBeDefined();
  const y = tf.conv2d(tf.ones([1, 4, 4, 1]) as tf.Tensor4D, tf.ones([3, 3, 1, 2]) as tf.Tensor4D, 1, 'valid');
  expect(Array.from(await y.data())).toEqual(Array(8).fill(9));
  // Calls the replacements hand on reach tfjs-wasm's own kernels, set up although they were
  // unregistered before the backend started.
  const z = tf.add(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor2d([10, 20], [2, 1]));
  expect(Array.from(await z.data())).toEqual([11, 12, 23, 24]);
  expect(Array.from(await tf.sum(tf.tensor2d([1, 2, 3, 4], [2, 2]), 1).data())).toEqual([3, 7]);
  expect(warn.mock.calls.flat().join('\n')).not.toMatch(/already registered/);
});
