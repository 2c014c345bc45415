import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ProjectiveGridGrad, type ProjectiveGridAttrs } from '../names.js';
import { projectiveGridGradKernel } from '../shared/kernels.js';
import { wasmHeap } from './wasm_backend.js';

export const projectiveGridGradConfig: KernelConfig = {
  kernelName: ProjectiveGridGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    projectiveGridGradKernel(wasmHeap(backend), inputs.dy as TensorInfo, inputs.h as TensorInfo, attrs as unknown as ProjectiveGridAttrs),
};
