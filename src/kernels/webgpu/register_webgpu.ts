import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';

const webgpuKernelConfigs: KernelConfig[] = [affineGridConfig, gridSampleConfig, gridSampleGradConfig];

/** Registers the WGSL kernels for 'webgpu'; loads nothing of tfjs-backend-webgpu. */
export function registerWebGPUKernels(): void {
  for (const config of webgpuKernelConfigs) registerKernel(config);
}
