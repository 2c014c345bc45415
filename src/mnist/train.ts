/**
 * The tutorial's training loop: SGD on the mean negative log-likelihood, shuffled batches, and after
 * each epoch the test set's average loss and accuracy, then a checkpoint. Everything reads tensors
 * with `await data()` (dataSync is unavailable on WebGPU in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { type EpochRecord, type TrainingState, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import { type Batch, type Mnist, type MnistSplit, NUM_CLASSES, batchCount, batches, IMAGE_SIZE } from './data.js';
import { StnModel, nllLoss } from './model.js';
import { Rng } from './random.js';

export interface TrainConfig {
  epochs: number;
  batchSize: number;
  lr: number;
  seed: number;
  /** Checkpoint directory. */
  out: string;
  /** Continue from the checkpoint in `out`, if there is one. */
  resume: boolean;
  /** Recorded in each epoch's record. */
  backend: string;
  /** Batch size for evaluation (does not change the results). */
  testBatchSize?: number;
}

export interface TrainCallbacks {
  /** Before each epoch: its number and how many batches it has. */
  onEpochStart?(epoch: number, batches: number): void;
  /** After batch `done` of `total`; `loss` is given every few batches (reading it waits for the backend). */
  onBatch?(done: number, total: number, loss: number | undefined): void;
  onEpochEnd?(record: EpochRecord, state: TrainingState): void;
  /** A checkpoint was resumed: the state it holds. */
  onResume?(state: TrainingState): void;
}

export const DEFAULTS = { epochs: 20, batchSize: 64, lr: 0.01, seed: 1, testBatchSize: 1000 } as const;
const LOSS_EVERY = 10;

const toX = (b: Batch) => tf.tensor4d(b.x, [b.size, IMAGE_SIZE, IMAGE_SIZE, 1]);

/** One SGD step on a batch; returns the batch's loss (a scalar tensor the caller disposes). */
export function trainStep(model: StnModel, optimizer: tf.Optimizer, batch: Batch, rng: Rng): tf.Scalar {
  const x = toX(batch);
  const y = tf.tensor2d(batch.oneHot, [batch.size, NUM_CLASSES]);
  const loss = optimizer.minimize(() => nllLoss(model.forward(x, { training: true, rng }), y), true, model.variables)!;
  tf.dispose([x, y]);
  return loss;
}

/** One pass over `split` in shuffled batches; returns the seconds it took. */
export async function trainEpoch(
  model: StnModel, optimizer: tf.Optimizer, split: MnistSplit, batchSize: number, rng: Rng,
  onBatch?: TrainCallbacks['onBatch'],
): Promise<number> {
  const start = performance.now();
  const total = batchCount(split, batchSize);
  let done = 0;
  for (const batch of batches(split, batchSize, rng)) {
    const loss = trainStep(model, optimizer, batch, rng);
    done++;
    // Reading the loss now and then also keeps an asynchronous backend from queueing the whole epoch.
    const value = done % LOSS_EVERY === 0 || done === total ? (await loss.data())[0] : undefined;
    loss.dispose();
    onBatch?.(done, total, value);
  }
  return (performance.now() - start) / 1000;
}

export interface Evaluation {
  /** Mean negative log-likelihood over the split. */
  loss: number;
  correct: number;
  total: number;
}

/** The tutorial's test: summed NLL / count, and the argmax accuracy, with dropout off. */
export async function evaluate(model: StnModel, split: MnistSplit, batchSize: number = DEFAULTS.testBatchSize): Promise<Evaluation> {
  let lossSum = 0;
  let correct = 0;
  for (const batch of batches(split, batchSize)) {
    const out = tf.tidy(() => model.forward(toX(batch)));
    const logp = await out.data();
    out.dispose();
    for (let i = 0; i < batch.size; i++) {
      const row = logp.subarray(i * NUM_CLASSES, (i + 1) * NUM_CLASSES);
      let best = 0;
      for (let k = 1; k < NUM_CLASSES; k++) if (row[k]! > row[best]!) best = k;
      if (best === batch.labels[i]) correct++;
      lossSum -= row[batch.labels[i]!]!;
    }
  }
  return { loss: lossSum / split.count, correct, total: split.count };
}

/** The tutorial's line: `Test set: Average loss: 0.0471, Accuracy: 9857/10000 (99%)`. */
export function formatEvaluation(e: Evaluation): string {
  return `Test set: Average loss: ${e.loss.toFixed(4)}, Accuracy: ${e.correct}/${e.total} (${Math.round((100 * e.correct) / e.total)}%)`;
}

/**
 * Trains for `config.epochs` epochs (counting those a resumed checkpoint already finished),
 * checkpointing into `config.out` after each. Returns the model (the caller disposes it) and the
 * final state.
 */
export async function train(data: Mnist, config: TrainConfig, callbacks: TrainCallbacks = {}): Promise<{ model: StnModel; state: TrainingState }> {
  let model: StnModel;
  let rng: Rng;
  let state: TrainingState;
  if (config.resume && hasCheckpoint(config.out)) {
    const checkpoint = loadCheckpoint(config.out);
    model = StnModel.fromValues(checkpoint.values);
    state = checkpoint.state;
    rng = new Rng(state.rngState);
    callbacks.onResume?.(state);
  } else {
    rng = new Rng(config.seed);
    model = StnModel.create(rng);
    state = { epoch: 0, history: [], rngState: rng.state(), seed: config.seed, lr: config.lr, batchSize: config.batchSize };
  }
  const optimizer = tf.train.sgd(config.lr);
  try {
    for (let epoch = state.epoch + 1; epoch <= config.epochs; epoch++) {
      callbacks.onEpochStart?.(epoch, batchCount(data.train, config.batchSize));
      const trainSeconds = await trainEpoch(model, optimizer, data.train, config.batchSize, rng, callbacks.onBatch);
      const e = await evaluate(model, data.test, config.testBatchSize);
      const record: EpochRecord = {
        epoch, trainSeconds, testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total,
        backend: config.backend,
      };
      state = { ...state, epoch, history: [...state.history, record], rngState: rng.state(), lr: config.lr, batchSize: config.batchSize };
      await saveCheckpoint(config.out, model, state);
      callbacks.onEpochEnd?.(record, state);
    }
  } catch (e) {
    model.dispose();
    throw e;
  } finally {
    optimizer.dispose();
  }
  return { model, state };
}
