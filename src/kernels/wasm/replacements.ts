/**
 * Kernels that replace tfjs-backend-wasm's own ones of the same name, because those dominated a
 * training step. Registering over an existing kernel makes tfjs warn, and a backend package
 * imported after stn-layer would register its own over ours; so a replacement is installed
 * (unregister, then register: no warning) when tfjs-backend-wasm's kernel is already there at
 * import, and again whenever the wasm backend is set (the setupFunc of a kernel only stn-layer has).
 */
import { type KernelConfig, getKernel, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { addConfig } from './Add.js';
import { batchMatMulConfig } from './BatchMatMul.js';
import { conv2DConfig } from './Conv2D.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { identityConfig } from './Identity.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { rememberReplaced } from './replaced.js';
import { sumConfig } from './Sum.js';

export const wasmReplacementConfigs: KernelConfig[] = [
  addConfig, batchMatMulConfig, conv2DConfig, conv2DBackpropInputConfig, identityConfig, maxPoolGradConfig, sumConfig,
];

/** Puts the replacements in place of tfjs-backend-wasm's kernels (or alone, if it has none). */
export function installWasmReplacements(): void {
  for (const config of wasmReplacementConfigs) {
    const current = getKernel(config.kernelName, 'wasm');
    if (current === config) continue;
    if (current) {
      rememberReplaced(current);
      unregisterKernel(config.kernelName, 'wasm');
    }
    registerKernel(config);
  }
}

/** At import: replace only kernels tfjs-backend-wasm has already registered (see above). */
export function installWasmReplacementsIfLoaded(): void {
  if (wasmReplacementConfigs.some((c) => getKernel(c.kernelName, 'wasm'))) installWasmReplacements();
}
