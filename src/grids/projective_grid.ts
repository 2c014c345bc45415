import {
  type NamedAttrMap, type Tensor, type Tensor2D, type Tensor3D, type Tensor4D, type TensorLike, concat, div, engine, getBackend, getKernel, isFinite, matMul, mul, neg, ones, reshape, slice, sum, tidy,
  where, zerosLike,
} from '@tensorflow/tfjs-core';
import { ProjectiveGrid, ProjectiveGridGrad } from '../kernels/names.js';
import { affineGrid } from '../ops/affine_grid.js';
import { checkBoolean, checkShape, toFloat32Tensor } from '../ops/checks.js';
import { baseGridTensor, checkBatch, checkOutputSize4, generatorOp } from './common.js';

const OP = 'projectiveGrid';

/**
 * (w, w) at every base point, [N, H, W, 2], from affineGrid's kernel (w is affine in (x, y)):
 * equal shapes for the divisions, since tfjs slices and broadcasts along the last axis are slow.
 */
function wTwice(h9: Tensor, size: [number, number, number, number], alignCorners: boolean): Tensor {
  const rowW = slice(h9, [0, 2, 0], [size[0], 1, 3]);
  return affineGrid(concat([rowW, rowW], 1) as Tensor3D, size, alignCorners);
}

/**
 * d(h) [N, 3, 3] in tfjs ops (backends without stn-layer's kernel): d(u, v) = dy / w and
 * d(w) = -Σ dy·(x, y) / w, at finite grid coordinates only ((x, y) / w is finite exactly where
 * both are); then affineGrid's gradient, d(theta)[n] = d(grid)[n]ᵀ·base with base (x, y, 1).
 */
function projectiveGridGrad(dy: Tensor, xy: Tensor, h9: Tensor, size: [number, number, number, number], alignCorners: boolean): Tensor {
  const [N, H, W] = size;
  const rw = div(1, wTwice(h9, size, alignCorners));
  const xyRw = mul(xy, rw);
  const ok = isFinite(xyRw);
  const zero = zerosLike(dy);
  const dUV = where(ok, mul(dy, rw), zero);
  const minusDWW = where(ok, mul(dy, xyRw), zero);
  const base = baseGridTensor([H, W], alignCorners, true);
  const dTheta = (d: Tensor) => matMul(reshape(d, [N, H * W, 2]), base, true, false); // [N, 2, 3]
  return concat([dTheta(dUV), neg(sum(dTheta(minusDWW), 1, true))], 1);
}

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
    // stn-layer's kernels where it has them (cpu, wasm): one pass each way.
    const own = (kernel: string) => getKernel(kernel, getBackend()) !== undefined;
    const attrs = { outputSize: size, alignCorners } as unknown as NamedAttrMap;
    return generatorOp($h, [N, H, W, 2], (hIn) => {
      const h9 = hIn.rank === 3 ? hIn : reshape(concat([hIn, ones([N, 1])], 1), [N, 3, 3]);
      // Elsewhere (u, v) / (w, w) from AffineGrid.
      const xy = own(ProjectiveGrid)
        ? engine().runKernel(ProjectiveGrid, { h: h9 }, attrs) as Tensor
        : div(affineGrid(slice(h9, [0, 0, 0], [N, 2, 3]) as Tensor3D, size, alignCorners), wTwice(h9, size, alignCorners));
      return { grid: xy, saved: [xy, h9] };
    }, (dy, saved, hIn) => {
      const [xySaved, h9Saved] = saved as [Tensor, Tensor];
      const dh9 = own(ProjectiveGridGrad)
        ? engine().runKernel(ProjectiveGridGrad, { dy, h: h9Saved }, attrs) as Tensor
        : projectiveGridGrad(dy, xySaved, h9Saved, size, alignCorners);
      return hIn.rank === 3 ? dh9 : slice(reshape(dh9, [N, 9]), [0, 0], [N, 8]);
    }) as Tensor4D;
  });
}
