/**
 * No leaks: after a warm-up, 1,000 forward+backward steps (affineGrid into gridSample, every mode,
 * padding and alignCorners in turn, gradients for theta, input and grid; images, and volumes on cpu
 * and wasm) leave tf.memory()'s
 * tensor and byte counts, the backend's own buffer count and the WebAssembly memories unchanged.
 * Nothing is wrapped in tf.tidy: every tensor a step makes is disposed by hand, so a tensor the ops
 * forget to free would show.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { GridSampleGrad, affineGrid, gridSample, useThreads } from '../src/index.js';
import { cpuHeap, cpuStnMemoryBytes, forgetResidentInputs } from '../src/kernels/cpu/cpu_backend.js';
import { gridSampleKernel } from '../src/kernels/shared/kernels.js';
import { wasmMemory } from '../src/kernels/wasm/wasm_backend.js';
import { ALL_OPTIONS, useBackend } from './helpers.js';
import { requireWebGPU } from './webgpu_setup.js';

const gpu = await requireWebGPU();

const STEPS = 1000;
const combos = ALL_OPTIONS;

/** What must not change; `extra` is the backend's own memory, where it has one we can see. */
function snapshot(extra: () => number) {
  const m = tf.memory();
  return { numTensors: m.numTensors, numBytes: m.numBytes, backendDataIds: tf.backend().numDataIds(), extra: extra() };
}

/** One training-like step: forward, then gradients for input and grid and for theta, all disposed (images or volumes). */
function step(i: number, theta: tf.Tensor3D, input: tf.Tensor4D, dy: tf.Tensor4D): tf.Tensor[] {
  const o = combos[i % combos.length]!;
  const size: number[] = [input.shape[0], ...dy.shape.slice(1, -1), input.shape[input.shape.length - 1]!];
  const grid = affineGrid(theta, size, o.alignCorners);
  const out = gridSample(input, grid, o);
  const inputAndGrid = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, o))([input, grid], dy);
  const dTheta = tf.grad((t: tf.Tensor) => gridSample(input, affineGrid(t as tf.Tensor3D, size, o.alignCorners), o))(theta, dy);
  return [grid, out, ...inputAndGrid, dTheta];
}

async function expectNoGrowth(extra: () => number, volume = false): Promise<void> {
  const theta = volume
    ? tf.tensor3d([0.9, 0.2, 0.05, 0.1, -0.15, 1.1, -0.1, 0, 0.05, 0, 1, -0.1, 1.2, -0.3, 0.2, 0, 0.4, 0.8, 0, 0.1, 0, 0.1, 0.9, 0], [2, 3, 4])
    : tf.tensor3d([0.9, 0.2, 0.05, -0.15, 1.1, -0.1, 1.2, -0.3, 0.2, 0.4, 0.8, 0], [2, 2, 3]);
  const input = tf.randomUniform<tf.Rank>(volume ? [2, 3, 6, 5, 3] : [2, 6, 5, 3], -1, 1, 'float32', 7) as tf.Tensor4D;
  const dy = tf.randomUniform<tf.Rank>(volume ? [2, 2, 4, 3, 3] : [2, 4, 3, 3], -1, 1, 'float32', 8) as tf.Tensor4D;
  const run = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const made = step(i, theta, input, dy);
      // Reading results now and then makes the steps really run (webgpu queues its work).
      if (i % 50 === 49 || i === to - 1) await Promise.all(made.map((t) => t.data()));
      tf.dispose(made);
    }
  };
  await run(0, 2 * combos.length);
  const before = snapshot(extra);
  await run(2 * combos.length, 2 * combos.length + STEPS);
  expect(snapshot(extra)).toEqual(before);
  tf.dispose([theta, input, dy]);
}

describe('cpu backend', () => {
  beforeAll(() => useBackend('cpu'));
  it(`${STEPS} forward+backward steps leave tensors, bytes and the kernels' WebAssembly memory unchanged`, () =>
    expectNoGrowth(cpuStnMemoryBytes));
  it(`${STEPS} forward+backward steps on volumes leave tensors, bytes and the kernels' WebAssembly memory unchanged`, () =>
    expectNoGrowth(cpuStnMemoryBytes, true));

  it('the kernels\' memory stays at the largest call: smaller calls after it do not grow it', async () => {
    const big = gridSample(tf.zeros([2, 20, 20, 4]) as tf.Tensor4D, tf.zeros([2, 20, 20, 2]) as tf.Tensor4D);
    await big.data();
    const high = cpuStnMemoryBytes();
    for (let i = 0; i < 100; i++) {
      const h = 1 + (i % 19);
      const x = tf.zeros([2, h, 20 - h, 4]) as tf.Tensor4D;
      const g = tf.zeros([2, 20 - h, h, 2]) as tf.Tensor4D;
      tf.dispose([x, g, gridSample(x, g)]);
    }
    expect(cpuStnMemoryBytes()).toBe(high);
    tf.dispose(big);
  });

  it('a call reuses the inputs the call before left in the kernels\' memory only where they are the same data at the same place', async () => {
    const o = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
    const [x1, x2] = [3, 4].map((seed) => tf.randomUniform([2, 9, 7, 3], -1, 1, 'float32', seed) as tf.Tensor4D);
    const g = tf.randomUniform([2, 5, 6, 2], -1.1, 1.1, 'float32', 5) as tf.Tensor4D;
    const dy = tf.randomUniform([2, 5, 6, 3], -1, 1, 'float32', 6) as tf.Tensor4D;
    const backward = (x: tf.Tensor4D) => tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...o, outputMask: [true, true] } as never) as tf.Tensor[];
    const read = (ts: tf.Tensor[]) => {
      const values = ts.map((t) => Array.from(t.dataSync()));
      tf.dispose(ts);
      return values;
    };
    // What the backward gives with every input copied in.
    const want = (x: tf.Tensor4D) => {
      forgetResidentInputs();
      return read(backward(x));
    };
    for (const threads of [1, 2, 1]) {
      await useThreads(threads);
      for (const [forwardOn, backwardOn] of [[x1, x1], [x1, x2], [x2, x1]] as const) {
        // The forward leaves its input and grid where the backward puts its input and grid.
        tf.dispose(gridSample(forwardOn, g, o));
        expect(read(backward(backwardOn))).toEqual(want(backwardOn));
      }
    }
    // The same data in a memory of its own (threads on, then off): copied in again.
    tf.dispose(gridSample(x1, g, o));
    await useThreads(2);
    expect(read(backward(x1))).toEqual(want(x1));
    await useThreads(1);
    // One staging array refilled for every batch: tf.tensor keeps it, so each batch's tensor has the same array, new data.
    const staging = new Float32Array(x1.size);
    const batch = (x: tf.Tensor4D) => {
      staging.set(x.dataSync());
      const t = tf.tensor4d(staging, x.shape);
      const out = read([gridSample(t, g, o)]);
      t.dispose();
      return out;
    };
    forgetResidentInputs();
    const expected = [x1, x2].map((x) => read([gridSample(x, g, o)]));
    expect([batch(x1), batch(x2), batch(x1)]).toEqual([expected[0], expected[1], expected[0]]);
    // A heap made before another call wrote the memory matches what that call left, not what was there when it was made.
    tf.dispose(gridSample(x1, g, o));
    const heap = cpuHeap(tf.backend());
    tf.dispose(gridSample(x2, g, o)); // x2 where x1 was
    const late = gridSampleKernel(heap, x1, g, o);
    expect(read([tf.engine().makeTensorFromTensorInfo(late)])).toEqual(expected[0]);
    tf.dispose([x1, x2, g, dy]);
  });

  it('what the kernels keep of the last call\'s inputs does not keep a synchronous loop\'s input arrays alive', () => {
    // 200 steps in one synchronous run of code, each with a new 2 MB input (a WeakRef would keep
    // every one alive until the job ends: 400 MB), then a collection: the array buffers left are
    // about one step's.
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { gridSample } from './src/index.ts';
      await tf.setBackend('cpu');
      const g = tf.randomUniform([4, 16, 16, 2], -1, 1);
      for (let i = 0; i < 200; i++) tf.tidy(() => tf.sum(gridSample(tf.randomUniform([4, 64, 64, 32]), g)).dataSync());
      globalThis.gc();
      console.log('arrayBuffers MB', Math.round(process.memoryUsage().arrayBuffers / 2 ** 20));
    `;
    const run = spawnSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 120_000,
    });
    expect(run.status, run.stderr).toBe(0);
    const mb = Number(/arrayBuffers MB (\d+)/.exec(run.stdout)?.[1]);
    expect(mb).toBeLessThan(32);
  });
});

describe('wasm backend', () => {
  beforeAll(() => useBackend('wasm'));
  it(`${STEPS} forward+backward steps leave tensors, bytes and tfjs-wasm's heap unchanged`, () =>
    expectNoGrowth(() => wasmMemory(tf.backend()).buffer.byteLength));
  it(`${STEPS} forward+backward steps on volumes leave tensors, bytes and tfjs-wasm's heap unchanged`, () =>
    expectNoGrowth(() => wasmMemory(tf.backend()).buffer.byteLength, true));
});

describe.skipIf(!gpu)(`webgpu backend (${gpu?.adapterName ?? 'no adapter'})`, () => {
  beforeAll(() => useBackend('webgpu'));
  it(`${STEPS} forward+backward steps leave tensors and bytes unchanged`, () =>
    expectNoGrowth(() => (tf.memory() as { numBytesAllocatedInGPU?: number }).numBytesAllocatedInGPU ?? 0));
});
