import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleSlopes, type GridSampleAttrs } from '../names.js';
import { gridSampleSlopesKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const gridSampleSlopesConfig: KernelConfig = {
  kernelName: GridSampleSlopes,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleSlopesKernel(cpuHeap(backend), inputs.input as TensorInfo, inputs.grid as TensorInfo, attrs as GridSampleAttrs),
};
