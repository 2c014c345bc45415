import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleGrad, type GridSampleGradAttrs, gradOutputMask } from '../names.js';
import { isEmpty } from '../shared/shapes.js';
import { GridSampleGradGridProgram, GridSampleGradInputProgram } from './grid_sample_webgpu.js';
import { runProgram, webgpuBackend } from './webgpu_backend.js';
import { zeros } from './zeros_webgpu.js';

/**
 * Returns [dInput, dGrid]: two programs, as a tfjs program has one output. A gradient that
 * outputMask leaves out runs no program (d(input)'s zero-fill included) and comes back with shape [0].
 */
export const gridSampleGradConfig: KernelConfig = {
  kernelName: GridSampleGrad,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webgpuBackend(backend);
    const dy = inputs.dy as TensorInfo;
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    const o = attrs as GridSampleGradAttrs;
    const [wantDInput, wantDGrid] = gradOutputMask(o);
    // Empty tensors are never bound: an empty image has no taps, so both gradients are 0.
    const dInput = zeros(b, wantDInput ? input.shape : [0]);
    if (wantDInput && !isEmpty(input.shape) && !isEmpty(dy.shape)) {
      runProgram(b, new GridSampleGradInputProgram(input.shape, dy.shape, o), [grid, dy], dInput);
    }
    let dGrid: TensorInfo;
    if (!wantDGrid) dGrid = zeros(b, [0]);
    else if (isEmpty(input.shape)) dGrid = zeros(b, grid.shape);
    else dGrid = runProgram(b, new GridSampleGradGridProgram(grid.shape, o), [input, grid, dy]);
    return [dInput, dGrid];
  },
};
