/**
 * stn-layer's training kernels for tfjs-backend-wasm (Conv2DBackpropFilter, which tfjs-wasm lacks;
 * Conv2D, FusedConv2D, Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, the bias Add and Sum, and Identity,
 * which replace its own) against the cpu backend's kernels,
 * over shapes, strides, paddings (same, valid, numbers with every rounding mode, explicit),
 * dilations and channel counts that exercise every tile of the AssemblyScript loops (rows past a
 * multiple of 4, columns past a multiple of 8 and of 4, runs past a multiple of 16).
 */
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core registers no gradients of its own ops; the tfjs umbrella package does.
import '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { useWasmTrainingKernels } from '../src/index.js';
import { wasmTrainingKernelConfigs } from '../src/kernels/wasm/replacements.js';
import { expectClose, useBackend } from './helpers.js';

const size = tf.util.sizeFromShape;

// This file tests the opt-in training kernels (test/import_order_*.test.ts, tfjs-wasm's own).
useWasmTrainingKernels();

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  filter: [number, number, number, number];
  strides?: number | [number, number];
  pad: Pad;
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const cases: Case[] = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 5], pad: 'valid' },
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 5], pad: 'same' },
  { x: [2, 8, 9, 2], filter: [3, 2, 2, 8], strides: 2, pad: 'same' },
  { x: [1, 9, 10, 3], filter: [4, 3, 3, 9], strides: [2, 3], pad: 'valid' },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 4], strides: [2, 3], pad: 1, dimRoundingMode: 'ceil' },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 4], strides: [2, 3], pad: 1, dimRoundingMode: 'floor' },
  { x: [2, 9, 8, 2], filter: [3, 3, 2, 4], strides: [2, 3], pad: 2, dimRoundingMode: 'round' },
  { x: [2, 6, 7, 3], filter: [3, 3, 3, 6], pad: [[0, 0], [1, 2], [0, 3], [0, 0]] },
  { x: [1, 6, 7, 1], filter: [2, 4, 1, 3], strides: 2, pad: [[0, 0], [3, 0], [2, 1], [0, 0]] },
  { x: [2, 9, 9, 2], filter: [3, 3, 2, 5], dilations: 2, pad: 'same' },
  { x: [2, 10, 9, 3], filter: [3, 2, 3, 7], dilations: [2, 3], pad: 'valid' },
  { x: [1, 11, 11, 2], filter: [3, 3, 2, 4], strides: 2, dilations: 2, pad: 1 },
  { x: [3, 5, 5, 4], filter: [1, 1, 4, 13], pad: 'valid' },
  { x: [1, 3, 3, 2], filter: [5, 5, 2, 2], pad: 'same' },
  { x: [2, 6, 6, 1], filter: [3, 3, 1, 1], pad: 'valid' },
  { x: [2, 6, 6, 5], filter: [2, 2, 5, 12], strides: 2, pad: 'valid' },
  { x: [1, 5, 6, 3], filter: [3, 3, 3, 16], pad: 'same' },
  { x: [1, 6, 5, 2], filter: [2, 3, 2, 17], pad: 'valid' },
  // The STN tutorial's four convolutions, batch 3.
  { x: [3, 28, 28, 1], filter: [7, 7, 1, 8], pad: 'valid' },
  { x: [3, 11, 11, 8], filter: [5, 5, 8, 10], pad: 'valid' },
  { x: [3, 28, 28, 1], filter: [5, 5, 1, 10], pad: 'valid' },
  { x: [3, 12, 12, 10], filter: [5, 5, 10, 20], pad: 'valid' },
  // Nothing to sum over, and nothing to compute.
  { x: [0, 5, 5, 2], filter: [3, 3, 2, 4], pad: 'valid' },
  { x: [2, 5, 5, 2], filter: [3, 3, 2, 0], pad: 'same' },
];

const pair = (v: number | [number, number] | undefined): [number, number] =>
  v === undefined ? [1, 1] : typeof v === 'number' ? [v, v] : v;

/** Deterministic values in [-1, 1). */
function values(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function outputShape(c: Case): [number, number, number, number] {
  const info = tf.backend_util.computeConv2DInfo(
    c.x, c.filter, c.strides ?? 1, c.dilations ?? 1, c.pad, c.dimRoundingMode);
  return [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
}

const convAttrs = (c: Case, dilations?: number | [number, number]) =>
  ({ strides: c.strides ?? 1, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: c.dimRoundingMode, dilations });

function runFilterGrad(x: tf.Tensor, dy: tf.Tensor, c: Case, filterShape: number[], dilations?: number | [number, number]) {
  const attrs = { ...convAttrs(c, dilations), filterShape };
  return tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

function runInputGrad(dy: tf.Tensor, filter: tf.Tensor, c: Case, dilations?: number | [number, number]) {
  const attrs = { ...convAttrs(c, dilations), inputShape: c.x };
  return tf.engine().runKernel(tf.Conv2DBackpropInput, { dy, filter }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}

/** The filter dilated by (dh, dw) written out: taps at multiples of the dilation, zeros between. */
function dilatedFilter(f: Float32Array, shape: number[], [dh, dw]: [number, number]): { values: Float32Array; shape: number[] } {
  const [Kh, Kw, Ci, Co] = shape as [number, number, number, number];
  const big = [(Kh - 1) * dh + 1, (Kw - 1) * dw + 1, Ci, Co];
  const values = new Float32Array(size(big));
  for (let kh = 0; kh < Kh; kh++) {
    for (let kw = 0; kw < Kw; kw++) {
      const src = (kh * Kw + kw) * Ci * Co;
      values.set(f.subarray(src, src + Ci * Co), (kh * dh * big[1]! + kw * dw) * Ci * Co);
    }
  }
  return { values, shape: big };
}

/**
 * The cpu kernel takes no dilations: a filter dilated by d is the undilated filter of size
 * (k-1)*d+1 that is zero off the multiples of d, so its gradient is that filter's gradient there.
 */
async function cpuExpected(c: Case, xv: Float32Array, dyv: Float32Array): Promise<Float32Array> {
  const [dh, dw] = pair(c.dilations);
  const [Kh, Kw, Ci, Co] = c.filter;
  const big = [(Kh - 1) * dh + 1, (Kw - 1) * dw + 1, Ci, Co];
  await useBackend('cpu');
  const x = tf.tensor4d(xv, c.x);
  const dy = tf.tensor4d(dyv, outputShape(c));
  const full = await runFilterGrad(x, dy, c, big).data();
  tf.dispose([x, dy]);
  const out = new Float32Array(Kh * Kw * Ci * Co);
  for (let kh = 0; kh < Kh; kh++) {
    for (let kw = 0; kw < Kw; kw++) {
      const src = ((kh * dh * big[1]! + kw * dw) * Ci) * Co;
      out.set(full.subarray(src, src + Ci * Co), (kh * Kw + kw) * Ci * Co);
    }
  }
  return out;
}

const label = (c: Case) =>
  `x [${c.x}] filter [${c.filter}] strides ${JSON.stringify(c.strides ?? 1)} pad ${JSON.stringify(c.pad)}` +
  `${c.dilations ? ` dilations ${JSON.stringify(c.dilations)}` : ''}${c.dimRoundingMode ? ` ${c.dimRoundingMode}` : ''}`;

describe('Conv2D on wasm equals the cpu backend', () => {
  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', async (_, c, i) => {
    const xv = values(size(c.x), 6000 + i);
    const fv = values(size(c.filter), 7000 + i);
    const run = async (backend: string) => {
      await useBackend(backend);
      const x = tf.tensor4d(xv, c.x);
      const f = tf.tensor4d(fv, c.filter);
      const before = tf.memory().numTensors;
      const y = tf.engine().runKernel(tf.Conv2D, { x, filter: f }, convAttrs(c, c.dilations ?? 1) as unknown as tf.NamedAttrMap) as tf.Tensor;
      expect(y.shape).toEqual(outputShape(c));
      expect(tf.memory().numTensors).toBe(before + 1);
      const data = await y.data();
      tf.dispose([x, f, y]);
      return data;
    };
    expectClose(await run('wasm'), await run('cpu'), 'y');
  });
});

describe('FusedConv2D (a convolution plus a bias, as tf.layers runs it) on wasm equals the cpu backend', () => {
  const fused = async (backend: string, c: Case, i: number, extra: { bias?: boolean; activation?: string }) => {
    await useBackend(backend);
    const x = tf.tensor4d(values(size(c.x), 6000 + i), c.x);
    const filter = tf.tensor4d(values(size(c.filter), 7000 + i), c.filter);
    const inputs: tf.NamedTensorMap = { x, filter };
    if (extra.bias !== false) inputs.bias = tf.tensor1d(values(c.filter[3], 8000 + i));
    const attrs = { ...convAttrs(c, c.dilations ?? 1), activation: extra.activation ?? 'linear' };
    const before = tf.memory().numTensors;
    const y = tf.engine().runKernel(tf.FusedConv2D, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
    expect(y.shape).toEqual(outputShape(c));
    expect(tf.memory().numTensors).toBe(before + 1);
    const data = await y.data();
    tf.dispose([y, ...Object.values(inputs)]);
    return data;
  };
  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', async (_, c, i) => {
    expectClose(await fused('wasm', c, i, {}), await fused('cpu', c, i, {}), 'y');
  });
  it.each([[{ bias: false }], [{ activation: 'relu' }]])('%j (no bias; an activation: tfjs-wasm\'s own)', async (extra) => {
    const c = cases[0]!;
    expectClose(await fused('wasm', c, 0, extra), await fused('cpu', c, 0, extra), 'y');
  });
});

describe('Conv2DBackpropInput on wasm equals the cpu backend', () => {
  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', async (_, c, i) => {
    const dyShape = outputShape(c);
    const fv = values(size(c.filter), 2000 + i);
    const dyv = values(size(dyShape), 3000 + i);
    // The cpu kernel takes no dilations: it gets the dilated filter written out.
    const big = dilatedFilter(fv, c.filter, pair(c.dilations));
    await useBackend('cpu');
    const [dyCpu, fCpu] = [tf.tensor4d(dyv, dyShape), tf.tensor4d(big.values, big.shape as [number, number, number, number])];
    const want = await runInputGrad(dyCpu, fCpu, c).data();
    tf.dispose([dyCpu, fCpu]);
    await useBackend('wasm');
    const dy = tf.tensor4d(dyv, dyShape);
    const f = tf.tensor4d(fv, c.filter);
    const before = tf.memory().numTensors;
    const got = runInputGrad(dy, f, c, c.dilations);
    expect(got.shape).toEqual(c.x);
    expectClose(await got.data(), want, 'dx');
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([dy, f, got]);
  });
});

describe('Conv2DBackpropFilter on wasm equals the cpu backend', () => {
  it.each(cases.map((c, i) => [label(c), c, i] as const))('%s', async (_, c, i) => {
    const dyShape = outputShape(c);
    const xv = values(size(c.x), 1 + i);
    const dyv = values(size(dyShape), 1000 + i);
    const want = await cpuExpected(c, xv, dyv);
    await useBackend('wasm');
    const x = tf.tensor4d(xv, c.x);
    const dy = tf.tensor4d(dyv, dyShape);
    const before = tf.memory().numTensors;
    const got = runFilterGrad(x, dy, c, c.filter, c.dilations);
    expect(got.shape).toEqual(c.filter);
    expectClose(await got.data(), want, 'dW');
    // The padded scratch copy is freed: only the result is new.
    expect(tf.memory().numTensors).toBe(before + 1);
    tf.dispose([x, dy, got]);
  });

  it('gives tf.grads through conv2d and maxPool the same gradients on wasm as on cpu', async () => {
    const xv = values(2 * 9 * 9 * 3, 7);
    const fv = values(3 * 3 * 3 * 6, 8);
    const grads = async (backend: string) => {
      await useBackend(backend);
      const x = tf.tensor4d(xv, [2, 9, 9, 3]);
      const f = tf.tensor4d(fv, [3, 3, 3, 6]);
      const loss = (a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(tf.square(tf.maxPool(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 2, 'same'), 2, 1, 'same')));
      const [dx, df] = tf.grads(loss)([x, f]);
      const data = [await dx!.data(), await df!.data()];
      tf.dispose([x, f, dx!, df!]);
      return data;
    };
    const [wasmDx, wasmDf] = await grads('wasm');
    const [cpuDx, cpuDf] = await grads('cpu');
    expectClose(wasmDx!, cpuDx!, 'dx');
    expectClose(wasmDf!, cpuDf!, 'dFilter');
  });

  it('replaces tfjs-backend-wasm\'s kernels once opted in', async () => {
    await useBackend('wasm');
    for (const config of wasmTrainingKernelConfigs) expect(tf.getKernel(config.kernelName, 'wasm')).toBe(config);
  });

  it('names the argument when it cannot run', async () => {
    await useBackend('wasm');
    const x = tf.zeros([1, 4, 4, 2], 'int32');
    const dy = tf.zeros([1, 2, 2, 3]);
    expect(() => runFilterGrad(x, dy, { x: [1, 4, 4, 2], filter: [3, 3, 2, 3], pad: 'valid' }, [3, 3, 2, 3]))
      .toThrow(/x must be float32, got int32/);
    const xf = tf.zeros([1, 4, 4, 2]);
    expect(() => runFilterGrad(xf, dy, { x: [1, 4, 4, 2], filter: [3, 3, 2, 3], pad: 'same' }, [3, 3, 2, 3]))
      .toThrow(/dy must have shape \[1,4,4,3\], got \[1,2,2,3\]/);
    tf.dispose([x, dy, xf]);
  });
});

interface PoolCase {
  x: [number, number, number, number];
  filterSize: number | [number, number];
  strides: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const poolCases: PoolCase[] = [
  { x: [2, 8, 8, 3], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [2, 9, 7, 5], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [1, 9, 7, 8], filterSize: 3, strides: 2, pad: 'same' },
  { x: [2, 6, 6, 10], filterSize: [3, 2], strides: 1, pad: 'same' },
  { x: [1, 7, 8, 4], filterSize: 3, strides: [2, 3], pad: 1, dimRoundingMode: 'ceil' },
  { x: [1, 7, 8, 6], filterSize: 2, strides: 2, pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
  // The tutorial's four pools, batch 2.
  { x: [2, 22, 22, 8], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [2, 7, 7, 10], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [2, 24, 24, 10], filterSize: 2, strides: 2, pad: 'valid' },
  { x: [2, 8, 8, 20], filterSize: 2, strides: 2, pad: 'valid' },
];

/** Small integers (many ties, which must go to the first maximum), with NaN and -Infinity sprinkled in. */
function poolValues(n: number, seed: number): Float32Array {
  const v = values(n, seed);
  return v.map((u, i) => (i % 37 === 5 ? NaN : i % 41 === 7 ? -Infinity : Math.round(u * 3)));
}

describe('MaxPoolGrad on wasm equals the cpu backend', () => {
  it.each(poolCases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_, c, i) => {
    const xv = poolValues(size(c.x), 4000 + i);
    const run = async (backend: string) => {
      await useBackend(backend);
      const x = tf.tensor4d(xv, c.x);
      const y = tf.maxPool(x, c.filterSize, c.strides, c.pad, c.dimRoundingMode);
      const dy = tf.tensor(values(size(y.shape), 5000 + i), y.shape);
      const attrs = { filterSize: c.filterSize, strides: c.strides, pad: c.pad, dimRoundingMode: c.dimRoundingMode };
      const dx = tf.engine().runKernel(tf.MaxPoolGrad, { dy, input: x, output: y }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
      const data = await dx.data();
      tf.dispose([x, y, dy, dx]);
      return data;
    };
    expectClose(await run('wasm'), await run('cpu'), 'dx');
  });
});

const matMulCases: [number[], number[], boolean, boolean][] = [
  [[5, 7], [7, 9], false, false],
  [[7, 5], [7, 9], true, false],
  [[5, 7], [9, 7], false, true],
  [[7, 5], [9, 7], true, true],
  [[3, 6, 10], [3, 10, 12], false, false],
  [[3, 10, 6], [1, 10, 13], true, false],
  [[1, 6, 10], [4, 17, 10], false, true],
  [[2, 3, 4, 5], [2, 3, 5, 8], false, false],
  // The tutorial's dense layers and affineGrid's gradient, batch 64.
  [[64, 320], [320, 50], false, false],
  [[64, 50], [320, 50], false, true],
  [[64, 320], [64, 50], true, false],
  [[64, 784, 2], [1, 784, 3], true, false],
  [[2, 4, 0], [2, 0, 3], false, false],
];

describe('BatchMatMul on wasm equals the cpu backend', () => {
  it.each(matMulCases.map((c, i) => [JSON.stringify(c), c, i] as const))('%s', async (_, [sa, sb, transposeA, transposeB], i) => {
    const av = values(size(sa), 8000 + i);
    const bv = values(size(sb), 9000 + i);
    const run = async (backend: string) => {
      await useBackend(backend);
      const a = tf.tensor(av, sa);
      const b = tf.tensor(bv, sb);
      const before = tf.memory().numTensors;
      const y = tf.matMul(a, b, transposeA, transposeB);
      expect(tf.memory().numTensors).toBe(before + 1);
      const data = [y.shape, await y.data()] as const;
      tf.dispose([a, b, y]);
      return data;
    };
    const [wasmShape, wasm] = await run('wasm');
    const [cpuShape, cpu] = await run('cpu');
    expect(wasmShape).toEqual(cpuShape);
    expectClose(wasm, cpu, 'matMul');
  });
});

describe('BatchMatMul on wasm broadcasts like tf.add', () => {
  // The cpu backend indexes batches modulo each operand's batch size, which is wrong when both
  // operands broadcast (its output is even too short); this checks against plain loops instead.
  it('[2, 1, 5, 4]^T . [3, 8, 5]^T has shape [2, 3, 4, 8]', async () => {
    await useBackend('wasm');
    const av = values(2 * 5 * 4, 11);
    const bv = values(3 * 8 * 5, 12);
    const y = tf.matMul(tf.tensor(av, [2, 1, 5, 4]), tf.tensor(bv, [3, 8, 5]), true, true);
    expect(y.shape).toEqual([2, 3, 4, 8]);
    const want = new Float32Array(2 * 3 * 4 * 8);
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 3; j++) {
        for (let m = 0; m < 4; m++) {
          for (let n = 0; n < 8; n++) {
            let acc = 0;
            for (let k = 0; k < 5; k++) acc += av[(i * 5 + k) * 4 + m]! * bv[(j * 8 + n) * 5 + k]!;
            want[((i * 3 + j) * 4 + m) * 8 + n] = acc;
          }
        }
      }
    }
    expectClose(await y.data(), want, 'matMul');
    const empty = tf.matMul(tf.zeros([0, 4, 5]), tf.zeros([1, 5, 3]));
    expect(empty.shape).toEqual([0, 4, 3]);
    tf.dispose([y, empty]);
  });
});

describe('the bias Add and Sum on wasm equal the cpu backend (and hand other calls to tfjs-wasm\'s own)', () => {
  const both = async (f: () => tf.Tensor) => {
    const out: [number[], Float32Array | Int32Array | Uint8Array][] = [];
    for (const backend of ['wasm', 'cpu']) {
      await useBackend(backend);
      const y = tf.tidy(f);
      out.push([y.shape, (await y.data()) as Float32Array]);
      y.dispose();
    }
    expect(out[0]![0]).toEqual(out[1]![0]);
    expectClose(out[0]![1], out[1]![1], 'values');
  };
  const t = (shape: number[], seed: number, dtype: 'float32' | 'int32' = 'float32') =>
    tf.tensor(Array.from(values(size(shape), seed), (v) => (dtype === 'int32' ? Math.round(10 * v) : v)), shape, dtype);

  it.each([
    [[2, 5, 5, 3], [3]], [[3], [2, 5, 5, 3]], [[4, 6], [1, 6]], [[2, 3, 4], [1, 1, 4]], [[5, 1], [1]],
    [[64, 24, 24, 10], [10]], [[3, 20], [20]], [[0, 4], [4]],
    // Not a bias: tfjs-wasm's own Add.
    [[2, 3], [2, 3]], [[2, 3], [2, 1]], [[], [2, 3]], [[1, 1, 4], [4]], [[4], [4]],
  ])('Add %j + %j', (sa, sb) => both(() => tf.add(t(sa, 1), t(sb, 2))));

  it('Add of int32 tensors goes to tfjs-wasm\'s own', () => both(() => tf.add(t([3, 4], 3, 'int32'), t([4], 4, 'int32'))));

  it.each([
    [[2, 3, 4, 5], [0, 1, 2], false], [[2, 3, 4, 5], [2, 0, 1], true], [[64, 24, 24, 10], [0, 1, 2], false],
    [[7, 3], [0], false], [[7, 3], [-2], true], [[0, 3], [0], false],
    // Not the leading axes: tfjs-wasm's own Sum.
    [[2, 3, 4], [1], false], [[2, 3, 4], [0, 1, 2], false], [[2, 3, 4], [1, 2], true], [[5], [0], false],
  ])('Sum of %j over %j (keepDims %s)', (shape, axes, keepDims) => both(() => tf.sum(t(shape, 5), axes, keepDims)));

  it('Sum of an int32 tensor goes to tfjs-wasm\'s own', () => both(() => tf.sum(t([4, 3], 6, 'int32'), 0)));

  it('Identity shares the data: a clone outlives its source', async () => {
    await useBackend('wasm');
    const x = tf.tensor([1, 2, 3]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    expect(tf.memory().numDataBuffers).toBe(before);
    x.dispose();
    expect(Array.from(await y.data())).toEqual([1, 2, 3]);
    y.dispose();
  });
});
