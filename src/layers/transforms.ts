/**
 * The transforms a SpatialTransformer layer can apply, one row each: which params shapes it takes,
 * its identity params (where the factory's head starts) and the grid it makes from params. Adding a
 * transform is adding a row: the layer's config validation, shape checks, errors and the factory all
 * read this table.
 */
import { type Tensor, type Tensor2D, type Tensor3D, reshape, tensor2d, matMul } from '@tensorflow/tfjs-core';
import { affineGrid } from '../ops/affine_grid.js';

/** What a row may need to know besides the params. */
export interface TransformContext {
  /** The spatial size of the image ([H, W] or [D, H, W]); entries may be null (unknown) in symbolic shapes. */
  imageSize: (number | null)[];
  /** The layer's `outputSize` config, if set. */
  outputSize: number[] | undefined;
  alignCorners: boolean;
  /** The layer's `controlPoints` config, if set (transforms that list it in `configKeys`). */
  controlPoints: number[][] | undefined;
}

/** At call time every size is known. */
export interface GridContext extends TransformContext {
  imageSize: number[];
  /** The batch size. */
  batch: number;
  /** The output's spatial size ([Ho, Wo] or [Do, Ho, Wo]). */
  gridSize: number[];
  /** The image's channels. */
  channels: number;
}

export interface Transform {
  /** Numbers of spatial dimensions of the image this transform supports (2: [N, H, W, C]). */
  spatialRanks: readonly number[];
  /**
   * The shapes of one batch item's params it accepts, most useful first; null is any size. The
   * factory's head produces the first one.
   */
  paramsShapes(ctx: TransformContext): (number | null)[][];
  /** The output's spatial size when the layer's `outputSize` is unset and it is not the image's (e.g. a flow's own size). */
  outputSize?(paramsShape: (number | null)[]): (number | null)[];
  /** The params (flat, in the order of the first of paramsShapes) that leave the image as it is. */
  identity(ctx: TransformContext): number[];
  /** The sampling grid [N, ...gridSize, spatial rank] for params of one of paramsShapes (batch first). */
  grid(params: Tensor, ctx: GridContext): Tensor;
  /** Config keys only this transform uses (e.g. 'controlPoints'). */
  configKeys?: readonly string[];
}

const affineTheta = (theta: Tensor, ctx: GridContext): Tensor =>
  affineGrid(theta as Tensor3D, [ctx.batch, ctx.gridSize[0]!, ctx.gridSize[1]!, ctx.channels], ctx.alignCorners);

/** (s, tx, ty) -> theta [[s, 0, tx], [0, s, ty]], row-major: params [N, 3] times this [3, 6]. */
const ATTENTION_TO_THETA = [
  [1, 0, 0, 0, 1, 0],
  [0, 0, 1, 0, 0, 0],
  [0, 0, 0, 0, 0, 1],
];

export const TRANSFORMS = {
  /** theta [N, 2, 3] (or its six entries row-major [N, 6]) through affineGrid. */
  affine: {
    spatialRanks: [2],
    paramsShapes: () => [[6], [2, 3]],
    identity: () => [1, 0, 0, 0, 1, 0],
    grid: (params, ctx) => affineTheta(reshape(params, [ctx.batch, 2, 3]), ctx),
  },
  /** Scale and translation (s, tx, ty) [N, 3]: theta [[s, 0, tx], [0, s, ty]]. */
  attention: {
    spatialRanks: [2],
    paramsShapes: () => [[3]],
    identity: () => [1, 0, 0],
    grid: (params, ctx) => affineTheta(reshape(matMul(params as Tensor2D, tensor2d(ATTENTION_TO_THETA)), [ctx.batch, 2, 3]), ctx),
  },
} satisfies Record<string, Transform>;

export type TransformName = keyof typeof TRANSFORMS;

export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as TransformName[];

/** Whether `shape` (one batch item's, nulls unknown) fits `pattern` (nulls any). */
export function shapeFits(shape: readonly (number | null)[], pattern: readonly (number | null)[]): boolean {
  return shape.length === pattern.length && pattern.every((d, i) => d === null || shape[i] === null || shape[i] === d);
}

/** '[N, 6] or [N, 2, 3]'. */
export function describeShapes(patterns: readonly (number | null)[][]): string {
  return patterns.map((p) => `[N, ${p.map((d) => d ?? '?').join(', ')}]`).join(' or ');
}
