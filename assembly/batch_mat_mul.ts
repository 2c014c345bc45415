// batchMatMul: out[i] = A[i % batchA] (M x K) . B[i % batchB] (K x N), tfjs's batch broadcasting.
// A matrix product is a 1x1 convolution (rows of A are positions, K its channels, B the filter),
// so each product runs conv2d's register-tiled loop. Transposed operands are first rearranged with
// transpose2D (into scratch tensors the caller allocates).
import { conv2d } from './conv2d';

/** dst[b][c][r] = src[b][r][c] for `batch` R x C matrices. */
export function transpose2D(srcPtr: usize, batch: i32, R: i32, C: i32, dstPtr: usize): void {
  for (let b = 0; b < batch; b++) {
    const src = srcPtr + ((<usize>b * <usize>(R * C)) << 2);
    const dst = dstPtr + ((<usize>b * <usize>(R * C)) << 2);
    for (let r = 0; r < R; r++) {
      for (let c = 0; c < C; c++) store<f32>(dst + (<usize>(c * R + r) << 2), load<f32>(src + (<usize>(r * C + c) << 2)));
    }
  }
}

export function batchMatMul(aPtr: usize, batchA: i32, M: i32, K: i32, bPtr: usize, batchB: i32, N: i32, batch: i32, outPtr: usize): void {
  for (let i = 0; i < batch; i++) {
    const a = aPtr + ((<usize>(i % batchA) * <usize>(M * K)) << 2);
    const b = bPtr + ((<usize>(i % batchB) * <usize>(K * N)) << 2);
    conv2d(a, M * K, K, K, b, 1, 1, N, 1, 1, M, 1, 1, 1, 1, outPtr + ((<usize>i * <usize>(M * N)) << 2));
  }
}
