import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleGrad, type GridSampleAttrs } from '../names.js';
import { isEmpty } from '../shared/shapes.js';
import { GridSampleGradGridProgram, GridSampleGradInputProgram } from './grid_sample_webgpu.js';
import { runProgram, webgpuBackend } from './webgpu_backend.js';
import { zeros } from './zeros_webgpu.js';

/** Returns [dInput, dGrid]: two programs, as a tfjs program has one output. */
export const gridSampleGradConfig: KernelConfig = {
  kernelName: GridSampleGrad,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webgpuBackend(backend);
    const dy = inputs.dy as TensorInfo;
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    const o = attrs as GridSampleAttrs;
    // Empty tensors are never bound: an empty image has no taps, so both gradients are 0.
    const dInput = zeros(b, input.shape);
    if (!isEmpty(input.shape) && !isEmpty(dy.shape)) {
      runProgram(b, new GridSampleGradInputProgram(input.shape, dy.shape, o), [grid, dy], dInput);
    }
    const dGrid = isEmpty(input.shape)
      ? zeros(b, grid.shape)
      : runProgram(b, new GridSampleGradGridProgram(grid.shape, o), [input, grid, dy]);
    return [dInput, dGrid];
  },
};
