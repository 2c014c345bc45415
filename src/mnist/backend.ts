/**
 * Starts one of the three tfjs backends the trainer supports. Backend packages are imported on
 * demand, so only the one asked for must be installed. WebGPU in Node comes from the `webgpu` npm
 * package (Dawn), which drives whatever Vulkan/Metal/D3D driver the machine has.
 */
import * as tf from '@tensorflow/tfjs-core';
import { ready, useWasmTrainingKernels } from '../index.js';
import { BACKENDS, type BackendName } from './defaults.js';
import { backendPeers, missingPeers, missingPeersMessage } from './peers.js';

export { BACKENDS, type BackendName };

const isNode = typeof process !== 'undefined' && !!process.versions?.node;

/** The part of navigator.gpu used here (the full types live in @webgpu/types). */
interface Gpu {
  requestAdapter(): Promise<object | null>;
}

async function importBackend(name: BackendName): Promise<void> {
  if (name === 'cpu') await import('@tensorflow/tfjs-backend-cpu');
  else if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  else await import('@tensorflow/tfjs-backend-webgpu');
}

/** Makes navigator.gpu available in Node from the `webgpu` package and checks that it has an adapter. */
async function setUpWebGPU(): Promise<void> {
  const g = globalThis as { navigator?: { gpu?: Gpu } };
  if (!g.navigator?.gpu && isNode) {
    const dawn = (await import('webgpu')) as unknown as { create(options: string[]): Gpu; globals: object };
    Object.assign(globalThis, dawn.globals);
    const gpu = dawn.create([]);
    if (g.navigator) Object.defineProperty(g.navigator, 'gpu', { value: gpu, configurable: true });
    else g.navigator = { gpu };
  }
  const gpu = g.navigator?.gpu;
  if (!gpu) throw new Error('--backend webgpu: this environment has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter();
  if (!adapter) {
    throw new Error('--backend webgpu: no WebGPU adapter found. Without a GPU, point VK_ICD_FILENAMES at a software ' +
      "Vulkan driver Dawn accepts, e.g. SwiftShader's from Chromium (/usr/lib/chromium/vk_swiftshader_icd.json)");
  }
}

/**
 * Starts `name` as the tfjs backend; throws a clear error when it cannot start. On wasm it opts in
 * to stn-layer's faster training kernels (useWasmTrainingKernels) unless `wasmTrainingKernels` is false.
 */
export async function setUpBackend(name: BackendName, { wasmTrainingKernels = true } = {}): Promise<void> {
  if (!BACKENDS.includes(name)) throw new Error(`backend must be one of ${BACKENDS.join(', ')}; got '${name}'`);
  const missing = missingPeers(backendPeers(name));
  if (missing.length > 0) throw new Error(`backend '${name}': ${missingPeersMessage(missing)}`);
  await ready();
  if (name === 'webgpu') await setUpWebGPU();
  await importBackend(name);
  if (name === 'wasm' && wasmTrainingKernels) useWasmTrainingKernels();
  if (!(await tf.setBackend(name))) throw new Error(`backend '${name}' failed to start (see the messages above)`);
  await tf.ready();
}
