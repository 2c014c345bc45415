/**
 * stn-layer/layers on cpu and wasm: the SpatialTransformer layer equals the ops it stands for, the
 * spatialTransformer factory starts at the identity, trains with model.fit, survives save/load
 * bit-identically, nests in tf.sequential, leaks nothing; its configs round-trip through JSON
 * (nulls and tfjs's own keys) and bad configs and shapes get errors naming the layer, the argument,
 * expected and received.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SpatialTransformer, spatialTransformer } from '../src/layers/index.js';
import { CPU_BACKENDS, useBackend } from './helpers.js';
import {
  C, H, W, classifier, expectFitLeavesNoTensors, expectFitTrainsHead, expectIdentityStart, expectLayerEqualsOps,
  expectSaveLoadRoundTrip, localization, saveToMemory, trainingData, values,
} from './layers_support.js';

describe.each(CPU_BACKENDS)('stn-layer/layers on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  it('the layer equals gridSample(affineGrid(theta)) for every mode, padding and alignCorners, [N, 6] and [N, 2, 3], and attention', expectLayerEqualsOps);
  it('the factory starts as the identity (affine and attention)', expectIdentityStart);
  it('model.fit trains the transformer head', expectFitTrainsHead);
  it('save -> loadLayersModel gives bit-identical predictions and keeps training', expectSaveLoadRoundTrip);
  it('100 fit steps leave tf.memory().numTensors unchanged', expectFitLeavesNoTensors);
});

describe('stn-layer/layers: tf.layers behaviour', () => {
  beforeAll(() => useBackend('cpu'));

  it('symbolic shapes with null batch: computeOutputShape and apply on tf.input', () => {
    const layer = new SpatialTransformer({ outputSize: [3, 4] });
    expect(layer.computeOutputShape([[null, H, W, C], [null, 6]])).toEqual([null, 3, 4, C]);
    expect(layer.computeOutputShape([[null, H, W, C], [null, 2, 3]])).toEqual([null, 3, 4, C]);
    expect(new SpatialTransformer().computeOutputShape([[7, H, W, C], [null, 6]])).toEqual([7, H, W, C]);
    const image = tf.input({ shape: [H, W, C] });
    const params = tf.input({ shape: [3] });
    const out = new SpatialTransformer({ transform: 'attention' }).apply([image, params]) as tf.SymbolicTensor;
    expect(out.shape).toEqual([null, H, W, C]);
  });

  it('summary() lists the factory model and its layers', () => {
    const lines: string[] = [];
    const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), name: 'stn_summary' });
    stn.summary(200, undefined, (line: string) => lines.push(line));
    const text = lines.join('\n');
    expect(text).toContain('stn_summary_transformer (SpatialTransformer)');
    expect(text).toContain('stn_summary_params (Dense)');
    const { model } = classifier();
    const outer: string[] = [];
    model.summary(200, undefined, (line: string) => outer.push(line));
    expect(outer.join('\n')).toMatch(/spatial_transformer_\d+ \(Model\)/);
  });

  it('nests between layers of tf.sequential and in tf.model, and predicts, evaluates and fits', async () => {
    // conv output [4, 3, 2] -> an STN on that -> classifier.
    const conv = tf.layers.conv2d({ inputShape: [H, W, C], filters: 2, kernelSize: 3 });
    const stn = spatialTransformer({ inputShape: [H - 2, W - 2, 2], localization: localization([H - 2, W - 2, 2]), mode: 'bicubic', paddingMode: 'border' });
    const model = tf.sequential({ layers: [conv, stn, tf.layers.flatten(), tf.layers.dense({ units: 3, activation: 'softmax' })] });
    model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const { x, y } = trainingData();
    expect((model.predict(x) as tf.Tensor).shape).toEqual([8, 3]);
    await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 });
    const [loss] = model.evaluate(x, y) as tf.Scalar[];
    expect(Number.isFinite((await loss!.data())[0])).toBe(true);

    // tf.model: the layer on its own, with a params input of the user's.
    const image = tf.input({ shape: [H, W, C] });
    const params = tf.input({ shape: [2, 3] });
    const functional = tf.model({ inputs: [image, params], outputs: new SpatialTransformer({ alignCorners: true }).apply([image, params]) as tf.SymbolicTensor });
    const theta = tf.tensor3d([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0], [2, 2, 3]);
    const img = tf.tensor4d(values(2 * H * W * C), [2, H, W, C]);
    const out = await (functional.predict([img, theta]) as tf.Tensor).data();
    const want = await img.data();
    out.forEach((v, i) => expect(Math.abs(v - want[i]!)).toBeLessThanOrEqual(1e-6));
  });

  it('trainable = false freezes the transformer head (in tf.model; tf.sequential resets nested flags when it compiles)', async () => {
    const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization() });
    const image = tf.input({ shape: [H, W, C] });
    const features = tf.layers.flatten().apply(stn.apply(image)) as tf.SymbolicTensor;
    const model = tf.model({ inputs: image, outputs: tf.layers.dense({ units: 3, activation: 'softmax' }).apply(features) as tf.SymbolicTensor });
    stn.trainable = false;
    model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    const before = await Promise.all(stn.getWeights().map((w) => w.data()));
    const { x, y } = trainingData();
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    expect(await Promise.all(stn.getWeights().map((w) => w.data()))).toEqual(before);
    const last = model.layers[model.layers.length - 1]!;
    expect(last.trainableWeights.length).toBe(2);
    expect(new SpatialTransformer({ trainable: false }).trainable).toBe(false);
  });

  it('getConfig / fromConfig round trip, through JSON with nulls and tfjs keys', () => {
    const layer = new SpatialTransformer({ transform: 'attention', outputSize: [3, 4], mode: 'nearest', paddingMode: 'reflection', alignCorners: true, name: 'st' });
    const config = JSON.parse(JSON.stringify(layer.getConfig())) as tf.serialization.ConfigDict;
    expect(config).toMatchObject({ transform: 'attention', outputSize: [3, 4], mode: 'nearest', paddingMode: 'reflection', alignCorners: true, controlPoints: null, name: 'st', trainable: true });
    const back = tf.serialization.SerializationMap.getMap().classNameMap.SpatialTransformer![1](SpatialTransformer, config) as SpatialTransformer;
    expect(back.getConfig()).toEqual(layer.getConfig());
    // Every own key null (as a JSON config spells "unset") means the defaults.
    const nulls = new SpatialTransformer({ transform: null, outputSize: null, mode: null, paddingMode: null, alignCorners: null, controlPoints: null, batchInputShape: null, dtype: 'float32', trainable: true } as never);
    expect(nulls.getConfig()).toMatchObject({ transform: 'affine', outputSize: null, mode: 'bilinear', paddingMode: 'zeros', alignCorners: false });
  });

  it('a saved model topology spells the config as tfjs does (snake_case keys) and loads back', async () => {
    const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), paddingMode: 'reflection', alignCorners: true, name: 'stn_json' });
    const artifacts = await saveToMemory(stn);
    const text = JSON.stringify(artifacts.modelTopology);
    expect(text).toContain('"class_name":"SpatialTransformer"');
    expect(text).toContain('"padding_mode":"reflection","align_corners":true');
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect((loaded.getLayer('stn_json_transformer') as SpatialTransformer).options).toMatchObject({ paddingMode: 'reflection', alignCorners: true });
  });

  it("refuses a Keras VoxelMorph SpatialTransformer's config, naming its keys", async () => {
    const stn = spatialTransformer({ inputShape: [H, W, C], localization: localization(), name: 'stn_keras' });
    const artifacts = await saveToMemory(stn);
    const topology = JSON.stringify(artifacts.modelTopology).replace('"transform":"affine"', '"interp_method":"linear","indexing":"ij","fill_value":null');
    const foreign = { ...artifacts, modelTopology: JSON.parse(topology) as object };
    await expect(tf.loadLayersModel(tf.io.fromMemory(foreign))).rejects.toThrow(
      /SpatialTransformer 'stn_keras_transformer': unknown config keys 'interpMethod' \(interp_method\), 'indexing', 'fillValue' \(fill_value\)/);
  });
});

describe('stn-layer/layers: errors name the layer, the argument, expected and received', () => {
  beforeAll(() => useBackend('cpu'));

  const configErrors: [string, object, RegExp][] = [
    ['transform not in the table', { transform: 'similarity' }, /SpatialTransformer 'e': 'transform' must be one of 'affine', 'attention'.*; received 'similarity'/],
    ['mode', { mode: 'linear' }, /SpatialTransformer 'e': 'mode' must be one of 'bilinear', 'nearest', 'bicubic'; received 'linear'/],
    ['paddingMode', { paddingMode: 'constant' }, /SpatialTransformer 'e': 'paddingMode' must be one of 'zeros', 'border', 'reflection'; received 'constant'/],
    ['alignCorners', { alignCorners: 'yes' }, /SpatialTransformer 'e': 'alignCorners' must be a boolean; received 'yes'/],
    ['outputSize of zeros', { outputSize: [0, 3] }, /SpatialTransformer 'e': 'outputSize' must be 2 positive integers \(\[Ho, Wo\]\) for transform 'affine'; received \[0, 3\]/],
    ['outputSize of 1 entry', { outputSize: [4] }, /'outputSize' must be 2 positive integers .*; received \[4\]/],
    ['controlPoints with affine', { controlPoints: [[0, 0]] }, /SpatialTransformer 'e': 'controlPoints' applies only to transforms that take control points; received control points with transform 'affine'/],
    ['unknown keys', { interp_method: 'linear', shift_center: true }, /SpatialTransformer 'e': unknown config keys 'interp_method', 'shift_center'/],
  ];
  it.each(configErrors)('config: %s', (_, config, message) => {
    expect(() => new SpatialTransformer({ name: 'e', ...config } as never)).toThrow(message);
  });
  it('config: not an object', () => {
    expect(() => new SpatialTransformer(5 as never)).toThrow(/SpatialTransformer: the config must be an object; received 5/);
  });

  const shapeErrors: [string, object, (number | null)[], (number | null)[], RegExp][] = [
    ['image of rank 3', {}, [null, H, W], [null, 6], /SpatialTransformer 's': 'image' must have rank 4 \(\[N, H, W, C\], channels-last\) for transform 'affine'; received shape \[null, 6, 5\]/],
    ['5-D image with affine', {}, [null, 4, H, W, C], [null, 12], /'image' must have rank 4 .* received shape \[null, 4, 6, 5, 2\]/],
    ['affine params [N, 5]', {}, [null, H, W, C], [null, 5], /SpatialTransformer 's': 'params' must have shape \[N, 6\] or \[N, 2, 3\] for transform 'affine'; received shape \[null, 5\]/],
    ['attention params [N, 6]', { transform: 'attention' }, [null, H, W, C], [null, 6], /'params' must have shape \[N, 3\] for transform 'attention'; received shape \[null, 6\]/],
    ['batch mismatch', {}, [2, H, W, C], [3, 6], /'params' batch must equal 'image' batch 2; received params shape \[3, 6\]/],
  ];
  it.each(shapeErrors)('shape: %s', (_, config, image, params, message) => {
    const layer = new SpatialTransformer({ name: 's', ...config });
    expect(() => layer.computeOutputShape([image, params])).toThrow(message);
    const concrete = (s: (number | null)[]) => tf.zeros(s.map((d) => d ?? 2));
    // The same check at call time, where the batch is known (2 here).
    expect(() => layer.apply([concrete(image), concrete(params)])).toThrow(new RegExp(message.source.replace(/null/g, '2')));
  });
  it('shape: one input instead of [image, params]', () => {
    const layer = new SpatialTransformer({ name: 'one' });
    expect(() => layer.apply(tf.zeros([1, H, W, C]))).toThrow(/SpatialTransformer 'one': expects two inputs \[image, params\]; received one input/);
    expect(() => layer.apply(tf.input({ shape: [H, W, C] }))).toThrow(/SpatialTransformer 'one': expects two inputs/);
  });

  const factoryErrors: [string, () => object, RegExp][] = [
    ['inputShape missing', () => ({ localization: localization() }), /spatialTransformer 'f': 'inputShape' must be 3 positive integers \(\[H, W, C\], channels-last\) for transform 'affine'; received undefined/],
    ['inputShape of rank 2', () => ({ inputShape: [H, W], localization: localization() }), /'inputShape' must be 3 positive integers .*; received \[6, 5\]/],
    ['localization not a model', () => ({ inputShape: [H, W, C], localization: tf.layers.dense({ units: 3 }) }), /spatialTransformer 'f': 'localization' must be a tf.LayersModel .*; received an object of class Dense/],
    ['localization for another input', () => ({ inputShape: [H, W, C], localization: localization([4, 4, 1]) }), /spatialTransformer 'f': 'localization' must take images of 'inputShape' \[6, 5, 2\]; its input shape is \[4, 4, 1\]/],
    ['unknown key', () => ({ inputShape: [H, W, C], localization: localization(), units: 6 }), /spatialTransformer 'f': unknown config key 'units'/],
    ['transform', () => ({ inputShape: [H, W, C], localization: localization(), transform: 'shear' }), /spatialTransformer 'f': 'transform' must be one of 'affine', 'attention'.*; received 'shear'/],
  ];
  it.each(factoryErrors)('factory: %s', (_, config, message) => {
    expect(() => spatialTransformer({ name: 'f', ...config() } as never)).toThrow(message);
  });
});
