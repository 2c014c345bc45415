/** Every bad argument gets a clear error naming the argument, the expected and the received value. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineGrid, gridSample } from '../src/index.js';
import { useBackend } from './helpers.js';

beforeAll(() => useBackend('cpu'));

/** tf.zeros typed as the rank-4 tensor the ops declare (the checks are what is under test). */
const zeros = (shape: number[], dtype?: tf.DataType) => tf.zeros(shape as [number], dtype) as tf.Tensor;
const z = (shape: number[], dtype?: tf.DataType) => zeros(shape, dtype) as tf.Tensor4D;
const z3 = (shape: number[], dtype?: tf.DataType) => zeros(shape, dtype) as tf.Tensor3D;
const x = () => z([2, 4, 5, 3]);
const g = () => z([2, 3, 3, 2]);

const gridSampleRows: [string, () => unknown, ErrorConstructor, RegExp][] = [
  ['input rank 3', () => gridSample(z([4, 5, 3]), g()), RangeError, /'input' must have shape \[N, H, W, C\].*received shape \[4, 5, 3\]/],
  ['grid rank 3', () => gridSample(x(), z([2, 3, 2])), RangeError, /'grid' must have shape \[N, Ho, Wo, 2\].*received shape \[2, 3, 2\]/],
  ['grid last dim 3', () => gridSample(x(), z([2, 3, 3, 3])), RangeError, /'grid' must have shape \[N, Ho, Wo, 2\].*received shape \[2, 3, 3, 3\]/],
  ['batch mismatch', () => gridSample(x(), z([3, 3, 3, 2])), RangeError, /'grid' batch must equal 'input' batch 2; received grid shape \[3, 3, 3, 2\]/],
  ['int input', () => gridSample(z([2, 4, 5, 3], 'int32'), g()), TypeError, /'input' must be a float32 tensor; received a int32 tensor/],
  ['bool grid', () => gridSample(x(), z([2, 3, 3, 2], 'bool')), TypeError, /'grid' must be a float32 tensor; received a bool tensor/],
  ['string input', () => gridSample('abc' as unknown as tf.Tensor4D, g()), TypeError, /'input' must be a float32 Tensor or nested array of numbers; received 'abc'/],
  ['null grid', () => gridSample(x(), null as unknown as tf.Tensor4D), TypeError, /'grid' must be a float32 Tensor.*received null/],
  ['unknown mode', () => gridSample(x(), g(), { mode: 'linear' as 'bilinear' }), RangeError, /'options.mode' must be one of 'bilinear', 'nearest', 'bicubic'; received 'linear'/],
  ['unknown padding', () => gridSample(x(), g(), { paddingMode: 'wrap' as 'zeros' }), RangeError, /'options.paddingMode' must be one of 'zeros', 'border', 'reflection'; received 'wrap'/],
  ['alignCorners not boolean', () => gridSample(x(), g(), { alignCorners: 1 as unknown as boolean }), TypeError, /'options.alignCorners' must be a boolean; received 1/],
  ['unknown option', () => gridSample(x(), g(), { align_corners: true } as never), RangeError, /unknown option 'align_corners'/],
  ['options not an object', () => gridSample(x(), g(), 'bilinear' as never), TypeError, /'options' must be an object; received 'bilinear'/],
];

const affineRows: [string, () => unknown, ErrorConstructor, RegExp][] = [
  ['theta [N,3,3]', () => affineGrid(z3([2, 3, 3]), [2, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\]; received shape \[2, 3, 3\]/],
  ['theta rank 2', () => affineGrid(z3([2, 3]), [1, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\]; received shape \[2, 3\]/],
  ['outputSize length 3', () => affineGrid(z3([1, 2, 3]), [1, 4, 4] as never), RangeError, /'outputSize' must be 4 non-negative integers \[N, H, W, C\]; received \[1, 4, 4\]/],
  ['outputSize fractional', () => affineGrid(z3([1, 2, 3]), [1, 4.5, 4, 1]), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, 4.5, 4, 1\]/],
  ['outputSize negative', () => affineGrid(z3([1, 2, 3]), [1, -4, 4, 1]), RangeError, /'outputSize' must be 4 non-negative integers/],
  ['batch mismatch', () => affineGrid(z3([2, 2, 3]), [1, 4, 4, 1]), RangeError, /'outputSize' batch must equal 'theta' batch 2; received \[1, 4, 4, 1\]/],
  ['int theta', () => affineGrid(z3([1, 2, 3], 'int32'), [1, 4, 4, 1]), TypeError, /'theta' must be a float32 tensor; received a int32 tensor/],
  ['alignCorners not boolean', () => affineGrid(z3([1, 2, 3]), [1, 4, 4, 1], 'yes' as never), TypeError, /'alignCorners' must be a boolean; received 'yes'/],
];

describe('gridSample argument errors', () => {
  it.each(gridSampleRows)('%s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    expect(call).toThrow(/^gridSample: /);
  });
});

describe('affineGrid argument errors', () => {
  it.each(affineRows)('%s', (_, call, type, message) => {
    expect(call).toThrow(type);
    expect(call).toThrow(message);
    expect(call).toThrow(/^affineGrid: /);
  });
});

describe('accepted inputs', () => {
  it('takes nested arrays (TensorLike) as well as tensors', async () => {
    const out = gridSample([[[[1], [2]], [[3], [4]]]], [[[[0, 0]]]], { alignCorners: true });
    expect(Array.from(await out.data())).toEqual([2.5]);
    const grid = affineGrid([[[1, 0, 0], [0, 1, 0]]], [1, 1, 2, 1], true);
    expect(Array.from(await grid.data())).toEqual([-1, 0, 1, 0]);
  });

  it('zero-size dimensions give empty or zero results, and gradients of the right shape', async () => {
    for (const backend of ['cpu', 'wasm']) {
      await useBackend(backend);
      expect(gridSample(z([0, 4, 4, 1]), z([0, 2, 2, 2])).shape).toEqual([0, 2, 2, 1]);
      expect(gridSample(z([1, 4, 4, 0]), z([1, 2, 2, 2])).shape).toEqual([1, 2, 2, 0]);
      expect(gridSample(z([1, 4, 4, 1]), z([1, 0, 2, 2])).shape).toEqual([1, 0, 2, 1]);
      const empty = gridSample(tf.ones([1, 0, 4, 2]) as tf.Tensor4D, z([1, 2, 2, 2]));
      expect(Array.from(await empty.data())).toEqual(Array(8).fill(0));
      const [dx, dg] = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D))(
        [tf.ones([1, 3, 3, 2]), z([1, 0, 2, 2])], z([1, 0, 2, 2]));
      expect(dx!.shape).toEqual([1, 3, 3, 2]);
      expect(Array.from(await dx!.data())).toEqual(Array(18).fill(0));
      expect(dg!.shape).toEqual([1, 0, 2, 2]);
      expect(affineGrid(z3([1, 2, 3]), [1, 0, 3, 1]).shape).toEqual([1, 0, 3, 2]);
    }
  });
});
