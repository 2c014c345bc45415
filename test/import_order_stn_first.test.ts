/**
 * Importing stn-layer before tfjs-backend-wasm: tfjs-wasm's kernels stay its own, also once the
 * backend is set, until useWasmTrainingKernels() replaces them.
 * (import_order_wasm_first.test.ts: the other order; import_order_opt_in_first.test.ts: the call
 * before the backend package loads.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { ready, useWasmTrainingKernels } from '../src/index.js';
import { wasmTrainingKernelConfigs } from '../src/kernels/wasm/replacements.js';
import { expectConvnetTrains, expectOnlyOursAndMissing, expectUnchanged, kernelsOf, watchWarnings } from './import_order_support.js';

it('leaves tfjs-wasm\'s kernels alone until the training kernels are asked for', async () => {
  const warnings = watchWarnings();
  const ours = [...kernelsOf('wasm').keys()];
  expectOnlyOursAndMissing(ours);
  await import('@tensorflow/tfjs-backend-wasm');
  await ready();
  const theirs = new Map([...kernelsOf('wasm')].filter(([name]) => !ours.includes(name)));
  for (const config of wasmTrainingKernelConfigs) {
    expect(theirs.get(config.kernelName), config.kernelName).toBeDefined();
    expect(theirs.get(config.kernelName), config.kernelName).not.toBe(config);
  }
  expect(await tf.setBackend('wasm')).toBe(true);
  expectUnchanged(theirs, 'wasm');
  await expectConvnetTrains();

  useWasmTrainingKernels();
  for (const config of wasmTrainingKernelConfigs) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  await expectConvnetTrains();
  expect(warnings()).not.toMatch(/already registered/);
});
