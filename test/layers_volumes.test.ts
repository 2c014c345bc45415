/**
 * stn-layer/layers on volumes [N, D, H, W, C] (cpu and wasm): the affine transform with params
 * [N, 12] or [N, 3, 4] equals gridSample(affineGrid(theta)), the flow transform with a field
 * [N, Do, Ho, Wo, 3] equals gridSample(flowGrid(flow)), the factory on a volume input starts
 * as the identity and trains with model.fit, and the shape checks name what a volume expects.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineGrid, flowGrid, gridSample } from '../src/index.js';
import { SpatialTransformer, spatialTransformer } from '../src/layers/index.js';
import { ALL_OPTIONS, CPU_BACKENDS, useBackend } from './helpers.js';
import { values } from './layers_support.js';

const [D, H, W, C] = [3, 4, 5, 2];
const THETA_3D = [
  0.9, 0.1, -0.05, 0.1, -0.1, 1.05, 0.05, -0.2, 0.02, 0.1, 0.95, 0.15,
  1.1, 0, 0.1, -0.1, 0, 0.9, 0, 0.05, -0.1, 0.05, 1, 0,
];

describe.each(CPU_BACKENDS)('stn-layer/layers on volumes, %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('affine [N, 12] and [N, 3, 4] equal gridSample(affineGrid(theta)) for every mode, padding and alignCorners, with and without outputSize', async () => {
    const image = tf.tensor5d(values(2 * D * H * W * C), [2, D, H, W, C]);
    const theta = tf.tensor3d(THETA_3D, [2, 3, 4]);
    const flat = tf.reshape(theta, [2, 12]);
    for (const o of ALL_OPTIONS) {
      for (const outputSize of [undefined, [2, 3, 6]]) {
        const size = outputSize ?? [D, H, W];
        const want = await gridSample(image, affineGrid(theta, [2, size[0]!, size[1]!, size[2]!, C], o.alignCorners), o).data();
        for (const params of [flat, theta]) {
          const out = new SpatialTransformer({ ...o, outputSize }).apply([image, params]) as tf.Tensor;
          expect(out.shape).toEqual([2, ...size, C]);
          expect(await out.data(), `${JSON.stringify(o)} outputSize ${outputSize} params [${params.shape}]`).toEqual(want);
        }
      }
    }
  });

  it('flow [N, Do, Ho, Wo, 3] equals gridSample(flowGrid(flow, [D, H, W])); a zero flow at the same size is the identity', async () => {
    const image = tf.tensor5d(values(2 * D * H * W * C), [2, D, H, W, C]);
    const flow = tf.tensor5d(values(2 * 2 * 3 * 6 * 3, 4).map((v) => 2 * v), [2, 2, 3, 6, 3]);
    for (const o of ALL_OPTIONS) {
      const want = await gridSample(image, flowGrid(flow, [D, H, W], o.alignCorners), o).data();
      const out = new SpatialTransformer({ transform: 'flow', ...o }).apply([image, flow]) as tf.Tensor;
      expect(out.shape).toEqual([2, 2, 3, 6, C]);
      expect(await out.data(), JSON.stringify(o)).toEqual(want);
    }
    const still = new SpatialTransformer({ transform: 'flow' }).apply([image, tf.zeros([2, D, H, W, 3])]) as tf.Tensor;
    const got = await still.data();
    const x = await image.data();
    got.forEach((v, i) => expect(Math.abs(v - x[i]!), `element ${i}`).toBeLessThanOrEqual(1e-5));
  });

  it('the factory on a volume starts as the identity and model.fit trains its head', async () => {
    const localization = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [D, H, W, C] }), tf.layers.dense({ units: 8, activation: 'tanh' })] });
    const stn = spatialTransformer({ inputShape: [D, H, W, C], localization });
    const x = tf.tensor5d(values(4 * D * H * W * C, 2), [4, D, H, W, C]);
    const out = await (stn.predict(x) as tf.Tensor).data();
    const want = await x.data();
    out.forEach((v, i) => expect(Math.abs(v - want[i]!), `element ${i}`).toBeLessThanOrEqual(1e-6));
    // Fit the whole transformer to a target volume: the head's kernel leaves zero, the loss stays finite.
    stn.compile({ optimizer: tf.train.sgd(0.05), loss: 'meanSquaredError' });
    const target = tf.tensor5d(values(4 * D * H * W * C, 5), [4, D, H, W, C]);
    const history = await stn.fit(x, target, { epochs: 2, batchSize: 2, verbose: 0 });
    const head = await stn.getLayer(`${stn.name}_params`).getWeights()[0]!.data();
    expect(Math.max(...Array.from(head, Math.abs))).toBeGreaterThan(0);
    expect(history.history.loss!.every((l) => Number.isFinite(l as number))).toBe(true);
  });

  it('shape errors name what a volume expects', () => {
    const image = tf.zeros([1, D, H, W, C]);
    expect(() => new SpatialTransformer().apply([image, tf.zeros([1, 6])])).toThrow(/'params' must have shape \[N, 12\] or \[N, 3, 4\].*received shape \[1, 6\]/);
    expect(() => new SpatialTransformer({ outputSize: [3, 4] }).apply([image, tf.zeros([1, 12])])).toThrow(/'outputSize' must have 3 entries/);
    expect(() => new SpatialTransformer({ transform: 'attention' }).apply([image, tf.zeros([1, 3])])).toThrow(/'image' must have rank 4/);
  });
});
