/**
 * spatialTransformer({...}): the whole spatial transformer as one tf.LayersModel, to put in front of
 * (or between the layers of) an existing CNN. image -> localization -> flatten -> Dense head -> SpatialTransformer.
 * The head's kernel starts at zero and its bias at the transform's identity, so the model starts as
 * the identity and training moves it from there (the STN paper's and PyTorch tutorial's recipe).
 */
import { dispose, tensor, zeros } from '@tensorflow/tfjs-core';
import { LayersModel, type SymbolicTensor, input, layers, model } from '@tensorflow/tfjs-layers';
import { describe } from '../ops/checks.js';
import {
  SpatialTransformer, TRANSFORM_OPTION_KEYS, type TransformOptions, checkKnownKeys, resolveOptions, transformRow,
} from './spatial_transformer.js';

export interface SpatialTransformerModelArgs extends TransformOptions {
  /** One image's shape [H, W, C] (channels-last). */
  inputShape: number[];
  /** Takes the image; any output shape (it is flattened). */
  localization: LayersModel;
  /** The model's name; its layers are named after it. Default: spatial_transformer_<n>. */
  name?: string;
}

const OWN_KEYS = ['inputShape', 'localization', 'name', ...TRANSFORM_OPTION_KEYS];
let unnamed = 0;

export function spatialTransformer(args: SpatialTransformerModelArgs): LayersModel {
  if (typeof args !== 'object' || args === null || Array.isArray(args)) {
    throw new TypeError(`spatialTransformer: the config must be an object; received ${describe(args)}`);
  }
  const name = args.name ?? `spatial_transformer_${++unnamed}`;
  const who = `spatialTransformer '${name}'`;
  if (typeof name !== 'string' || name === '') throw new TypeError(`spatialTransformer: 'name' must be a non-empty string; received ${describe(name)}`);
  checkKnownKeys(args, OWN_KEYS, who, []);
  const o = resolveOptions(args, who);
  const row = transformRow(o.transform);
  if (row.notInFactory) throw new RangeError(`${who}: transform '${o.transform}' cannot be made here: ${row.notInFactory}`);
  const { inputShape, localization } = args;
  if (!Array.isArray(inputShape) || !row.spatialRanks.includes(inputShape.length - 1) || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new RangeError(`${who}: 'inputShape' must be ${row.spatialRanks.map((r) => r + 1).join(' or ')} positive integers ` +
      `(${row.spatialRanks.map((r) => (r === 2 ? '[H, W, C]' : '[D, H, W, C]')).join(' or ')}, channels-last) for transform '${o.transform}'; received ${describe(inputShape)}`);
  }
  if (!(localization instanceof LayersModel)) {
    throw new TypeError(`${who}: 'localization' must be a tf.LayersModel (tf.sequential or tf.model) taking the image; received ${describeValue(localization)}`);
  }
  if (localization.inputs.length !== 1 || localization.outputs.length !== 1) {
    throw new RangeError(`${who}: 'localization' must have one input and one output; received ${localization.inputs.length} input(s) and ${localization.outputs.length} output(s)`);
  }
  const locInput = localization.inputs[0]!.shape.slice(1);
  if (locInput.length !== inputShape.length || locInput.some((d, i) => d !== null && d !== inputShape[i])) {
    throw new RangeError(`${who}: 'localization' must take images of 'inputShape' [${inputShape.join(', ')}]; its input shape is [${locInput.map((d) => d ?? 'null').join(', ')}]`);
  }

  const image = input({ shape: inputShape, name: `${name}_image` });
  let features = localization.apply(image) as SymbolicTensor;
  if (features.shape.length > 2) features = layers.flatten({ name: `${name}_flatten` }).apply(features) as SymbolicTensor;
  const featureCount = features.shape[1];
  if (features.shape.length !== 2 || typeof featureCount !== 'number') {
    throw new RangeError(`${who}: 'localization' must output a known number of features per image; its output shape is [${features.shape.map((d) => d ?? 'null').join(', ')}]`);
  }
  const spatial = inputShape.slice(0, -1);
  const ctx = { imageSize: spatial, outputSize: o.outputSize ?? spatial, alignCorners: o.alignCorners, controlPoints: o.controlPoints };
  const headShape = row.paramsShapes(ctx)[0]! as number[];
  const units = headShape.reduce((a, d) => a * d, 1);
  const head = layers.dense({ units, kernelInitializer: 'zeros', biasInitializer: 'zeros', name: `${name}_params` });
  let params = head.apply(features) as SymbolicTensor;
  if (headShape.length > 1) params = layers.reshape({ targetShape: headShape, name: `${name}_params_shape` }).apply(params) as SymbolicTensor;
  // Start at the identity: zero kernel, identity bias.
  const start = [zeros([featureCount, units]), tensor(row.identity(ctx), [units], 'float32')];
  head.setWeights(start);
  dispose(start);
  const transformer = new SpatialTransformer({
    name: `${name}_transformer`, transform: o.transform, outputSize: o.outputSize, mode: o.mode, paddingMode: o.paddingMode,
    alignCorners: o.alignCorners, controlPoints: o.controlPoints,
  });
  const output = transformer.apply([image, params]) as SymbolicTensor;
  return model({ inputs: image, outputs: output, name });
}

function describeValue(value: unknown): string {
  if (value === null || typeof value !== 'object') return describe(value);
  return `an object of class ${(value as object).constructor?.name ?? 'Object'}`;
}
