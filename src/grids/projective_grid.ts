import {
  type GradSaveFunc, type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, type TensorLike, concat, customGrad, div, isFinite,
  logicalAnd, matMul, mul, neg, ones, reshape, scalar, slice, sum, tidy, where,
} from '@tensorflow/tfjs-core';
import { checkBoolean, checkShape, toFloat32Tensor } from '../ops/checks.js';
import { baseGridTensor, checkBatch, checkOutputSize4 } from './base_grid.js';

const OP = 'projectiveGrid';

/**
 * The sampling grid of the projective maps `h` for an image of `outputSize` [N, H, W, C]: for each
 * base point (x, y) of affineGrid's identity grid, (u, v, w) = H·(x, y, 1) and the grid point is
 * (u/w, v/w). `h` is [N, 3, 3], or [N, 8]: H's first eight entries row-major with h33 = 1.
 * Returns [N, H, W, 2] (x, y). Differentiable with respect to h.
 *
 * A w of 0 gives non-finite coordinates (gridSample reads 0 there with 'zeros'); such a point adds
 * nothing to d(h), which stays finite.
 */
export function projectiveGrid(
  h: Tensor3D | Tensor2D | TensorLike, outputSize: [number, number, number, number], alignCorners = false,
): Tensor4D {
  const size = checkOutputSize4(outputSize, OP);
  checkBoolean(alignCorners, OP, 'alignCorners');
  const [N, H, W] = size;
  return tidy(OP, () => {
    const $h = toFloat32Tensor(h, OP, 'h');
    checkShape($h, OP, 'h', '[N, 3, 3] or [N, 8]',
      ($h.rank === 3 && $h.shape[1] === 3 && $h.shape[2] === 3) || ($h.rank === 2 && $h.shape[1] === 8));
    checkBatch(size, $h.shape[0]!, OP, 'h');
    // tfjs-core registers no gradients for its own ops: the gradient is given here, in ops whose
    // own gradients are never needed.
    const grid = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
      const [hIn, save] = args as [Tensor, GradSaveFunc];
      const h9 = hIn.rank === 3 ? hIn : reshape(concat([hIn, ones([N, 1])], 1), [N, 3, 3]);
      const uvw = matMul(baseGridTensor([H, W], alignCorners, true), h9, false, true); // [N, HW, 3]
      const w = slice(uvw, [0, 0, 2], [N, H * W, 1]);
      const xy = div(slice(uvw, [0, 0, 0], [N, H * W, 2]), w);
      save([xy, w]);
      return {
        value: reshape(xy, [N, H, W, 2]),
        gradFunc: (dy: Tensor, saved: Tensor[]) => {
          const [xySaved, wSaved] = saved as [Tensor, Tensor];
          const g = reshape(dy, [N, H * W, 2]);
          // d(u, v) = dy / w and dw = -(dy · (x, y)) / w, at points with a finite grid point only.
          const rw = div(1, wSaved);
          const ok = logicalAnd(isFinite(rw), logicalAnd(
            isFinite(slice(xySaved, [0, 0, 0], [N, H * W, 1])), isFinite(slice(xySaved, [0, 0, 1], [N, H * W, 1]))));
          const zero = scalar(0);
          const duv = where(ok, mul(g, rw), zero);
          const dw = where(ok, neg(mul(sum(mul(g, xySaved), 2, true), rw)), zero);
          const dh9 = matMul(concat([duv, dw], 2), baseGridTensor([H, W], alignCorners, true), true, false); // [N, 3, 3]
          return hIn.rank === 3 ? dh9 : slice(reshape(dh9, [N, 9]), [0, 0], [N, 8]);
        },
      };
    });
    return grid($h) as Tensor4D;
  });
}
