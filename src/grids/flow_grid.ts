import {
  type Tensor, type Tensor4D, type Tensor5D, type TensorLike, add, mul, tensor, tidy,
} from '@tensorflow/tfjs-core';
import { checkBoolean, checkShape, describe, toFloat32Tensor } from '../ops/checks.js';
import { Memo, baseGrid, generatorOp } from './common.js';

const OP = 'flowGrid';

/** A few shapes' worth: each entry holds two arrays of the flow's size. */
const fullSize = new Memo<{ baseFull: Float32Array; scaleFull: Float32Array }>(4);

/**
 * The sampling grid of a dense displacement field `flow` in input pixels (VoxelMorph style):
 * affineGrid's identity grid at the flow's size plus the flow in normalised units of `inputSize`
 * (× 2/W, 2/H[, 2/D]; with alignCorners × 2/(W−1), ..., and 0 along an axis of size 1). At the same
 * size, output pixel (i, j) samples input position (j + dx, i + dy) exactly.
 * flow [N, Ho, Wo, 2] (dx, dy) with inputSize [H, W] gives [N, Ho, Wo, 2]; flow [N, Do, Ho, Wo, 3]
 * (dx, dy, dz) with inputSize [D, H, W] gives [N, Do, Ho, Wo, 3]. Differentiable with respect to flow.
 */
export function flowGrid(flow: Tensor4D | TensorLike, inputSize: [number, number], alignCorners?: boolean): Tensor4D;
export function flowGrid(flow: Tensor5D | TensorLike, inputSize: [number, number, number], alignCorners?: boolean): Tensor5D;
export function flowGrid(flow: Tensor | TensorLike, inputSize: number[], alignCorners?: boolean): Tensor4D | Tensor5D;
export function flowGrid(flow: Tensor | TensorLike, inputSize: number[], alignCorners = false): Tensor4D | Tensor5D {
  if (!Array.isArray(inputSize) || (inputSize.length !== 2 && inputSize.length !== 3) ||
    !inputSize.every((d) => Number.isInteger(d) && d >= 1)) {
    throw new RangeError(`${OP}: 'inputSize' must be 2 or 3 positive integers [H, W] or [D, H, W]; received ${describe(inputSize)}`);
  }
  checkBoolean(alignCorners, OP, 'alignCorners');
  const dims = inputSize.length;
  return tidy(OP, () => {
    const $flow = toFloat32Tensor(flow, OP, 'flow');
    const expected = dims === 2 ? '[N, Ho, Wo, 2] (inputSize has 2 entries)' : '[N, Do, Ho, Wo, 3] (inputSize has 3 entries)';
    checkShape($flow, OP, 'flow', expected, $flow.rank === dims + 2 && $flow.shape[dims + 1] === dims);
    const spatial = $flow.shape.slice(1, -1);
    // Pixels to normalised units along x, y[, z]: the derivative of the normalised coordinate.
    const scale = [...inputSize].reverse().map((s) => (alignCorners ? (s > 1 ? 2 / (s - 1) : 0) : 2 / s));
    // The base grid and the scales at full size (tfjs's broadcasting binary ops are slow), per shape.
    const { baseFull, scaleFull } = fullSize.get(`${$flow.shape.join(',')}|${inputSize.join(',')}|${alignCorners}`, () => {
      const base = baseGrid(spatial, alignCorners, false);
      const full = { baseFull: new Float32Array($flow.size), scaleFull: new Float32Array($flow.size) };
      for (let at = 0; at < $flow.size; at += base.length) full.baseFull.set(base, at);
      for (let i = 0; i < $flow.size; i++) full.scaleFull[i] = scale[i % dims]!;
      return full;
    });
    const scales = () => tensor(scaleFull, $flow.shape);
    return generatorOp($flow, $flow.shape,
      (f) => ({ grid: add(tensor(baseFull, $flow.shape), mul(f, scales())) }),
      (dy) => mul(dy, scales())) as Tensor4D | Tensor5D;
  });
}
