import { type KernelConfig, registerKernel } from '@tensorflow/tfjs-core';
import { affineGridConfig } from './AffineGrid.js';
import { gridSampleConfig } from './GridSample.js';
import { gridSampleGradConfig } from './GridSampleGrad.js';
import { gridSampleSlopesConfig } from './GridSampleSlopes.js';
import { gridSampleSlopesGradConfig } from './GridSampleSlopesGrad.js';
import { projectiveGridConfig } from './ProjectiveGrid.js';
import { projectiveGridGradConfig } from './ProjectiveGridGrad.js';
import { stnMatMulConfig } from './StnMatMul.js';

const cpuKernelConfigs: KernelConfig[] = [
  affineGridConfig, gridSampleConfig, gridSampleGradConfig, gridSampleSlopesConfig, gridSampleSlopesGradConfig,
  projectiveGridConfig, projectiveGridGradConfig, stnMatMulConfig,
];

export function registerCpuKernels(): void {
  for (const config of cpuKernelConfigs) registerKernel(config);
}
