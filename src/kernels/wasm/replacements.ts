/**
 * The opt-in wasm training kernels: stn-layer's own Conv2D, FusedConv2D (a convolution plus a bias,
 * as tf.layers runs it), Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, Add (a bias along the last
 * axis), Sum (over every axis but the last) and Identity (shares data instead of copying), in place of tfjs-backend-wasm's kernels of the same names,
 * which dominated a training step. Importing stn-layer leaves those kernels alone; one call,
 * useWasmTrainingKernels(), puts these in their place for the whole app.
 *
 * Registering over an existing kernel makes tfjs warn, and a backend package imported after the
 * call would register its own over ours; so a replacement is installed (unregister, then register:
 * no warning) at the call when tfjs-backend-wasm's kernels are already there, and again whenever
 * the wasm backend is set (the setupFunc of Conv2DBackpropFilter, a kernel only stn-layer has).
 */
import { type KernelConfig, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { addConfig } from './Add.js';
import { batchMatMulConfig } from './BatchMatMul.js';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { fusedConv2DConfig } from './FusedConv2D.js';
import { identityConfig } from './Identity.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { rememberReplaced } from './replaced.js';
import { sumConfig } from './Sum.js';

export const wasmTrainingKernelConfigs: readonly KernelConfig[] = [
  addConfig, batchMatMulConfig, conv2DConfig, conv2DBackpropInputConfig, fusedConv2DConfig, identityConfig, maxPoolGradConfig, sumConfig,
];

let optedIn = false;

/** Puts the training kernels in place of tfjs-backend-wasm's (or alone, if it has none). */
function installWasmTrainingKernels(): void {
  for (const config of wasmTrainingKernelConfigs) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current === config) continue;
    if (current) {
      rememberReplaced(current);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
}

/**
 * Makes tfjs-backend-wasm train convnets faster, for every model in the app: replaces its Conv2D,
 * FusedConv2D, Conv2DBackpropInput, MaxPoolGrad, BatchMatMul, Add, Sum and Identity kernels with
 * stn-layer's (FusedConv2D, Add and Sum handle the training case and hand every other call to
 * tfjs-wasm's own). Call it once,
 * before or after importing @tensorflow/tfjs-backend-wasm and setting the backend. Without it,
 * importing stn-layer changes none of tfjs-wasm's kernels.
 */
export function useWasmTrainingKernels(): void {
  optedIn = true;
  if (wasmTrainingKernelConfigs.some((c) => getKernel(c.kernelName, 'wasm'))) installWasmTrainingKernels();
}

/** When the wasm backend is set: a backend package imported after the call has put its own back. */
export function reinstallWasmTrainingKernels(): void {
  if (optedIn) installWasmTrainingKernels();
}
