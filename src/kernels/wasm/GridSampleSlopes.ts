import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleSlopes, type GridSampleAttrs } from '../names.js';
import { gridSampleSlopesKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const gridSampleSlopesConfig: KernelConfig = {
  kernelName: GridSampleSlopes,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleSlopesKernel(wasmHeap(backend), inputs.input as TensorInfo, inputs.grid as TensorInfo, attrs as GridSampleAttrs),
};
