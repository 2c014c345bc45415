import { type GradConfig, type Tensor, engine, getBackend, getKernel } from '@tensorflow/tfjs-core';
import {
  GridSample, GridSampleGrad, type GridSampleAttrs, type GridSampleGradAttrs, GridSampleSlopes, GridSampleSlopesGrad,
  type GridSampleSlopesGradAttrs,
} from '../kernels/names.js';
import { recordingGradients, runWithGradient, trackInEnclosingScope } from './engine_scope.js';

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
    return gradientThunks((outputMask) => engine().runKernel(GridSampleGrad, { dy: dy as Tensor, input, grid },
      { ...(attrs as unknown as GridSampleAttrs), outputMask } satisfies GridSampleGradAttrs) as [Tensor, Tensor]);
  },
};

/** The input and grid thunks, from a kernel call for the gradients in outputMask ([d(input), d(grid)]): as described above. */
function gradientThunks(run: (outputMask: [boolean, boolean]) => [Tensor, Tensor]): { input: () => Tensor; grid: () => Tensor } {
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
}

/**
 * Whether gridSample(input, grid) takes the slopes route: tfjs is recording gradients, the
 * sampling is one-channel bilinear on an image of two pixels or more, and the backend has the
 * slopes kernels (cpu and wasm). Then the forward also saves the slopes (8 bytes a point, for as
 * long as the tape holds them), and d(grid) costs a pass over the grid instead of a second walk
 * over the taps: an STN's training step is the forward and d(grid) alone.
 */
export function takesSlopesRoute(input: Tensor, attrs: GridSampleAttrs): boolean {
  const [, H, W, C] = input.shape;
  if (input.rank !== 4 || attrs.mode !== 'bilinear' || C !== 1 || H! * W! < 2 || !recordingGradients()) return false;
  const backend = getBackend();
  return getKernel(GridSampleSlopes, backend) !== undefined && getKernel(GridSampleSlopesGrad, backend) !== undefined;
}

/**
 * gridSample as one node of the gradient tape (takesSlopesRoute): GridSampleSlopes forward, then
 * GridSampleSlopesGrad, asked as GridSampleGrad is in gridSampleGradConfig (one call for both
 * gradients where d(input) is wanted). The tape holds the grid and the slopes: the backward
 * reads no input. The output, d(input) and d(grid) have the bits of the GridSample route's.
 */
export function gridSampleWithSlopes(input: Tensor, grid: Tensor, attrs: GridSampleAttrs): Tensor {
  const inputShape = input.shape;
  return runWithGradient({ input, grid }, (save) => {
    const [output, slopes] = engine().runKernel(GridSampleSlopes, { input, grid }, attrs) as [Tensor, Tensor];
    save([grid, slopes]);
    return output;
  }, (dy, saved) => {
    const [savedGrid, slopes] = saved as [Tensor, Tensor];
    return gradientThunks((outputMask) => engine().runKernel(GridSampleSlopesGrad, { dy, grid: savedGrid, slopes },
      { ...attrs, outputMask, inputShape } satisfies GridSampleSlopesGradAttrs) as [Tensor, Tensor]);
  });
}
