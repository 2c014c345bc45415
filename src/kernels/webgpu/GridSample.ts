import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { isEmpty } from '../shared/shapes.js';
import { GridSample3dProgram } from './grid_sample_3d_webgpu.js';
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
    const outShape = [...grid.shape.slice(0, -1), input.shape[input.shape.length - 1]!];
    // Every sample of an empty image reads padding, 0; an empty buffer cannot be bound.
    if (isEmpty(input.shape)) return zeros(b, outShape);
    const o = attrs as GridSampleAttrs;
    const program = input.shape.length === 5 ? new GridSample3dProgram(outShape, o) : new GridSampleProgram(outShape, o);
    return runProgram(b, program, [input, grid]);
  },
};
