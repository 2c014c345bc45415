/**
 * The tutorial's network (model.ts) built from tf.layers, for model.fit, model.save and
 * tf.loadLayersModel. The same layers, shapes and initialisation: each PyTorch module is a layer
 * of its state_dict name (conv1, localization.0, fc_loc.2, ...) whose weights tfjs names
 * `<layer>/kernel` and `<layer>/bias` for PyTorch's `.weight` and `.bias`, and a seed draws exactly
 * the values StnModel.create draws. Dropout is tf.layers' (Dropout2d is a dropout whose noise is
 * shared over height and width); its masks come from tfjs's random generator, not the seed.
 */
import * as tf from '@tensorflow/tfjs-core';
import { type LayersModel, type SymbolicTensor, input, layers, model } from '@tensorflow/tfjs-layers';
import { SpatialTransformer } from '../layers/index.js';
import { IMAGE_SIZE, NUM_CLASSES } from './batch.js';
import { type Classifier, DROPOUT, PARAMETERS, type Transformer, initialParameters, nllLoss } from './model.js';
import type { Rng } from './random.js';

/** The layer of the spatial transformer, whose output is the transformed image. */
export const TRANSFORMER_LAYER = 'stn';

/** 'conv1.weight' -> 'conv1/kernel', 'fc_loc.2.bias' -> 'fc_loc.2/bias': the tfjs name of a PyTorch parameter. */
export function layersWeightName(torchName: string): string {
  return torchName.replace(/\.weight$/, '/kernel').replace(/\.bias$/, '/bias');
}

/** tf.layers has this activation (and serializes it) but leaves it out of its ActivationIdentifier type. */
const LOG_SOFTMAX = 'logSoftmax' as 'softmax';

/** The layers of a step, applied in turn. */
const chain = (x: SymbolicTensor, ...steps: { apply(x: SymbolicTensor): unknown }[]) =>
  steps.reduce((h, layer) => layer.apply(h) as SymbolicTensor, x);

const relu = (name: string) => layers.activation({ activation: 'relu', name });
const pool = (name: string) => layers.maxPooling2d({ poolSize: 2, strides: 2, padding: 'valid', name });
const conv = (name: string, k: number, filters: number) => layers.conv2d({ kernelSize: k, filters, padding: 'valid', name });
const dense = (name: string, units: number) => layers.dense({ units, name });

/**
 * The tutorial's network as a tf.LayersModel [N, 28, 28, 1] -> log-probabilities [N, 10], initialised
 * from `init`: an Rng (StnModel.create's values for the same state) or values by PyTorch name.
 */
export function stnLayersModel(init: Rng | ReadonlyMap<string, Float32Array>): LayersModel {
  const image = input({ shape: [IMAGE_SIZE, IMAGE_SIZE, 1], name: 'image' });
  const xs = chain(image,
    conv('localization.0', 7, 8), pool('localization.1'), relu('localization.2'),
    conv('localization.3', 5, 10), pool('localization.4'), relu('localization.5'),
    layers.flatten({ name: 'localization.flatten' }), dense('fc_loc.0', 32), relu('fc_loc.1'), dense('fc_loc.2', 6));
  const transformed = new SpatialTransformer({ name: TRANSFORMER_LAYER }).apply([image, xs]) as SymbolicTensor;
  const logProbs = chain(transformed,
    conv('conv1', 5, 10), pool('conv1.pool'), relu('conv1.relu'),
    // Dropout2d: whole channels of each image.
    conv('conv2', 5, 20), layers.dropout({ rate: DROPOUT, noiseShape: [null, 1, 1, 20] as number[], name: 'conv2_drop' }),
    pool('conv2.pool'), relu('conv2.relu'), layers.flatten({ name: 'flatten' }),
    dense('fc1', 50), relu('fc1.relu'), layers.dropout({ rate: DROPOUT, name: 'fc1.drop' }),
    dense('fc2', NUM_CLASSES), layers.activation({ activation: LOG_SOFTMAX, name: 'log_softmax' }));
  const net = model({ inputs: image, outputs: logProbs, name: 'stn_mnist' });
  setParameters(net, init instanceof Map ? init : initialParameters(init as Rng));
  return net;
}

/** Writes `values` (by PyTorch name, every parameter present with its size) into the model's weights. */
export function setParameters(net: LayersModel, values: ReadonlyMap<string, Float32Array>): void {
  const byName = new Map(net.weights.map((w) => [w.originalName, w]));
  for (const spec of PARAMETERS) {
    const v = values.get(spec.name);
    const w = byName.get(layersWeightName(spec.name));
    if (!v) throw new Error(`no value for parameter '${spec.name}'`);
    if (!w) throw new Error(`the model has no weight '${layersWeightName(spec.name)}' for parameter '${spec.name}'`);
    const t = tf.tensor(v, spec.shape, 'float32');
    w.write(t);
    t.dispose();
  }
}

/** The model's weights by PyTorch name. */
export async function getParameters(net: LayersModel): Promise<Map<string, Float32Array>> {
  const byName = new Map(net.weights.map((w) => [w.originalName, w]));
  const values = new Map<string, Float32Array>();
  for (const spec of PARAMETERS) values.set(spec.name, (await byName.get(layersWeightName(spec.name))!.read().data()) as Float32Array);
  return values;
}

/** The model as evaluate() and the pictures take it: predict, and the images through its transformer. */
export function layersNetwork(net: LayersModel): Classifier & Transformer & { dispose(): void } {
  const transformer = model({ inputs: net.inputs, outputs: net.getLayer(TRANSFORMER_LAYER).output as SymbolicTensor });
  return {
    forward: (x) => net.predict(x) as tf.Tensor2D,
    transform: (x) => transformer.predict(x) as tf.Tensor4D,
    dispose: () => net.dispose(),
  };
}

/** The tutorial's loss as model.compile takes it (targets first). */
export const nllLayersLoss = (oneHot: tf.Tensor, logProbs: tf.Tensor): tf.Tensor => nllLoss(logProbs as tf.Tensor2D, oneHot as tf.Tensor2D);
