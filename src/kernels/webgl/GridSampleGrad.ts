import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSampleGrad, type GridSampleGradAttrs, gradOutputMask } from '../names.js';
import { GridSampleGradGridProgram, ZerosProgram, imageSize } from './grid_sample_webgl.js';
import { scatterGradInput } from './scatter_webgl.js';
import { isEmpty } from '../shared/shapes.js';
import { checkTextures } from './GridSample.js';
import { emptyTensor, runProgram, webglBackend } from './webgl_backend.js';

/**
 * Returns [dInput, dGrid]. outputMask [d(input), d(grid)] (absent: both) says which to compute;
 * the other comes back as a float32 tensor of shape [0], with no work done for it.
 */
export const gridSampleGradConfig: KernelConfig = {
  kernelName: GridSampleGrad,
  backendName: 'webgl',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webglBackend(backend);
    const dy = inputs.dy as TensorInfo;
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    const o = attrs as GridSampleGradAttrs;
    checkTextures(input, grid, dy.shape, dy);
    const [wantInput, wantGrid] = gradOutputMask(o);
    // An empty image has no taps, so both gradients are 0; empty textures are never bound.
    const empty = isEmpty(input.shape) || isEmpty(dy.shape);
    const dInput = !wantInput ? emptyTensor(b)
      : empty ? runProgram(b, new ZerosProgram(input.shape), [])
        : scatterGradInput(b, grid, dy, input.shape, o);
    const dGrid = !wantGrid ? emptyTensor(b)
      : empty ? runProgram(b, new ZerosProgram(grid.shape), [])
        : runProgram(b, new GridSampleGradGridProgram(grid.shape, o), [input, grid, dy], imageSize(input.shape));
    return [dInput, dGrid];
  },
};
