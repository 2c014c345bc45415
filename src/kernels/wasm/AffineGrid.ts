import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { affineGridKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const affineGridConfig: KernelConfig = {
  kernelName: AffineGrid,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    affineGridKernel(wasmHeap(backend), inputs.theta as TensorInfo, attrs as unknown as AffineGridAttrs),
};
