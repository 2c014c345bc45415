import { type GradConfig, type Tensor, engine } from '@tensorflow/tfjs-core';
import { GridSample, GridSampleGrad, type GridSampleAttrs } from '../kernels/names.js';

/**
 * d(input) and d(grid) come from one GridSampleGrad kernel. tfjs evaluates each input's gradient
 * in its own tidy and only for the inputs that need one, so each runs the kernel and keeps its
 * half: one run in the usual STN case (only the grid needs a gradient), two when both do.
 */
export const gridSampleGradConfig: GradConfig = {
  kernelName: GridSample,
  inputsToSave: ['input', 'grid'],
  gradFunc: (dy, saved, attrs) => {
    const [input, grid] = saved as [Tensor, Tensor];
    const run = () => engine().runKernel(GridSampleGrad, { dy: dy as Tensor, input, grid },
      attrs as unknown as GridSampleAttrs) as [Tensor, Tensor];
    return { input: () => run()[0], grid: () => run()[1] };
  },
};
