/**
 * One SGD step of the STN tutorial network lowers the loss on every backend (cpu, wasm, and webgpu
 * when an adapter exists), and the backends agree on the updated weights: the whole training path
 * (tfjs's gradients, stn-layer's ops and its wasm training kernels) computes the same thing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { type BackendName, setUpBackend } from '../src/mnist/backend.js';
import { makeBatch } from '../src/mnist/batch.js';
import { loadMnist } from '../src/mnist/data.js';
import { PARAMETERS, StnModel, nllLoss } from '../src/mnist/model.js';
import { Rng } from '../src/mnist/random.js';
import { trainStep } from '../src/mnist/steps.js';
import { expectClose } from './helpers.js';
import { requireWebGPU } from './webgpu_setup.js';

const gpu = await requireWebGPU();

const mnist = loadMnist(undefined, { limitTrain: 16, limitTest: 1 });
const batch = makeBatch(mnist.train, Array.from({ length: 16 }, (_, i) => i));

async function evalLoss(model: StnModel): Promise<number> {
  const loss = tf.tidy(() => nllLoss(
    model.forward(tf.tensor4d(batch.x, [16, 28, 28, 1])), tf.tensor2d(batch.oneHot, [16, 10])));
  const value = (await loss.data())[0]!;
  loss.dispose();
  return value;
}

/** The eval-mode loss on the batch before and after one training step on it, and the new weights. */
async function oneStep(backend: BackendName): Promise<{ before: number; after: number; weights: Float32Array[] }> {
  await setUpBackend(backend);
  const model = StnModel.create(new Rng(11));
  const optimizer = tf.train.sgd(0.05);
  const before = await evalLoss(model);
  const numTensors = tf.memory().numTensors;
  trainStep(model, optimizer, batch, new Rng(12)).dispose();
  // The step keeps no tensor of its own (the optimizer's learning-rate scalar exists from its first use).
  expect(tf.memory().numTensors).toBeLessThanOrEqual(numTensors + 1);
  const after = await evalLoss(model);
  const weights = await Promise.all(model.variables.map(async (v) => (await v.data()) as Float32Array));
  model.dispose();
  optimizer.dispose();
  return { before, after, weights };
}

const results = new Map<string, Awaited<ReturnType<typeof oneStep>>>();

describe('one training step', () => {
  it.each(['cpu', 'wasm'] as const)('lowers the loss on %s', async (backend) => {
    const r = await oneStep(backend);
    results.set(backend, r);
    expect(r.after).toBeLessThan(r.before - 1e-3);
  });

  it.skipIf(!gpu)('lowers the loss on webgpu', async () => {
    const r = await oneStep('webgpu');
    results.set('webgpu', r);
    expect(r.after).toBeLessThan(r.before - 1e-3);
  });

  // fc_loc.2 is left out: at the identity transform the grid lands on pixel centres, where the
  // sampling gradient depends on which neighbour wins each near-tie in the classifier's max-pools,
  // and the backends' convolutions round differently enough to flip a few (d theta then differs by
  // a few percent). Every other parameter agrees closely; fc_loc.2 must at least have moved.
  it('gives the same weights on every backend', () => {
    const cpu = results.get('cpu')!;
    const fcLoc2 = PARAMETERS.findIndex((p) => p.name === 'fc_loc.2.weight');
    for (const backend of ['wasm', 'webgpu']) {
      const r = results.get(backend);
      if (!r) continue;
      r.weights.forEach((w, i) => {
        if (PARAMETERS[i]!.name.startsWith('fc_loc.2')) return;
        expectClose(w, cpu.weights[i]!, `${backend} ${PARAMETERS[i]!.name}`);
      });
      expect(Math.max(...r.weights[fcLoc2]!.map(Math.abs))).toBeGreaterThan(1e-3);
    }
  });
});
