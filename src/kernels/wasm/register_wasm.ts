import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';

export const wasmKernelConfigs: KernelConfig[] = [affineGridConfig, gridSampleConfig, gridSampleGradConfig];

export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) registerKernel(config);
}
