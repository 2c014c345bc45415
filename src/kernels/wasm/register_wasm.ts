import { type KernelConfig, getKernel, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';
import { gridSampleSlopesConfig } from './GridSampleSlopes.js';
import { gridSampleSlopesGradConfig } from './GridSampleSlopesGrad.js';
import { projectiveGridConfig } from './ProjectiveGrid.js';
import { projectiveGridGradConfig } from './ProjectiveGridGrad.js';

const wasmKernelConfigs: KernelConfig[] = [
  affineGridConfig, gridSampleConfig, gridSampleGradConfig, gridSampleSlopesConfig, gridSampleSlopesGradConfig,
  projectiveGridConfig, projectiveGridGradConfig,
];
/** Kernels tfjs-backend-wasm lacks (4.22 has no Conv2DBackpropFilter, so no convnet trains on it). */
const wasmMissingKernelConfigs: KernelConfig[] = [conv2DBackpropFilterConfig];

/**
 * stn-layer's own kernels, and the kernels tfjs-backend-wasm lacks, unless a kernel of that name
 * is registered already (a later tfjs-wasm that has it keeps its own). tfjs-wasm's existing
 * kernels stay as they are: the faster training kernels are opt-in (useWasmTrainingKernels).
 */
export function registerWasmKernels(): void {
  for (const config of wasmKernelConfigs) registerKernel(config);
  for (const config of wasmMissingKernelConfigs) if (!getKernel(config.kernelName, 'wasm')) registerKernel(config);
}
