/**
 * The usual workaround when tfjs has no grid_sample: bilinear sampling written with tfjs ops
 * (floor, gather on the flattened input, weights), differentiable through tfjs's own gradients.
 * This is the peer stn-layer replaces, not part of it. Bilinear, zeros padding,
 * alignCorners=false only; NaN coordinates are not handled.
 *
 * Zeros padding without masks: the input gets a one-pixel ring of zeros and tap coordinates are
 * clipped onto that ring, so every tap outside the input reads 0. (A mask made with comparisons
 * would stop tf.grads: tfjs registers no gradient for logical ops.)
 * Import '@tensorflow/tfjs' (or tfjs-core's register_all_gradients) before differentiating it.
 */
import * as tf from '@tensorflow/tfjs-core';

/**
 * tf.gather(rows, index) for an index computed from the grid. Plain tf.gather cannot be used:
 * tf.grads then differentiates the int32 index too and fails ("The gradient of input indices must
 * have 'float32' dtype"), as every tfjs user of this workaround finds out. So the index travels as
 * float32 and gets a zero gradient. The rows' gradient is a scatter-add of dy; tfjs's own gather
 * gradient uses UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks, so tf.scatterND (which
 * sums duplicate indices, and every backend has) does it here.
 */
const gatherRows = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
  const [rows, indexF, save] = args as [tf.Tensor2D, tf.Tensor1D, tf.GradSaveFunc];
  const index = indexF.toInt();
  save([index.reshape([-1, 1])]);
  return {
    value: tf.gather(rows, index),
    gradFunc: (dy: tf.Tensor, [index2d]: tf.Tensor[]) => [tf.scatterND(index2d!, dy, rows.shape), tf.zerosLike(indexF)],
  };
}) as (rows: tf.Tensor2D, index: tf.Tensor1D) => tf.Tensor2D;

export function gridSampleTfOps(input: tf.Tensor4D, grid: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [N, H, W, C] = input.shape;
    const [, Ho, Wo] = grid.shape;
    const Hp = H + 2;
    const Wp = W + 2;
    const flat = tf.pad(input, [[0, 0], [1, 1], [1, 1], [0, 0]]).reshape([N * Hp * Wp, C]) as tf.Tensor2D;
    const [gx, gy] = tf.split(grid, 2, 3) as [tf.Tensor4D, tf.Tensor4D];
    // Pixel coordinates (alignCorners=false): ((g + 1) * size - 1) / 2.
    const ix = gx.add(1).mul(W / 2).sub(0.5);
    const iy = gy.add(1).mul(H / 2).sub(0.5);
    const x0 = tf.floor(ix);
    const y0 = tf.floor(iy);
    const e = ix.sub(x0); // weight of the east column
    const s = iy.sub(y0); // weight of the south row
    // Row index into `flat` of each tap: clip onto the zero ring [-1, size], shift past it.
    const col = (x: tf.Tensor) => x.clipByValue(-1, W).add(1);
    const row = (y: tf.Tensor) => y.clipByValue(-1, H).add(1);
    const batchBase = tf.range(0, N).mul(Hp * Wp).reshape([N, 1, 1, 1]);
    const tap = (y: tf.Tensor, x: tf.Tensor) => {
      const index = batchBase.add(row(y).mul(Wp)).add(col(x)).reshape([N * Ho * Wo]) as tf.Tensor1D;
      return gatherRows(flat, index).reshape([N, Ho, Wo, C]);
    };
    const one = tf.scalar(1);
    const x1 = x0.add(1);
    const y1 = y0.add(1);
    const top = tap(y0, x0).mul(one.sub(e)).add(tap(y0, x1).mul(e));
    const bottom = tap(y1, x0).mul(one.sub(e)).add(tap(y1, x1).mul(e));
    return top.mul(one.sub(s)).add(bottom.mul(s)) as tf.Tensor4D;
  });
}
