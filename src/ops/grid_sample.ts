import { type Tensor, type Tensor4D, type Tensor5D, type TensorLike, engine, tidy } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs, MODES, type Mode, PADDING_MODES, type PaddingMode } from '../kernels/names.js';
import { gridSampleWithSlopes, takesSlopesRoute } from '../gradients/grid_sample_grad.js';
import { checkBackendServed, checkBoolean, checkOneOf, checkShape, describe, toFloat32Tensor, warnIfChannelsFirst } from './checks.js';

export interface GridSampleOptions {
  /** Interpolation; default 'bilinear'. */
  mode?: Mode;
  /** What a sample outside the input reads; default 'zeros'. */
  paddingMode?: PaddingMode;
  /** -1/+1 are the corner pixels' centres (true) or outer edges (false, the default). */
  alignCorners?: boolean;
}

const OP = 'gridSample';

function gridSampleAttrs(options: unknown): GridSampleAttrs {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`${OP}: 'options' must be an object; received ${describe(options)}`);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['mode', 'paddingMode', 'alignCorners'].includes(key)) {
      throw new RangeError(`${OP}: unknown option '${key}'; expected mode, paddingMode or alignCorners`);
    }
  }
  // Only undefined means "the default" (as for affineGrid's alignCorners); null is refused.
  const or = (value: unknown, fallback: unknown) => (value === undefined ? fallback : value);
  return {
    mode: checkOneOf(or(o.mode, 'bilinear'), MODES, OP, 'options.mode'),
    paddingMode: checkOneOf(or(o.paddingMode, 'zeros'), PADDING_MODES, OP, 'options.paddingMode'),
    alignCorners: checkBoolean(or(o.alignCorners, false), OP, 'options.alignCorners'),
  };
}

/** The longest side an input may have: float32 holds every integer up to 2^24. */
const MAX_SIDE = 2 ** 24;

/**
 * Samples `input` [N, H, W, C] at the points of `grid` [N, Ho, Wo, 2] (x, y in [-1, 1], PyTorch's
 * normalised coordinates): PyTorch's F.grid_sample, channels-last. Returns [N, Ho, Wo, C].
 * A volume [N, D, H, W, C] is sampled at a grid [N, Do, Ho, Wo, 3] (x, y, z) into
 * [N, Do, Ho, Wo, C] ('bilinear' is trilinear, 'bicubic' tricubic). Differentiable with respect to
 * input and grid.
 */
export function gridSample(input: Tensor4D | TensorLike, grid: Tensor4D | TensorLike, options?: GridSampleOptions): Tensor4D;
export function gridSample(input: Tensor5D | TensorLike, grid: Tensor5D | TensorLike, options?: GridSampleOptions): Tensor5D;
export function gridSample(input: Tensor | TensorLike, grid: Tensor | TensorLike, options?: GridSampleOptions): Tensor4D | Tensor5D;
export function gridSample(input: Tensor | TensorLike, grid: Tensor | TensorLike, options?: GridSampleOptions): Tensor4D | Tensor5D {
  const attrs = gridSampleAttrs(options);
  checkBackendServed(OP, GridSample);
  // A scope, as tfjs's own ops have: tensors made here from TensorLike arguments are freed on
  // return and on throw.
  return tidy(OP, () => {
    const $input = toFloat32Tensor(input, OP, 'input');
    const $grid = toFloat32Tensor(grid, OP, 'grid');
    // The input's rank says image (4) or volume (5); the grid must match it.
    checkShape($input, OP, 'input', '[N, H, W, C] (rank 4, channels-last) or [N, D, H, W, C] (rank 5, a volume)',
      $input.rank === 4 || $input.rank === 5);
    const dims = $input.rank - 2;
    const expected = dims === 2 ? '[N, Ho, Wo, 2] (rank 4, last dimension 2, as input is rank 4)'
      : '[N, Do, Ho, Wo, 3] (rank 5, last dimension 3, as input is rank 5)';
    checkShape($grid, OP, 'grid', expected, $grid.rank === dims + 2 && $grid.shape[dims + 1] === dims);
    if ($grid.shape[0] !== $input.shape[0]) {
      throw new RangeError(`${OP}: 'grid' batch must equal 'input' batch ${$input.shape[0]}; received grid shape [${$grid.shape.join(', ')}]`);
    }
    // The kernels compute pixel coordinates and bounds in float32, exact up to 2^24: past that a
    // side's last pixel index rounds, and a tap could be read one pixel past its row.
    if ($input.shape.slice(1, -1).some((side) => side > MAX_SIDE)) {
      throw new RangeError(`${OP}: 'input' sides must be at most ${MAX_SIDE} pixels (float32 coordinates address no more exactly); received shape [${$input.shape.join(', ')}]`);
    }
    warnIfChannelsFirst($input.shape, OP, 'input', 'tensor');
    if (takesSlopesRoute($input, attrs)) return gridSampleWithSlopes($input, $grid, attrs) as Tensor4D;
    return engine().runKernel(GridSample, { input: $input, grid: $grid } as Record<string, Tensor>, attrs) as Tensor4D | Tensor5D;
  });
}
