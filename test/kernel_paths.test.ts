/**
 * Which kernel path of the AssemblyScript gridSample each case takes (the rows of the dispatch
 * table in assembly/grid_bilinear.ts, the generic per-point path, and the volume paths of
 * assembly/grid_sample_3d.ts), read from the module's
 * per-path counters, on the cpu and wasm backends: a dispatch change that reroutes a case fails
 * here, by name. Each case also checks its result against the float64 reference, so every path
 * has a parity test of its own.
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { GridSampleGrad, gridSample } from '../src/index.js';
import { cpuStnExports } from '../src/kernels/cpu/cpu_backend.js';
import { KERNEL_PATHS, kernelPathCounts } from '../src/kernels/shared/kernel_paths.js';
import type { StnExports } from '../src/kernels/shared/stn_module.js';
import { stnExportsFor } from '../src/kernels/shared/stn_module.js';
import { wasmMemory } from '../src/kernels/wasm/wasm_backend.js';
import { type SampleOptions, gridSampleReference } from '../src/reference/grid_sample.js';
import { CPU_BACKENDS, expectClose, useBackend } from './helpers.js';

interface PathCase {
  name: string;
  o: SampleOptions;
  /** [H, W, C] of a one-item batch, or [D, H, W, C] of a volume. */
  image: number[];
  /** Grid points (x, y) or, for a volume, (x, y, z) in [-1, 1] coordinates, in one row. */
  points: number[][];
  backward?: boolean;
  outputMask?: [boolean, boolean];
  /** The counters that must be nonzero afterwards, and their counts; every other must be 0. */
  want: Record<string, number>;
}

const BILINEAR: SampleOptions = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false };
const NEAREST: SampleOptions = { ...BILINEAR, mode: 'nearest' };
const BICUBIC: SampleOptions = { ...BILINEAR, mode: 'bicubic' };
const INSIDE: [number, number][] = [[-0.3, -0.2], [0.1, 0.4], [0.45, -0.35], [-0.05, 0.05], [0.2, 0.2], [-0.4, 0.3], [0.3, -0.1], [0, 0]];
const CORNER: [number, number][] = [[-1, -1], ...INSIDE.slice(0, 3)];
const LEFT_EDGE: [number, number][] = [[-1, 0], ...INSIDE.slice(0, 3)];
/** On an 8x8 image: every tap inside, the south taps in the image's last pair (ix, iy in [6, 7)). */
const LAST_PAIR: [number, number][] = [[0.75, 0.75], [0.7, 0.75], [0.75, 0.72], [0.74, 0.74]];
/**
 * On a 2047x2048 image (4,192,256 elements, just under 2^22: the float tap index's limit): every
 * tap inside, in the image's last two rows and columns (ix in [2046, 2047), iy in [2045, 2046)).
 * Coordinates 1 - k/4096, whose pixel coordinates float32 holds exactly: near 2046 its spacing is
 * 2^-12 px, which d(grid)'s factor of ~1024 would make a difference of ~0.01 from the float64 reference.
 */
const BIG_LAST: [number, number][] = [[3, 4], [4, 5], [5, 3], [6, 6]].map(([a, b]) => [1 - a! / 4096, 1 - b! / 4096]);
/**
 * On a 1023x1024 RGBA image (4,190,208 elements, just under 2^22): every tap inside, in the last two
 * rows and columns (ix in [1022, 1023), iy in [1021, 1022)), at coordinates 1 - k/4096 whose pixel
 * coordinates float32 holds exactly (ix = 1023.5 - k/8, iy = 1022.5 - 1023k/8192).
 */
const RGBA_LAST: [number, number][] = [[5, 6], [7, 8], [9, 5], [12, 10]].map(([a, b]) => [1 - a! / 4096, 1 - b! / 4096]);
// Volumes: the points above, each at a depth.
const INSIDE_3D = INSIDE.map(([x, y], i) => [x, y, 0.3 * Math.sin(i + 1)]);
const CORNER_3D = [[-1, -1, -1], ...INSIDE_3D.slice(0, 3)];
const OUTSIDE_3D = [[-3, 0, 0], [3, 0.2, 0.1], [0, 4, 0], [0.1, 0.2, -5]];

const CASES: PathCase[] = [
  { name: '1 channel forward, two blocks of four, every tap inside', o: BILINEAR, image: [8, 8, 1], points: INSIDE, want: { 'oneInside forward': 2 } },
  { name: '1 channel forward, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 1], points: INSIDE.slice(0, 4), want: { 'oneInside forward': 1 } },
  { name: '1 channel forward, a tap left of the image (masked taps read 0)', o: BILINEAR, image: [8, 8, 1], points: LEFT_EDGE, want: { 'onePairs forward': 1 } },
  { name: '1 channel forward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 1], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], want: { 'onePairs forward': 1 } },
  { name: '1 channel forward, the taps in the last pair', o: BILINEAR, image: [8, 8, 1], points: LAST_PAIR, want: { 'oneInside forward': 1 } },
  { name: '1 channel forward, every tap inside an image of 2^22 elements (past the float tap index)', o: BILINEAR, image: [2048, 2048, 1], points: INSIDE.slice(0, 4), want: { 'oneInside forward': 1 } },
  { name: '1 channel forward, every tap inside, at the end of an image just under 2^22 elements', o: BILINEAR, image: [2047, 2048, 1], points: BIG_LAST, want: { 'oneInside forward': 1 } },
  { name: '1 channel forward, every tap inside a 6x9 image, alignCorners', o: { ...BILINEAR, alignCorners: true }, image: [6, 9, 1], points: INSIDE.slice(0, 4), want: { 'oneInside forward': 1 } },
  { name: '1 channel forward, a short block of three', o: BILINEAR, image: [8, 8, 1], points: INSIDE.slice(0, 3), want: { 'fewPairs forward': 1 } },
  { name: '1 channel forward, a tap pair at the top-left corner', o: BILINEAR, image: [8, 8, 1], points: CORNER, want: { 'fewGather forward': 1 } },
  { name: '1 channel forward, a tap pair past the bottom-right corner', o: BILINEAR, image: [8, 8, 1], points: [[1, 1], ...INSIDE.slice(0, 3)], want: { 'fewGather forward': 1 } },
  { name: '1 channel forward, a one-pixel image (no pair)', o: BILINEAR, image: [1, 1, 1], points: INSIDE.slice(0, 4), want: { 'fewGather forward': 1 } },
  { name: '3 channels forward, all taps inside', o: BILINEAR, image: [8, 8, 3], points: INSIDE.slice(0, 4), want: { 'rgbInside forward': 1 } },
  { name: '3 channels forward, a tap left of the image', o: BILINEAR, image: [8, 8, 3], points: LEFT_EDGE, want: { 'rgbPairs forward': 1 } },
  { name: '3 channels forward, the taps in the last pair (rgbInside would read past the image)', o: BILINEAR, image: [8, 8, 3], points: LAST_PAIR, want: { 'rgbPairs forward': 1 } },
  { name: '3 channels forward, a tap pair past the bottom-right corner', o: BILINEAR, image: [8, 8, 3], points: [[1, 1], ...INSIDE.slice(0, 3)], want: { 'fewGather forward': 1 } },
  { name: '3 channels forward, a short block of two', o: BILINEAR, image: [8, 8, 3], points: INSIDE.slice(0, 2), want: { 'rgbPairs forward': 1 } },
  { name: '3 channels forward, a tap pair at the top-left corner', o: BILINEAR, image: [8, 8, 3], points: CORNER, want: { 'fewGather forward': 1 } },
  { name: '2 channels forward, two blocks of four inside', o: BILINEAR, image: [8, 8, 2], points: INSIDE, want: { 'twoPairs forward': 2 } },
  { name: '2 channels forward, a tap left of the image (masked taps read 0)', o: BILINEAR, image: [8, 8, 2], points: LEFT_EDGE, want: { 'twoPairs forward': 1 } },
  { name: '2 channels forward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 2], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], want: { 'twoPairs forward': 1 } },
  { name: '2 channels forward, the taps in the last pair', o: BILINEAR, image: [8, 8, 2], points: LAST_PAIR, want: { 'twoPairs forward': 1 } },
  { name: '2 channels forward, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 2], points: INSIDE.slice(0, 4), want: { 'twoPairs forward': 1 } },
  { name: '2 channels forward, a tap pair past the bottom-right corner', o: BILINEAR, image: [8, 8, 2], points: [[1, 1], ...INSIDE.slice(0, 3)], want: { 'fewGather forward': 1 } },
  { name: '2 channels forward, a short block of three', o: BILINEAR, image: [8, 8, 2], points: INSIDE.slice(0, 3), want: { 'fewGather forward': 1 } },
  { name: '2 channels forward, a tap pair at the top-left corner', o: BILINEAR, image: [8, 8, 2], points: CORNER, want: { 'fewGather forward': 1 } },
  // Four channels (RGBA) walk bilinearPairsLoop: a block with every tap inside takes rgbaInsideBlock, any other bilinearForward / bilinearBackward.
  { name: '4 channels forward, two blocks of four, every tap inside', o: BILINEAR, image: [8, 8, 4], points: INSIDE, want: { 'rgbaInside forward': 2 } },
  { name: '4 channels forward, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 4], points: INSIDE.slice(0, 4), want: { 'rgbaInside forward': 1 } },
  { name: '4 channels forward, the taps in the last pair', o: BILINEAR, image: [8, 8, 4], points: LAST_PAIR, want: { 'rgbaInside forward': 1 } },
  { name: '4 channels forward, every tap inside a 6x9 image, alignCorners', o: { ...BILINEAR, alignCorners: true }, image: [6, 9, 4], points: INSIDE.slice(0, 4), want: { 'rgbaInside forward': 1 } },
  { name: '4 channels forward, every tap inside an image of 2^22 elements (past the float tap index)', o: BILINEAR, image: [1024, 1024, 4], points: INSIDE.slice(0, 4), want: { 'rgbaInside forward': 1 } },
  { name: '4 channels forward, every tap inside, at the end of an image just under 2^22 elements (the float tap index)', o: BILINEAR, image: [1023, 1024, 4], points: RGBA_LAST, want: { 'rgbaInside forward': 1 } },
  { name: '4 channels forward, a tap outside', o: BILINEAR, image: [8, 8, 4], points: CORNER, want: { 'pointsMasked forward': 1 } },
  { name: '4 channels forward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 4], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], want: { 'pointsMasked forward': 1 } },
  { name: '4 channels forward, a short block of three', o: BILINEAR, image: [8, 8, 4], points: INSIDE.slice(0, 3), want: { 'pointsMasked forward': 1 } },
  { name: '4 channels forward, a one-pixel image', o: BILINEAR, image: [1, 1, 4], points: INSIDE.slice(0, 4), want: { 'pointsMasked forward': 1 } },
  { name: '5 channels forward, all taps inside', o: BILINEAR, image: [8, 8, 5], points: INSIDE.slice(0, 4), want: { 'pointsInside forward': 1 } },
  { name: '5 channels forward, a tap outside', o: BILINEAR, image: [8, 8, 5], points: CORNER, want: { 'pointsMasked forward': 1 } },
  { name: '5 channels forward, a short block of three', o: BILINEAR, image: [8, 8, 5], points: INSIDE.slice(0, 3), want: { 'pointsMasked forward': 1 } },
  // One channel's backward walks the forward's loop (bilinearPairsLoop) and its block, whichever gradients are asked for.
  { name: '1 channel backward', o: BILINEAR, image: [8, 8, 1], points: INSIDE, backward: true, want: { 'oneInside backward': 2 } },
  { name: '1 channel backward, four points in one pixel cell (their scatters add in turn)', o: BILINEAR, image: [8, 8, 1], points: [[0.01, 0.02], [0.02, 0.01], [0.015, 0.015], [0.005, 0.03]], backward: true, want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, the taps in the last pair', o: BILINEAR, image: [8, 8, 1], points: LAST_PAIR, backward: true, want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, a short block of three', o: BILINEAR, image: [8, 8, 1], points: INSIDE.slice(0, 3), backward: true, want: { 'fewPairs backward': 1 } },
  { name: '1 channel backward, d(grid) alone', o: BILINEAR, image: [8, 8, 1], points: INSIDE, backward: true, outputMask: [false, true], want: { 'oneInside backward': 2 } },
  { name: '1 channel backward, d(grid) alone, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 1], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, d(grid) alone, a tap left of the image (masked taps read 0)', o: BILINEAR, image: [8, 8, 1], points: LEFT_EDGE, backward: true, outputMask: [false, true], want: { 'onePairs backward': 1 } },
  { name: '1 channel backward, d(grid) alone, a short block of three', o: BILINEAR, image: [8, 8, 1], points: INSIDE.slice(0, 3), backward: true, outputMask: [false, true], want: { 'fewPairs backward': 1 } },
  { name: '1 channel backward, d(grid) alone, a tap pair at the corner', o: BILINEAR, image: [8, 8, 1], points: CORNER, backward: true, outputMask: [false, true], want: { 'fewGather backward': 1 } },
  { name: '1 channel backward, d(grid) alone, a one-pixel image (no pair)', o: BILINEAR, image: [1, 1, 1], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'fewGather backward': 1 } },
  { name: '1 channel backward, d(input) alone', o: BILINEAR, image: [8, 8, 1], points: INSIDE, backward: true, outputMask: [true, false], want: { 'oneInside backward': 2 } },
  { name: '1 channel backward, d(input) alone, a short block of three', o: BILINEAR, image: [8, 8, 1], points: INSIDE.slice(0, 3), backward: true, outputMask: [true, false], want: { 'fewPairs backward': 1 } },
  { name: '1 channel backward, d(input) alone, a tap pair at the corner', o: BILINEAR, image: [8, 8, 1], points: CORNER, backward: true, outputMask: [true, false], want: { 'fewGather backward': 1 } },
  { name: '1 channel backward, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 1], points: INSIDE.slice(0, 4), backward: true, want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, a tap pair at the corner', o: BILINEAR, image: [8, 8, 1], points: CORNER, backward: true, want: { 'fewGather backward': 1 } },
  { name: '1 channel backward, every tap inside an image of 2^22 elements', o: BILINEAR, image: [2048, 2048, 1], points: INSIDE.slice(0, 4), backward: true, want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, every tap inside, at the end of an image just under 2^22 elements', o: BILINEAR, image: [2047, 2048, 1], points: BIG_LAST, backward: true, want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, d(grid) alone, every tap inside a 6x9 image, alignCorners', o: { ...BILINEAR, alignCorners: true }, image: [6, 9, 1], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, d(grid) alone, border padding, a point clipped to the left edge (its d(grid) x is 0)', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 1], points: [[-1.5, 0], ...INSIDE.slice(0, 3)], backward: true, outputMask: [false, true], want: { 'oneInside backward': 1 } },
  { name: '1 channel backward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 1], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], backward: true, want: { 'onePairs backward': 1 } },
  { name: '1 channel backward, d(input) alone, a tap left of the image', o: BILINEAR, image: [8, 8, 1], points: LEFT_EDGE, backward: true, outputMask: [true, false], want: { 'onePairs backward': 1 } },
  { name: '1 channel backward, a tap left of the image (pairs, masked taps scatter +0)', o: BILINEAR, image: [8, 8, 1], points: LEFT_EDGE, backward: true, want: { 'onePairs backward': 1 } },
  { name: '3 channels backward, all taps inside', o: BILINEAR, image: [8, 8, 3], points: INSIDE, backward: true, want: { 'rgbInside backward': 2 } },
  { name: '3 channels backward, all taps inside, d(grid) alone', o: BILINEAR, image: [8, 8, 3], points: INSIDE, backward: true, outputMask: [false, true], want: { 'rgbInside backward': 2 } },
  // Three channels' backward walks bilinearPairsLoop too, with rgbBackward's blocks.
  { name: '3 channels backward, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 3], points: INSIDE.slice(0, 4), backward: true, want: { 'rgbInside backward': 1 } },
  { name: '3 channels backward, d(input) alone, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 3], points: INSIDE.slice(0, 4), backward: true, outputMask: [true, false], want: { 'rgbInside backward': 1 } },
  { name: '3 channels backward, d(grid) alone, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 3], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'rgbInside backward': 1 } },
  { name: '3 channels backward, d(grid) alone, the taps in the last pair (no float past it read)', o: BILINEAR, image: [8, 8, 3], points: LAST_PAIR, backward: true, outputMask: [false, true], want: { 'rgbInside backward': 1 } },
  { name: '3 channels backward, d(grid) alone, a short block of three', o: BILINEAR, image: [8, 8, 3], points: INSIDE.slice(0, 3), backward: true, outputMask: [false, true], want: { 'fewGather backward': 1 } },
  { name: '3 channels backward, d(grid) alone, a tap pair at the corner', o: BILINEAR, image: [8, 8, 3], points: CORNER, backward: true, outputMask: [false, true], want: { 'fewGather backward': 1 } },
  { name: '3 channels backward, d(grid) alone, a one-pixel image (no pair)', o: BILINEAR, image: [1, 1, 3], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'fewGather backward': 1 } },
  { name: '3 channels backward, all taps inside, d(input) alone', o: BILINEAR, image: [8, 8, 3], points: INSIDE, backward: true, outputMask: [true, false], want: { 'rgbInside backward': 2 } },
  { name: '3 channels backward, a tap left of the image', o: BILINEAR, image: [8, 8, 3], points: LEFT_EDGE, backward: true, want: { 'rgbPairs backward': 1 } },
  { name: '3 channels backward, a tap left of the image, d(grid) alone', o: BILINEAR, image: [8, 8, 3], points: LEFT_EDGE, backward: true, outputMask: [false, true], want: { 'rgbPairs backward': 1 } },
  { name: '3 channels backward, a tap left of the image, d(input) alone', o: BILINEAR, image: [8, 8, 3], points: LEFT_EDGE, backward: true, outputMask: [true, false], want: { 'rgbPairs backward': 1 } },
  { name: '3 channels backward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 3], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], backward: true, want: { 'rgbPairs backward': 1 } },
  { name: '3 channels backward, a short block of three', o: BILINEAR, image: [8, 8, 3], points: INSIDE.slice(0, 3), backward: true, want: { 'fewGather backward': 1 } },
  { name: '3 channels backward, a tap pair at the top-left corner', o: BILINEAR, image: [8, 8, 3], points: CORNER, backward: true, want: { 'fewGather backward': 1 } },
  { name: '2 channels backward', o: BILINEAR, image: [8, 8, 2], points: INSIDE, backward: true, want: { 'twoPairs backward': 2 } },
  { name: '2 channels backward, four points in one pixel cell (their scatters add in turn)', o: BILINEAR, image: [8, 8, 2], points: [[0.01, 0.02], [0.02, 0.01], [0.015, 0.015], [0.005, 0.03]], backward: true, want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, a tap left of the image (masked taps scatter +0)', o: BILINEAR, image: [8, 8, 2], points: LEFT_EDGE, backward: true, want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 2], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], backward: true, want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, the taps in the last pair', o: BILINEAR, image: [8, 8, 2], points: LAST_PAIR, backward: true, want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, d(grid) alone, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 2], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, d(input) alone, reflection, alignCorners', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [8, 8, 2], points: INSIDE.slice(0, 4), backward: true, outputMask: [true, false], want: { 'twoPairs backward': 1 } },
  { name: '2 channels backward, a tap pair past the bottom-right corner', o: BILINEAR, image: [8, 8, 2], points: [[1, 1], ...INSIDE.slice(0, 3)], backward: true, want: { 'fewGather backward': 1 } },
  { name: '2 channels backward, a short block of three', o: BILINEAR, image: [8, 8, 2], points: INSIDE.slice(0, 3), backward: true, want: { 'fewGather backward': 1 } },
  { name: '2 channels backward, a tap pair at the corner', o: BILINEAR, image: [8, 8, 2], points: CORNER, backward: true, want: { 'fewGather backward': 1 } },
  { name: '2 channels backward, a one-pixel image (no pair)', o: BILINEAR, image: [1, 1, 2], points: INSIDE.slice(0, 4), backward: true, want: { 'fewGather backward': 1 } },
  { name: 'no channels backward: d(grid) is 0', o: BILINEAR, image: [8, 8, 0], points: INSIDE.slice(0, 4), backward: true, want: { 'fewGather backward': 1 } },
  { name: '4 channels backward, every tap inside', o: BILINEAR, image: [8, 8, 4], points: INSIDE, backward: true, want: { 'rgbaInside backward': 2 } },
  { name: '4 channels backward, every tap inside, d(grid) alone', o: BILINEAR, image: [8, 8, 4], points: INSIDE, backward: true, outputMask: [false, true], want: { 'rgbaInside backward': 2 } },
  { name: '4 channels backward, every tap inside, d(input) alone', o: BILINEAR, image: [8, 8, 4], points: INSIDE, backward: true, outputMask: [true, false], want: { 'rgbaInside backward': 2 } },
  { name: '4 channels backward, d(grid) alone, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 4], points: INSIDE.slice(0, 4), backward: true, outputMask: [false, true], want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, reflection, alignCorners, a 6x9 image', o: { ...BILINEAR, paddingMode: 'reflection', alignCorners: true }, image: [6, 9, 4], points: INSIDE.slice(0, 4), backward: true, want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, four points whose taps share pixels (they add to them in turn)', o: BILINEAR, image: [8, 8, 4], points: [[0.1, 0.1], [0.12, 0.1], [0.1, 0.13], [0.11, 0.12]], backward: true, want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, zeros padding, alignCorners', o: { ...BILINEAR, alignCorners: true }, image: [8, 8, 4], points: INSIDE.slice(0, 4), backward: true, want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, every tap inside, at the end of an image just under 2^22 elements (the float tap index)', o: BILINEAR, image: [1023, 1024, 4], points: RGBA_LAST, backward: true, want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, a NaN point beside three inside', o: BILINEAR, image: [8, 8, 4], points: [[NaN, 0.1], ...INSIDE.slice(0, 3)], backward: true, want: { 'pointsMasked backward': 1 } },
  { name: '4 channels backward, the taps in the last pair', o: BILINEAR, image: [8, 8, 4], points: LAST_PAIR, backward: true, want: { 'rgbaInside backward': 1 } },
  { name: '4 channels backward, a tap outside', o: BILINEAR, image: [8, 8, 4], points: CORNER, backward: true, want: { 'pointsMasked backward': 1 } },
  { name: '4 channels backward, a tap outside, d(grid) alone', o: BILINEAR, image: [8, 8, 4], points: CORNER, backward: true, outputMask: [false, true], want: { 'pointsMasked backward': 1 } },
  { name: '4 channels backward, a short block of three', o: BILINEAR, image: [8, 8, 4], points: INSIDE.slice(0, 3), backward: true, want: { 'pointsMasked backward': 1 } },
  { name: '5 channels backward, all taps inside', o: BILINEAR, image: [8, 8, 5], points: INSIDE, backward: true, want: { 'pointsInside backward': 2 } },
  { name: '5 channels backward, all taps inside, d(grid) alone', o: BILINEAR, image: [8, 8, 5], points: INSIDE, backward: true, outputMask: [false, true], want: { 'pointsInside backward': 2 } },
  { name: '5 channels backward, all taps inside, d(input) alone', o: BILINEAR, image: [8, 8, 5], points: INSIDE, backward: true, outputMask: [true, false], want: { 'pointsInside backward': 2 } },
  { name: '5 channels backward, a tap outside', o: BILINEAR, image: [8, 8, 5], points: CORNER, backward: true, want: { 'pointsMasked backward': 1 } },
  { name: '5 channels backward, a tap outside, d(grid) alone', o: BILINEAR, image: [8, 8, 5], points: CORNER, backward: true, outputMask: [false, true], want: { 'pointsMasked backward': 1 } },
  { name: '5 channels backward, a tap outside, d(input) alone', o: BILINEAR, image: [8, 8, 5], points: CORNER, backward: true, outputMask: [true, false], want: { 'pointsMasked backward': 1 } },
  { name: '5 channels backward, a short block of three', o: BILINEAR, image: [8, 8, 5], points: INSIDE.slice(0, 3), backward: true, want: { 'pointsMasked backward': 1 } },
  { name: '16 channels backward, all taps inside', o: BILINEAR, image: [8, 8, 16], points: INSIDE.slice(0, 4), backward: true, want: { 'pointsInside backward': 1 } },
  { name: '16 channels backward, a NaN point, border padding', o: { ...BILINEAR, paddingMode: 'border' }, image: [8, 8, 16], points: [[NaN, 0.1], ...CORNER.slice(0, 3)], backward: true, want: { 'pointsMasked backward': 1 } },
  // Nearest: assembly/grid_nearest.ts, blocks of four, every channel count, images and volumes.
  ...[1, 2, 3, 4, 5, 16].flatMap((C): PathCase[] => [
    // Three channels forward read a block's rows 16 bytes at a time (nearestRgb).
    { name: `nearest ${C} channels forward, two blocks of four`, o: NEAREST, image: [8, 8, C], points: INSIDE, want: { [C === 3 ? 'nearestRgb forward' : 'nearest forward']: 2 } },
    { name: `nearest ${C} channels backward, two blocks of four`, o: NEAREST, image: [8, 8, C], points: INSIDE, backward: true, want: { 'nearest backward': 2 } },
    { name: `nearest ${C} channels forward, a NaN point and points outside (they read 0)`, o: NEAREST, image: [8, 8, C], points: [[NaN, 0.1], [-1.2, 0], [0, 1.3], [0.99, -0.999]], want: { [C === 3 ? 'nearestRgb forward' : 'nearest forward']: 1 } },
  ]),
  { name: 'nearest 3 channels forward, a tap on the last pixel (a 16-byte row would leave the image): row copies', o: { ...NEAREST, alignCorners: true }, image: [8, 8, 3], points: [[0, 0], [1, 1], [0.5, -0.5], [-1, 1]], want: { 'nearest forward': 1 } },
  { name: 'nearest 3 channels forward, a block of four and a short block of two', o: NEAREST, image: [8, 8, 3], points: INSIDE.slice(0, 6), want: { 'nearestRgb forward': 1, 'nearest forward': 1 } },
  { name: 'nearest backward, a short block of three', o: NEAREST, image: [8, 8, 3], points: INSIDE.slice(0, 3), backward: true, want: { 'nearest backward': 1 } },
  { name: 'nearest backward, four points on one pixel (they add to it in turn)', o: NEAREST, image: [8, 8, 3], points: [[0.1, 0.1], [0.12, 0.1], [0.1, 0.13], [0.11, 0.12]], backward: true, want: { 'nearest backward': 1 } },
  { name: 'nearest backward, points outside and a NaN point (nothing scattered, d(grid) 0)', o: NEAREST, image: [8, 8, 2], points: [[NaN, 0.1], [-1.2, 0], [0, 1.3], [0.5, 0.5]], backward: true, want: { 'nearest backward': 1 } },
  { name: 'nearest backward, d(grid) alone: zeros, no block walked', o: NEAREST, image: [8, 8, 1], points: INSIDE, backward: true, outputMask: [false, true], want: {} },
  { name: 'nearest backward, d(input) alone, reflection, alignCorners', o: { ...NEAREST, paddingMode: 'reflection', alignCorners: true }, image: [6, 9, 3], points: [[-1.3, 0.2], [1.7, -2.1], ...INSIDE.slice(0, 2)], backward: true, outputMask: [true, false], want: { 'nearest backward': 1 } },
  { name: 'nearest forward, border padding, points outside', o: { ...NEAREST, paddingMode: 'border' }, image: [8, 8, 4], points: [[-3, 0.2], [2, -7], [0.3, 1.01], [-0.5, 0.5]], want: { 'nearest forward': 1 } },
  { name: 'nearest forward, ties rounded half to even', o: { ...NEAREST, alignCorners: true }, image: [9, 9, 1], points: [[-0.875, -0.625], [-0.375, 0.125], [0.375, 0.625], [0.875, -0.125]], want: { 'nearest forward': 1 } },
  { name: 'bicubic backward, both gradients (the generic path)', o: BICUBIC, image: [8, 8, 3], points: INSIDE.slice(0, 3), backward: true, want: { 'generic backward': 3 } },
  { name: 'bicubic 4 channels backward d(grid) alone (the generic path)', o: BICUBIC, image: [8, 8, 4], points: INSIDE.slice(0, 3), backward: true, outputMask: [false, true], want: { 'generic backward': 3 } },
  // The bicubic forward with one to three channels: assembly/grid_bicubic.ts, points in the lanes.
  ...[1, 2, 3].flatMap((C): PathCase[] => [
    { name: `bicubic ${C} channels forward, two blocks of four inside`, o: BICUBIC, image: [8, 8, C], points: INSIDE, want: { 'bicubicLanes forward': 2 } },
    { name: `bicubic ${C} channels forward, a NaN point, taps outside (zeros)`, o: BICUBIC, image: [8, 8, C], points: [[NaN, 0.1], [-1, -1], [0.95, 0.99], [1.2, -0.3]], want: { 'bicubicLanes forward': 1 } },
    { name: `bicubic ${C} channels forward, a short block of three, border`, o: { ...BICUBIC, paddingMode: 'border' }, image: [8, 8, C], points: [[-1.3, 0.2], [1.7, -2.1], [0.3, 0.4]], want: { 'bicubicLanes forward': 1 } },
    { name: `bicubic ${C} channels d(grid) alone, two blocks of four inside`, o: BICUBIC, image: [8, 8, C], points: INSIDE, backward: true, outputMask: [false, true], want: { 'bicubicLanes backward': 2 } },
    { name: `bicubic ${C} channels d(grid) alone, a NaN point, taps outside (zeros)`, o: BICUBIC, image: [8, 8, C], points: [[NaN, 0.1], [-1, -1], [0.95, 0.99], [1.2, -0.3]], backward: true, outputMask: [false, true], want: { 'bicubicLanes backward': 1 } },
    { name: `bicubic ${C} channels d(grid) alone, a short block of three, border`, o: { ...BICUBIC, paddingMode: 'border' }, image: [8, 8, C], points: [[-1.3, 0.2], [1.7, -2.1], [0.3, 0.4]], backward: true, outputMask: [false, true], want: { 'bicubicLanes backward': 1 } },
    { name: `bicubic ${C} channels d(grid) alone, reflection, alignCorners`, o: { ...BICUBIC, paddingMode: 'reflection', alignCorners: true }, image: [6, 9, C], points: [[-1.3, 0.2], [1.7, -2.1], ...INSIDE.slice(0, 2)], backward: true, outputMask: [false, true], want: { 'bicubicLanes backward': 1 } },
  ]),
  { name: 'bicubic forward, reflection, alignCorners, a 6x9 image', o: { ...BICUBIC, paddingMode: 'reflection', alignCorners: true }, image: [6, 9, 3], points: [[-1.3, 0.2], [1.7, -2.1], ...INSIDE.slice(0, 2)], want: { 'bicubicLanes forward': 1 } },
  { name: 'bicubic forward, reflection, a 2x1 image', o: { ...BICUBIC, paddingMode: 'reflection' }, image: [2, 1, 2], points: INSIDE.slice(0, 4), want: { 'bicubicLanes forward': 1 } },
  { name: 'bicubic 4 channels forward (the generic path)', o: BICUBIC, image: [8, 8, 4], points: INSIDE.slice(0, 2), want: { 'generic forward': 2 } },
  // Volumes: assembly/grid_sample_3d.ts.
  { name: 'volume 1 channel forward, two blocks of four inside', o: BILINEAR, image: [6, 8, 8, 1], points: INSIDE_3D, want: { 'trilinearOneInside forward': 2 } },
  { name: 'volume 1 channel backward, inside, reflection', o: { ...BILINEAR, paddingMode: 'reflection' }, image: [6, 8, 8, 1], points: INSIDE_3D.slice(0, 4), backward: true, want: { 'trilinearOneInside backward': 1 } },
  { name: 'volume 1 channel backward d(input) alone, inside', o: BILINEAR, image: [6, 8, 8, 1], points: INSIDE_3D.slice(0, 4), backward: true, outputMask: [true, false], want: { 'trilinearOneInside backward': 1 } },
  { name: 'volume 1 channel forward, a tap at the corner', o: BILINEAR, image: [6, 8, 8, 1], points: CORNER_3D, want: { 'trilinearOneGather forward': 1 } },
  { name: 'volume 1 channel backward d(grid) alone, a short block', o: BILINEAR, image: [6, 8, 8, 1], points: INSIDE_3D.slice(0, 3), backward: true, outputMask: [false, true], want: { 'trilinearOneGather backward': 1 } },
  { name: 'volume 1 channel backward, a block outside the volume', o: BILINEAR, image: [6, 8, 8, 1], points: OUTSIDE_3D, backward: true, want: { 'trilinearOneGather backward': 1 } },
  { name: 'volume 5 channels forward, all taps inside', o: BILINEAR, image: [6, 8, 8, 5], points: INSIDE_3D.slice(0, 4), want: { 'trilinearChannelsInside forward': 1 } },
  { name: 'volume 5 channels forward, a tap outside', o: BILINEAR, image: [6, 8, 8, 5], points: CORNER_3D, want: { 'generic forward': 4 } },
  { name: 'volume 4 channels backward, a corner point', o: BILINEAR, image: [6, 8, 8, 4], points: CORNER_3D, backward: true, want: { 'trilinearChannelsGrad backward': 3, 'generic backward': 1 } },
  { name: 'volume 8 channels backward d(grid) alone, points outside', o: BILINEAR, image: [6, 8, 8, 8], points: [...OUTSIDE_3D.slice(0, 2), ...INSIDE_3D.slice(0, 1)], backward: true, outputMask: [false, true], want: { 'trilinearChannelsGrad backward': 3 } },
  { name: 'volume 2 channels backward', o: BILINEAR, image: [6, 8, 8, 2], points: INSIDE_3D.slice(0, 4), backward: true, want: { 'generic backward': 4 } },
  { name: 'volume tricubic forward', o: { ...BILINEAR, mode: 'bicubic' }, image: [6, 8, 8, 1], points: INSIDE_3D.slice(0, 2), want: { 'generic forward': 2 } },
  { name: 'volume nearest 1 channel forward, two blocks of four', o: NEAREST, image: [6, 8, 8, 1], points: INSIDE_3D, want: { 'nearestVolume forward': 2 } },
  { name: 'volume nearest 3 channels forward, a corner and points outside, reflection', o: { ...NEAREST, paddingMode: 'reflection' }, image: [6, 8, 8, 3], points: [...CORNER_3D, ...OUTSIDE_3D], want: { 'nearestRgb forward': 2 } },
  { name: 'volume nearest 3 channels forward, a tap on the last voxel: row copies', o: { ...NEAREST, alignCorners: true }, image: [6, 8, 8, 3], points: [[1, 1, 1], ...CORNER_3D.slice(0, 3)], want: { 'nearestVolume forward': 1 } },
  { name: 'volume nearest 4 channels backward, a short block of three', o: NEAREST, image: [6, 8, 8, 4], points: INSIDE_3D.slice(0, 3), backward: true, want: { 'nearestVolume backward': 1 } },
  { name: 'volume nearest 1 channel backward, points outside and on one voxel, border', o: { ...NEAREST, paddingMode: 'border' }, image: [6, 8, 8, 1], points: [...OUTSIDE_3D, [0.1, 0.1, 0.1], [0.11, 0.1, 0.1], [0.1, 0.12, 0.1], [0.1, 0.1, 0.11]], backward: true, want: { 'nearestVolume backward': 2 } },
  { name: 'volume nearest 2 channels backward, d(grid) alone: zeros, no block walked', o: NEAREST, image: [6, 8, 8, 2], points: INSIDE_3D.slice(0, 4), backward: true, outputMask: [false, true], want: {} },
];

function stnOf(backend: string): StnExports {
  if (backend === 'wasm') return stnExportsFor(wasmMemory(tf.backend()));
  const stn = cpuStnExports();
  if (!stn) throw new Error('the cpu kernels have not run yet');
  return stn;
}

/** Runs a case; returns the counters it moved, after checking its result against the reference. */
async function runCase(backend: string, c: PathCase): Promise<Record<string, number>> {
  const C = c.image.at(-1)!;
  const P = c.points.length;
  const dims = c.points[0]!.length;
  const inputShape = [1, ...c.image];
  const gridShape = [1, ...Array<number>(dims - 1).fill(1), P, dims];
  const dyShape = [...gridShape.slice(0, -1), C];
  const input = Array.from({ length: c.image.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i + 1));
  const gridValues = c.points.flat();
  const dyValues = Array.from({ length: P * C }, (_, i) => Math.cos(i + 2));
  const x = tf.tensor(input, inputShape);
  const grid = tf.tensor(gridValues, gridShape);
  const dy = tf.tensor(dyValues, dyShape);
  // One call first, so that the cpu kernels' module exists; then the counted call.
  tf.dispose(gridSample(x, grid, c.o));
  const stn = stnOf(backend);
  stn.resetKernelPathCounts();
  const want = gridSampleReference(input, inputShape, gridValues, gridShape, c.o, c.backward ? dyValues : undefined);
  if (c.backward) {
    const [dInput, dGrid] = tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid },
      { ...c.o, outputMask: c.outputMask ?? [true, true] }) as tf.Tensor[];
    const counts = kernelPathCounts(stn);
    if (dInput!.size > 0) expectClose(await dInput!.data(), want.dInput!, 'dInput');
    if (dGrid!.size > 0) expectClose(await dGrid!.data(), want.dGrid!, 'dGrid');
    tf.dispose([x, grid, dy, dInput!, dGrid!]);
    return counts;
  }
  const out = gridSample(x, grid, c.o);
  const counts = kernelPathCounts(stn);
  expectClose(await out.data(), want.output, 'output');
  tf.dispose([x, grid, dy, out]);
  return counts;
}

describe.each(CPU_BACKENDS)('%s backend: the kernel path each case takes', (backend) => {
  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_, c) => {
    await useBackend(backend);
    expect(await runCase(backend, c)).toEqual(c.want);
  });
});

/**
 * rgbaInsideBlock claims the same operations in the same order as bilinearForward / bilinearBackward:
 * three points inside give the same bits, output and d(grid), in a block of four inside (rgbaInside)
 * and beside a NaN point (pointsMasked, the masks all set for them).
 */
describe.each(CPU_BACKENDS)('%s backend: four channels, the same bits on either path', (backend) => {
  it('output and d(grid) of points inside', async () => {
    await useBackend(backend);
    const image = [1, 8, 8, 4];
    const x = tf.tensor(Array.from({ length: 256 }, (_, i) => Math.sin(i + 1)), image);
    const dy = tf.tensor(Array.from({ length: 16 }, (_, i) => Math.cos(i + 2)), [1, 1, 4, 4]);
    const run = (points: number[][]) => {
      const grid = tf.tensor(points.flat(), [1, 1, 4, 2]);
      tf.dispose(gridSample(x, grid, BILINEAR));
      const stn = stnOf(backend);
      stn.resetKernelPathCounts();
      const out = gridSample(x, grid, BILINEAR);
      const [dInput, dGrid] = tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid }, { ...BILINEAR, outputMask: [false, true] }) as tf.Tensor[];
      const result = { counts: kernelPathCounts(stn), out: out.dataSync().slice(0, 12), dGrid: dGrid!.dataSync().slice(0, 6) };
      tf.dispose([grid, out, dInput!, dGrid!]);
      return result;
    };
    const inside = run(INSIDE.slice(0, 4));
    const masked = run([...INSIDE.slice(0, 3), [NaN, 0.1]]);
    expect(inside.counts).toEqual({ 'rgbaInside forward': 1, 'rgbaInside backward': 1 });
    expect(masked.counts).toEqual({ 'pointsMasked forward': 1, 'pointsMasked backward': 1 });
    expect(Buffer.from(masked.out.buffer).equals(Buffer.from(inside.out.buffer))).toBe(true);
    expect(Buffer.from(masked.dGrid.buffer).equals(Buffer.from(inside.dGrid.buffer))).toBe(true);
    tf.dispose([x, dy]);
  });
});

it('the cases cover every path the dispatch can take', () => {
  const covered = new Set(CASES.flatMap((c) => Object.keys(c.want)));
  const backwardOnly = 'trilinearChannelsGrad';
  const every = [...KERNEL_PATHS.filter((p) => p !== backwardOnly).map((p) => `${p} forward`), 'generic backward', 'fewGather backward',
    'fewPairs backward', 'onePairs backward', 'rgbPairs backward', 'rgbInside backward', 'pointsMasked backward', 'pointsInside backward',
    'trilinearOneInside backward', 'trilinearOneGather backward', `${backwardOnly} backward`, 'twoPairs backward', 'oneInside backward',
    'rgbaInside backward', 'nearest backward', 'nearestVolume backward', 'bicubicLanes backward'];
  expect([...covered].sort()).toEqual(every.sort());
});

/**
 * Nearest's d(grid) is 0 (rounding has no gradient; PyTorch writes zeros), also where the input
 * or dy is not finite: the nearest path writes it without reading them (a tap loop's 0 * Infinity
 * would give NaN).
 */
describe.each(CPU_BACKENDS)('%s backend: nearest d(grid) is 0 whatever the input', (backend) => {
  it.each([[[8, 8, 3], 2], [[4, 8, 8, 1], 3]] as [number[], number][])('input %j', async (image, dims) => {
    await useBackend(backend);
    const C = image.at(-1)!;
    const size = image.reduce((a, b) => a * b, 1);
    const values = Array.from({ length: size }, (_, i) => [Infinity, -Infinity, NaN, 1e38][i % 4]!);
    const x = tf.tensor(values, [1, ...image]);
    const points = (dims === 2 ? INSIDE : INSIDE_3D).slice(0, 6);
    const grid = tf.tensor(points.flat(), [1, ...Array<number>(dims - 1).fill(1), points.length, dims]);
    const dy = tf.tensor(Array.from({ length: points.length * C }, (_, i) => (i % 3 === 0 ? Infinity : 2)), [1, ...Array<number>(dims - 1).fill(1), points.length, C]);
    const [dInput, dGrid] = tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid }, { ...NEAREST, outputMask: [true, true] }) as tf.Tensor[];
    expect(Array.from(await dGrid!.data())).toEqual(Array<number>(points.length * dims).fill(0));
    // d(input) is the sum of dy at each point's tap: Infinity where an infinite dy landed.
    const want = gridSampleReference(values, [1, ...image], points.flat(), grid.shape, NEAREST,
      await dy.data()).dInput!;
    expect(Array.from(await dInput!.data())).toEqual(Array.from(want));
    tf.dispose([x, grid, dy, dInput!, dGrid!]);
  });
});

/**
 * The bicubic lanes (one to three channels) claim the generic path's operations in the same order,
 * which four channels still take: the first channels of an RGBA image, sampled alone, give the
 * same bits as the RGBA call, for every padding mode and a NaN point.
 */
describe.each(CPU_BACKENDS)('%s backend: bicubic, the same bits on either path', (backend) => {
  it.each(['zeros', 'border', 'reflection'] as const)('%s padding', async (paddingMode) => {
    await useBackend(backend);
    const o: SampleOptions = { ...BICUBIC, paddingMode };
    const H = 7, W = 9;
    const rgba = Array.from({ length: H * W * 4 }, (_, i) => Math.sin(i * 0.7 + 1) * 3);
    // Blocks of four inside, one with a NaN point and taps outside, one with taps on the image's last
    // pixel (three channels then gather as one and two do), then a short block.
    const points = [...INSIDE, [NaN, 0.2], [-1.1, 0.9], [0.97, -1.3], [2.5, 0.1], [0.2, -0.2], [0.99, 0.98], [1, 1], [-0.5, 0.5], [0.3, 0.1]];
    const grid = tf.tensor(points.flat(), [1, 1, points.length, 2]);
    const all = tf.tensor(rgba, [1, H, W, 4]);
    const want = gridSample(all, grid, o).dataSync();
    for (const C of [1, 2, 3]) {
      const x = tf.tensor(rgba.filter((_, i) => i % 4 < C), [1, H, W, C]);
      tf.dispose(gridSample(x, grid, o));
      const stn = stnOf(backend);
      stn.resetKernelPathCounts();
      const got = gridSample(x, grid, o);
      expect(kernelPathCounts(stn)).toEqual({ 'bicubicLanes forward': 5 });
      const sameChannels = Float32Array.from({ length: points.length * C }, (_, i) => want[Math.floor(i / C) * 4 + (i % C)]!);
      const g = got.dataSync() as Float32Array;
      expect(Buffer.from(g.buffer, g.byteOffset, g.byteLength).equals(Buffer.from(sameChannels.buffer))).toBe(true);
      tf.dispose([x, got]);
    }
    tf.dispose([grid, all]);
  });
});

/**
 * Bicubic d(grid) alone (one to three channels: bicubicLanes) claims the generic path's dots and sums
 * in their order, which a call asking for both gradients still takes: the same bits.
 */
describe.each(CPU_BACKENDS)('%s backend: bicubic d(grid), the same bits on either path', (backend) => {
  it.each([1, 2, 3].flatMap((C) => (['zeros', 'border', 'reflection'] as const).map((paddingMode) => [C, paddingMode] as const)))(
    '%i channels, %s padding', async (C, paddingMode) => {
      await useBackend(backend);
      const o: SampleOptions = { ...BICUBIC, paddingMode };
      const H = 7, W = 9;
      const x = tf.tensor(Array.from({ length: H * W * C }, (_, i) => Math.sin(i * 0.7 + 1) * 3), [1, H, W, C]);
      const points = [...INSIDE, [NaN, 0.2], [-1.1, 0.9], [0.97, -1.3], [2.5, 0.1], [0.2, -0.2], [0.99, 0.98], [1, 1]];
      const grid = tf.tensor(points.flat(), [1, 1, points.length, 2]);
      const dy = tf.tensor(Array.from({ length: points.length * C }, (_, i) => Math.cos(i + 2)), [1, 1, points.length, C]);
      const run = (outputMask: [boolean, boolean]) => tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid }, { ...o, outputMask }) as tf.Tensor[];
      tf.dispose(run([false, true]));
      const stn = stnOf(backend);
      stn.resetKernelPathCounts();
      const [noInput, lanes] = run([false, true]);
      const [dInput, generic] = run([true, true]);
      expect(kernelPathCounts(stn)).toEqual({ 'bicubicLanes backward': 4, 'generic backward': points.length });
      const a = lanes!.dataSync() as Float32Array, b = generic!.dataSync() as Float32Array;
      expect(Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))).toBe(true);
      tf.dispose([x, grid, dy, noInput!, lanes!, dInput!, generic!]);
    });
});
