import { type GradConfig, type Tensor, matMul, reshape, tensor3d } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../kernels/names.js';
import { linspaceFromNegOne } from '../ops/base_grid.js';

/**
 * grid[n] = base @ theta[n]^T with base [H*W, 3] = (x_w, y_h, 1), so
 * d(theta)[n] = d(grid)[n]^T @ base: one batched matMul, on whichever backend runs.
 */
export const affineGridGradConfig: GradConfig = {
  kernelName: AffineGrid,
  gradFunc: (dy, _saved, attrs) => {
    const { outputSize: [N, H, W], alignCorners } = attrs as unknown as AffineGridAttrs;
    return {
      theta: () => {
        const xs = linspaceFromNegOne(W, alignCorners);
        const ys = linspaceFromNegOne(H, alignCorners);
        const base = new Float32Array(H * W * 3);
        for (let h = 0; h < H; h++) {
          for (let w = 0; w < W; w++) base.set([xs[w]!, ys[h]!, 1], (h * W + w) * 3);
        }
        const dGrid = reshape(dy as Tensor, [N, H * W, 2]);
        return matMul(dGrid, tensor3d(base, [1, H * W, 3]), true, false);
      },
    };
  },
};
