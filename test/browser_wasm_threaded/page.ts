/**
 * The page of test/wasm_threaded.test.ts, bundled by vite with tfjs-core, tfjs-backend-cpu and
 * tfjs-backend-wasm, served cross-origin-isolated: tfjs-wasm then runs its threaded build, whose
 * heap is a shared WebAssembly.Memory. window.stn.run samples one case on wasm and on cpu.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { gridSample, ready } from '../../src/index.js';

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

(window as unknown as { stn: { run: typeof run } }).stn = { run };
