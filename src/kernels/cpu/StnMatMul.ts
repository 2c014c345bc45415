import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { StnMatMul } from '../names.js';
import { stnMatMulKernel } from '../shared/kernels.js';
import { cpuHeap } from './cpu_backend.js';

export const stnMatMulConfig: KernelConfig = {
  kernelName: StnMatMul,
  backendName: 'cpu',
  kernelFunc: ({ inputs, backend }) => stnMatMulKernel(cpuHeap(backend), inputs.a as TensorInfo, inputs.b as TensorInfo),
};
