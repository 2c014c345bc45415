/**
 * The fallback for backends without kernels of their own here: registered for tfjs-node's
 * 'tensorflow' on import, and for any other backend by useFallbackKernels(name).
 */
import { getKernel, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';

/** The backends with kernels of their own (AssemblyScript, WGSL, GLSL). */
export const NATIVE_BACKENDS: readonly string[] = ['cpu', 'wasm', 'webgpu', 'webgl'];

const fallbackBackends = new Set<string>();

/** Every backend stn-layer serves now: the native ones and those given the fallback. */
export function servedBackends(): string[] {
  return [...NATIVE_BACKENDS, ...fallbackBackends];
}

/** Registers the three kernels for `backendName`, except any it has already (never replaced). */
function registerFallbackKernels(backendName: string): void {
  for (const config of [affineGridConfig, gridSampleConfig, gridSampleGradConfig]) {
    const c = config(backendName);
    if (!getKernel(c.kernelName, backendName)) registerKernel(c);
  }
  fallbackBackends.add(backendName);
}

/** On import: tfjs-node's backend. */
export function registerTensorflowFallback(): void {
  registerFallbackKernels('tensorflow');
}

/**
 * Serves gridSample and affineGrid (and their gradients) on the tfjs backend registered as
 * `backendName` with stn-layer's WebAssembly kernels: each call reads its operands back with the
 * backend's readSync and writes its results with makeTensorInfo. Slow (a synchronous read and two
 * copies per operand), but exact; for backends stn-layer has no kernels of its own for.
 * 'tensorflow' (tfjs-node) gets it on import; calling it again for a served backend does nothing.
 */
export function useFallbackKernels(backendName: string): void {
  if (typeof backendName !== 'string' || backendName === '') {
    throw new TypeError(`useFallbackKernels: 'backendName' must be a backend's name, e.g. 'tensorflow'; received ${String(backendName)}`);
  }
  if (NATIVE_BACKENDS.includes(backendName) || fallbackBackends.has(backendName)) return;
  registerFallbackKernels(backendName);
}
