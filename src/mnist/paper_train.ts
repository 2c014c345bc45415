/**
 * Training the STN paper's models (paper_models.ts) on a distorted MNIST (distort.ts): the test set
 * distorted once with TEST_SEED, the training set distorted afresh before each epoch (a new draw per
 * epoch, from --seed and the epoch), shuffled with the seed's generator. Adam at `lr` (default
 * 0.001), divided by 10 for the last third of the epochs (when there are at least 3): the paper's
 * step schedule shortened to a budget about a hundred times smaller than its 150,000 iterations of
 * 256, for which its plain SGD starts too slowly. No checkpoint: each run starts afresh.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES, batchCount, batches } from './batch.js';
import type { EpochRecord } from './checkpoint.js';
import type { Mnist } from './data.js';
import { type DatasetName, type DistortedSplit, TEST_SEED, distort, trainingSeed } from './distort.js';
import { nllLoss } from './model.js';
import { PaperModel, type PaperModelName, type PaperTransform } from './paper_models.js';
import { Rng } from './random.js';
import { evaluate } from './steps.js';

const LOSS_EVERY = 10;

export interface PaperTrainConfig {
  model: PaperModelName;
  transform: PaperTransform;
  dataset: DatasetName;
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  backend: string;
  testBatchSize?: number;
}

/** An epoch's record with what was trained. */
export interface PaperEpochRecord extends EpochRecord {
  dataset: DatasetName;
  model: PaperModelName;
  transform: PaperTransform | null;
  lr: number;
}

export interface PaperCallbacks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(done: number, total: number, loss: number | undefined): void;
  onEpochEnd?(record: PaperEpochRecord): void;
}

/** The learning rate of `epoch` (1-based) of `epochs`: lr, then lr / 10 for the last third. */
export function learningRate(lr: number, epoch: number, epochs: number): number {
  return epochs >= 3 && epoch > epochs - Math.floor(epochs / 3) ? lr / 10 : lr;
}

/** One SGD step on a batch; returns the loss (a scalar the caller disposes). */
export function paperTrainStep(model: PaperModel, optimizer: tf.Optimizer, x: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Scalar {
  return optimizer.minimize(() => nllLoss(model.forward(x), oneHot), true, model.variables)!;
}

/** Trains a fresh model; returns it (the caller disposes it), the distorted test set and the records. */
export async function trainPaper(data: Mnist, config: PaperTrainConfig, callbacks: PaperCallbacks = {}): Promise<{
  model: PaperModel; test: DistortedSplit; history: PaperEpochRecord[];
}> {
  const rng = new Rng(config.seed);
  const model = new PaperModel(config, rng);
  const optimizer = tf.train.adam(config.lr);
  const history: PaperEpochRecord[] = [];
  try {
    const test = await distort(data.test, config.dataset, TEST_SEED);
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      const lr = learningRate(config.lr, epoch, config.epochs);
      // Adam reads its learningRate at every step; tfjs declares it protected.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const train = await distort(data.train, config.dataset, trainingSeed(config.seed, epoch));
      const total = batchCount(train, config.batchSize);
      callbacks.onEpochStart?.(epoch, total);
      const start = performance.now();
      let done = 0;
      for (const b of batches(train, config.batchSize, rng)) {
        const [x, y] = [tf.tensor4d(b.x, [b.size, b.side, b.side, 1]), tf.tensor2d(b.oneHot, [b.size, NUM_CLASSES])];
        const loss = paperTrainStep(model, optimizer, x, y);
        tf.dispose([x, y]);
        done++;
        // Reading the loss now and then also keeps an asynchronous backend from queueing the whole epoch.
        const value = done % LOSS_EVERY === 0 || done === total ? (await loss.data())[0] : undefined;
        loss.dispose();
        callbacks.onBatch?.(done, total, value);
      }
      const trainSeconds = (performance.now() - start) / 1000;
      const e = await evaluate(model, test, config.testBatchSize);
      const record: PaperEpochRecord = {
        epoch, trainSeconds, testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total,
        backend: config.backend, dataset: config.dataset, model: config.model,
        transform: model.hasTransformer ? config.transform : null, lr,
      };
      history.push(record);
      callbacks.onEpochEnd?.(record);
    }
    return { model, test, history };
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
}
