import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';

const cpuKernelConfigs: KernelConfig[] = [affineGridConfig, gridSampleConfig, gridSampleGradConfig];

export function registerCpuKernels(): void {
  for (const config of cpuKernelConfigs) registerKernel(config);
}
