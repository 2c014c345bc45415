/**
 * The calls bench:threads times, in Node (bench/threads.ts) and in a page (bench/threads_page):
 * gridSample, bilinear/zeros, forward; forward then GridSampleGrad for both gradients; forward then
 * GridSampleGrad for d(grid) alone (an STN's step).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GridSampleGrad, gridSample } from '../../src/index.js';

export const ATTRS = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
export const DIRECTIONS = ['forward', 'forward+backward', 'forward+d(grid)'] as const;
export type Direction = (typeof DIRECTIONS)[number];

/** Each direction's call on these tensors; it returns the tensors it made. */
export function directionCalls(x: tf.Tensor4D, g: tf.Tensor4D, dy: tf.Tensor4D): Record<Direction, () => tf.Tensor[]> {
  const grad = (outputMask: [boolean, boolean]) =>
    tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...ATTRS, outputMask } as never) as tf.Tensor[];
  return {
    forward: () => [gridSample(x, g, ATTRS)],
    'forward+backward': () => [gridSample(x, g, ATTRS), ...grad([true, true])],
    'forward+d(grid)': () => [gridSample(x, g, ATTRS), ...grad([false, true])],
  };
}
