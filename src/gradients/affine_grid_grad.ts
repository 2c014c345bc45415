import { type GradConfig, type Tensor, matMul, reshape, util } from '@tensorflow/tfjs-core';
import { baseGridTensor } from '../grids/common.js';
import { AffineGrid, type AffineGridAttrs } from '../kernels/names.js';

/**
 * grid[n] = base @ theta[n]^T with base [P, d + 1] = (x, y[, z], 1) at the P output points (d = 2
 * for an image, 3 for a volume), so d(theta)[n] = d(grid)[n]^T @ base: one batched matMul, on
 * whichever backend runs.
 */
export const affineGridGradConfig: GradConfig = {
  kernelName: AffineGrid,
  gradFunc: (dy, _saved, attrs) => {
    const { outputSize, alignCorners } = attrs as unknown as AffineGridAttrs;
    const spatial = outputSize.slice(1, -1);
    const points = util.sizeFromShape(spatial);
    return {
      theta: () => {
        const dGrid = reshape(dy as Tensor, [outputSize[0], points, spatial.length]);
        return matMul(dGrid, baseGridTensor(spatial, alignCorners, true), true, false);
      },
    };
  },
};
