/**
 * The tutorial's training loop: SGD on the mean negative log-likelihood, shuffled batches, and after
 * each epoch the test set's average loss and accuracy, then a checkpoint. Everything reads tensors
 * with `await data()` (dataSync is unavailable on WebGPU in Node).
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchCount } from './batch.js';
import { type EpochRecord, type TrainingState, hasCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint.js';
import type { Mnist } from './data.js';
import { StnModel } from './model.js';
import { Rng } from './random.js';
import { evaluate, trainEpoch } from './steps.js';

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
