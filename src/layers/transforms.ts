/**
 * The transforms a SpatialTransformer layer can apply, one row each: which params shapes it takes,
 * its identity params (where the factory's head starts) and the grid it makes from params. Adding a
 * transform is adding a row: the layer's config validation, shape checks, errors and the factory all
 * read this table.
 */
import { type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, reshape, tensor2d, matMul } from '@tensorflow/tfjs-core';
import { flowGrid } from '../grids/flow_grid.js';
import { projectiveGrid } from '../grids/projective_grid.js';
import { tpsGrid, tpsLattice } from '../grids/tps_grid.js';
import { affineGrid } from '../ops/affine_grid.js';
import { describe } from '../ops/checks.js';

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
  /** Config keys only this transform uses (e.g. 'controlPoints'); the layer refuses them for other transforms. */
  configKeys?: readonly string[];
  /** Why the spatialTransformer factory cannot make this transform's params, if it cannot. */
  notInFactory?: string;
  /** Checks the config beyond the shared checks (e.g. the control points); throws an error starting with `who`. */
  checkConfig?(config: { outputSize: number[] | undefined; controlPoints: number[][] | undefined }, who: string): void;
}

/** The [N, Ho, Wo, C] a 2-D grid generator takes as outputSize. */
const outputSize4 = (ctx: GridContext): [number, number, number, number] => [ctx.batch, ctx.gridSize[0]!, ctx.gridSize[1]!, ctx.channels];

/** theta [N, d, d + 1] (d = 2 for an image, 3 for a volume) through affineGrid. */
const affineTheta = (theta: Tensor, ctx: GridContext): Tensor =>
  affineGrid(theta as Tensor3D, [ctx.batch, ...ctx.gridSize, ctx.channels], ctx.alignCorners);

/** The identity affine map of d spatial axes, [d, d + 1] row-major: [I | 0]. */
const affineIdentity = (d: number): number[] =>
  Array.from({ length: d * (d + 1) }, (_, i) => (i % (d + 2) === 0 ? 1 : 0));

/** The default TPS control points of the layer: the paper's 16, a 4×4 lattice. */
const TPS_DEFAULT_K = 16;


/** (s, tx, ty) -> theta [[s, 0, tx], [0, s, ty]], row-major: params [N, 3] times this [3, 6]. */
const ATTENTION_TO_THETA = [
  [1, 0, 0, 0, 1, 0],
  [0, 0, 1, 0, 0, 0],
  [0, 0, 0, 0, 0, 1],
];

export const TRANSFORMS = {
  /**
   * theta [N, 2, 3] (or its six entries row-major [N, 6]) through affineGrid; on a volume
   * [N, D, H, W, C], theta [N, 3, 4] (or [N, 12]).
   */
  affine: {
    spatialRanks: [2, 3],
    paramsShapes: ({ imageSize: { length: d } }) => [[d * (d + 1)], [d, d + 1]],
    identity: ({ imageSize: { length: d } }) => affineIdentity(d),
    grid: (params, ctx) => affineTheta(reshape(params, [ctx.batch, ctx.imageSize.length, ctx.imageSize.length + 1]), ctx),
  },
  /** Scale and translation (s, tx, ty) [N, 3]: theta [[s, 0, tx], [0, s, ty]]. */
  attention: {
    spatialRanks: [2],
    paramsShapes: () => [[3]],
    identity: () => [1, 0, 0],
    grid: (params, ctx) => affineTheta(reshape(matMul(params as Tensor2D, tensor2d(ATTENTION_TO_THETA)), [ctx.batch, 2, 3]), ctx),
  },
  /** H [N, 3, 3] or its first eight entries row-major [N, 8] (h33 = 1) through projectiveGrid. */
  projective: {
    spatialRanks: [2],
    paramsShapes: () => [[8], [3, 3]],
    identity: () => [1, 0, 0, 0, 1, 0, 0, 0],
    grid: (params, ctx) => projectiveGrid((params.rank === 2 ? params : reshape(params, [ctx.batch, 3, 3])) as Tensor2D | Tensor3D, outputSize4(ctx), ctx.alignCorners),
  },
  /**
   * Thin-plate spline targets [N, 2K] (x, y interleaved) or [N, K, 2] through tpsGrid: K is the
   * number of controlPoints, or without them any square K (default lattice), 16 for the factory.
   */
  tps: {
    spatialRanks: [2],
    configKeys: ['controlPoints'],
    checkConfig: ({ controlPoints }, who) => {
      if (controlPoints !== undefined &&
        (!Array.isArray(controlPoints) || controlPoints.length < 3 ||
          !controlPoints.every((p) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v))))) {
        throw new RangeError(`${who}: 'controlPoints' must be at least 3 finite points [[x, y], ...]; received ${describe(controlPoints)}`);
      }
    },
    paramsShapes: (ctx) => {
      const K = ctx.controlPoints?.length;
      return K === undefined ? [[2 * TPS_DEFAULT_K], [TPS_DEFAULT_K, 2], [null], [null, 2]] : [[2 * K], [K, 2]];
    },
    identity: (ctx) => ctx.controlPoints?.flat() ?? Array.from(tpsLattice(Math.sqrt(TPS_DEFAULT_K))),
    grid: (params, ctx) => tpsGrid(reshape(params, [ctx.batch, -1, 2]) as Tensor3D, outputSize4(ctx), {
      alignCorners: ctx.alignCorners, ...(ctx.controlPoints ? { controlPoints: ctx.controlPoints } : {}),
    }),
  },
  /**
   * A dense displacement field [N, Ho, Wo, 2] (a volume's [N, Do, Ho, Wo, 3]) in input pixels
   * through flowGrid; the output has the flow's size.
   */
  flow: {
    spatialRanks: [2, 3],
    // [Ho, Wo, 2] for an image, [Do, Ho, Wo, 3] for a volume; the sizes are the outputSize's, if set.
    paramsShapes: ({ imageSize: { length: d }, outputSize }) => [[...Array.from({ length: d }, (_, i) => outputSize?.[i] ?? null), d]],
    outputSize: (paramsShape) => paramsShape.slice(0, -1),
    identity: () => [],
    grid: (params, ctx) => flowGrid(params as Tensor4D, ctx.imageSize, ctx.alignCorners),
    notInFactory: 'a flow is a dense field [N, Ho, Wo, 2], not the output of a Dense head: apply the SpatialTransformer layer to [image, flow] from a network of your own',
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
