import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { affineGridKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const affineGridConfig: KernelConfig = {
  kernelName: AffineGrid,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend, attrs }) =>
    affineGridKernel(cpuHeap(backend), inputs.theta as TensorInfo, attrs as unknown as AffineGridAttrs),
};
