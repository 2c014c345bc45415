/**
 * What test/layers.test.ts (cpu, wasm) and test/layers_webgpu.test.ts check on each backend: the
 * SpatialTransformer layer against the ops it stands for, the factory's identity start, training
 * with model.fit, save/load and memory. Every read is `await data()` (dataSync throws on webgpu in Node).
 */
import * as tf from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { affineGrid, gridSample } from '../src/index.js';
import { SpatialTransformer, spatialTransformer } from '../src/layers/index.js';
import { ALL_OPTIONS } from './helpers.js';

export const H = 6;
export const W = 5;
export const C = 2;

/** Deterministic, non-symmetric values. */
export function values(n: number, seed = 1): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 12.9898 + i * 78.233) * 0.9);
}

export const THETA = [0.9, 0.2, 0.05, -0.15, 1.1, -0.1, 1.2, -0.3, 0.2, 0.4, 0.8, 0];

/** The layer's output through tf.layers' apply (concrete tensors run call()). */
function applyLayer(layer: SpatialTransformer, image: tf.Tensor, params: tf.Tensor): tf.Tensor {
  return layer.apply([image, params]) as tf.Tensor;
}

/**
 * For every mode / padding / alignCorners and both affine params shapes, and attention: the layer
 * equals gridSample(affineGrid(theta)) exactly (it runs the same ops), also with an outputSize.
 */
export async function expectLayerEqualsOps(): Promise<void> {
  const image = tf.tensor4d(values(2 * H * W * C), [2, H, W, C]);
  const theta = tf.tensor3d(THETA, [2, 2, 3]);
  const flat = tf.reshape(theta, [2, 6]);
  for (const o of ALL_OPTIONS) {
    for (const outputSize of [undefined, [4, 7]]) {
      const [ho, wo] = outputSize ?? [H, W];
      const want = await gridSample(image, affineGrid(theta, [2, ho!, wo!, C], o.alignCorners), o).data();
      for (const params of [flat, theta]) {
        const layer = new SpatialTransformer({ ...o, outputSize });
        const out = applyLayer(layer, image, params);
        expect(out.shape, `${JSON.stringify(o)} params [${params.shape}]`).toEqual([2, ho, wo, C]);
        expect(await out.data(), `${JSON.stringify(o)} outputSize ${outputSize} params [${params.shape}]`).toEqual(want);
      }
    }
  }
  // attention (s, tx, ty) is theta [[s, 0, tx], [0, s, ty]].
  const attention = tf.tensor2d([0.7, 0.1, -0.2, 1.3, -0.4, 0.25], [2, 3]);
  const asTheta = tf.tensor3d([0.7, 0, 0.1, 0, 0.7, -0.2, 1.3, 0, -0.4, 0, 1.3, 0.25], [2, 2, 3]);
  for (const o of ALL_OPTIONS) {
    const want = await gridSample(image, affineGrid(asTheta, [2, H, W, C], o.alignCorners), o).data();
    const got = await applyLayer(new SpatialTransformer({ transform: 'attention', ...o }), image, attention).data();
    expect(got, `attention ${JSON.stringify(o)}`).toEqual(want);
  }
}

/** A small localization network: flatten -> Dense(8, relu). */
export function localization(inputShape = [H, W, C]): tf.LayersModel {
  return tf.sequential({ layers: [tf.layers.flatten({ inputShape }), tf.layers.dense({ units: 8, activation: 'relu' })] });
}

/** A classifier with an STN in front: stn -> conv -> flatten -> dense softmax. */
export function classifier(transform: 'affine' | 'attention' = 'affine'): { model: tf.Sequential; stn: tf.LayersModel } {
  const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), transform });
  const model = tf.sequential({
    layers: [stn, tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return { model, stn };
}

export function trainingData(n = 8): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const x = tf.tensor4d(values(n * H * W * C, 3), [n, H, W, C]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32'), 3) as tf.Tensor2D;
  return { x, y };
}

/** The factory starts as the identity: its output equals its input. */
export async function expectIdentityStart(): Promise<void> {
  for (const transform of ['affine', 'attention'] as const) {
    const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), transform });
    const x = tf.tensor4d(values(3 * H * W * C, 2), [3, H, W, C]);
    const out = await (stn.predict(x) as tf.Tensor).data();
    const want = await x.data();
    out.forEach((v, i) => expect(Math.abs(v - want[i]!), `${transform} element ${i}`).toBeLessThanOrEqual(1e-6));
  }
}

/** model.fit moves the transformer's head away from zero (gradients flow through the layer). */
export async function expectFitTrainsHead(): Promise<void> {
  const { model, stn } = classifier();
  const head = stn.getLayer(`${stn.name}_params`);
  const before = await head.getWeights()[0]!.data();
  expect(Array.from(before).every((v) => v === 0)).toBe(true);
  const { x, y } = trainingData();
  const history = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
  const after = await head.getWeights()[0]!.data();
  expect(Math.max(...Array.from(after, Math.abs)), 'the head kernel after fit').toBeGreaterThan(0);
  expect(history.history.loss!.every((l) => Number.isFinite(l as number))).toBe(true);
}

/** Saves through withSaveHandler, passing the topology through JSON (nulls and all) as a file would. */
export async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    saved = artifacts;
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return { ...saved!, modelTopology: JSON.parse(JSON.stringify(saved!.modelTopology)) as object };
}

/** save -> load gives bit-identical predictions, and the loaded model keeps training. */
export async function expectSaveLoadRoundTrip(): Promise<void> {
  for (const transform of ['affine', 'attention'] as const) {
    const { model } = classifier(transform);
    const { x, y } = trainingData();
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(await saveToMemory(model)));
    const want = await (model.predict(x) as tf.Tensor).data();
    expect(await (loaded.predict(x) as tf.Tensor).data(), transform).toEqual(want);
    // It keeps training: compile (optimizer state is not saved) and fit change its weights.
    loaded.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const before = await Promise.all(loaded.getWeights().map((w) => w.data()));
    await loaded.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const after = await Promise.all(loaded.getWeights().map((w) => w.data()));
    expect(after.some((a, i) => a.some((v, k) => v !== before[i]![k])), `${transform}: fit changes the loaded weights`).toBe(true);
  }
}

/** After one warm-up fit step, 100 more leave tf.memory()'s tensor count unchanged. */
export async function expectFitLeavesNoTensors(): Promise<void> {
  const { model } = classifier();
  const { x, y } = trainingData(4);
  await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
  const before = tf.memory().numTensors;
  await model.fit(x, y, { epochs: 100, batchSize: 4, verbose: 0 });
  expect(tf.memory().numTensors).toBe(before);
}
