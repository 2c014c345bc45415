import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { gridSampleKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const gridSampleConfig: KernelConfig = {
  kernelName: GridSample,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleKernel(cpuHeap(backend), inputs.input as TensorInfo, inputs.grid as TensorInfo, attrs as GridSampleAttrs),
};
