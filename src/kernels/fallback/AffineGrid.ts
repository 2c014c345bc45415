import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { AffineGrid, type AffineGridAttrs } from '../names.js';
import { affineGridKernel } from '../shared/kernels.js';
import { fallbackHeap } from './fallback_backend.js';

export function affineGridConfig(backendName: string): KernelConfig {
  return {
    kernelName: AffineGrid,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      affineGridKernel(fallbackHeap(backend, backendName), inputs.theta as TensorInfo, attrs as unknown as AffineGridAttrs),
  };
}
