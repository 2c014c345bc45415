/**
 * The fallback for backends without kernels of their own: tfjs-node's 'tensorflow' gets it on
 * import (tfjs-node itself cannot be installed here: its install downloads binaries), any other
 * backend through useFallbackKernels(name). It is tested on a small backend this file registers:
 * plain Float32Arrays in a Map, the KernelBackend methods the engine calls and one kernel
 * (Identity, which tf.grads uses), so everything the ops do on it is the fallback's. A backend the package does not serve gets an
 * error naming it, the served backends, and what to do.
 */
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AffineGrid, GridSample, GridSampleGrad, affineGrid, gridSample, useFallbackKernels } from '../src/index.js';
import { type AffineGridFixture, type GridSampleFixture, expectClose, expectGridSampleFixture, loadFixtures, useBackend } from './helpers.js';
import { expectMasksAgree, maskCases } from './mask_support.js';

/** A minimal tfjs backend: data in a Map, no kernels. `reads` counts readSync calls. */
class ToyBackend extends tf.KernelBackend {
  readonly data = new Map<tf.DataId, { values: tf.backend_util.BackendValues; refCount: number }>();
  reads = 0;
  constructor(private readonly refuseReads = false) {
    super();
  }
  override write(values: tf.backend_util.BackendValues | null, shape: number[], dtype: tf.DataType): tf.DataId {
    const dataId = {};
    this.data.set(dataId, { values: values ?? tf.util.getTypedArrayFromDType(dtype as 'float32', tf.util.sizeFromShape(shape)), refCount: 1 });
    return dataId;
  }
  override move(dataId: tf.DataId, values: tf.backend_util.BackendValues, _shape: number[], _dtype: tf.DataType, refCount: number): void {
    this.data.set(dataId, { values, refCount });
  }
  override readSync(dataId: tf.DataId): tf.backend_util.BackendValues {
    if (this.refuseReads) throw new Error('this backend cannot read synchronously');
    this.reads++;
    return this.data.get(dataId)!.values;
  }
  override async read(dataId: tf.DataId): Promise<tf.backend_util.BackendValues> {
    return this.data.get(dataId)!.values;
  }
  override disposeData(dataId: tf.DataId, force = false): boolean {
    const d = this.data.get(dataId);
    if (d && !force && --d.refCount > 0) return false;
    this.data.delete(dataId);
    return true;
  }
  override refCount(dataId: tf.DataId): number {
    return this.data.get(dataId)?.refCount ?? 0;
  }
  override incRef(dataId: tf.DataId): void {
    this.data.get(dataId)!.refCount++;
  }
  override numDataIds(): number {
    return this.data.size;
  }
  override memory(): { unreliable: boolean } {
    return { unreliable: false };
  }
  override floatPrecision(): 32 {
    return 32;
  }
  override timerAvailable(): boolean {
    return false;
  }
  override dispose(): void {}
}

const toy = new ToyBackend();
tf.registerBackend('toy', () => toy, -1);
// The one kernel of its own: tf.grads clones its result with Identity, as every backend has it.
tf.registerKernel({
  kernelName: tf.Identity, backendName: 'toy',
  kernelFunc: ({ inputs: { x }, backend }) => {
    (backend as ToyBackend).incRef(x!.dataId);
    return { dataId: x!.dataId, shape: x!.shape, dtype: x!.dtype };
  },
});
tf.registerBackend('toy-unserved', () => new ToyBackend(), -1);
tf.registerBackend('toy-no-sync-reads', () => new ToyBackend(true), -1);

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const volumeCases = loadFixtures<GridSampleFixture>('grid_sample_3d.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');

describe('the fallback kernels', () => {
  beforeAll(() => useFallbackKernels('toy'));
  afterAll(() => useBackend('cpu'));

  it("are registered for tfjs-node's 'tensorflow' on import", () => {
    for (const kernel of [AffineGrid, GridSample, GridSampleGrad]) expect(tf.getKernel(kernel, 'tensorflow')).toBeDefined();
  });

  it('leave the native kernels alone: useFallbackKernels of a native backend does nothing', () => {
    const before = ['cpu', 'wasm', 'webgpu', 'webgl'].map((b) => tf.getKernel(GridSample, b)?.kernelFunc);
    for (const b of ['cpu', 'wasm', 'webgpu', 'webgl']) useFallbackKernels(b);
    expect(['cpu', 'wasm', 'webgpu', 'webgl'].map((b) => tf.getKernel(GridSample, b)?.kernelFunc)).toEqual(before);
  });

  it(`run every gridSample fixture forward and backward on a backend of the tests' own (${sampleCases.length} fixtures)`, async () => {
    await useBackend('toy');
    for (const c of sampleCases) await expectGridSampleFixture(c);
    expect(toy.reads).toBeGreaterThan(0);
  });

  it(`run the volume fixtures too (${volumeCases.length}, forward and backward): the shared kernels take either rank`, async () => {
    await useBackend('toy');
    for (const c of volumeCases) await expectGridSampleFixture(c);
  });

  it(`run every affineGrid fixture there (${affineCases.length} fixtures; its gradient is tfjs ops the toy backend lacks)`, async () => {
    await useBackend('toy');
    for (const c of affineCases) {
      const theta = tf.tensor3d(c.theta, [c.size[0], 2, 3]);
      const grid = affineGrid(theta, c.size, c.alignCorners);
      expectClose(await grid.data(), c.grid, `${c.name}: grid`);
      tf.dispose([theta, grid]);
    }
  });

  it.each(maskCases(500).filter((_, i) => i % 9 === 0))('honour outputMask, as the cpu kernels do: %s', async (_, c) => {
    await useBackend('toy');
    await expectMasksAgree(c);
  });

  it('free what they make: the backend holds no more data after forward and backward passes', async () => {
    await useBackend('toy');
    const input = tf.ones([1, 4, 5, 2]) as tf.Tensor4D;
    const grid = tf.zeros([1, 3, 3, 2]) as tf.Tensor4D;
    const dy = tf.ones([1, 3, 3, 2]) as tf.Tensor4D;
    const before = toy.numDataIds();
    for (let i = 0; i < 5; i++) {
      tf.dispose(gridSample(input, grid));
      tf.dispose(tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D))([input, grid], dy));
    }
    expect(toy.numDataIds()).toBe(before);
    tf.dispose([input, grid, dy]);
  });
});

describe('a backend stn-layer does not serve', () => {
  afterAll(() => useBackend('cpu'));

  it('gets an error naming it, the served backends and what to do', async () => {
    await useBackend('toy-unserved');
    const message = /gridSample: stn-layer has no kernels for the 'toy-unserved' backend; it serves 'cpu', 'wasm', 'webgpu', 'webgl', 'tensorflow'.*useFallbackKernels\('toy-unserved'\).*tf\.setBackend\('wasm'\)/;
    expect(() => gridSample(tf.ones([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2]))).toThrow(message);
    expect(() => affineGrid(tf.zeros([1, 2, 3]), [1, 2, 2, 1])).toThrow(/affineGrid: stn-layer has no kernels for the 'toy-unserved' backend/);
  });

  it('that cannot read synchronously gets an error naming it when the fallback runs', async () => {
    useFallbackKernels('toy-no-sync-reads');
    await useBackend('toy-no-sync-reads');
    expect(() => gridSample(tf.ones([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2]))).toThrow(/readSync, which the 'toy-no-sync-reads' backend refused/);
  });

  it('useFallbackKernels refuses a name that is not one', () => {
    expect(() => useFallbackKernels('')).toThrow(TypeError);
    expect(() => useFallbackKernels(3 as unknown as string)).toThrow(/useFallbackKernels: 'backendName' must be a backend's name/);
  });
});
