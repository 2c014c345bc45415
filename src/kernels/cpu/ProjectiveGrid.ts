import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { ProjectiveGrid, type ProjectiveGridAttrs } from '../names.js';
import { projectiveGridKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const projectiveGridConfig: KernelConfig = {
  kernelName: ProjectiveGrid,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    projectiveGridKernel(cpuHeap(backend), inputs.h as TensorInfo, attrs as unknown as ProjectiveGridAttrs),
};
