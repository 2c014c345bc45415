import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { GridSampleProgram, ZerosProgram, imageSize } from './grid_sample_webgl.js';
import { isEmpty, refuseVolumes } from '../shared/shapes.js';
import { runProgram, webglBackend } from './webgl_backend.js';

export const gridSampleConfig: KernelConfig = {
  kernelName: GridSample,
  backendName: 'webgl',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webglBackend(backend);
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    refuseVolumes(input.shape.length - 2, 'gridSample', 'webgl');
    const program = new GridSampleProgram(input.shape, grid.shape, attrs as GridSampleAttrs);
    // Every sample of an empty image reads padding, 0; an empty texture is never bound.
    if (isEmpty(input.shape)) return runProgram(b, new ZerosProgram(program.outputShape), []);
    return runProgram(b, program, [input, grid], imageSize(input.shape));
  },
};
