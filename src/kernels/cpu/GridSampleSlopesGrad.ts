import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleSlopesGrad, type GridSampleSlopesGradAttrs } from '../names.js';
import { gridSampleSlopesGradKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const gridSampleSlopesGradConfig: KernelConfig = {
  kernelName: GridSampleSlopesGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleSlopesGradKernel(cpuHeap(backend), inputs.dy as TensorInfo, inputs.grid as TensorInfo, inputs.slopes as TensorInfo,
      attrs as GridSampleSlopesGradAttrs),
};
