/**
 * The STN paper's MNIST models (Jaderberg et al. 2015, section 4.1 and appendix), channels-last, on
 * stn-layer's ops, for a square canvas of any side S:
 *
 *   cnn     conv 9x9, F filters, same -> max-pool 2 -> ReLU -> conv 7x7, F filters, same -> max-pool 2
 *           -> ReLU -> linear -> 10 (three weight layers; F = `filters`, 16 by default)
 *   fcn     linear S² -> 128 -> ReLU -> linear 128 -> 128 -> ReLU -> linear 128 -> 10
 *   st-cnn  the cnn after a spatial transformer whose localisation net is conv 5x5, 20 filters -> max-pool
 *           2 -> ReLU -> conv 5x5, 20 filters -> max-pool 2 -> ReLU -> linear -> 50 -> ReLU -> linear -> params
 *   st-fcn  the fcn after a spatial transformer whose localisation net is linear S² -> 32 -> ReLU ->
 *           linear -> params
 *
 * The transformer is affine (6 params), projective (8: H's first eight entries, h33 = 1) or tps
 * (a 4x4 lattice of 16 control points, 32 params); its head starts at the identity (zero weights,
 * the identity as bias). On the rts and tc canvases a 2x downsampling follows the transformer (the
 * paper's), so the classifier sees 21x21 or 30x30; the plain cnn/fcn see the whole canvas. By
 * default (`downsample: 'sample'`) the transformer samples at half the canvas's side; with 'pool' it
 * samples the whole canvas and a 2x2 average pool follows (a box filter before the decimation: where
 * the transformer zooms out, sampling at half the side skips pixels). tc's 60x60 canvas is average-pooled 2x before the convolutional
 * localisation net (its input then 30x30, as its classifier's).
 *
 * Choices where the paper leaves it open or the machine asks for less: the cnn's filters are 16 by
 * default (the paper's are larger; training here runs on two CPU cores; `filters` widens the
 * classifier, the localisation net stays as it is), no dropout, PyTorch's default
 * initialisation. The classifier is the same for a model with and without the transformer: the ST
 * models have the localisation net's parameters on top (PAPER_MODELS' parameterCount gives both).
 */
import * as tf from '@tensorflow/tfjs-core';
// The gradients of tfjs's own ops (conv2d, maxPool, matMul, ...) come with the umbrella package.
import '@tensorflow/tfjs';
import { affineGrid, gridSample, projectiveGrid, tpsGrid } from '../index.js';
import { tpsLattice } from '../grids/tps_grid.js';
import { MNIST_MEAN, MNIST_STD, NUM_CLASSES } from './batch.js';
import { CANVAS, type DatasetName } from './distort.js';
import { type Classifier, type ParamSpec, type Transformer, conv, initialValues, linear } from './model.js';
import { Rng } from './random.js';

import { MODELS, type ModelName, type PaperModelName, type PaperTransform, TRANSFORMS } from './defaults.js';

export { MODELS, type ModelName, type PaperModelName, type PaperTransform, TRANSFORMS };

/** The datasets whose transformer samples at half the canvas's side. */
const DOWNSAMPLED: readonly DatasetName[] = ['rts', 'tc'];
/** Canvases larger than this are average-pooled 2x before the convolutional localisation net. */
const LOCALISATION_MAX_SIDE = 42;
const TPS_GRID = 4;
/** The classifier's convolutions' filters unless the config says otherwise. */
export const DEFAULT_FILTERS = 16;
/** 'sample': the transformer samples at half the side; 'pool': at the full side, then a 2x2 average pool. */
export const DOWNSAMPLES = ['sample', 'pool'] as const;
export type Downsample = (typeof DOWNSAMPLES)[number];
export const DEFAULT_DOWNSAMPLE: Downsample = 'sample';
/** A black pixel, normalised as the batches are. */
const BACKGROUND = -MNIST_MEAN / MNIST_STD;

/** Each transform's params and their identity values. */
const TRANSFORM_PARAMS: Record<PaperTransform, readonly number[]> = {
  affine: [1, 0, 0, 0, 1, 0],
  projective: [1, 0, 0, 0, 1, 0, 0, 0],
  tps: Array.from(tpsLattice(TPS_GRID)),
};

export interface PaperModelConfig {
  model: PaperModelName;
  transform: PaperTransform;
  dataset: DatasetName;
  /** The cnn classifier's filters per convolution (DEFAULT_FILTERS when absent); the fcn's layers ignore it. */
  filters?: number;
  /** How the 2x downsampling after the transformer is done on rts and tc (DEFAULT_DOWNSAMPLE when absent). */
  downsample?: Downsample;
}

/** Side after a 'valid' convolution of size k then a 2x max-pool (floor). */
const validPooled = (side: number, k: number) => Math.floor((side - k + 1) / 2);

/**
 * The model's layout: its parameters, the side the classifier sees (`classified`), the side the
 * transformer samples at (`sampled`: twice `classified` where a 2x2 average pool follows it) and
 * the localisation net's input side.
 */
function layout(c: PaperModelConfig): { params: ParamSpec[]; canvas: number; classified: number; sampled: number; locSide: number } {
  const canvas = CANVAS[c.dataset];
  const st = c.model.startsWith('st-');
  const classified = st && DOWNSAMPLED.includes(c.dataset) ? canvas / 2 : canvas;
  const sampled = classified < canvas && (c.downsample ?? DEFAULT_DOWNSAMPLE) === 'pool' ? canvas : classified;
  const params: ParamSpec[] = [];
  const identity = TRANSFORM_PARAMS[c.transform];
  const head = (nin: number): ParamSpec[] => [
    { name: 'loc.head.weight', shape: [nin, identity.length], init: 'zeros' },
    { name: 'loc.head.bias', shape: [identity.length], init: { values: identity } },
  ];
  let locSide = canvas;
  if (c.model === 'st-cnn') {
    locSide = canvas > LOCALISATION_MAX_SIDE ? canvas / 2 : canvas;
    const side = validPooled(validPooled(locSide, 5), 5);
    params.push(...conv('loc.conv1', 5, 1, 20), ...conv('loc.conv2', 5, 20, 20), ...linear('loc.fc', side * side * 20, 50), ...head(50));
  } else if (c.model === 'st-fcn') {
    params.push(...linear('loc.fc', canvas * canvas, 32), ...head(32));
  }
  if (c.model.endsWith('cnn')) {
    const side = Math.floor(Math.floor(classified / 2) / 2);
    const f = c.filters ?? DEFAULT_FILTERS;
    params.push(...conv('conv1', 9, 1, f), ...conv('conv2', 7, f, f), ...linear('fc', side * side * f, NUM_CLASSES));
  } else {
    params.push(...linear('fc1', classified * classified, 128), ...linear('fc2', 128, 128), ...linear('fc3', 128, NUM_CLASSES));
  }
  return { params, canvas, classified, sampled, locSide };
}

/** The number of parameters of a model: all of them, and those of its classifier alone. */
export function parameterCount(c: PaperModelConfig): { total: number; classifier: number } {
  const { params } = layout(c);
  const size = (p: ParamSpec) => tf.util.sizeFromShape(p.shape);
  return {
    total: params.reduce((n, p) => n + size(p), 0),
    classifier: params.filter((p) => !p.name.startsWith('loc.')).reduce((n, p) => n + size(p), 0),
  };
}

/** A named float32 tensor in JSON: its values little-endian, base64. */
export interface SavedTensor {
  name: string;
  shape: number[];
  data: string;
}

/** A paper model saved as JSON (`stn-mnist train --model ...` writes it as paper-model.json). */
export interface PaperModelJson {
  format: typeof PAPER_MODEL_FORMAT;
  config: PaperModelConfig;
  parameters: SavedTensor[];
  /** What the writer wants to keep with it (the training records, say). */
  metadata?: unknown;
}

export const PAPER_MODEL_FORMAT = 'stn-paper-model';

/** A tensor's values as a SavedTensor. */
export async function saveTensor(name: string, t: tf.Tensor): Promise<SavedTensor> {
  const v = (await t.data()) as Float32Array;
  return { name, shape: [...t.shape], data: btoa(Array.from(new Uint8Array(v.buffer, v.byteOffset, v.byteLength), (b) => String.fromCharCode(b)).join('')) };
}

/** A SavedTensor's values. */
export function savedValues(t: SavedTensor): Float32Array {
  const bytes = Uint8Array.from(atob(t.data), (c) => c.charCodeAt(0));
  return new Float32Array(bytes.buffer, 0, bytes.length / 4);
}

export class PaperModel implements Classifier, Transformer {
  readonly config: PaperModelConfig;
  readonly params: ReadonlyMap<string, tf.Variable>;
  private readonly canvas: number;
  private readonly classified: number;
  private readonly sampled: number;
  private readonly locSide: number;

  /** A freshly initialised model (PyTorch's default initialisation drawn from `rng`, heads at the identity). */
  constructor(config: PaperModelConfig, rng: Rng) {
    if (!(['cnn', 'st-cnn', 'fcn', 'st-fcn'] as const).includes(config.model)) {
      throw new RangeError(`PaperModel: 'model' must be cnn, st-cnn, fcn or st-fcn; received '${String(config.model)}'`);
    }
    if (!TRANSFORMS.includes(config.transform)) {
      throw new RangeError(`PaperModel: 'transform' must be one of ${TRANSFORMS.join(', ')}; received '${String(config.transform)}'`);
    }
    if (config.filters !== undefined && !(Number.isInteger(config.filters) && config.filters >= 1)) {
      throw new RangeError(`PaperModel: 'filters' must be a positive integer; received ${String(config.filters)}`);
    }
    if (config.downsample !== undefined && !DOWNSAMPLES.includes(config.downsample)) {
      throw new RangeError(`PaperModel: 'downsample' must be one of ${DOWNSAMPLES.join(', ')}; received '${String(config.downsample)}'`);
    }
    this.config = config;
    const l = layout(config);
    this.canvas = l.canvas;
    this.classified = l.classified;
    this.sampled = l.sampled;
    this.locSide = l.locSide;
    this.params = new Map(l.params.map((p) => [p.name, tf.variable(tf.tensor(initialValues(p, rng), p.shape, 'float32'), true)]));
  }

  get variables(): tf.Variable[] {
    return [...this.params.values()];
  }

  /** The model as JSON: its config and values. */
  async toJson(metadata?: unknown): Promise<PaperModelJson> {
    const parameters = await Promise.all([...this.params].map(([name, v]) => saveTensor(name, v)));
    return { format: PAPER_MODEL_FORMAT, config: this.config, parameters, ...(metadata === undefined ? {} : { metadata }) };
  }

  /** A model from toJson's output. */
  static fromJson(json: PaperModelJson): PaperModel {
    if (json?.format !== PAPER_MODEL_FORMAT) throw new Error(`PaperModel.fromJson: not a paper model (format '${String(json?.format)}', expected '${PAPER_MODEL_FORMAT}')`);
    const model = new PaperModel(json.config, new Rng(0));
    try {
      model.assignValues(new Map(json.parameters.map((p) => [p.name, savedValues(p)])));
    } catch (e) {
      model.dispose();
      throw e;
    }
    return model;
  }

  /** Writes `values` (by parameter name, each of its parameter's size) into the model. */
  assignValues(values: ReadonlyMap<string, Float32Array>): void {
    for (const [name, v] of this.params) {
      const value = values.get(name);
      if (!value || value.length !== v.size) throw new Error(`PaperModel: no value of ${v.size} numbers for parameter '${name}'`);
      v.assign(tf.tensor(value, v.shape, 'float32'));
    }
  }

  get hasTransformer(): boolean {
    return this.config.model.startsWith('st-');
  }

  private p(name: string): tf.Variable {
    return this.params.get(name)!;
  }

  private conv(x: tf.Tensor4D, name: string, pad: 'same' | 'valid'): tf.Tensor4D {
    return tf.add(tf.conv2d(x, this.p(`${name}.weight`) as tf.Tensor4D, 1, pad), this.p(`${name}.bias`));
  }

  private linear(x: tf.Tensor2D, name: string): tf.Tensor2D {
    return tf.add(tf.matMul(x, this.p(`${name}.weight`) as tf.Tensor2D), this.p(`${name}.bias`));
  }

  /** The transformer's params [N, P] for x [N, S, S, 1]. */
  private localise(x: tf.Tensor4D): tf.Tensor2D {
    const n = x.shape[0];
    if (this.config.model === 'st-fcn') {
      return this.linear(tf.relu(this.linear(tf.reshape(x, [n, -1]), 'loc.fc')), 'loc.head');
    }
    let h = this.locSide < this.canvas ? tf.avgPool(x, 2, 2, 'valid') : x;
    h = tf.relu(tf.maxPool(this.conv(h, 'loc.conv1', 'valid'), 2, 2, 'valid'));
    h = tf.relu(tf.maxPool(this.conv(h, 'loc.conv2', 'valid'), 2, 2, 'valid'));
    return this.linear(tf.relu(this.linear(tf.reshape(h, [n, -1]), 'loc.fc')), 'loc.head');
  }

  /** x resampled through the predicted transform onto a side x side grid. */
  private sample(x: tf.Tensor4D, side: number): tf.Tensor4D {
    const n = x.shape[0];
    const params = this.localise(x);
    const size: [number, number, number, number] = [n, side, side, 1];
    const grid = this.config.transform === 'affine' ? affineGrid(tf.reshape(params, [n, 2, 3]) as tf.Tensor3D, size)
      : this.config.transform === 'projective' ? projectiveGrid(params, size)
        : tpsGrid(tf.reshape(params, [n, TPS_GRID * TPS_GRID, 2]) as tf.Tensor3D, size);
    // Zero padding on the raw pixels, as the paper's: outside the canvas reads the background, not
    // the brighter 0 of the normalised scale (a grey frame wherever the transformer looks past the edge).
    return tf.add(gridSample(tf.sub(x, BACKGROUND), grid), BACKGROUND);
  }

  /** The images through the transformer at the canvas's full size (for pictures); x itself without one. */
  transform(x: tf.Tensor4D): tf.Tensor4D {
    return this.hasTransformer ? this.sample(x, this.canvas) : tf.clone(x);
  }

  /** Log-probabilities [N, 10] of x [N, S, S, 1] (normalised pixels). */
  forward(x: tf.Tensor4D): tf.Tensor2D {
    const n = x.shape[0];
    let h0 = this.hasTransformer ? this.sample(x, this.sampled) : x;
    if (this.sampled > this.classified) h0 = tf.avgPool(h0, 2, 2, 'valid');
    let logits: tf.Tensor2D;
    if (this.config.model.endsWith('cnn')) {
      let h = tf.relu(tf.maxPool(this.conv(h0, 'conv1', 'same'), 2, 2, 'valid'));
      h = tf.relu(tf.maxPool(this.conv(h, 'conv2', 'same'), 2, 2, 'valid'));
      logits = this.linear(tf.reshape(h, [n, -1]), 'fc');
    } else {
      const f = tf.relu(this.linear(tf.relu(this.linear(tf.reshape(h0, [n, -1]), 'fc1')), 'fc2'));
      logits = this.linear(f, 'fc3');
    }
    return tf.logSoftmax(logits);
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
  }
}
