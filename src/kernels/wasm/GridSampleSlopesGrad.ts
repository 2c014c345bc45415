import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { type GridSampleGradAttrs, GridSampleSlopesGrad } from '../names.js';
import { gridSampleGradKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const gridSampleSlopesGradConfig: KernelConfig = {
  kernelName: GridSampleSlopesGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleGradKernel(wasmHeap(backend), inputs.dy as TensorInfo, inputs.input as TensorInfo, inputs.grid as TensorInfo,
      attrs as GridSampleGradAttrs, inputs.slopes as TensorInfo),
};
