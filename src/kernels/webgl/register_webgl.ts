import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';

export const webglKernelConfigs: KernelConfig[] = [affineGridConfig, gridSampleConfig, gridSampleGradConfig];

/** Registers the GLSL kernels for 'webgl'; loads nothing of tfjs-backend-webgl. */
export function registerWebGLKernels(): void {
  for (const config of webglKernelConfigs) registerKernel(config);
}
