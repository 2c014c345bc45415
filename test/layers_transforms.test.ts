/**
 * The SpatialTransformer layer's projective, tps and flow transforms (rows of src/layers/transforms.ts)
 * on cpu, wasm and webgpu (skipped loudly without an adapter, failing under CI): the layer equals gridSample of the grid generator, the spatialTransformer factory
 * starts at each transform's identity, model.fit moves its head, and save -> load gives
 * bit-identical predictions. flow is a layer only (no Dense head makes a dense field).
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { flowGrid, gridSample, projectiveGrid, tpsGrid } from '../src/index.js';
import { SpatialTransformer, spatialTransformer } from '../src/layers/index.js';
import { CPU_BACKENDS, useBackend } from './helpers.js';
import { C, H, W, localization, saveToMemory, trainingData, values } from './layers_support.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

const gpu = await requireWebGPU();
const BACKENDS = [...CPU_BACKENDS, ...(gpu ? ['webgpu' as const] : [])];
/** webgpu runs inside error scopes, so a shader that fails fails the test. */
const onBackend = (backend: string, body: () => Promise<void>) => (backend === 'webgpu' ? withGPUErrorScopes(body) : body());

const N = 2;
const H8 = [1.05, 0.1, 0.02, -0.08, 0.95, 0.05, 0.12, -0.07, 0.9, 0.05, -0.1, 0.1, 1.1, 0, -0.05, 0.1];
const CUSTOM = [[-0.8, -0.7], [0.9, -0.6], [0.1, 0.9], [-0.4, 0.2], [0.5, 0.3]];
const OPTIONS = [
  { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false },
  { mode: 'bicubic', paddingMode: 'border', alignCorners: true },
  { mode: 'nearest', paddingMode: 'reflection', alignCorners: false },
] as const;

const image = () => tf.tensor4d(values(N * H * W * C), [N, H, W, C]);
const latticeTargets = (K: number, seed: number) => {
  const g = Math.sqrt(K);
  const v = values(N * K * 2, seed);
  return tf.tensor3d(Array.from({ length: N * K * 2 }, (_, i) => {
    const k = Math.floor(i / 2) % K;
    const base = i % 2 === 0 ? -1 + (2 * (k % g)) / (g - 1) : -1 + (2 * Math.floor(k / g)) / (g - 1);
    return base + 0.15 * v[i]!;
  }), [N, K, 2]);
};

async function expectSame(got: tf.Tensor, want: tf.Tensor, what: string): Promise<void> {
  expect(got.shape, what).toEqual(want.shape);
  expect(await got.data(), what).toEqual(await want.data());
}

/** A classifier with the factory's STN in front. */
function classifier(transform: 'projective' | 'tps', controlPoints?: number[][]) {
  const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), transform, ...(controlPoints ? { controlPoints } : {}) });
  const model = tf.sequential({
    layers: [stn, tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return { model, stn };
}

describe.each(BACKENDS)('SpatialTransformer transforms on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(OPTIONS)('projective, tps and flow equal gridSample of their grid generator (%o)', (o) => onBackend(backend, async () => {
    const x = image();
    const size: [number, number, number, number] = [N, H, W, C];
    const apply = (config: object, params: tf.Tensor) => new SpatialTransformer({ ...o, ...config }).apply([x, params]) as tf.Tensor;
    // projective, [N, 8] and [N, 3, 3]; and with an outputSize
    const h8 = tf.tensor2d(H8, [N, 8]);
    const h33 = tf.concat([h8, tf.ones([N, 1])], 1).reshape([N, 3, 3]);
    const wantP = gridSample(x, projectiveGrid(h8, size, o.alignCorners), o);
    await expectSame(apply({ transform: 'projective' }, h8), wantP, 'projective [N, 8]');
    await expectSame(apply({ transform: 'projective' }, h33), wantP, 'projective [N, 3, 3]');
    await expectSame(apply({ transform: 'projective', outputSize: [4, 7] }, h8),
      gridSample(x, projectiveGrid(h8, [N, 4, 7, C], o.alignCorners), o), 'projective outputSize [4, 7]');
    // tps: the default lattice (K = 16 and K = 9), [N, K, 2] and [N, 2K]; custom control points
    for (const K of [16, 9]) {
      const t = latticeTargets(K, K);
      const want = gridSample(x, tpsGrid(t, size, { alignCorners: o.alignCorners }), o);
      await expectSame(apply({ transform: 'tps' }, t), want, `tps lattice K=${K} [N, K, 2]`);
      await expectSame(apply({ transform: 'tps' }, t.reshape([N, 2 * K])), want, `tps lattice K=${K} [N, 2K]`);
    }
    const tc = tf.tensor3d(values(N * 10, 4), [N, 5, 2]);
    await expectSame(apply({ transform: 'tps', controlPoints: CUSTOM }, tc.reshape([N, 10])),
      gridSample(x, tpsGrid(tc, size, { controlPoints: CUSTOM, alignCorners: o.alignCorners }), o), 'tps controlPoints');
    // flow at the image's size and at another size (the output has the flow's size)
    for (const [ho, wo] of [[H, W], [4, 7]]) {
      const flow = tf.tensor4d(values(N * ho! * wo! * 2, 5).map((v) => 2 * v), [N, ho!, wo!, 2]);
      await expectSame(apply({ transform: 'flow' }, flow), gridSample(x, flowGrid(flow, [H, W], o.alignCorners), o), `flow [${ho}, ${wo}]`);
    }
  }));

  it('the factory starts at each transform\'s identity (identity H; targets = the control points)', () => onBackend(backend, async () => {
    const x = tf.tensor4d(values(3 * H * W * C, 2), [3, H, W, C]);
    const want = await x.data();
    for (const config of [{ transform: 'projective' }, { transform: 'tps' }, { transform: 'tps', controlPoints: CUSTOM }] as const) {
      const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), ...config });
      const out = await (stn.predict(x) as tf.Tensor).data();
      out.forEach((v, i) => expect(Math.abs(v - want[i]!), `${JSON.stringify(config)} element ${i}`).toBeLessThanOrEqual(1e-5));
    }
  }));

  it.each([['projective', undefined], ['tps', undefined], ['tps', CUSTOM]] as const)('model.fit moves the %s head', (transform, cp) => onBackend(backend, async () => {
    const { model, stn } = classifier(transform, cp as number[][] | undefined);
    const head = stn.getLayer(`${stn.name}_params`);
    expect(Array.from(await head.getWeights()[0]!.data()).every((v) => v === 0)).toBe(true);
    const { x, y } = trainingData();
    const history = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
    const after = await head.getWeights()[0]!.data();
    expect(Math.max(...Array.from(after, Math.abs)), 'the head kernel after fit').toBeGreaterThan(0);
    expect(history.history.loss!.every((l) => Number.isFinite(l as number))).toBe(true);
  }));

  it('save -> loadLayersModel gives bit-identical predictions (projective, tps with controlPoints, a flow layer)', () => onBackend(backend, async () => {
    const { x, y } = trainingData();
    for (const [transform, cp] of [['projective', undefined], ['tps', CUSTOM]] as const) {
      const { model } = classifier(transform, cp);
      await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
      expect(await (loaded.predict(x) as tf.Tensor).data(), transform).toEqual(await (model.predict(x) as tf.Tensor).data());
    }
    // flow: a small network makes the field; the layer warps the image by it.
    const img = tf.input({ shape: [H, W, C] });
    const flow = tf.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', name: 'flow_net' }).apply(img) as tf.SymbolicTensor;
    const warped = new SpatialTransformer({ transform: 'flow', name: 'warp' }).apply([img, flow]) as tf.SymbolicTensor;
    const model = tf.model({ inputs: img, outputs: warped });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    expect((loaded.getLayer('warp') as SpatialTransformer).options.transform).toBe('flow');
    expect(await (loaded.predict(x) as tf.Tensor).data()).toEqual(await (model.predict(x) as tf.Tensor).data());
  }));
});

describe('SpatialTransformer transforms: errors', () => {
  beforeAll(() => useBackend('cpu'));

  it('flow is a layer only: the factory says why', () => {
    expect(() => spatialTransformer({ inputShape: [H, W, C], localization: localization(), transform: 'flow', name: 'f' }))
      .toThrow(/spatialTransformer 'f': transform 'flow' cannot be made here: a flow is a dense field/);
  });

  it('refuses bad control points, and params that do not fit the transform', () => {
    expect(() => new SpatialTransformer({ name: 'e', transform: 'tps', controlPoints: [[0, 0], [1, 1]] }))
      .toThrow(/SpatialTransformer 'e': 'controlPoints' must be at least 3 finite points/);
    expect(() => new SpatialTransformer({ name: 'e', transform: 'tps', controlPoints: CUSTOM }).computeOutputShape([[null, H, W, C], [null, 16, 2]]))
      .toThrow(/'params' must have shape \[N, 10\] or \[N, 5, 2\] for transform 'tps'; received shape \[null, 16, 2\]/);
    expect(() => new SpatialTransformer({ name: 'e', transform: 'projective' }).computeOutputShape([[null, H, W, C], [null, 9]]))
      .toThrow(/'params' must have shape \[N, 8\] or \[N, 3, 3\] for transform 'projective'; received shape \[null, 9\]/);
    expect(() => new SpatialTransformer({ name: 'e', transform: 'flow', outputSize: [3, 3] }).computeOutputShape([[null, H, W, C], [null, 4, 4, 2]]))
      .toThrow(/'params' must have shape \[N, 3, 3, 2\] for transform 'flow'; received shape \[null, 4, 4, 2\]/);
    expect(() => new SpatialTransformer({ name: 'e', controlPoints: CUSTOM })).toThrow(/'controlPoints' applies only to transforms that take control points/);
  });
});
