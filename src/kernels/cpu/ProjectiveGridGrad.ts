import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ProjectiveGridGrad, type ProjectiveGridAttrs } from '../names.js';
import { projectiveGridGradKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const projectiveGridGradConfig: KernelConfig = {
  kernelName: ProjectiveGridGrad,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    projectiveGridGradKernel(cpuHeap(backend), inputs.dy as TensorInfo, inputs.h as TensorInfo, attrs as unknown as ProjectiveGridAttrs),
};
