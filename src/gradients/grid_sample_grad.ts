import { type GradConfig, type Tensor, engine } from '@tensorflow/tfjs-core';
import { GridSample, GridSampleGrad, type GridSampleAttrs } from '../kernels/names.js';

/**
 * d(input) and d(grid) come from one GridSampleGrad run, made when the gradient function is
 * called (inside tfjs's backward tidy), so an input that needs no gradient costs nothing extra
 * and its half is disposed with the rest of the backward pass.
 */
export const gridSampleGradConfig: GradConfig = {
  kernelName: GridSample,
  inputsToSave: ['input', 'grid'],
  gradFunc: (dy, saved, attrs) => {
    const [input, grid] = saved as [Tensor, Tensor];
    const [dInput, dGrid] = engine().runKernel(GridSampleGrad, { dy: dy as Tensor, input, grid },
      attrs as unknown as GridSampleAttrs) as [Tensor, Tensor];
    return { input: () => dInput, grid: () => dGrid };
  },
};
