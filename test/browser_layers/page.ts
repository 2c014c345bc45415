/**
 * The page of test/browser_layers.test.ts, bundled by vite: on each backend it is asked for, it
 * builds a CNN with stn-layer/layers' spatialTransformer in front, trains it with model.fit, saves
 * it to indexeddb:// and localstorage:// and loads it back, and reports what the test checks.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ready } from '../../src/index.js';
import { spatialTransformer } from '../../src/layers/index.js';
import type { BackendResult, LayersRun } from './protocol.js';

const H = 8;
const W = 8;

function build(): { model: tfl.Sequential; head: tfl.layers.Layer } {
  const localization = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [H, W, 1] }), tfl.layers.dense({ units: 8, activation: 'relu' })] });
  const stn = spatialTransformer({ inputShape: [H, W, 1], localization, name: 'stn' });
  const cnn = tfl.sequential({
    layers: [tfl.layers.conv2d({ inputShape: [H, W, 1], filters: 4, kernelSize: 3, activation: 'relu' }), tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'softmax' })],
  });
  const model = tfl.sequential({ layers: [stn, cnn] });
  model.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  return { model, head: stn.getLayer('stn_params') };
}

async function onBackend(name: string): Promise<BackendResult> {
  if (!(await tf.setBackend(name))) return { backend: name, started: false };
  await tf.ready();
  const { model, head } = build();
  const n = 12;
  const x = tf.tensor4d(Float32Array.from({ length: n * H * W }, (_, i) => Math.sin(i * 0.37)), [n, H, W, 1]);
  const y = tf.oneHot(tf.tensor1d(Array.from({ length: n }, (_, i) => i % 3), 'int32'), 3);
  const identity = Array.from(await (model.layers[0]!.apply(x) as tf.Tensor).data());
  const input = Array.from(await x.data());
  const history = await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
  const headKernel = Array.from(await head.getWeights()[0]!.data());
  const want = Array.from(await (model.predict(x) as tf.Tensor).data());
  const identical: Record<string, boolean> = {};
  for (const url of [`indexeddb://stn-layers-${name}`, `localstorage://stn-layers-${name}`]) {
    await model.save(url);
    const loaded = await tfl.loadLayersModel(url);
    const got = Array.from(await (loaded.predict(x) as tf.Tensor).data());
    identical[url.split(':')[0]!] = got.length === want.length && got.every((v, i) => v === want[i]);
  }
  return {
    backend: name, started: true,
    identityError: Math.max(...identity.map((v, i) => Math.abs(v - input[i]!))),
    losses: history.history.loss as number[],
    headMoved: headKernel.some((v) => v !== 0),
    identical,
  };
}

const run: LayersRun = async (backends) => {
  await ready();
  const adapter = await navigator.gpu?.requestAdapter();
  if (adapter) tf.env().set('WEBGPU_CPU_FORWARD', false);
  const results: BackendResult[] = [];
  for (const name of backends) {
    if (name === 'webgpu' && !adapter) results.push({ backend: name, started: false });
    else if (name === 'webgl' && !document.createElement('canvas').getContext('webgl2')) results.push({ backend: name, started: false });
    else results.push(await onBackend(name));
  }
  return { adapter: adapter ? `${adapter.info.vendor} ${adapter.info.architecture}`.trim() : null, results };
};

(window as unknown as { stnLayers: { run: LayersRun } }).stnLayers = { run };
