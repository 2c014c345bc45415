/** Every bad argument gets a clear error naming the argument, the expected and the received value. */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it, vi } from 'vitest';
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
  ['int input', () => gridSample(z([2, 4, 5, 3], 'int32'), g()), TypeError, /'input' must be a float32 tensor; received an int32 tensor of shape \[[0-9, ]+\] \(cast it with tf\.cast\(x, 'float32'\)\)/],
  ['bool grid', () => gridSample(x(), z([2, 3, 3, 2], 'bool')), TypeError, /'grid' must be a float32 tensor; received a bool tensor/],
  ['string input', () => gridSample('abc' as unknown as tf.Tensor4D, g()), TypeError, /'input' must be a float32 Tensor or nested array of numbers; received 'abc'/],
  ['null grid', () => gridSample(x(), null as unknown as tf.Tensor4D), TypeError, /'grid' must be a float32 Tensor.*received null/],
  ['unknown mode', () => gridSample(x(), g(), { mode: 'linear' as 'bilinear' }), RangeError, /'options.mode' must be one of 'bilinear', 'nearest', 'bicubic'; received 'linear'/],
  ['unknown padding', () => gridSample(x(), g(), { paddingMode: 'wrap' as 'zeros' }), RangeError, /'options.paddingMode' must be one of 'zeros', 'border', 'reflection'; received 'wrap'/],
  ['alignCorners not boolean', () => gridSample(x(), g(), { alignCorners: 1 as unknown as boolean }), TypeError, /'options.alignCorners' must be a boolean; received 1/],
  ['unknown option', () => gridSample(x(), g(), { align_corners: true } as never), RangeError, /unknown option 'align_corners'/],
  ['options not an object', () => gridSample(x(), g(), 'bilinear' as never), TypeError, /'options' must be an object; received 'bilinear'/],
  ['options null', () => gridSample(x(), g(), null as never), TypeError, /'options' must be an object; received null/],
  ['options an array', () => gridSample(x(), g(), [] as never), TypeError, /'options' must be an object; received \[\]/],
  ['mode null', () => gridSample(x(), g(), { mode: null } as never), RangeError, /'options.mode' must be one of 'bilinear', 'nearest', 'bicubic'; received null/],
  ['paddingMode wrong case', () => gridSample(x(), g(), { paddingMode: 'Zeros' as 'zeros' }), RangeError, /'options.paddingMode' must be one of .*; received 'Zeros'/],
  ['alignCorners null', () => gridSample(x(), g(), { alignCorners: null } as never), TypeError, /'options.alignCorners' must be a boolean; received null/],
  ['alignCorners string', () => gridSample(x(), g(), { alignCorners: 'true' } as never), TypeError, /'options.alignCorners' must be a boolean; received 'true'/],
  ['input a number', () => gridSample(5 as never, g()), RangeError, /'input' must have shape \[N, H, W, C\].*received shape \[\]/],
  ['input a flat Float32Array', () => gridSample(new Float32Array(4) as never, g()), RangeError, /'input' must have shape \[N, H, W, C\].*received shape \[4\]/],
  ['input a ragged nested array', () => gridSample([[[[1], [2]], [[3], [4], [5]]]], [[[[0, 0]]]]), RangeError, /'input' must be a rectangular nested array; received one whose shape differs from \[1, 2, 2, 1\] at \[0, 1\]/],
  ['input nested one level too deep in one place', () => gridSample([[[[1], [2]], [[3], [[4]]]]] as never, [[[[0, 0]]]]), RangeError, /'input' must be a rectangular nested array.*at \[0, 1, 1, 0\]/],
  ['input an object', () => gridSample({} as never, g()), TypeError, /'input' must be a float32 Tensor or nested array of numbers/],
  ['input a disposed tensor', () => { const t = x(); t.dispose(); return gridSample(t, g()); }, TypeError, /'input' must be a live tensor; received a disposed tensor/],
  ['grid a disposed tensor', () => { const t = g(); t.dispose(); return gridSample(x(), t); }, TypeError, /'grid' must be a live tensor; received a disposed tensor/],
  ['string input tensor', () => gridSample(tf.tensor(['a']) as never, g()), TypeError, /'input' must be a float32 tensor of numbers; received a string tensor of shape \[1\], which holds text$/],
  ['complex64 grid tensor', () => gridSample(x(), tf.complex([1], [1]) as never), TypeError, /'grid' must be a float32 tensor; received a complex64 tensor/],
  ['grid TensorLike with last dimension 3', () => gridSample(x(), [[[[0, 0, 0]]], [[[0, 0, 0]]]]), RangeError, /'grid' must have shape \[N, Ho, Wo, 2\].*received shape \[2, 1, 1, 3\]/],
  ['grid a number', () => gridSample(x(), 3 as never), RangeError, /'grid' must have shape \[N, Ho, Wo, 2\].*received shape \[\]/],
  // Volumes: the input's rank says which grid is expected; mixed ranks name the grid.
  ['volume input with a 4-D grid', () => gridSample(z([1, 2, 4, 5, 3]), z([1, 3, 3, 2])), RangeError, /'grid' must have shape \[N, Do, Ho, Wo, 3\] \(rank 5, last dimension 3, as input is rank 5\); received shape \[1, 3, 3, 2\]/],
  ['image input with a 5-D grid', () => gridSample(x(), z([2, 1, 3, 3, 3])), RangeError, /'grid' must have shape \[N, Ho, Wo, 2\] \(rank 4, last dimension 2, as input is rank 4\); received shape \[2, 1, 3, 3, 3\]/],
  ['volume grid with last dimension 2', () => gridSample(z([1, 2, 4, 5, 3]), z([1, 2, 3, 3, 2])), RangeError, /'grid' must have shape \[N, Do, Ho, Wo, 3\].*received shape \[1, 2, 3, 3, 2\]/],
  ['input rank 6', () => gridSample(z([1, 1, 2, 4, 5, 3]), z([1, 2, 3, 3, 3])), RangeError, /'input' must have shape \[N, H, W, C\] \(rank 4, channels-last\) or \[N, D, H, W, C\] \(rank 5, a volume\); received shape \[1, 1, 2, 4, 5, 3\]/],
  ['volume batch mismatch', () => gridSample(z([1, 2, 4, 5, 3]), z([2, 2, 3, 3, 3])), RangeError, /'grid' batch must equal 'input' batch 1; received grid shape \[2, 2, 3, 3, 3\]/],
  ['input batch 0, grid batch 1', () => gridSample(z([0, 4, 4, 1]), z([1, 2, 2, 2])), RangeError, /'grid' batch must equal 'input' batch 0; received grid shape \[1, 2, 2, 2\]/],
  // Float32 coordinates address every pixel of a side up to 2^24 (empty batch: no memory needed).
  ['a side longer than 2^24 pixels', () => gridSample(z([0, 1, 2 ** 24 + 1, 1]), z([0, 1, 1, 2])), RangeError, /'input' sides must be at most 16777216 pixels \(float32 coordinates address no more exactly\); received shape \[0, 1, 16777217, 1\]/],
  ['a volume depth longer than 2^24', () => gridSample(z([0, 2 ** 24 + 1, 1, 1, 1]), z([0, 1, 1, 1, 3])), RangeError, /'input' sides must be at most 16777216 pixels.*received shape \[0, 16777217, 1, 1, 1\]/],
];

const affineRows: [string, () => unknown, ErrorConstructor, RegExp][] = [
  ['theta [N,3,3]', () => affineGrid(z3([2, 3, 3]), [2, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\] \(outputSize has 4 entries\); received shape \[2, 3, 3\]/],
  ['theta rank 2', () => affineGrid(z3([2, 3]), [1, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\] \(outputSize has 4 entries\); received shape \[2, 3\]/],
  ['outputSize length 3', () => affineGrid(z3([1, 2, 3]), [1, 4, 4] as never), RangeError, /'outputSize' must be 4 non-negative integers \[N, H, W, C\] \(or 5, \[N, D, H, W, C\], for a volume\); received \[1, 4, 4\]/],
  ['outputSize fractional', () => affineGrid(z3([1, 2, 3]), [1, 4.5, 4, 1]), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, 4.5, 4, 1\]/],
  ['outputSize negative', () => affineGrid(z3([1, 2, 3]), [1, -4, 4, 1]), RangeError, /'outputSize' must be 4 non-negative integers/],
  ['batch mismatch', () => affineGrid(z3([2, 2, 3]), [1, 4, 4, 1]), RangeError, /'outputSize' batch must equal 'theta' batch 2; received \[1, 4, 4, 1\]/],
  ['int theta', () => affineGrid(z3([1, 2, 3], 'int32'), [1, 4, 4, 1]), TypeError, /'theta' must be a float32 tensor; received an int32 tensor of shape \[[0-9, ]+\] \(cast it with tf\.cast\(x, 'float32'\)\)/],
  ['alignCorners not boolean', () => affineGrid(z3([1, 2, 3]), [1, 4, 4, 1], 'yes' as never), TypeError, /'alignCorners' must be a boolean; received 'yes'/],
  ['alignCorners null', () => affineGrid(z3([1, 2, 3]), [1, 4, 4, 1], null as never), TypeError, /'alignCorners' must be a boolean; received null/],
  ['theta TensorLike rank 2', () => affineGrid([[1, 0, 0], [0, 1, 0]] as never, [1, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\] \(outputSize has 4 entries\); received shape \[2, 3\]/],
  ['theta TensorLike [1, 2, 2]', () => affineGrid([[[1, 0], [0, 1]]], [1, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\] \(outputSize has 4 entries\); received shape \[1, 2, 2\]/],
  ['theta TensorLike ragged', () => affineGrid([[[1, 0], [0, 1, 0]]], [1, 4, 4, 1]), RangeError, /'theta' must be a rectangular nested array; received one whose shape differs from \[1, 2, 2\] at \[0, 1\]/],
  ['theta null', () => affineGrid(null as never, [1, 4, 4, 1]), TypeError, /'theta' must be a float32 Tensor or nested array of numbers; received null/],
  ['theta a disposed tensor', () => { const t = z3([1, 2, 3]); t.dispose(); return affineGrid(t, [1, 4, 4, 1]); }, TypeError, /'theta' must be a live tensor; received a disposed tensor/],
  ['theta string tensor', () => affineGrid(tf.tensor3d([[['a', 'b', 'c'], ['d', 'e', 'f']]]) as never, [1, 4, 4, 1]), TypeError, /'theta' must be a float32 tensor of numbers; received a string tensor of shape \[1, 2, 3\], which holds text$/],
  ['theta bool tensor', () => affineGrid(z3([1, 2, 3], 'bool'), [1, 4, 4, 1]), TypeError, /'theta' must be a float32 tensor; received a bool tensor/],
  ['outputSize NaN', () => affineGrid(z3([1, 2, 3]), [1, NaN, 4, 1]), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, NaN, 4, 1\]/],
  ['outputSize Infinity', () => affineGrid(z3([1, 2, 3]), [1, 4, Infinity, 1]), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, 4, Infinity, 1\]/],
  ['outputSize a string element', () => affineGrid(z3([1, 2, 3]), [1, '4', 4, 1] as never), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, '4', 4, 1\]/],
  ['outputSize null', () => affineGrid(z3([1, 2, 3]), null as never), RangeError, /'outputSize' must be 4 non-negative integers.*received null/],
  ['outputSize a typed array', () => affineGrid(z3([1, 2, 3]), new Int32Array([1, 4, 4, 1]) as never), RangeError, /'outputSize' must be 4 non-negative integers/],
  ['outputSize length 6', () => affineGrid(z3([1, 2, 3]), [1, 4, 4, 1, 1, 1] as never), RangeError, /'outputSize' must be 4 non-negative integers.*received \[1, 4, 4, 1, 1, 1\]/],
  // Volumes: the outputSize's length says which theta is expected.
  ['theta [N,2,3] with a 5-entry outputSize', () => affineGrid(z3([1, 2, 3]), [1, 4, 4, 1, 1]), RangeError, /'theta' must have shape \[N, 3, 4\] \(outputSize has 5 entries\); received shape \[1, 2, 3\]/],
  ['theta [N,3,4] with a 4-entry outputSize', () => affineGrid(z3([1, 3, 4]), [1, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 2, 3\] \(outputSize has 4 entries\); received shape \[1, 3, 4\]/],
  ['theta [N,3,3] with a 5-entry outputSize', () => affineGrid(z3([1, 3, 3]), [1, 2, 4, 4, 1]), RangeError, /'theta' must have shape \[N, 3, 4\].*received shape \[1, 3, 3\]/],
  ['volume outputSize batch mismatch', () => affineGrid(z3([2, 3, 4]), [1, 2, 4, 4, 1]), RangeError, /'outputSize' batch must equal 'theta' batch 2; received \[1, 2, 4, 4, 1\]/],
  ['outputSize batch 0 with theta batch 1', () => affineGrid(z3([1, 2, 3]), [0, 4, 4, 1]), RangeError, /'outputSize' batch must equal 'theta' batch 1; received \[0, 4, 4, 1\]/],
];

/** Checks one row: the error, its message, and that no kernel of ours ran before it. */
async function expectRejected(op: string, call: () => unknown, type: ErrorConstructor, message: RegExp): Promise<void> {
  expect(call).toThrow(type);
  expect(call).toThrow(message);
  expect(call).toThrow(new RegExp(`^${op}: `));
  const info = await tf.profile(() => {
    expect(call).toThrow();
    return [];
  });
  expect(info.kernels.map((k) => k.name).filter((n) => ['GridSample', 'AffineGrid'].includes(n))).toEqual([]);
}

describe('gridSample argument errors', () => {
  it.each(gridSampleRows)('%s', (_, call, type, message) => expectRejected('gridSample', call, type, message));
});

describe('affineGrid argument errors', () => {
  it.each(affineRows)('%s', (_, call, type, message) => expectRejected('affineGrid', call, type, message));
});

describe("the hint for PyTorch's channels-first shapes", () => {
  const identity = (n: number) => tf.tile(tf.tensor3d([[[1, 0, 0], [0, 1, 0]]]), [n, 1, 1]) as tf.Tensor3D;
  const warnings = (call: () => void): unknown[][] => {
    const spy = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      call();
      return spy.mock.calls;
    } finally {
      spy.mockRestore();
    }
  };

  it('never warns for channels-last shapes (C differs from W, or H >= W, or H > 4)', () => {
    const sizes: [number, number, number, number][] = [
      [8, 28, 28, 1], [1, 2, 2, 1], [32, 64, 64, 3], [8, 128, 128, 16], [1, 512, 512, 3], [2, 32, 32, 32], [1, 1, 100, 1],
      [4, 1, 50, 8], [1, 3, 64, 3], [1, 4, 4, 4], [1, 5, 28, 28], [1, 1, 1, 1], [1, 0, 5, 5], [1, 2, 3, 4], [0, 8, 8, 3],
    ];
    for (const size of sizes) {
      expect(warnings(() => affineGrid(identity(size[0]), size).dispose()), `[${size}]`).toEqual([]);
      expect(warnings(() => gridSample(z(size), z([size[0], 2, 2, 2])).dispose()), `input [${size}]`).toEqual([]);
    }
  });

  it('affineGrid: warns once, and still returns the grid of the size as given', () => {
    let grid: tf.Tensor | undefined;
    const first = warnings(() => { grid = affineGrid(identity(1), [1, 1, 28, 28]); });
    expect(grid!.shape).toEqual([1, 1, 28, 2]);
    expect(first).toEqual([[
      "affineGrid: 'outputSize' [1, 1, 28, 28] is read channels-last, [N, H, W, C]: 1 image(s) of 1x28 pixels with 28 channels. " +
      "If it is PyTorch's [N, C, H, W], pass [1, 28, 28, 1] instead. (Shown once.)",
    ]]);
    expect(warnings(() => affineGrid(identity(8), [8, 3, 64, 64]).dispose())).toEqual([]);
  });

  it('gridSample: warns once about its input, and samples it as given', () => {
    let out: tf.Tensor | undefined;
    const first = warnings(() => { out = gridSample(z([2, 3, 16, 16]), z([2, 4, 4, 2])); });
    expect(out!.shape).toEqual([2, 4, 4, 16]);
    expect(first).toEqual([[
      "gridSample: 'input' of shape [2, 3, 16, 16] is read channels-last, [N, H, W, C]: 2 image(s) of 3x16 pixels with 16 channels. " +
      "If it is PyTorch's [N, C, H, W], transpose it first: tf.transpose(input, [0, 2, 3, 1]). (Shown once.)",
    ]]);
    expect(warnings(() => gridSample(z([1, 1, 28, 28]), z([1, 2, 2, 2])).dispose())).toEqual([]);
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
      expect(affineGrid(z3([0, 2, 3]), [0, 4, 4, 1]).shape).toEqual([0, 4, 4, 2]);
      // C only says which image the grid is for: 0 channels still gives a full grid.
      expect(Array.from(await affineGrid([[[1, 0, 0], [0, 1, 0]]], [1, 1, 2, 0], true).data())).toEqual([-1, 0, 1, 0]);
    }
  });

  it('options left undefined take their defaults', async () => {
    const input = [[[[1], [2]], [[3], [4]]]];
    const want = Array.from(await gridSample(input, [[[[0.2, -0.3]]]]).data());
    const got = gridSample(input, [[[[0.2, -0.3]]]], { mode: undefined, paddingMode: undefined, alignCorners: undefined });
    expect(Array.from(await got.data())).toEqual(want);
    expect(Array.from(await affineGrid([[[1, 0, 0], [0, 1, 0]]], [1, 1, 2, 1], undefined).data())).toEqual([-0.5, 0, 0.5, 0]);
  });

  it('tensors made from TensorLike arguments are freed, after a result and after an error', () => {
    const before = tf.memory().numTensors;
    gridSample([[[[1], [2]], [[3], [4]]]], [[[[0, 0]]]]).dispose();
    affineGrid([[[1, 0, 0], [0, 1, 0]]], [1, 2, 2, 1]).dispose();
    expect(() => gridSample([[[[1], [2]], [[3], [4]]]], [[[[0, 0, 0]]]])).toThrow(RangeError);
    expect(() => gridSample([[[[1], [2]], [[3], [4]]]], [[[[0, 0]]], [[[0, 0]]]])).toThrow(RangeError);
    expect(() => affineGrid([[[1, 0, 0], [0, 1, 0]]], [2, 2, 2, 1])).toThrow(RangeError);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a tensor passed in is neither disposed nor kept', () => {
    const input = z([1, 2, 2, 1]);
    const grid = z([1, 1, 1, 2]);
    const before = tf.memory().numTensors;
    gridSample(input, grid).dispose();
    expect(input.isDisposed || grid.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([input, grid]);
  });
});
