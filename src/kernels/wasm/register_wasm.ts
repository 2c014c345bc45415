import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';
import { projectiveGridConfig } from './ProjectiveGrid.js';
import { projectiveGridGradConfig } from './ProjectiveGridGrad.js';
import { installWasmReplacementsIfLoaded } from './replacements.js';

export const wasmKernelConfigs: KernelConfig[] = [
  affineGridConfig, gridSampleConfig, gridSampleGradConfig, conv2DBackpropFilterConfig, projectiveGridConfig, projectiveGridGradConfig,
];

export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) registerKernel(config);
  installWasmReplacementsIfLoaded();
}
