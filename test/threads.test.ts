/**
 * useThreads(): the cpu kernels split over worker_threads sharing the module's memory. Results are
 * bit-identical for 1 and 2 threads (forward, d(input), d(grid), both; one large image or volume,
 * whose d(input) is scattered in fixed stripes, and batches, split by item or by point; every mode
 * and padding; the cpu heap's copies made task by task);
 * small calls stay on the calling thread; the split module reads and writes nothing past the end
 * of the shared memory; an error in a worker is an error, not a hang; the workers end (a process
 * that used them exits by itself).
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GridSampleGrad, gridSample, useThreads } from '../src/index.js';
import { modeCode, paddingCode } from '../src/kernels/names.js';
import { MIN_WORK_PER_THREAD, MIN_WORK_PER_THREAD_COPIED, dInputStripes, splitThresholds, threadsFor } from '../src/kernels/shared/split.js';
import { compileSharedStnModule, stnExportsFor } from '../src/kernels/shared/stn_module.js';
import { activePool } from '../src/kernels/threads/active.js';
import { WorkerPool } from '../src/kernels/threads/pool.js';
import { forgetResidentInputs } from '../src/kernels/cpu/cpu_backend.js';
import { type SampleOptions, gridSampleReference } from '../src/reference/grid_sample.js';
import { ALL_OPTIONS, expectClose, useBackend } from './helpers.js';

/** A deterministic pseudo-random sequence in [lo, hi). */
function values(length: number, seed: number, lo: number, hi: number): Float32Array {
  let s = seed >>> 0;
  return Float32Array.from({ length }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return lo + ((s >>> 8) / 2 ** 24) * (hi - lo);
  });
}

const workerTasks = () => activePool()?.workerTasks ?? 0;
type Masks = [boolean, boolean];
const MASKS: Masks[] = [[true, true], [true, false], [false, true]];

interface Shapes { input: number[]; grid: number[] }
// One image (and one volume) with enough points for d(input)'s stripes; batches: d(input) split by
// item; the forward and d(grid) by point where the items do not divide evenly (N = 3), else by item (N = 4, 2).
const LARGE_IMAGE: Shapes = { input: [1, 96, 112, 3], grid: [1, 256, 256, 2] };
const BATCH: Shapes = { input: [3, 40, 52, 5], grid: [3, 64, 96, 2] };
const EVEN_BATCH: Shapes = { input: [4, 40, 52, 5], grid: [4, 64, 96, 2] };
// Four channels (RGBA) take a kernel path of their own (rgbaInside), striped and by item.
const LARGE_RGBA: Shapes = { input: [1, 96, 112, 4], grid: [1, 256, 256, 2] };
const RGBA_BATCH: Shapes = { input: [3, 40, 52, 4], grid: [3, 64, 96, 2] };
const LARGE_VOLUME: Shapes = { input: [1, 32, 40, 48, 1], grid: [1, 40, 40, 41, 3] };
const VOLUME_BATCH: Shapes = { input: [3, 12, 14, 16, 2], grid: [3, 20, 24, 28, 3] };
const EVEN_VOLUME_BATCH: Shapes = { input: [2, 12, 14, 16, 2], grid: [2, 24, 28, 32, 3] };
const size = (shape: number[]) => shape.reduce((a, b) => a * b);

/**
 * NaN in every float of the pool's memory (when threads are on): a kernel that read an operand
 * its spans never copied in would read NaN there, not the same values left by the call before.
 */
function poisonPoolMemory(): void {
  const pool = activePool();
  if (pool) new Float32Array(pool.memory.buffer).fill(NaN);
  forgetResidentInputs();
}

/** Forward and GridSampleGrad with each outputMask, every value read back; the pool's memory poisoned before each call. */
function runAll(s: Shapes, o: SampleOptions): Float32Array[] {
  const x = tf.tensor<tf.Rank>(values(size(s.input), 1, -1, 1), s.input) as tf.Tensor4D;
  // Past the edges, so every padding rule is exercised; a NaN now and then.
  const gridValues = values(size(s.grid), 2, -1.3, 1.3);
  for (let i = 7; i < gridValues.length; i += 997) gridValues[i] = NaN;
  const g = tf.tensor<tf.Rank>(gridValues, s.grid) as tf.Tensor4D;
  const outShape = [...s.grid.slice(0, -1), s.input[s.input.length - 1]!];
  const dy = tf.tensor(values(size(outShape), 3, -1, 1), outShape);
  poisonPoolMemory();
  const out = gridSample(x, g, o);
  const grads = MASKS.map((outputMask) => {
    poisonPoolMemory();
    return tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...o, outputMask }) as tf.Tensor[];
  });
  const result = [out, ...grads.flat()].map((t) => t.dataSync() as Float32Array);
  tf.dispose([x, g, dy, out, ...grads.flat()]);
  return result;
}

function expectSameBits(a: Float32Array[], b: Float32Array[]): void {
  expect(b.length).toBe(a.length);
  for (const [i, v] of a.entries()) {
    expect(Buffer.from(b[i]!.buffer).equals(Buffer.from(v.buffer)), `result ${i} differs`).toBe(true);
  }
}

describe('the module on a shared memory (the pool\'s; tfjs-wasm\'s threaded build)', () => {
  // First in the file: nothing has compiled the shared-memory build yet.
  it('is a clear error before the shared-memory build is compiled, and runs once it is', async () => {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 4, shared: true });
    expect(() => stnExportsFor(memory)).toThrow(/memory is shared .* await ready\(\) before the first call/);
    await compileSharedStnModule();
    const f32 = new Float32Array(memory.buffer);
    f32.set([1, 2, 3, 4], 4); // a 2x2 image at byte 16, its centre sampled (grid at byte 64)
    stnExportsFor(memory).gridSample(16, 1, 2, 2, 1, 64, 1, 0, 0, false, false, 128, 0, 0, 0, 0, 1, 0, 1);
    expect(f32[32]).toBe(2.5);
  });
});

describe('how many threads a call takes', () => {
  it('in place, from 2^15 points × channels a thread; copied, from 2^18, a scatter into d(input) counting twice', () => {
    expect([MIN_WORK_PER_THREAD, MIN_WORK_PER_THREAD_COPIED]).toEqual([2 ** 15, 2 ** 18]);
    // [64,28,28,1] (STN-MNIST), [32,64,64,3], [1,512,512,3], [8,128,128,16]: grid points × channels.
    const work = [50_176, 393_216, 786_432, 2_097_152];
    expect(work.map((w) => threadsFor(2, w, false, false))).toEqual([1, 2, 2, 2]);
    expect(work.map((w) => threadsFor(2, w, false, true))).toEqual([1, 2, 2, 2]);
    expect(work.map((w) => threadsFor(2, w, true, false))).toEqual([1, 1, 2, 2]);
    expect(work.map((w) => threadsFor(2, w, true, true))).toEqual([1, 2, 2, 2]);
    expect(threadsFor(1, 2_097_152, true, true)).toBe(1);
    expect(threadsFor(8, 0, false, false)).toBe(1);
  });
});

describe('the cpu backend\'s own thresholds', () => {
  beforeAll(() => useBackend('cpu'));
  afterAll(() => useThreads(1));

  it('a call below 2^18 points × channels a thread stays on one, a larger one splits', async () => {
    await useThreads(2);
    const x = tf.ones([1, 8, 8, 1]) as tf.Tensor4D;
    const tasks = (points: number, grads: boolean) => {
      const g = tf.zeros([1, points, 1024, 2]) as tf.Tensor4D;
      const before = workerTasks();
      const outs = grads ? tf.grads((a: tf.Tensor) => gridSample(a as tf.Tensor4D, g))([x]) : [gridSample(x, g)];
      tf.dispose([g, ...outs]);
      return workerTasks() - before;
    };
    // 131,072 points: forward and d(input) (262,144 counted) on one thread; 1,048,576: both split.
    expect([tasks(128, false), tasks(128, true)]).toEqual([0, 0]);
    expect(tasks(1024, false)).toBeGreaterThanOrEqual(1);
    expect(tasks(1024, true)).toBeGreaterThanOrEqual(2);
    tf.dispose(x);
  });
});

describe('useThreads on the cpu backend', () => {
  // The cpu backend splits from 2^18 points × channels a thread; these calls test the split at the
  // in-place heap's threshold, so that every mode and option runs split on shapes a test can afford.
  beforeAll(() => {
    splitThresholds.copied = MIN_WORK_PER_THREAD;
    return useBackend('cpu');
  });
  afterAll(() => {
    splitThresholds.copied = MIN_WORK_PER_THREAD_COPIED;
    return useThreads(1);
  });

  it('refuses a thread count that is not a positive integer, naming it', async () => {
    for (const bad of [0, -1, 1.5, NaN, 1000]) {
      await expect(useThreads(bad)).rejects.toThrow(/useThreads: threads must be an integer from 1 to 256, got/);
    }
    expect(await useThreads(1)).toBe(1);
    expect(activePool()).toBeUndefined();
  });

  it('the large image and volume take stripes', () => {
    for (const s of [LARGE_IMAGE, LARGE_RGBA, LARGE_VOLUME]) expect(dInputStripes(1, size(s.input.slice(1, -1)), size(s.grid.slice(1, -1)))).toBe(2);
  });

  const cases = {
    'one large image': LARGE_IMAGE, 'a batch of 3 images': BATCH, 'a batch of 4 images': EVEN_BATCH, 'one large RGBA image': LARGE_RGBA,
    'a batch of 3 RGBA images': RGBA_BATCH, 'one large volume': LARGE_VOLUME, 'a batch of 3 volumes': VOLUME_BATCH,
    'a batch of 2 volumes': EVEN_VOLUME_BATCH,
  };
  for (const [name, shapes] of Object.entries(cases)) {
    it.each(ALL_OPTIONS)(`${name}: 1 and 2 threads give the same bits, forward and every gradient: %o`, async (o) => {
      await useThreads(1);
      const one = runAll(shapes, o);
      expect(await useThreads(2)).toBe(2);
      const before = workerTasks();
      const two = runAll(shapes, o);
      // Forward, and each of the three gradient calls, was split.
      expect(workerTasks() - before).toBeGreaterThanOrEqual(4);
      expectSameBits(one, two);
    });
  }

  it('the striped d(input) of one large image agrees with the reference', async () => {
    await useThreads(2);
    const s = LARGE_IMAGE;
    const o: SampleOptions = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false };
    const input = values(size(s.input), 1, -1, 1);
    const grid = values(size(s.grid), 2, -1.3, 1.3);
    const dyValues = values(size(s.grid.slice(0, -1)) * s.input[3]!, 3, -1, 1);
    const x = tf.tensor(input, s.input);
    const g = tf.tensor(grid, s.grid);
    const dy = tf.tensor(dyValues, [...s.grid.slice(0, -1), s.input[3]!]);
    const [dInput, dGrid] = tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...o }) as tf.Tensor[];
    const want = gridSampleReference(input, s.input, grid, s.grid, o, dyValues);
    // d(grid) is not striped (and jumps where float32 and float64 put a coordinate on either side of a pixel).
    expectClose(dInput!.dataSync(), want.dInput!, 'dInput');
    tf.dispose([x, g, dy, dInput!, dGrid!]);
  });

  it('empty grids and empty images: the same results as one thread, with every outputMask', async () => {
    const shapes: Shapes[] = [
      { input: [2, 6, 7, 3], grid: [2, 0, 5, 2] }, { input: [2, 0, 7, 3], grid: [2, 4, 5, 2] }, { input: [0, 6, 7, 3], grid: [0, 4, 5, 2] },
      { input: [2, 4, 5, 6, 2], grid: [2, 3, 0, 4, 3] },
    ];
    for (const s of shapes) {
      await useThreads(1);
      const one = runAll(s, ALL_OPTIONS[0]!);
      await useThreads(2);
      expectSameBits(one, runAll(s, ALL_OPTIONS[0]!));
    }
  });

  it('small calls stay on the calling thread', async () => {
    await useThreads(2);
    const before = workerTasks();
    const x = tf.ones([2, 8, 8, 1]) as tf.Tensor4D;
    const g = tf.zeros([2, 8, 8, 2]) as tf.Tensor4D;
    const [out, dx, dg] = [gridSample(x, g), ...tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D))([x, g])];
    expect(Array.from(out!.dataSync())).toEqual(new Array(128).fill(1));
    expect(workerTasks()).toBe(before);
    tf.dispose([x, g, out!, dx!, dg!]);
  });

  it('useThreads(1) ends the workers and the kernels run on one thread again', async () => {
    await useThreads(2);
    const one = runAll(BATCH, ALL_OPTIONS[0]!);
    expect(await useThreads(1)).toBe(1);
    expect(activePool()).toBeUndefined();
    expectSameBits(one, runAll(BATCH, ALL_OPTIONS[0]!));
  });
});

describe('the wasm backend (one thread) runs the same stripes', () => {
  it('one large image: the same bits as the cpu backend on 2 threads, and the stripe buffer is freed', async () => {
    const o: SampleOptions = { mode: 'bilinear', paddingMode: 'border', alignCorners: false };
    await useBackend('cpu');
    await useThreads(2);
    const cpu = runAll(LARGE_IMAGE, o);
    await useThreads(1);
    await useBackend('wasm');
    runAll(LARGE_IMAGE, o);
    const [before, dataIds] = [tf.memory(), tf.backend().numDataIds()];
    const wasm = runAll(LARGE_IMAGE, o);
    expect(tf.memory()).toEqual(before);
    expect(tf.backend().numDataIds()).toBe(dataIds);
    expectSameBits(cpu, wasm);
    await useBackend('cpu');
  });
});

describe('the split module at the end of the shared memory', () => {
  // A small image (and, in the other case, the output) ending at the last byte of the shared
  // memory, its 80 points split into two tasks: the calling thread's and a worker's. A read or
  // write past the end traps, which would come back as an error.
  const [H, W] = [3, 4];
  const count = 80;
  const axis = (n: number) => Array.from({ length: n }, (_, i) => -1.2 + (2.4 * i) / (n - 1));
  const gridValues = axis(10).flatMap((y) => axis(8).flatMap((x) => [x, y]));
  const GRID = 1024;

  beforeAll(() => useThreads(2));
  afterAll(() => useThreads(1));

  it.each(ALL_OPTIONS.flatMap((o) => [1, 3, 4, 5].flatMap((C) => ['input', 'output'].map((atEnd) => ({ ...o, C, atEnd })))))(
    'reads and writes nothing outside its buffers: %o', ({ C, atEnd, ...o }) => {
      const pool = activePool()!;
      const end = pool.memory.buffer.byteLength;
      const f32 = new Float32Array(pool.memory.buffer);
      const inputValues = Array.from({ length: H * W * C }, (_, i) => 1 + i);
      const [inputAt, outAt] = atEnd === 'input' ? [end - inputValues.length * 4, 8192] : [16384, end - count * C * 4];
      f32.set(inputValues, inputAt / 4);
      f32.set(gridValues, GRID / 4);
      const want = gridSampleReference(inputValues, [1, H, W, C], gridValues, [1, count, 1, 2], o);
      const call = (range: [number, number]) => [inputAt, 1, H, W, C, GRID, count, modeCode(o.mode), paddingCode(o.paddingMode),
        +o.alignCorners, 0, outAt, 0, 0, 0, 0, 1, ...range];
      const before = pool.workerTasks;
      pool.run('gridSample', [call([0, 40]), call([40, 80])]);
      // The first task is the worker's own.
      expect(pool.workerTasks).toBeGreaterThanOrEqual(before + 1);
      expectClose(f32.slice(outAt / 4, outAt / 4 + count * C), want.output, 'output');
    });

  it('calls the hooks on the calling thread: before each task in order, before any of its own; after each exactly once, when it is done', () => {
    const pool = activePool()!;
    const call = (range: [number, number]) => [16384, 1, H, W, 1, GRID, count, 0, 0, 0, 0, 8192, 0, 0, 0, 0, 1, ...range];
    for (const tasks of [2, 20]) {
      const seen: string[] = [];
      const ranges = Array.from({ length: tasks }, (_, i): [number, number] => [4 * i, 4 * i + 4]);
      pool.run('gridSample', ranges.map(call), pool.memory, {
        before: (task) => seen.push(`before ${task}`),
        after: (task) => {
          // The task's output is there when its after() runs.
          expect(new Float32Array(pool.memory.buffer, 8192 + 16 * task, 4).every(Number.isFinite)).toBe(true);
          seen.push(`after ${task}`);
        },
      });
      // The cpu heap copies each task's inputs in before it is ready, and its outputs out once it is done.
      expect(seen.slice(0, tasks)).toEqual(ranges.map((_, i) => `before ${i}`));
      expect(seen.slice(tasks).sort()).toEqual(ranges.map((_, i) => `after ${i}`).sort());
    }
  });

  /**
   * Runs `tasks` tasks of 4 points each on `pool` (at most `threads` threads), nearest samples of a
   * 1 x 600 ramp at pixel centres (output[i] = i), checks every task ran once with the right output;
   * returns the tasks the workers ran.
   */
  const rampRun = (pool: WorkerPool, tasks: number, threads?: number) => {
    const points = 600;
    const [INPUT, GRID_AT, OUT] = [1 << 16, 1 << 18, 1 << 20];
    const missing = OUT + 4 * points - pool.memory.buffer.byteLength;
    if (missing > 0) pool.memory.grow(Math.ceil(missing / 65536));
    const f32 = new Float32Array(pool.memory.buffer);
    f32.set(Array.from({ length: points }, (_, i) => i), INPUT / 4);
    f32.set(Array.from({ length: points }, (_, i) => [(2 * i + 1) / points - 1, 0]).flat(), GRID_AT / 4);
    f32.fill(-1, OUT / 4, OUT / 4 + points);
    const before = pool.workerTasks;
    const afters = new Array<number>(tasks).fill(0);
    const ranges = Array.from({ length: tasks }, (_, i): [number, number] => [i * 4, i * 4 + 4]);
    pool.run('gridSample', ranges.map((r) => [INPUT, 1, 1, points, 1, GRID_AT, tasks * 4, modeCode('nearest'), 0, 0, 0, OUT, 0, 0, 0, 0, 1, ...r]), pool.memory, {
      before: () => {}, after: (task) => afters[task]!++,
    }, threads);
    expect(afters.every((n) => n === 1)).toBe(true);
    expect(Array.from(f32.subarray(OUT / 4, OUT / 4 + tasks * 4))).toEqual(Array.from({ length: tasks * 4 }, (_, i) => i));
    return pool.workerTasks - before;
  };

  it('runs every task of a long list once, in runs of the control block\'s size, whichever thread takes it', () => {
    const pool = activePool() as WorkerPool;
    // 150 tasks: over two runs' worth.
    expect(rampRun(pool, 150)).toBeGreaterThanOrEqual(3);
    // Many short runs back to back: a worker that wakes late never takes a later run's task for an earlier one's.
    for (let i = 0; i < 2000; i++) rampRun(pool, 2 + (i % 5));
  });

  it('takes at most the threads a run allows: one runs every task on the calling thread', async () => {
    expect(rampRun(activePool() as WorkerPool, 12, 1)).toBe(0);
    const three = await WorkerPool.start(3);
    try {
      // Each worker a task of its own, the second one only where three threads are allowed.
      expect(rampRun(three, 12, 3)).toBeGreaterThanOrEqual(2);
      expect(rampRun(three, 12, 2)).toBeGreaterThanOrEqual(1);
      expect(rampRun(three, 12, 1)).toBe(0);
      for (let i = 0; i < 500; i++) rampRun(three, 2 + (i % 9), 1 + (i % 3));
    } finally {
      await three.stop();
    }
  });

  it('hands each task on as it ends, not in task order: a worker\'s quick task before another\'s long one', async () => {
    const three = await WorkerPool.start(3);
    try {
      // Task 0 (the first worker's own) samples 2^22 points, task 1 (the second's) 2^18, task 2 (the caller's) 4.
      const [long, medium] = [1 << 22, 1 << 18];
      const [INPUT, GRID_AT, OUT] = [1 << 16, 1 << 20, (1 << 20) + long * 8];
      three.memory.grow(Math.ceil((OUT + long * 4 - three.memory.buffer.byteLength) / 65536));
      const f32 = new Float32Array(three.memory.buffer);
      f32.fill(1, INPUT / 4, INPUT / 4 + 64);
      f32.fill(0, GRID_AT / 4, GRID_AT / 4 + long * 2);
      const call = (range: [number, number]) => [INPUT, 1, 8, 8, 1, GRID_AT, long, 0, 0, 0, 0, OUT, 0, 0, 0, 0, 1, ...range];
      // The first run of a new pool compiles the module's functions as they are first called: its order is not checked.
      for (let i = -1; i < 5; i++) {
        const after: number[] = [];
        f32.fill(-1, OUT / 4, OUT / 4 + long);
        three.run('gridSample', [call([0, long - medium - 4]), call([long - medium - 4, long - 4]), call([long - 4, long])], three.memory, {
          before: () => {}, after: (task) => after.push(task),
        });
        // The second worker's task as soon as it ends, long before the first's (in task order it
        // would wait for task 0); the caller's own between its own tasks, whenever it gets there.
        if (i >= 0) expect(after.filter((task) => task !== 2)).toEqual([1, 0]);
        expect(f32.subarray(OUT / 4, OUT / 4 + long).every((v) => v === 1)).toBe(true);
      }
    } finally {
      await three.stop();
    }
  });

  /** The pool, and a task sampling an [8, 8, 4] image at `inputAt` at its centre: 16 bytes before the end of the memory, its reads trap. */
  const trapping = () => {
    const pool = activePool()!;
    new Float32Array(pool.memory.buffer).fill(0, 1024 / 4, 1024 / 4 + 8);
    const call = (inputAt: number) => [inputAt, 1, 8, 8, 4, 1024, 4, 0, 0, 0, 0, 8192, 0, 0, 0, 0, 1, 0, 4];
    return { pool, end: pool.memory.buffer.byteLength, call };
  };

  it('an error in a worker comes back as an error, and the pool works on', () => {
    // The first task (a worker's own) traps.
    const { pool, end, call } = trapping();
    const after: number[] = [];
    const hooks = { before: () => {}, after: (task: number) => after.push(task) };
    expect(() => pool.run('gridSample', [call(end - 16), call(16384)], pool.memory, hooks)).toThrow(/kernel worker failed: RuntimeError: memory access out of bounds/);
    // Nothing is copied out of the failed task (nor, once the failure is seen, of any other).
    expect(after).not.toContain(0);
    expect(() => pool.run('gridSample', [call(16384), call(32768)])).not.toThrow();
  });

  it('an error on the calling thread: no task starts after it, the ones started are waited for, and the pool works on', () => {
    const { pool, end, call } = trapping();
    // A hook that throws before the fourth task is ready: the tasks after it never run.
    const after: number[] = [];
    const failing = { before: (task: number) => { if (task === 3) throw new Error('before 3'); }, after: (task: number) => after.push(task) };
    expect(() => pool.run('gridSample', Array.from({ length: 8 }, () => call(16384)), pool.memory, failing)).toThrow('before 3');
    expect(after.every((task) => task < 3)).toBe(true);
    // The calling thread's own task traps (tasks 1.. are taken by whichever thread comes first; every one traps).
    expect(() => pool.run('gridSample', [call(16384), ...Array.from({ length: 6 }, () => call(end - 16))])).toThrow(/memory access out of bounds/);
    expect(() => pool.run('gridSample', [call(16384), call(32768), call(16384)])).not.toThrow();
  });
});

describe('the workers never keep a process alive', () => {
  it('a process that used 2 threads and never turned them off exits by itself', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs-core';
      import '@tensorflow/tfjs-backend-cpu';
      import { gridSample, useThreads } from './src/index.ts';
      await tf.setBackend('cpu');
      console.log('threads', await useThreads(2));
      const out = gridSample(tf.ones([4, 64, 64, 8]), tf.zeros([4, 64, 64, 2]));
      console.log('sum', tf.sum(out).dataSync()[0]);
    `;
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: join(__dirname, '..'), encoding: 'utf8', timeout: 60_000,
    });
    expect(run.error).toBeUndefined();
    expect(run.stdout).toContain('threads 2');
    expect(run.stdout).toContain(`sum ${4 * 64 * 64 * 8}`);
    expect(run.status).toBe(0);
  });
});
