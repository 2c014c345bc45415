import { type GradConfig, type Tensor, engine } from '@tensorflow/tfjs-core';
import { GridSample, GridSampleGrad, type GridSampleAttrs, type GridSampleGradAttrs } from '../kernels/names.js';
import { trackInEnclosingScope } from './engine_scope.js';

/**
 * The gradient asks GridSampleGrad only for what tfjs needs (its outputMask). tfjs calls the
 * thunks of the inputs that lead to the xs only, in input order (input, then grid), each in a tidy
 * of its own:
 * - grid alone (an STN: the image is data): the grid thunk runs the kernel for d(grid) alone,
 *   which skips the zero-fill and scatter into d(input), the slow half of the backward pass.
 * - input (with or without grid): the input thunk cannot know whether the grid thunk follows, so
 *   it runs the kernel once for both (one pass is faster than two: the coordinate math and tap
 *   reads are shared) and hands d(grid) to the backward pass's own tidy: the grid thunk returns
 *   it, or that tidy disposes it.
 * d(input) alone is the kernel's too (outputMask [true, false]), for callers that know.
 */
export const gridSampleGradConfig: GradConfig = {
  kernelName: GridSample,
  inputsToSave: ['input', 'grid'],
  gradFunc: (dy, saved, attrs) => {
    const [input, grid] = saved as [Tensor, Tensor];
    const run = (outputMask: [boolean, boolean]) => engine().runKernel(GridSampleGrad, { dy: dy as Tensor, input, grid },
      { ...(attrs as unknown as GridSampleAttrs), outputMask } satisfies GridSampleGradAttrs) as [Tensor, Tensor];
    let dGridHeld: Tensor | undefined;
    return {
      input: () => {
        const [dInput, dGrid] = run([true, true]);
        if (trackInEnclosingScope(dGrid)) dGridHeld = dGrid;
        return dInput;
      },
      grid: () => {
        const dGrid = dGridHeld ?? run([false, true])[1];
        dGridHeld = undefined;
        return dGrid;
      },
    };
  },
};
