import { type Tensor, type Tensor3D, type Tensor4D, type TensorLike, engine, tidy } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../kernels/names.js';
import { checkBackendServed, checkBoolean, checkShape, describe, toFloat32Tensor, warnIfChannelsFirst } from './checks.js';

const OP = 'affineGrid';

/**
 * The sampling grid of the affine maps `theta` [N, 2, 3] for an image of `outputSize`
 * [N, H, W, C]: PyTorch's F.affine_grid, channels-last. Returns [N, H, W, 2] (x, y).
 * Differentiable with respect to theta.
 */
export function affineGrid(
  theta: Tensor3D | TensorLike, outputSize: [number, number, number, number], alignCorners = false,
): Tensor4D {
  if (!Array.isArray(outputSize) || outputSize.length !== 4 || !outputSize.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${OP}: 'outputSize' must be 4 non-negative integers [N, H, W, C]; received ${describe(outputSize)}`);
  }
  checkBoolean(alignCorners, OP, 'alignCorners');
  checkBackendServed(OP, AffineGrid);
  // A scope, as tfjs's own ops have: a theta made here from a TensorLike is freed on return and on throw.
  return tidy(OP, () => {
    const $theta = toFloat32Tensor(theta, OP, 'theta');
    checkShape($theta, OP, 'theta', '[N, 2, 3]', $theta.rank === 3 && $theta.shape[1] === 2 && $theta.shape[2] === 3);
    if ($theta.shape[0] !== outputSize[0]) {
      throw new RangeError(`${OP}: 'outputSize' batch must equal 'theta' batch ${$theta.shape[0]}; received ${describe(outputSize)}`);
    }
    warnIfChannelsFirst(outputSize, OP, 'outputSize', 'size');
    const attrs: AffineGridAttrs = { outputSize: [...outputSize], alignCorners };
    return engine().runKernel(AffineGrid, { theta: $theta } as Record<string, Tensor>, attrs) as Tensor4D;
  });
}
