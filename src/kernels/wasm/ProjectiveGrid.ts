import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ProjectiveGrid, type ProjectiveGridAttrs } from '../names.js';
import { projectiveGridKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const projectiveGridConfig: KernelConfig = {
  kernelName: ProjectiveGrid,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    projectiveGridKernel(wasmHeap(backend), inputs.h as TensorInfo, attrs as unknown as ProjectiveGridAttrs),
};
