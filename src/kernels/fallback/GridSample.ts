import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { gridSampleKernel } from '../shared/kernels.js';
import { fallbackHeap } from './fallback_backend.js';

export function gridSampleConfig(backendName: string): KernelConfig {
  return {
    kernelName: GridSample,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      gridSampleKernel(fallbackHeap(backend, backendName), inputs.input as TensorInfo, inputs.grid as TensorInfo, attrs as GridSampleAttrs),
  };
}
