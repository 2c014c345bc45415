/**
 * WebGPU in Node for tests and benchmarks: Dawn (the `webgpu` npm package) on SwiftShader's
 * Vulkan driver from Debian's chromium package when the machine has no GPU. Dawn loads the system
 * Vulkan loader (Debian's libvulkan1), which reads VK_ICD_FILENAMES. On a machine with a GPU, set
 * VK_ICD_FILENAMES to its driver (or to '' for the loader's default) before calling this.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { WebGPUBackend } from '@tensorflow/tfjs-backend-webgpu';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

export interface WebGPUSetup {
  /** The adapter as GPUAdapterInfo describes it, e.g. 'google swiftshader (SwiftShader Device (Subzero))'. */
  adapterName: string;
}

let setup: Promise<WebGPUSetup | null> | undefined;

/**
 * Makes the tfjs 'webgpu' backend available and current, or returns null when no adapter is found.
 * navigator.gpu must exist before tfjs-backend-webgpu is imported (it registers the backend only
 * then), hence the dynamic import. Later calls return the first call's result and set the backend
 * again.
 */
export function setupWebGPUBackend(): Promise<WebGPUSetup | null> {
  setup ??= (async () => {
    if (process.env.VK_ICD_FILENAMES === undefined) process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    const { create, globals } = await import('webgpu');
    Object.assign(globalThis, globals);
    const gpu = create([]);
    const adapter = await gpu.requestAdapter();
    if (!adapter) return null;
    const nav = (globalThis as { navigator?: object }).navigator;
    if (nav) Object.defineProperty(nav, 'gpu', { value: gpu, configurable: true });
    else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
    await import('@tensorflow/tfjs-backend-webgpu');
    const info = adapter.info;
    const detail = info.description ? ` (${info.description})` : '';
    return { adapterName: `${info.vendor} ${info.architecture}${detail}`.trim() };
  })();
  return setup.then(async (s) => {
    if (!s) return null;
    // Small ops would otherwise run on the CPU; the tests are about the GPU kernels.
    tf.env().set('WEBGPU_CPU_FORWARD', false);
    if (!(await tf.setBackend('webgpu'))) throw new Error('tfjs: the webgpu backend did not start although an adapter was found');
    await tf.ready();
    return s;
  });
}

/**
 * For test files: the setup, or null (the file's webgpu tests skip) after a loud warning. When
 * CI=true a missing adapter is an error: the CI machine is set up to have one.
 */
export async function requireWebGPU(): Promise<WebGPUSetup | null> {
  const s = await setupWebGPUBackend();
  if (s) return s;
  const why = 'no WebGPU adapter (install chromium and libvulkan1 for SwiftShader, see test/webgpu_setup.ts)';
  if (process.env.CI === 'true') throw new Error(`CI: ${why}`);
  console.warn(`\n!!! SKIPPING the WebGPU tests: ${why} !!!\n`);
  return null;
}

export function webgpuDevice(): GPUDevice {
  return (tf.backend() as WebGPUBackend).device;
}

/**
 * Runs `body` inside validation and internal error scopes on the webgpu backend's device and
 * throws the first error: Dawn only prints shader and pipeline errors, so without the scopes a
 * broken shader would leave a test passing on garbage. `body` must read its results (await
 * data()) so that tfjs submits its queued commands inside the scopes.
 */
export async function withGPUErrorScopes<T>(body: () => Promise<T>): Promise<T> {
  const device = webgpuDevice();
  device.pushErrorScope('internal');
  device.pushErrorScope('validation');
  let result: T;
  try {
    result = await body();
  } finally {
    const validation = await device.popErrorScope();
    const internal = await device.popErrorScope();
    const error = validation ?? internal;
    if (error) throw new Error(`WebGPU ${validation ? 'validation' : 'internal'} error: ${error.message}`);
  }
  return result;
}
