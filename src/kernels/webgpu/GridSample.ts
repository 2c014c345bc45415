import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { isEmpty } from '../shared/shapes.js';
import { GridSampleProgram } from './grid_sample_webgpu.js';
import { runProgram, webgpuBackend } from './webgpu_backend.js';
import { zeros } from './zeros_webgpu.js';

export const gridSampleConfig: KernelConfig = {
  kernelName: GridSample,
  backendName: 'webgpu',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webgpuBackend(backend);
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    const [N, , , C] = input.shape;
    const [, Ho, Wo] = grid.shape;
    const outShape = [N!, Ho!, Wo!, C!];
    // Every sample of an empty image reads padding, 0; an empty buffer cannot be bound.
    if (isEmpty(input.shape)) return zeros(b, outShape);
    return runProgram(b, new GridSampleProgram(outShape, attrs as GridSampleAttrs), [input, grid]);
  },
};
