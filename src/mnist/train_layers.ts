/**
 * `stn-mnist --api layers`: the tutorial's training with the network as a tf.LayersModel and
 * model.fit. The same data pipeline (the seed's shuffle, batch 64, the last batch smaller), SGD
 * and loss as train.ts; the checkpoint is a standard LayersModel directory (model.json + weights)
 * that tf.loadLayersModel(fileIO(dir)) loads, with the training state in its user-defined metadata.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, loadLayersModel } from '@tensorflow/tfjs-layers';
import { IMAGE_SIZE, NUM_CLASSES, batchCount, batches } from './batch.js';
import { type EpochRecord, type TrainingState, hasCheckpoint } from './checkpoint.js';
import type { Mnist } from './data.js';
import { fileIO } from './file_io.js';
import { layersNetwork, nllLayersLoss, stnLayersModel } from './layers_model.js';
import { Rng } from './random.js';
import { evaluate } from './steps.js';
import type { TrainCallbacks, TrainConfig } from './train.js';

const LOSS_EVERY = 10;
export const LAYERS_FORMAT = 'layers-model';

/** The `format` of the checkpoint in `dir` ('layers-model' for --api layers, 'stn-mnist' for the ops trainer's). */
export function checkpointFormat(dir: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as { format?: string }).format;
  } catch {
    return undefined;
  }
}

/** Loads a checkpoint --api layers wrote: the model and its training state. */
export async function loadLayersCheckpoint(dir: string): Promise<{ model: LayersModel; state: TrainingState }> {
  const format = checkpointFormat(dir);
  if (format !== LAYERS_FORMAT) {
    throw new Error(`${join(dir, 'model.json')} is not a LayersModel checkpoint (format '${format}'): ` +
      'it was written by the trainer without --api layers; use another --out or drop --api layers');
  }
  const model = await loadLayersModel(fileIO(dir));
  const state = (model.getUserDefinedMetadata() as { training?: TrainingState } | undefined)?.training;
  if (!state || typeof state.epoch !== 'number' || !Array.isArray(state.rngState)) {
    model.dispose();
    throw new Error(`${join(dir, 'model.json')}: no training state (userDefinedMetadata.training)`);
  }
  return { model, state };
}

/** Compiles `model` for the tutorial's training: SGD at `lr` on the negative log-likelihood. */
export function compileForTraining(model: LayersModel, lr: number): void {
  model.compile({ optimizer: tf.train.sgd(lr), loss: nllLayersLoss });
}

/**
 * One epoch with model.fit: the split in the seed's shuffled order as one tensor, which fit cuts
 * into consecutive batches (shuffle off), so the batches are those train.ts draws. Returns seconds.
 */
export async function fitEpoch(
  model: LayersModel, split: Mnist['train'], batchSize: number, rng: Rng,
  onBatch?: (done: number, total: number, loss: number | undefined) => void,
): Promise<number> {
  const start = performance.now();
  const all = batches(split, split.count, rng).next().value!;
  const x = tf.tensor4d(all.x, [all.size, IMAGE_SIZE, IMAGE_SIZE, 1]);
  const y = tf.tensor2d(all.oneHot, [all.size, NUM_CLASSES]);
  const total = batchCount(split, batchSize);
  try {
    await model.fit(x, y, {
      batchSize, epochs: 1, shuffle: false, verbose: 0, yieldEvery: 'never',
      callbacks: {
        onBatchEnd: async (batch, logs) => {
          const done = batch + 1;
          onBatch?.(done, total, done % LOSS_EVERY === 0 || done === total ? logs?.loss : undefined);
        },
      },
    });
  } finally {
    tf.dispose([x, y]);
  }
  return (performance.now() - start) / 1000;
}

/** train.ts's train() with the LayersModel: the same epochs, evaluation, checkpoints and callbacks. */
export async function trainLayers(data: Mnist, config: TrainConfig, callbacks: TrainCallbacks = {}): Promise<{ model: LayersModel; state: TrainingState }> {
  let model: LayersModel;
  let rng: Rng;
  let state: TrainingState;
  if (config.resume && hasCheckpoint(config.out)) {
    ({ model, state } = await loadLayersCheckpoint(config.out));
    rng = new Rng(state.rngState);
    callbacks.onResume?.(state);
  } else {
    rng = new Rng(config.seed);
    model = stnLayersModel(rng);
    state = { epoch: 0, history: [], rngState: rng.state(), seed: config.seed, lr: config.lr, batchSize: config.batchSize };
  }
  compileForTraining(model, config.lr);
  const network = layersNetwork(model);
  try {
    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      callbacks.onEpochStart?.(epoch, batchCount(data.train, config.batchSize));
      const trainSeconds = await fitEpoch(model, data.train, config.batchSize, rng, callbacks.onBatch);
      const e = await evaluate(network, data.test, config.testBatchSize);
      const record: EpochRecord = {
        epoch, trainSeconds, testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total,
        backend: config.backend,
      };
      state = { ...state, epoch, history: [...state.history, record], rngState: rng.state(), lr: config.lr, batchSize: config.batchSize };
      model.setUserDefinedMetadata({ training: state });
      await model.save(fileIO(config.out));
      callbacks.onEpochEnd?.(record, state);
    }
  } catch (e) {
    model.dispose();
    throw e;
  }
  return { model, state };
}
