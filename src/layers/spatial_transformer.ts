/**
 * SpatialTransformer: a weightless tf.layers layer on [image, params] that samples the image through
 * the grid its transform makes from params. Config validation lives here so that a config read
 * back from JSON (nulls for unset keys, tfjs's own base keys) loads, and one from another library's
 * layer of the same class name (Keras VoxelMorph's) does not.
 */
import { type Tensor, type Tensor4D, serialization, tidy } from '@tensorflow/tfjs-core';
import { type Shape, layers } from '@tensorflow/tfjs-layers';
import { MODES, type Mode, PADDING_MODES, type PaddingMode } from '../kernels/names.js';
import { checkBoolean, checkOneOf, describe } from '../ops/checks.js';
import { gridSample } from '../ops/grid_sample.js';
import {
  type Transform, type TransformContext, type TransformName, TRANSFORMS, TRANSFORM_NAMES, describeShapes, shapeFits,
} from './transforms.js';

/** The options SpatialTransformer and the spatialTransformer factory share. */
export interface TransformOptions {
  /** Default 'affine'. */
  transform?: TransformName;
  /** [Ho, Wo]; default: the image's size. */
  outputSize?: number[];
  /** As gridSample's: default 'bilinear'. */
  mode?: Mode;
  /** As gridSample's: default 'zeros'. */
  paddingMode?: PaddingMode;
  /** As gridSample's: default false. */
  alignCorners?: boolean;
  /** Control points [K, 2] of transforms that take them. */
  controlPoints?: number[][];
}

/** tf.layers' base layer arguments (name, trainable, ...), which its index does not export by name. */
type LayerArgs = NonNullable<ConstructorParameters<typeof layers.Layer>[0]>;

export interface SpatialTransformerArgs extends TransformOptions, LayerArgs {}

/** Keys of the layer's own config. */
export const TRANSFORM_OPTION_KEYS = ['transform', 'outputSize', 'mode', 'paddingMode', 'alignCorners', 'controlPoints'] as const;
/** tfjs's base layer keys (LayerArgs) and the one its deserialization adds (customObjects). */
const BASE_LAYER_KEYS = ['name', 'trainable', 'dtype', 'batchInputShape', 'inputShape', 'batchSize', 'inputDType', 'weights', 'customObjects'];

/** The row of `name` as the generic interface. */
export function transformRow(name: TransformName): Transform {
  return TRANSFORMS[name];
}

/** 'interpMethod' -> " (interp_method in the saved JSON)": the key a Keras config spelt. */
const snake = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

/**
 * Refuses keys `config` has beyond `known`, naming them: a layer config from another library (a
 * Keras VoxelMorph SpatialTransformer's interp_method, indexing, fill_value, ...) has other
 * semantics and must never load silently.
 */
export function checkKnownKeys(config: object, own: readonly string[], who: string, base: readonly string[] = BASE_LAYER_KEYS): void {
  const unknown = Object.keys(config).filter((k) => !own.includes(k) && !base.includes(k));
  if (unknown.length > 0) {
    const named = unknown.map((k) => (snake(k) === k ? `'${k}'` : `'${k}' (${snake(k)})`)).join(', ');
    throw new RangeError(`${who}: unknown config key${unknown.length > 1 ? 's' : ''} ${named}; expected only ` +
      `${own.join(', ')}${base.length > 0 ? " and tf.layers' own (name, trainable, ...)" : ''}. A config of another ` +
      "library's layer of the same name has other semantics");
  }
}

/** The transform options with defaults applied (null, as JSON spells unset, is unset), checked. */
export interface ResolvedOptions {
  transform: TransformName;
  outputSize: number[] | undefined;
  mode: Mode;
  paddingMode: PaddingMode;
  alignCorners: boolean;
  controlPoints: number[][] | undefined;
}

export function resolveOptions(o: TransformOptions, who: string): ResolvedOptions {
  const or = <T>(value: T | null | undefined, fallback: T): T => (value === null || value === undefined ? fallback : value);
  const transform = checkOneOf(or<unknown>(o.transform, 'affine'), TRANSFORM_NAMES, who, 'transform');
  const row = transformRow(transform);
  const outputSize = o.outputSize ?? undefined;
  if (outputSize !== undefined) {
    const ranks = row.spatialRanks;
    if (!Array.isArray(outputSize) || !ranks.includes(outputSize.length) || !outputSize.every((d) => Number.isInteger(d) && d > 0)) {
      throw new RangeError(`${who}: 'outputSize' must be ${ranks.map((r) => `${r} positive integers`).join(' or ')} ` +
        `(${ranks.map((r) => (r === 2 ? '[Ho, Wo]' : '[Do, Ho, Wo]')).join(' or ')}) for transform '${transform}'; received ${describe(outputSize)}`);
    }
  }
  const controlPoints = o.controlPoints ?? undefined;
  if (controlPoints !== undefined && !row.configKeys?.includes('controlPoints')) {
    throw new RangeError(`${who}: 'controlPoints' applies only to transforms that take control points; ` +
      `received control points with transform '${transform}'`);
  }
  row.checkConfig?.({ outputSize, controlPoints }, who);
  return {
    transform,
    outputSize: outputSize === undefined ? undefined : [...outputSize],
    mode: checkOneOf(or<unknown>(o.mode, 'bilinear'), MODES, who, 'mode'),
    paddingMode: checkOneOf(or<unknown>(o.paddingMode, 'zeros'), PADDING_MODES, who, 'paddingMode'),
    alignCorners: checkBoolean(or<unknown>(o.alignCorners, false), who, 'alignCorners'),
    controlPoints,
  };
}

const shapeText = (s: readonly (number | null)[]) => `[${s.map((d) => d ?? 'null').join(', ')}]`;

/**
 * Checks an [image, params] pair of shapes (batch first, nulls unknown) against the options and
 * returns the output shape [N, ...spatial, C].
 */
export function outputShapeOf(o: ResolvedOptions, image: readonly (number | null)[], params: readonly (number | null)[], who: string): (number | null)[] {
  const row = transformRow(o.transform);
  const ranks = row.spatialRanks;
  if (!ranks.includes(image.length - 2)) {
    throw new RangeError(`${who}: 'image' must have rank ${ranks.map((r) => r + 2).join(' or ')} ` +
      `(${ranks.map((r) => (r === 2 ? '[N, H, W, C]' : '[N, D, H, W, C]')).join(' or ')}, channels-last) for transform '${o.transform}'; ` +
      `received shape ${shapeText(image)}`);
  }
  const spatial = image.slice(1, -1);
  if (o.outputSize && o.outputSize.length !== spatial.length) {
    throw new RangeError(`${who}: 'outputSize' must have ${spatial.length} entries for an image of shape ${shapeText(image)}; received ${describe(o.outputSize)}`);
  }
  const ctx: TransformContext = { imageSize: spatial, outputSize: o.outputSize, alignCorners: o.alignCorners, controlPoints: o.controlPoints };
  const accepted = row.paramsShapes(ctx);
  const item = params.slice(1);
  if (!accepted.some((p) => shapeFits(item, p))) {
    throw new RangeError(`${who}: 'params' must have shape ${describeShapes(accepted)} for transform '${o.transform}'; received shape ${shapeText(params)}`);
  }
  if (image[0] !== null && params[0] !== null && image[0] !== params[0]) {
    throw new RangeError(`${who}: 'params' batch must equal 'image' batch ${image[0]}; received params shape ${shapeText(params)}`);
  }
  const size = o.outputSize ?? row.outputSize?.(item) ?? spatial;
  return [image[0] ?? params[0] ?? null, ...size, image[image.length - 1]!];
}

/** The two shapes of [image, params], or an error naming the layer. */
function pair<T>(inputs: T | T[], isOne: (x: unknown) => boolean, who: string): [T, T] {
  if (!Array.isArray(inputs) || inputs.length !== 2 || !inputs.every(isOne)) {
    throw new TypeError(`${who}: expects two inputs [image, params]; received ${Array.isArray(inputs) ? `${inputs.length} input(s)` : 'one input'}`);
  }
  return inputs as [T, T];
}

const isShape = (s: unknown) => Array.isArray(s) && s.every((d) => d === null || typeof d === 'number');

export class SpatialTransformer extends layers.Layer {
  static readonly className = 'SpatialTransformer';
  readonly options: ResolvedOptions;

  constructor(args: SpatialTransformerArgs = {}) {
    if (typeof args !== 'object' || args === null || Array.isArray(args)) {
      throw new TypeError(`SpatialTransformer: the config must be an object; received ${describe(args)}`);
    }
    super(args);
    const who = this.who();
    checkKnownKeys(args, TRANSFORM_OPTION_KEYS, who);
    this.options = resolveOptions(args, who);
  }

  private who(): string {
    return `SpatialTransformer '${this.name}'`;
  }

  override computeOutputShape(inputShape: Shape | Shape[]): Shape {
    const [image, params] = pair(inputShape as Shape[], isShape, this.who());
    return outputShapeOf(this.options, image, params, this.who());
  }

  override call(inputs: Tensor | Tensor[]): Tensor {
    return tidy(() => {
      const [image, params] = pair(inputs, (t) => !!t && typeof t === 'object' && 'shape' in t && 'dtype' in t, this.who());
      const shape = outputShapeOf(this.options, image.shape, params.shape, this.who()) as number[];
      const o = this.options;
      const spatial = image.shape.slice(1, -1);
      const grid = transformRow(o.transform).grid(params, {
        imageSize: spatial, outputSize: o.outputSize, alignCorners: o.alignCorners, controlPoints: o.controlPoints,
        batch: image.shape[0]!, gridSize: shape.slice(1, -1), channels: image.shape[image.shape.length - 1]!,
      });
      return gridSample(image as Tensor4D, grid as Tensor4D, { mode: o.mode, paddingMode: o.paddingMode, alignCorners: o.alignCorners });
    });
  }

  override getConfig(): serialization.ConfigDict {
    const o = this.options;
    return {
      transform: o.transform, outputSize: o.outputSize ?? null, mode: o.mode, paddingMode: o.paddingMode,
      alignCorners: o.alignCorners, controlPoints: o.controlPoints ?? null, ...super.getConfig(),
    };
  }
}
