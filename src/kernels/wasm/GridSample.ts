import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { gridSampleKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const gridSampleConfig: KernelConfig = {
  kernelName: GridSample,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleKernel(wasmHeap(backend), inputs.input as TensorInfo, inputs.grid as TensorInfo, attrs as GridSampleAttrs),
};
