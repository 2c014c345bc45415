/**
 * The browser-safe part of the trainer (no Node imports): one SGD step, one epoch, the test
 * evaluation, and the digits through the learned transformer. train.ts adds checkpoints and epochs
 * on top; the demo and stn-layer/mnist's browser entry use these directly.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type Batch, MNIST_MEAN, MNIST_STD, type MnistSplit, NUM_CLASSES, batchCount, batches, makeBatch } from './batch.js';
import { type Classifier, type StnModel, type Transformer, nllLoss } from './model.js';
import type { Rng } from './random.js';
import { DEFAULTS } from './defaults.js';

export { DEFAULTS };
const LOSS_EVERY = 10;

const toX = (b: Batch) => tf.tensor4d(b.x, [b.size, b.side, b.side, 1]);

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
  onBatch?: (done: number, total: number, loss: number | undefined) => void,
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
export async function evaluate(model: Classifier, split: MnistSplit, batchSize: number = DEFAULTS.testBatchSize): Promise<Evaluation> {
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

const unnormalize = (v: Float32Array) => v.map((x) => x * MNIST_STD + MNIST_MEAN);

/** The first `count` images of `split` and the model's spatial transformer applied to them, in [0, 1]. */
export async function transformFirst(model: Transformer, split: MnistSplit, count = 64): Promise<{ original: Float32Array; transformed: Float32Array; count: number }> {
  const n = Math.min(count, split.count);
  const batch = makeBatch(split, Array.from({ length: n }, (_, i) => i));
  const out = tf.tidy(() => model.transform(toX(batch)));
  const transformed = unnormalize((await out.data()) as Float32Array);
  out.dispose();
  return { original: unnormalize(batch.x), transformed, count: n };
}

