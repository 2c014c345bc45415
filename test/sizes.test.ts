/**
 * Sizes beyond what WebAssembly can address give a clear RangeError, not a crash, a write at a
 * wrapped-around offset, or a leaked allocation; the backend keeps working afterwards.
 *
 * The limits (32-bit WebAssembly: 65536 pages of 64 KiB):
 * - cpu backend: the operands of one kernel call (inputs and outputs, each rounded up to 16 bytes)
 *   share one WebAssembly memory of at most 4 GiB.
 * - wasm backend: every live wasm tensor shares tfjs-wasm's heap of at most 4 GiB - 64 KiB; an
 *   output must fit in what is free of it.
 * - webgpu: each output must fit in one buffer: device.limits.maxBufferSize and
 *   maxStorageBufferBindingSize (1 GiB on SwiftShader).
 * The tests reach past them with tiny inputs (a wide channel dimension or a large outputSize), so
 * nothing here allocates more than a few MiB.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineGrid, gridSample } from '../src/index.js';
import { cpuHeap, cpuStnMemoryBytes } from '../src/kernels/cpu/cpu_backend.js';
import { wasmHeap, wasmMemory } from '../src/kernels/wasm/wasm_backend.js';
import { webgpuBackend } from '../src/kernels/webgpu/webgpu_backend.js';
import { gridSampleReference } from '../src/reference/grid_sample.js';
import { CPU_BACKENDS, expectClose, useBackend } from './helpers.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

const GiB = 2 ** 30;
const TOO_LARGE = /stn-layer: .*(does not fit in the wasm backend's memory|WebAssembly memory for its operands).*4 GiB/;

/** The backend's own count of buffers: an allocation the engine never saw shows up here. */
const backendDataIds = () => tf.backend().numDataIds();

/** Runs a call that must fail for size, and checks that it left nothing behind. */
function expectTooLarge(call: () => unknown): void {
  const tensors = tf.memory().numTensors;
  const dataIds = backendDataIds();
  expect(call).toThrow(RangeError);
  expect(call).toThrow(TOO_LARGE);
  expect(tf.memory().numTensors).toBe(tensors);
  expect(backendDataIds()).toBe(dataIds);
}

/** A small call whose result is checked against the reference: the backend still works. */
async function expectStillWorks(): Promise<void> {
  const input = Array.from({ length: 2 * 3 * 4 * 2 }, (_, i) => (i * 7) % 11);
  const grid = Array.from({ length: 2 * 2 * 3 * 2 }, (_, i) => ((i * 5) % 9) / 4 - 1);
  const o = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
  const out = gridSample(tf.tensor4d(input, [2, 3, 4, 2]), tf.tensor4d(grid, [2, 2, 3, 2]), o);
  expectClose(await out.data(), gridSampleReference(input, [2, 3, 4, 2], grid, [2, 2, 3, 2], o).output, 'after the error');
  tf.dispose(out);
}

for (const backend of CPU_BACKENDS) {
  describe(`${backend} backend`, () => {
    beforeAll(() => useBackend(backend));

    it('gridSample: an output over 4 GiB from a 4 MiB input is refused', async () => {
      // [1, 1, 1, 2^20] sampled at 32 x 64 points: an output of 2^31 floats, 8 GiB (and exactly 0
      // modulo 2^32, where a wrapped size would look like an empty allocation).
      const input = tf.zeros([1, 1, 1, 2 ** 20]) as tf.Tensor4D;
      const grid = tf.zeros([1, 32, 64, 2]) as tf.Tensor4D;
      expectTooLarge(() => gridSample(input, grid));
      // 4 GiB + 4 MiB: wraps to a small size that malloc would happily give.
      const grid2 = tf.zeros([1, 1, 1025, 2]) as tf.Tensor4D;
      expectTooLarge(() => gridSample(input, grid2, { mode: 'nearest' }));
      tf.dispose([input, grid, grid2]);
      await expectStillWorks();
    });

    it('affineGrid: outputs of exactly 4 GiB, 8 GiB and 2^63 bytes are refused', async () => {
      const theta = tf.tensor3d([1, 0, 0, 0, 1, 0], [1, 2, 3]);
      expectTooLarge(() => affineGrid(theta, [1, 32768, 16384, 1]));
      expectTooLarge(() => affineGrid(theta, [1, 32768, 32768, 3]));
      expectTooLarge(() => affineGrid(theta, [1, 2 ** 30, 2 ** 30, 1]));
      tf.dispose(theta);
      await expectStillWorks();
    });

    it('volumes: gridSample and affineGrid outputs over 4 GiB are refused, and the backend keeps working', async () => {
      // [1, 1, 1, 1, 2^20] sampled at 2 x 32 x 32 points: an output of 2^31 floats, 8 GiB.
      const input = tf.zeros([1, 1, 1, 1, 2 ** 20]) as tf.Tensor5D;
      const grid = tf.zeros([1, 2, 32, 32, 3]) as tf.Tensor5D;
      expectTooLarge(() => gridSample(input, grid));
      expectTooLarge(() => gridSample(input, grid, { mode: 'bicubic' }));
      const theta = tf.tensor3d([1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0], [1, 3, 4]);
      // 2^30 points of 3 floats: 12 GiB; and one of 2^63 bytes.
      expectTooLarge(() => affineGrid(theta, [1, 1024, 1024, 1024, 1]));
      expectTooLarge(() => affineGrid(theta, [1, 2 ** 20, 2 ** 20, 2 ** 20, 1]));
      tf.dispose([input, grid, theta]);
      await expectStillWorks();
    });

    it('the error names the shape or the bytes needed', () => {
      const theta = tf.tensor3d([1, 0, 0, 0, 1, 0], [1, 2, 3]);
      const want = backend === 'wasm' ? /output of shape \[1, 32768, 32768, 2\] \(8589934592 bytes\)/ : /needs 8589934640 bytes/;
      expect(() => affineGrid(theta, [1, 32768, 32768, 1])).toThrow(want);
      tf.dispose(theta);
    });
  });
}

describe('wasm heap: the guard itself', () => {
  beforeAll(() => useBackend('wasm'));

  it('an output malloc cannot give (4 GiB - 16 bytes) is refused, and outputs already made are freed', () => {
    const memoryBytes = wasmMemory(tf.backend()).buffer.byteLength;
    const dataIds = backendDataIds();
    const heap = wasmHeap(tf.backend());
    heap.output([4, 4]);
    expect(backendDataIds()).toBe(dataIds + 1);
    // 2^30 - 4 floats: below 2^32 bytes, so no wrap-around; more than the heap can ever hold.
    expect(() => heap.output([1, 1, 2 ** 28 - 1, 4])).toThrow(/does not fit in the wasm backend's memory/);
    expect(backendDataIds()).toBe(dataIds);
    // malloc refused it without growing the heap.
    expect(wasmMemory(tf.backend()).buffer.byteLength).toBe(memoryBytes);
  });

  it('an output whose size wraps past 2^32 is refused, not given a small block', () => {
    const dataIds = backendDataIds();
    const heap = wasmHeap(tf.backend());
    expect(() => heap.output([GiB + 16])).toThrow(/\(4294967360 bytes\) does not fit/);
    expect(backendDataIds()).toBe(dataIds);
  });
});

describe('cpu heap: the guard itself', () => {
  beforeAll(() => useBackend('cpu'));

  it('operands that need more than 4 GiB in all are refused before anything is copied, and the memory stays as it was', async () => {
    await expectStillWorks();
    const before = cpuStnMemoryBytes();
    expect(before).toBeGreaterThan(0);
    // Each part fits on its own; together they do not (a backward pass with 1.5 GiB operands).
    const heap = cpuHeap(tf.backend());
    for (let i = 0; i < 3; i++) heap.output([1.5 * GiB / 4]);
    expect(() => heap.place()).toThrow(/needs \d+ bytes of WebAssembly memory for its operands; the cpu kernels can address at most 4 GiB/);
    expect(cpuStnMemoryBytes()).toBe(before);
    await expectStillWorks();
  });

  it('place() puts in place every input made before it, also those made after an earlier place()', async () => {
    const a = tf.tensor1d([1, 2, 3]);
    const b = tf.tensor1d([4, 5]);
    const heap = cpuHeap(tf.backend());
    const pa = heap.input(a);
    heap.place();
    const pb = heap.input(b);
    const outA = heap.output([3]);
    const outB = heap.output([2]);
    // placeNHWC with no shift copies [1, 1, W, 1] as it is: the module reads what place() put there.
    const stn = heap.place();
    stn.placeNHWC(pa, 1, 1, 3, 1, outA, 1, 3, 0, 0);
    stn.placeNHWC(pb, 1, 1, 2, 1, outB, 1, 2, 0, 0);
    const [gotA, gotB] = heap.finish().map((info) => tf.engine().makeTensorFromTensorInfo(info));
    expect(Array.from(await gotA!.data())).toEqual([1, 2, 3]);
    expect(Array.from(await gotB!.data())).toEqual([4, 5]);
    tf.dispose([a, b, gotA!, gotB!]);
  });
});

const gpu = await requireWebGPU();

describe.skipIf(!gpu)('webgpu backend', () => {
  beforeAll(() => useBackend('webgpu'));

  it("an output larger than the device's largest buffer is refused before anything runs", async () => {
    const { maxBufferSize, maxStorageBufferBindingSize } = webgpuBackend(tf.backend()).device.limits;
    const limit = Math.min(maxBufferSize, maxStorageBufferBindingSize);
    // [1, 1, 1, 2^16] sampled at enough points that the output is just over the limit.
    const C = 2 ** 16;
    const points = Math.floor(limit / (4 * C)) + 1;
    const input = tf.zeros([1, 1, 1, C]) as tf.Tensor4D;
    const grid = tf.zeros([1, 1, points, 2]) as tf.Tensor4D;
    const tensors = tf.memory().numTensors;
    await withGPUErrorScopes(async () => {
      expect(() => gridSample(input, grid)).toThrow(RangeError);
      expect(() => gridSample(input, grid)).toThrow(/larger than this WebGPU device's largest buffer/);
    });
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([input, grid]);
    await expectStillWorks();
  });

  it("volumes: an output larger than the device's largest buffer is refused too", async () => {
    const { maxBufferSize, maxStorageBufferBindingSize } = webgpuBackend(tf.backend()).device.limits;
    const limit = Math.min(maxBufferSize, maxStorageBufferBindingSize);
    const C = 2 ** 16;
    const points = Math.floor(limit / (4 * C)) + 1;
    const input = tf.zeros([1, 1, 1, 1, C]) as tf.Tensor5D;
    const grid = tf.zeros([1, 1, 1, points, 3]) as tf.Tensor5D;
    const tensors = tf.memory().numTensors;
    await withGPUErrorScopes(async () => {
      expect(() => gridSample(input, grid, { mode: 'bicubic' })).toThrow(/larger than this WebGPU device's largest buffer/);
    });
    expect(tf.memory().numTensors).toBe(tensors);
    tf.dispose([input, grid]);
    await expectStillWorks();
  });
});
