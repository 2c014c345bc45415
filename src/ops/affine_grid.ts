import { type Tensor, type Tensor3D, type Tensor4D, type Tensor5D, type TensorLike, engine, tidy } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../kernels/names.js';
import { checkBackendServed, checkBoolean, checkShape, describe, toFloat32Tensor, warnIfChannelsFirst } from './checks.js';

const OP = 'affineGrid';

/**
 * The sampling grid of the affine maps `theta` [N, 2, 3] for an image of `outputSize`
 * [N, H, W, C]: PyTorch's F.affine_grid, channels-last. Returns [N, H, W, 2] (x, y).
 * For a volume, theta [N, 3, 4] and outputSize [N, D, H, W, C] give [N, D, H, W, 3] (x, y, z).
 * Differentiable with respect to theta.
 */
export function affineGrid(
  theta: Tensor3D | TensorLike, outputSize: [number, number, number, number], alignCorners?: boolean): Tensor4D;
export function affineGrid(
  theta: Tensor3D | TensorLike, outputSize: [number, number, number, number, number], alignCorners?: boolean): Tensor5D;
export function affineGrid(theta: Tensor3D | TensorLike, outputSize: number[], alignCorners?: boolean): Tensor4D | Tensor5D;
export function affineGrid(theta: Tensor3D | TensorLike, outputSize: number[], alignCorners = false): Tensor4D | Tensor5D {
  if (!Array.isArray(outputSize) || (outputSize.length !== 4 && outputSize.length !== 5) ||
    !outputSize.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${OP}: 'outputSize' must be 4 non-negative integers [N, H, W, C] (or 5, [N, D, H, W, C], for a volume); received ${describe(outputSize)}`);
  }
  checkBoolean(alignCorners, OP, 'alignCorners');
  checkBackendServed(OP, AffineGrid);
  // The spatial axes (2 for an image, 3 for a volume) fix theta's shape: [N, dims, dims + 1].
  const dims = outputSize.length - 2;
  // A scope, as tfjs's own ops have: a theta made here from a TensorLike is freed on return and on throw.
  return tidy(OP, () => {
    const $theta = toFloat32Tensor(theta, OP, 'theta');
    const expected = dims === 2 ? '[N, 2, 3] (outputSize has 4 entries)' : '[N, 3, 4] (outputSize has 5 entries)';
    checkShape($theta, OP, 'theta', expected, $theta.rank === 3 && $theta.shape[1] === dims && $theta.shape[2] === dims + 1);
    if ($theta.shape[0] !== outputSize[0]) {
      throw new RangeError(`${OP}: 'outputSize' batch must equal 'theta' batch ${$theta.shape[0]}; received ${describe(outputSize)}`);
    }
    warnIfChannelsFirst(outputSize, OP, 'outputSize', 'size');
    const attrs = { outputSize: [...outputSize], alignCorners } as AffineGridAttrs;
    return engine().runKernel(AffineGrid, { theta: $theta } as Record<string, Tensor>, attrs) as Tensor4D | Tensor5D;
  });
}
