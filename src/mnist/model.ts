/**
 * The PyTorch STN tutorial's network, channels-last:
 *
 *   localization  Conv(1->8, 7x7) -> MaxPool 2 -> ReLU -> Conv(8->10, 5x5) -> MaxPool 2 -> ReLU
 *   fc_loc        Linear(90->32) -> ReLU -> Linear(32->6), zero weights and identity bias
 *   transformer   affineGrid + gridSample (bilinear, zeros, alignCorners false)
 *   classifier    Conv(1->10, 5x5) -> MaxPool 2 -> ReLU -> Conv(10->20, 5x5) -> Dropout2d(0.5)
 *                 -> MaxPool 2 -> ReLU -> Linear(320->50) -> ReLU -> Dropout(0.5) -> Linear(50->10)
 *                 -> log-softmax
 *
 * 27,360 parameters, named as PyTorch's state_dict names them. Layouts are tfjs's: conv weights
 * [kh, kw, in, out], linear weights [in, out], and the flattened features are in NHWC order
 * (h, w, c) where PyTorch's are (c, h, w).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients for its own ops (conv2d, maxPool, matMul, ...): the tfjs
// umbrella package does, on the same tfjs-core instance.
import '@tensorflow/tfjs';
import { affineGrid, gridSample } from '../index.js';
import { IMAGE_SIZE, NUM_CLASSES } from './batch.js';
import type { Rng } from './random.js';

/** How a parameter starts: PyTorch's default uniform for the fan-in, zeros, or given values (a head's identity). */
export type Init = { fanIn: number } | 'zeros' | 'identity' | { values: readonly number[] };
export interface ParamSpec {
  name: string;
  shape: number[];
  init: Init;
}

export const conv = (name: string, k: number, cin: number, cout: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [k, k, cin, cout], init: { fanIn: k * k * cin } },
  { name: `${name}.bias`, shape: [cout], init: { fanIn: k * k * cin } },
];
export const linear = (name: string, nin: number, nout: number): ParamSpec[] => [
  { name: `${name}.weight`, shape: [nin, nout], init: { fanIn: nin } },
  { name: `${name}.bias`, shape: [nout], init: { fanIn: nin } },
];

/** Every parameter, in PyTorch's state_dict order. */
export const PARAMETERS: readonly ParamSpec[] = [
  ...conv('conv1', 5, 1, 10),
  ...conv('conv2', 5, 10, 20),
  ...linear('fc1', 320, 50),
  ...linear('fc2', 50, NUM_CLASSES),
  ...conv('localization.0', 7, 1, 8),
  ...conv('localization.3', 5, 8, 10),
  ...linear('fc_loc.0', 90, 32),
  { name: 'fc_loc.2.weight', shape: [32, 6], init: 'zeros' },
  { name: 'fc_loc.2.bias', shape: [6], init: 'identity' },
];

export const PARAMETER_COUNT = PARAMETERS.reduce((n, p) => n + tf.util.sizeFromShape(p.shape), 0);

/** The tutorial's dropout probability (Dropout2d after conv2 and dropout after fc1). */
export const DROPOUT = 0.5;

/** PyTorch's default initialisation: uniform in ±1/sqrt(fan_in) for weights and biases. */
export function initialValues(spec: ParamSpec, rng: Rng): Float32Array {
  const size = tf.util.sizeFromShape(spec.shape);
  const values = new Float32Array(size);
  if (spec.init === 'identity') values.set([1, 0, 0, 0, 1, 0]);
  else if (typeof spec.init === 'object' && 'values' in spec.init) values.set(spec.init.values);
  else if (spec.init !== 'zeros') {
    const bound = 1 / Math.sqrt(spec.init.fanIn);
    for (let i = 0; i < size; i++) values[i] = (2 * rng.next() - 1) * bound;
  }
  return values;
}

/** Every parameter's initial values by PyTorch name, drawn from `rng` in PARAMETERS' order. */
export function initialParameters(rng: Rng): Map<string, Float32Array> {
  return new Map(PARAMETERS.map((p) => [p.name, initialValues(p, rng)]));
}

/** What evaluation needs of a network: log-probabilities [N, 10] of images [N, 28, 28, 1]. */
export interface Classifier {
  forward(x: tf.Tensor4D): tf.Tensor2D;
}

/** What the pictures need of a network: the images through its spatial transformer. */
export interface Transformer {
  transform(x: tf.Tensor4D): tf.Tensor4D;
}

export interface ForwardOptions {
  /** Dropout on (with masks drawn from `rng`); off for evaluation. */
  training?: boolean;
  rng?: Rng;
}

export class StnModel {
  /** The trainable variables by PyTorch name, in PyTorch's order. */
  readonly params: ReadonlyMap<string, tf.Variable>;

  private constructor(params: Map<string, tf.Variable>) {
    this.params = params;
  }

  /** A freshly initialised network (PyTorch's default initialisation, drawn from `rng`). */
  static create(rng: Rng): StnModel {
    return StnModel.fromValues(initialParameters(rng));
  }

  /** A network with the given values; every parameter must be present with its size. */
  static fromValues(values: ReadonlyMap<string, Float32Array>): StnModel {
    const params = new Map<string, tf.Variable>();
    for (const spec of PARAMETERS) {
      const v = values.get(spec.name);
      if (!v) throw new Error(`no value for parameter '${spec.name}'`);
      params.set(spec.name, tf.variable(tf.tensor(v, spec.shape, 'float32'), true));
    }
    return new StnModel(params);
  }

  get variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  private p(name: string): tf.Variable {
    return this.params.get(name)!;
  }

  private conv(x: tf.Tensor4D, name: string): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.p(`${name}.weight`) as tf.Tensor4D, 1, 'valid'), this.p(`${name}.bias`));
  }

  private linear(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.p(`${name}.weight`) as tf.Tensor2D), this.p(`${name}.bias`));
  }

  /** The affine maps [N, 2, 3] the localization network predicts for x [N, 28, 28, 1]. */
  theta(x: tf.Tensor4D): tf.Tensor3D {
    let xs = tf.relu(tf.maxPool(this.conv(x, 'localization.0'), 2, 2, 'valid'));
    xs = tf.relu(tf.maxPool(this.conv(xs, 'localization.3'), 2, 2, 'valid'));
    const h = tf.relu(this.linear(tf.reshape(xs, [-1, 90]), 'fc_loc.0'));
    return tf.reshape(this.linear(h, 'fc_loc.2'), [-1, 2, 3]);
  }

  /** The spatial transformer: x resampled through its predicted affine map. */
  transform(x: tf.Tensor4D): tf.Tensor4D {
    const grid = affineGrid(this.theta(x), [x.shape[0], IMAGE_SIZE, IMAGE_SIZE, 1]);
    return gridSample(x, grid);
  }

  /** Log-probabilities [N, 10] of x [N, 28, 28, 1] (normalised pixels). */
  forward(x: tf.Tensor4D, options: ForwardOptions = {}): tf.Tensor2D {
    const dropout = options.training ? (options.rng ?? missingRng()) : undefined;
    let h = tf.relu(tf.maxPool(this.conv(this.transform(x), 'conv1'), 2, 2, 'valid'));
    h = this.conv(h, 'conv2');
    // Dropout2d zeroes whole channels of each image.
    if (dropout) h = tf.mul(h, dropoutMask([h.shape[0], 1, 1, h.shape[3]], dropout));
    h = tf.relu(tf.maxPool(h, 2, 2, 'valid'));
    let f = tf.relu(this.linear(tf.reshape(h, [-1, 320]), 'fc1'));
    if (dropout) f = tf.mul(f, dropoutMask(f.shape, dropout));
    return tf.logSoftmax(this.linear(f, 'fc2'));
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}

function missingRng(): never {
  throw new Error('forward: training needs an rng for the dropout masks');
}

/** Keeps each element with probability 1 - p, scaled by 1 / (1 - p), as PyTorch's dropout does. */
function dropoutMask(shape: number[], rng: Rng): tf.Tensor {
  const size = tf.util.sizeFromShape(shape);
  const values = new Float32Array(size);
  const keep = 1 / (1 - DROPOUT);
  for (let i = 0; i < size; i++) values[i] = rng.next() < DROPOUT ? 0 : keep;
  return tf.tensor(values, shape);
}

/** The mean negative log-likelihood of log-probabilities [N, 10] under one-hot labels [N, 10]. */
export function nllLoss(logProbs: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Scalar {
  return tf.neg(tf.div(tf.sum(tf.mul(logProbs, oneHot)), logProbs.shape[0])) as tf.Scalar;
}
