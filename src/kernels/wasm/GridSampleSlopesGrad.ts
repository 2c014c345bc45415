import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleSlopesGrad, type GridSampleSlopesGradAttrs } from '../names.js';
import { gridSampleSlopesGradKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const gridSampleSlopesGradConfig: KernelConfig = {
  kernelName: GridSampleSlopesGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    gridSampleSlopesGradKernel(wasmHeap(backend), inputs.dy as TensorInfo, inputs.grid as TensorInfo, inputs.slopes as TensorInfo,
      attrs as GridSampleSlopesGradAttrs),
};
