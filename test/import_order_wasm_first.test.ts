/**
 * Importing stn-layer after tfjs-backend-wasm leaves every kernel tfjs-wasm registered as it was,
 * adds only stn-layer's own and the one tfjs-wasm lacks (Conv2DBackpropFilter); the training
 * kernels replace tfjs-wasm's only after useWasmTrainingKernels().
 * (test/import_order_stn_first.test.ts: the other order.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { expectConvnetTrains, expectOnlyOursAndMissing, expectUnchanged, kernelsOf, watchWarnings } from './import_order_support.js';

it('leaves tfjs-wasm\'s kernels alone until the training kernels are asked for', async () => {
  const warnings = watchWarnings();
  await import('@tensorflow/tfjs-backend-wasm');
  const original = kernelsOf('wasm');
  expect(original.size).toBeGreaterThan(100);
  expect(original.has(tf.Conv2DBackpropFilter)).toBe(false);

  const stn = await import('../src/index.js');
  const { wasmTrainingKernelConfigs } = await import('../src/kernels/wasm/replacements.js');
  expectUnchanged(original, 'wasm');
  expectOnlyOursAndMissing([...kernelsOf('wasm').keys()].filter((name) => !original.has(name)));

  await stn.ready();
  expect(await tf.setBackend('wasm')).toBe(true);
  expectUnchanged(original, 'wasm');
  await expectConvnetTrains();

  stn.useWasmTrainingKernels();
  for (const config of wasmTrainingKernelConfigs) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  const untouched = new Map([...original].filter(([name]) => !wasmTrainingKernelConfigs.some((c) => c.kernelName === name)));
  expectUnchanged(untouched, 'wasm');
  await expectConvnetTrains();
  expect(warnings()).not.toMatch(/already registered/);
});
