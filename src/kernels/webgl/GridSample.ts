import type { KernelConfig, TensorInfo } from '@tensorflow/tfjs-core';
import { GridSample, type GridSampleAttrs } from '../names.js';
import { GridSampleProgram, ZerosProgram, imageSize } from './grid_sample_webgl.js';
import { isEmpty } from '../shared/shapes.js';
import { checkFitsTexture, runProgram, webglBackend } from './webgl_backend.js';

export const gridSampleConfig: KernelConfig = {
  kernelName: GridSample,
  backendName: 'webgl',
  kernelFunc: ({ inputs, backend, attrs }) => {
    const b = webglBackend(backend);
    const input = inputs.input as TensorInfo;
    const grid = inputs.grid as TensorInfo;
    const program = new GridSampleProgram(input.shape, grid.shape, attrs as GridSampleAttrs);
    checkTextures(input, grid, program.outputShape);
    // Every sample of an empty image reads padding, 0; an empty texture is never bound.
    if (isEmpty(input.shape)) return runProgram(b, new ZerosProgram(program.outputShape), []);
    return runProgram(b, program, [input, grid], imageSize(input.shape));
  },
};

/** gridSample's operands (and dy, backward) each in one texture: else a RangeError naming it. */
export function checkTextures(input: TensorInfo, grid: TensorInfo, outputShape: number[], dy?: TensorInfo): void {
  checkFitsTexture('gridSample', 'input', input.shape);
  checkFitsTexture('gridSample', 'grid', grid.shape);
  checkFitsTexture('gridSample', dy ? 'dy (the gradient of its output)' : 'the output', dy ? dy.shape : outputShape);
}
