/**
 * Training the STN paper's models (paper_models.ts) on a distorted MNIST (distort.ts): the test set
 * distorted once with TEST_SEED, the training set distorted afresh before each epoch (a new draw per
 * epoch, from --seed and the epoch), shuffled with the seed's generator. Adam at `lr` (default
 * 0.001), divided by 10 for the last third of the epochs (when there are at least 3): the paper's
 * step schedule shortened to a budget about a hundred times smaller than its 150,000 iterations of
 * 256, for which its plain SGD starts too slowly. After each epoch the caller's `save` gets the model,
 * the training state and Adam's state (paper_checkpoint.ts writes them; this module stays
 * browser-safe); a run given them back continues as if never stopped.
 */
import * as tf from '@tensorflow/tfjs-core';
import { NUM_CLASSES, batchCount, batches } from './batch.js';
import type { EpochRecord, TrainingState } from './checkpoint.js';
import type { Mnist } from './data.js';
import { type DatasetName, type DistortedSplit, TEST_SEED, distort, trainingSeed } from './distort.js';
import { nllLoss } from './model.js';
import { DEFAULT_DOWNSAMPLE, DEFAULT_FILTERS, PaperModel, type PaperModelConfig, type PaperModelName, type PaperTransform, type SavedTensor, saveTensor, savedValues } from './paper_models.js';
import { Rng } from './random.js';
import { evaluate } from './steps.js';

const LOSS_EVERY = 10;

/** The model to train (PaperModelConfig: model, transform, dataset, filters, downsample) and how. */
export interface PaperTrainConfig extends PaperModelConfig {
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

/** What a resumed run needs besides the model and Adam's state: as the tutorial's, with the paper's records. */
export interface PaperTrainingState extends TrainingState {
  history: PaperEpochRecord[];
}

/** Adam's state: its step count and each variable's two moments (the model's variables' order, first moments first). */
export interface AdamState {
  iterations: number;
  moments: SavedTensor[];
}

/** Where a resumed run starts: what `save` was given after an epoch. */
export interface PaperResume {
  model: PaperModel;
  state: PaperTrainingState;
  adam: AdamState;
}

export interface PaperCallbacks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatch?(done: number, total: number, loss: number | undefined): void;
  /** After each epoch, before onEpochEnd: what a checkpoint keeps (awaited). */
  save?(checkpoint: PaperResume): Promise<void>;
  onEpochEnd?(record: PaperEpochRecord): void;
}

/** The optimizer's state as getWeights gives it (the step count, then the moments). */
async function adamState(optimizer: tf.Optimizer): Promise<AdamState> {
  const [iterations, ...moments] = await optimizer.getWeights();
  const state = {
    iterations: (await iterations!.tensor.data())[0]!,
    moments: await Promise.all(moments.map((m) => saveTensor(m.name, m.tensor))),
  };
  iterations!.tensor.dispose(); // made for the call; the moments are the optimizer's own
  return state;
}

/** Adam's state back into a fresh optimizer (its moments matched to the variables by position, as Adam does). */
async function restoreAdam(optimizer: tf.Optimizer, adam: AdamState, model: PaperModel): Promise<void> {
  const variables = model.variables;
  if (adam.moments.length !== 2 * variables.length) {
    throw new Error(`trainPaper: Adam's state has ${adam.moments.length} moments; the model's ${variables.length} variables need ${2 * variables.length}`);
  }
  adam.moments.forEach((m, i) => {
    const v = variables[i % variables.length]!;
    if (m.shape.join() !== v.shape.join()) throw new Error(`trainPaper: Adam's moment '${m.name}' has shape [${m.shape}]; its variable has [${v.shape}]`);
  });
  const weights = [
    { name: 'iter', tensor: tf.scalar(adam.iterations, 'int32') },
    ...adam.moments.map((m) => ({ name: m.name, tensor: tf.tensor(savedValues(m), m.shape, 'float32') })),
  ];
  await optimizer.setWeights(weights);
  // Adam made variables of them (sharing their data); these handles are no longer needed.
  tf.dispose(weights.map((w) => w.tensor));
}

/** The learning rate of `epoch` (1-based) of `epochs`: lr, then lr / 10 for the last third. */
export function learningRate(lr: number, epoch: number, epochs: number): number {
  return epochs >= 3 && epoch > epochs - Math.floor(epochs / 3) ? lr / 10 : lr;
}

/** One SGD step on a batch; returns the loss (a scalar the caller disposes). */
export function paperTrainStep(model: PaperModel, optimizer: tf.Optimizer, x: tf.Tensor4D, oneHot: tf.Tensor2D): tf.Scalar {
  return optimizer.minimize(() => nllLoss(model.forward(x), oneHot), true, model.variables)!;
}

/**
 * Trains a fresh model, or continues `resume` up to `config.epochs` epochs in all (the learning-rate
 * schedule then follows the new total; the training set's distortions follow the run's first seed).
 * Returns the model (the caller disposes it), the distorted test set and every epoch's record.
 */
export async function trainPaper(data: Mnist, config: PaperTrainConfig, callbacks: PaperCallbacks = {}, resume?: PaperResume): Promise<{
  model: PaperModel; test: DistortedSplit; history: PaperEpochRecord[];
}> {
  if (resume) {
    // A plain model's transform is no part of it; an older model without filters or downsample has the default.
    const parts = (c: PaperModelConfig) => ({
      model: c.model, dataset: c.dataset, transform: resume.model.hasTransformer ? c.transform : undefined, filters: c.filters ?? DEFAULT_FILTERS,
      downsample: c.downsample ?? DEFAULT_DOWNSAMPLE,
    });
    const [saved, asked] = [parts(resume.model.config), parts(config)];
    for (const key of Object.keys(saved) as (keyof typeof saved)[]) {
      if (saved[key] !== asked[key]) throw new Error(`trainPaper: the run to resume has ${key} '${saved[key]}'; received '${asked[key]}'`);
    }
  }
  const rng = new Rng(resume ? resume.state.rngState : config.seed);
  const model = resume ? resume.model : new PaperModel(config, rng);
  const seed = resume ? resume.state.seed : config.seed;
  const optimizer = tf.train.adam(config.lr);
  const history: PaperEpochRecord[] = resume ? [...resume.state.history] : [];
  try {
    if (resume) await restoreAdam(optimizer, resume.adam, model);
    const test = await distort(data.test, config.dataset, TEST_SEED);
    for (let epoch = history.length + 1; epoch <= config.epochs; epoch++) {
      const lr = learningRate(config.lr, epoch, config.epochs);
      // Adam reads its learningRate at every step; tfjs declares it protected.
      (optimizer as unknown as { learningRate: number }).learningRate = lr;
      const train = await distort(data.train, config.dataset, trainingSeed(seed, epoch));
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
      if (callbacks.save) {
        const state = { epoch, history: [...history], rngState: rng.state(), seed, lr: config.lr, batchSize: config.batchSize };
        await callbacks.save({ model, state, adam: await adamState(optimizer) });
      }
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
