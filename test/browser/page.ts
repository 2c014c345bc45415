/**
 * The page of test/browser.test.ts, bundled by vite with tfjs-core, tfjs-backend-cpu and
 * tfjs-backend-webgpu from node_modules. It exposes window.stn.run: the test passes the PyTorch
 * fixtures in and gets each case's forward and gradients on webgpu and on cpu back, with the
 * GPU's validation errors. Sync reads are made to throw, so any dataSync / arraySync on the
 * package's code path fails the run.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-webgpu';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';
import { affineGrid, gridSample, ready } from '../../src/index.js';
import type { BrowserRun, PageAffineCase, PageResult, PageSampleCase } from './protocol.js';

for (const name of ['dataSync', 'arraySync'] as const) {
  tf.Tensor.prototype[name] = () => {
    throw new Error(`${name}() called: no synchronous reads on WebGPU`);
  };
}

async function sampleCase(c: PageSampleCase): Promise<number[][]> {
  const options = { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners };
  const input = tf.tensor4d(c.input, c.inputShape as [number, number, number, number]);
  const grid = tf.tensor4d(c.grid, c.gridShape as [number, number, number, number]);
  const dy = tf.tensor4d(c.dy, [c.gridShape[0], c.gridShape[1], c.gridShape[2], c.inputShape[3]]);
  const out = gridSample(input, grid, options);
  const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, options))([input, grid], dy);
  const result = [Array.from(await out.data()), Array.from(await dInput!.data()), Array.from(await dGrid!.data())];
  tf.dispose([input, grid, dy, out, dInput!, dGrid!]);
  return result;
}

async function affineCase(c: PageAffineCase): Promise<number[][]> {
  const theta = tf.tensor3d(c.theta, [c.size[0], 2, 3]);
  const dGrid = tf.tensor4d(c.dGrid, [c.size[0], c.size[1], c.size[2], 2]);
  const grid = affineGrid(theta, c.size, c.alignCorners);
  const dTheta = tf.grad((t: tf.Tensor) => affineGrid(t as tf.Tensor3D, c.size, c.alignCorners))(theta, dGrid);
  const result = [Array.from(await grid.data()), Array.from(await dTheta.data())];
  tf.dispose([theta, dGrid, grid, dTheta]);
  return result;
}

async function onBackend(name: string, sample: PageSampleCase[], affine: PageAffineCase[]): Promise<PageResult> {
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  await tf.ready();
  return { samples: await seq(sample, sampleCase), affine: await seq(affine, affineCase) };
}

async function seq<T, R>(items: T[], f: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await f(item));
  return out;
}

const run: BrowserRun = async (sample, affine) => {
  await ready();
  const adapter = await navigator.gpu?.requestAdapter();
  if (!adapter) return { adapter: null, gpuErrors: [], webgpu: null, cpu: null };
  const info = adapter.info;
  // Small ops would otherwise run on the CPU; the test is about the GPU kernels.
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not start');
  const device = (tf.backend() as WebGPUBackend).device;
  const gpuErrors: string[] = [];
  device.addEventListener('uncapturederror', (e) => gpuErrors.push((e as GPUUncapturedErrorEvent).error.message));
  device.pushErrorScope('internal');
  device.pushErrorScope('validation');
  const webgpu = await onBackend('webgpu', sample, affine);
  for (const scope of ['validation', 'internal']) {
    const error = await device.popErrorScope();
    if (error) gpuErrors.push(`${scope}: ${error.message}`);
  }
  const cpu = await onBackend('cpu', sample, affine);
  return { adapter: `${info.vendor} ${info.architecture} ${info.description}`.trim(), gpuErrors, webgpu, cpu };
};

(window as unknown as { stn: { run: BrowserRun } }).stn = { run };
