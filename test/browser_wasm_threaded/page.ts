/**
 * The page of test/wasm_threaded.test.ts, bundled by vite with tfjs-core, tfjs-backend-cpu and
 * tfjs-backend-wasm, served cross-origin-isolated: tfjs-wasm then runs its threaded build, whose
 * heap is a shared WebAssembly.Memory. window.stn.run samples one case on wasm and on cpu;
 * window.stn.threads runs cases large enough to split on 1 and on 2 threads (useThreads: Web
 * Workers on that heap, and on the cpu backend's shared memory) and counts differing elements.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { GridSampleGrad, gridSample, ready, useThreads } from '../../src/index.js';
import { MIN_WORK_PER_THREAD, splitThresholds } from '../../src/kernels/shared/split.js';
import { activePool } from '../../src/kernels/threads/active.js';
import { wasmMemory } from '../../src/kernels/wasm/wasm_backend.js';

setWasmPaths('/');

interface Case { input: number[]; inputShape: number[]; grid: number[]; gridShape: number[]; dy: number[] }

async function sample(c: Case): Promise<number[][]> {
  const input = tf.tensor4d(c.input, c.inputShape as [number, number, number, number]);
  const grid = tf.tensor4d(c.grid, c.gridShape as [number, number, number, number]);
  const dy = tf.tensor4d(c.dy, [c.gridShape[0]!, c.gridShape[1]!, c.gridShape[2]!, c.inputShape[3]!]);
  const out = gridSample(input, grid);
  const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D))([input, grid], dy);
  const result = [Array.from(await out.data()), Array.from(await dInput!.data()), Array.from(await dGrid!.data())];
  tf.dispose([input, grid, dy, out, dInput!, dGrid!]);
  return result;
}

async function run(c: Case) {
  await ready();
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm did not start');
  const threaded = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
  const heap = (tf.backend() as unknown as { wasm: { wasmMemory?: WebAssembly.Memory } }).wasm.wasmMemory;
  const shared = heap?.buffer instanceof SharedArrayBuffer;
  const wasm = await sample(c);
  await tf.setBackend('cpu');
  const cpu = await sample(c);
  return { isolated: crossOriginIsolated, threaded, shared, wasm, cpu };
}

/** Values in [-1.1, 1.1) from a fixed seed (a linear congruential generator). */
function values(n: number, seed: number): Float32Array {
  const v = new Float32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    v[i] = (x / 2 ** 32) * 2.2 - 1.1;
  }
  return v;
}

/** Output, d(input) and d(grid) of one case on the current backend, all options bilinear/zeros. */
async function outputs(shape: [number, number, number, number]): Promise<Float32Array[]> {
  const [N, H, W, C] = shape;
  const input = tf.tensor4d(values(N * H * W * C, 1), shape);
  const grid = tf.tensor4d(values(N * H * W * 2, 2), [N, H, W, 2]);
  const dy = tf.tensor4d(values(N * H * W * C, 3), shape);
  const out = gridSample(input, grid);
  const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D))([input, grid], dy);
  const result = (await Promise.all([out.data(), dInput!.data(), dGrid!.data()])) as Float32Array[];
  tf.dispose([input, grid, dy, out, dInput!, dGrid!]);
  return result;
}

/** The tasks the workers ran in one GridSampleGrad call (both gradients) of this shape. */
function backwardTasks(shape: [number, number, number, number]): number {
  const [N, H, W, C] = shape;
  const [input, grid, dy] = [tf.ones(shape), tf.zeros([N, H, W, 2]), tf.ones([N, H, W, C])];
  const before = activePool()!.workerTasks;
  const attrs = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false, outputMask: [true, true] };
  tf.dispose([input, grid, dy, ...(tf.engine().runKernel(GridSampleGrad, { dy, input, grid }, attrs as never) as tf.Tensor[])]);
  return activePool()!.workerTasks - before;
}

/** Per backend and case: elements that differ between 1 and 2 threads, and the tasks the workers ran. */
async function threads(backends: string[], shapes: [number, number, number, number][]) {
  await ready();
  // The cpu backend copies its operands and splits only from 2^18 points × channels a thread; these
  // shapes test its split at the in-place heap's threshold, as the wasm backend's.
  splitThresholds.copied = MIN_WORK_PER_THREAD;
  const rows = [];
  for (const backend of backends) {
    if (!(await tf.setBackend(backend))) throw new Error(`${backend} did not start`);
    await useThreads(1);
    const one: Float32Array[][] = [];
    for (const shape of shapes) one.push(await outputs(shape));
    const threadsUsed = await useThreads(2);
    const pool = activePool()!;
    const served = backend === 'wasm' ? pool.serves(wasmMemory(tf.backend())) : true;
    for (const [i, shape] of shapes.entries()) {
      const before = pool.workerTasks;
      const two = await outputs(shape);
      const workerTasks = pool.workerTasks - before;
      const differing = two.reduce((sum, v, k) => sum + v.filter((x, j) => !Object.is(x, one[i]![k]![j])).length, 0);
      rows.push({ backend, shape, threadsUsed, served, workerTasks, backwardTasks: backwardTasks(shape), differing, elements: two.reduce((n, v) => n + v.length, 0) });
    }
    await useThreads(1);
  }
  return rows;
}

(window as unknown as { stn: { run: typeof run; threads: typeof threads } }).stn = { run, threads };
