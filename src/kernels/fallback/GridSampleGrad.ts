import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleGrad, type GridSampleGradAttrs } from '../names.js';
import { gridSampleGradKernel } from '../shared/kernels.js';
import { fallbackHeap } from './fallback_backend.js';

/** Returns [dInput, dGrid], as the cpu and wasm kernels do (the same shared kernel, outputMask included). */
export function gridSampleGradConfig(backendName: string): KernelConfig {
  return {
    kernelName: GridSampleGrad,
    backendName,
    kernelFunc: ({ inputs, backend, attrs }) =>
      gridSampleGradKernel(fallbackHeap(backend, backendName), inputs.dy as TensorInfo, inputs.input as TensorInfo,
        inputs.grid as TensorInfo, attrs as GridSampleGradAttrs),
  };
}
