// gridSample forward and backward on NHWC float32 tensors, PyTorch's semantics.
//
// The kernel is in three layers, as PyTorch's GridSamplerKernel.cpp is (ComputeLocation /
// ApplyGridSample / the dispatch over modes):
//   coords.ts         the coordinate math: grid coordinate -> pixel coordinate (unnormalize, clamp,
//                     padding) and the bicubic weights, each function beside its derivative twin.
//   taps.ts           the generic per-point tap path, one routine per mode (the mirror of the
//                     reference's sampleTaps): each point's taps (4 bilinear, 16 bicubic)
//                     carry a weight w and dw/dx, dw/dy, and
//                       forward   out[c]      += w * in[tap, c]
//                       backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];
//                                 dIx += dot * dw/dx  (and dIy), the pixel coordinates' gradients
//   grid_bilinear.ts  the bilinear fast paths (every bilinear call), chosen by one dispatch
//                     table at the top of that file.
//   grid_nearest.ts   nearest (every nearest call): a row copied, or added, per point.
//   grid_bicubic.ts   bicubic with one to three channels, forward and d(grid) alone, points in
//                     the lanes.
// The backward pass computes only the gradients asked for: a null dInput or dGrid pointer is one
// not asked for (GridSampleGrad's outputMask).
// This file is the entry: it walks the grid four points at a time (one f32x4 lane each), turns
// their coordinates into pixel coordinates, and hands each block to a fast path or, point by
// point, to the generic path. lanes.ts has the lane helpers; registers.ts every module global;
// paths.ts the per-path counters the tests read.
// A grid point with a NaN coordinate has no taps: it reads 0 and has no gradient. Taps outside
// the input are masked, so nothing is read or written outside the buffers.
import { MODE_BICUBIC, MODE_BILINEAR, MODE_NEAREST, PADDING_ZEROS } from './contract';
import { AXIS_X, AXIS_Y, computeSourceIndex, computeSourceIndexGrad, setAxis } from './coords';
import { bilinearBackward, bilinearFewChannels, bilinearFewChannelsBlock, bilinearForward, bilinearPairsLoop, bilinearPath } from './grid_bilinear';
import { bicubicLanes, bicubicLanesBlock } from './grid_bicubic';
import { slopesGrad } from './grid_slopes';
import { nearestImage } from './grid_nearest';
import { PATH_GENERIC } from './paths';
import { loadGridHalf } from './lanes';
import { accumulate, backward, channels, dInBase, inBase, wantDGrid, wantDInput } from './registers';
import { samplePoint } from './taps';

/**
 * input [N,H,W,C], grid [N,Ho,Wo,2] (as `points` = Ho*Wo per batch item).
 * Forward (isBackward false): writes output [N,Ho,Wo,C].
 * One-channel bilinear forward with dGridPtr (unused forward) not 0: the slopes [N,Ho,Wo,2] too,
 * there (grid_slopes.ts: the op's slopes route, while tfjs records gradients).
 * Backward: reads dy [N,Ho,Wo,C], writes dInput [N,H,W,C] and dGrid [N,Ho,Wo,2] (one-channel
 * bilinear: from the forward's slopes [N,Ho,Wo,2] at outputPtr where it is not 0); a gradient
 * whose pointer is 0 is not asked for and not computed (d(grid) alone skips the zero-fill and
 * scatter into dInput; d(input) alone reads no input and skips d(grid)'s dots).
 * Pointers are byte offsets; an unused one is 0.
 * One call does batch items [itemStart, itemEnd) and, in each, grid points [pointStart, pointEnd)
 * (pointStart a multiple of 4, so the blocks of four are those of the whole call and any split
 * gives the same bits): the threads of src/kernels/threads split a call this way. The zero-fill
 * moves with the range: dInput's images of the items, the output rows of the points.
 */
export function gridSample(
  inputPtr: usize, N: i32, H: i32, W: i32, C: i32,
  gridPtr: usize, points: i32,
  mode: i32, padding: i32, alignCorners: bool,
  isBackward: bool, outputPtr: usize, dyPtr: usize, dInputPtr: usize, dGridPtr: usize,
  itemStart: i32, itemEnd: i32, pointStart: i32, pointEnd: i32,
): void {
  setAxis(AXIS_X, W, padding, alignCorners);
  setAxis(AXIS_Y, H, padding, alignCorners);
  channels = C;
  backward = isBackward;
  wantDInput = isBackward && dInputPtr != 0;
  wantDGrid = isBackward && dGridPtr != 0;
  const rowBytes = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * rowBytes;
  // An empty image has no taps: every sample reads 0 (outputs are zero-filled) and d(grid) is 0.
  const hasPixels = H > 0 && W > 0;
  // The bilinear fast paths (grid_bilinear.ts's dispatch table, asked with the best block) take
  // every bilinear call: points side by side in the lanes below five channels, forward and
  // backward (measured: 1.4x tapGroup's per-tap rows for 2-3 channels backward, even scattering
  // lane by lane); five or more (and four channels' blocks with a tap outside), points together,
  // a vector per four channels.
  const fastPaths = mode == MODE_BILINEAR && hasPixels && bilinearPath(C, isBackward, true, true, true) != PATH_GENERIC;
  const lanesTogether = fastPaths && C < 4;
  const pointsTogether = fastPaths && C >= 4;
  // Backward scatters into dInput and bicubic accumulates its four row groups into the output:
  // both start from zero. Bilinear and nearest forward write every output element themselves.
  accumulate = mode == MODE_BICUBIC;
  const count = pointEnd - pointStart;
  if (wantDInput) memory.fill(dInputPtr + <usize>itemStart * imageBytes, 0, imageBytes * <usize>(itemEnd - itemStart));
  // Bilinear with one to four channels walks bilinearPairsLoop, forward and backward; a one-pixel
  // image's backward with one to three, fewChannelsBackward.
  const pairsLoop = mode == MODE_BILINEAR && H * W >= 2 && C > 0 && C <= 4;
  // Backward, outputPtr is the forward's slopes (grid_slopes.ts): d(grid) from them. Forward,
  // dGridPtr is where they go.
  const slopes = isBackward && wantDGrid && outputPtr != 0;
  const writesSlopes = !isBackward && dGridPtr != 0;
  if (writesSlopes && !(pairsLoop && C == 1)) unreachable();
  for (let n = itemStart; n < itemEnd; n++) {
    inBase = inputPtr + <usize>n * imageBytes;
    dInBase = dInputPtr + <usize>n * imageBytes;
    const first = <usize>n * <usize>points + <usize>pointStart;
    if (mode == MODE_NEAREST && hasPixels) {
      nearestImage(gridPtr + (first << 3), count, W, H, C, padding, alignCorners, isBackward,
        outputPtr + first * rowBytes, dyPtr + first * rowBytes, dGridPtr + (first << 3));
      continue;
    }
    if (!isBackward && accumulate && !bicubicLanes(mode, false, false, hasPixels, C)) memory.fill(outputPtr + first * rowBytes, 0, rowBytes * <usize>count);
    if (pairsLoop) {
      const g = gridPtr + (first << 3);
      const o = outputPtr + first * rowBytes;
      const dy = dyPtr + first * rowBytes;
      const dGrid = dGridPtr + (first << 3);
      if (isBackward && C == 1 && slopes) pairsBackwardSlopes(g, count, W, H, padding, alignCorners, dy, dGrid, outputPtr + (first << 3));
      else if (isBackward && C == 1) pairsBackwardOne(g, count, W, H, padding, alignCorners, dy, dGrid);
      else if (isBackward && C == 2) pairsBackwardTwo(g, count, W, H, padding, alignCorners, dy, dGrid);
      else if (isBackward && C == 3) pairsBackwardRgb(g, count, W, H, padding, alignCorners, dy, dGrid);
      else if (isBackward) pairsBackwardRgba(g, count, W, H, padding, alignCorners, dy, dGrid);
      else if (C == 1 && writesSlopes) pairsForwardSlopes(g, count, W, H, padding, alignCorners, o, dGrid);
      else if (C == 1) pairsForward(g, count, W, H, 1, padding, alignCorners, o);
      else if (C == 2) pairsForwardTwo(g, count, W, H, padding, alignCorners, o);
      else if (C == 3) pairsForward(g, count, W, H, 3, padding, alignCorners, o);
      else pairsForwardRgba(g, count, W, H, padding, alignCorners, o);
      continue;
    }
    if (lanesTogether && isBackward) {
      fewChannelsBackward(gridPtr, first, count, W, H, padding, alignCorners, dyPtr, dGridPtr);
      continue;
    }
    walkBlocks(gridPtr, first, count, W, H, C, mode, padding, alignCorners, hasPixels,
      wantDInput, wantDGrid, lanesTogether, false, pointsTogether, outputPtr, dyPtr, dGridPtr);
  }
}

/**
 * dst[i] += src[i] for elements [start, end): d(input) of one large image is scattered in stripes
 * of grid points, each into a buffer of its own, then summed in stripe order (src/kernels/threads:
 * the same bits for any number of threads).
 */
export function addStripe(dstPtr: usize, srcPtr: usize, start: i32, end: i32): void {
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const at = <usize>i << 2;
    v128.store(dstPtr + at, f32x4.add(v128.load(dstPtr + at), v128.load(srcPtr + at)));
  }
  for (; i < end; i++) {
    const at = <usize>i << 2;
    store<f32>(dstPtr + at, load<f32>(dstPtr + at) + load<f32>(srcPtr + at));
  }
}

/**
 * One batch item's grid points, `points` from point `first` of the grid at `gridPtr`, four at a time: each block's pixel coordinates
 * (with their derivatives when d(grid) is asked for), then the block to a bilinear fast path or,
 * point by point, to the generic path. Inlined: fewChannelsBackward calls it with constants.
 */
@inline function walkBlocks(
  gridPtr: usize, first: usize, points: i32, W: i32, H: i32, C: i32, mode: i32, padding: i32, alignCorners: bool, hasPixels: bool,
  wantIn: bool, wantGrid: bool, lanesForward: bool, lanesBackward: bool, pointsTogether: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const rowBytes = <usize>C << 2;
  const padBeforeTaps = mode != MODE_BICUBIC;
  const nan = f32x4.splat(NaN);
  for (let p = 0; p < points; p += 4) {
    const count = min(4, points - p);
    const at = first + <usize>p;
    const xy0 = loadGridHalf(gridPtr + (at << 3), count, 0), xy1 = loadGridHalf(gridPtr + (at << 3), count, 1);
    const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
    const gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
    const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
    const ix = computeSourceIndex(gx, AXIS_X, padding, alignCorners, padBeforeTaps);
    const iy = computeSourceIndex(gy, AXIS_Y, padding, alignCorners, padBeforeTaps);
    // The coordinates' derivatives, for d(grid) only.
    const gxMult = wantGrid ? v128.and(computeSourceIndexGrad(gx, AXIS_X, padding, alignCorners, padBeforeTaps), valid) : nan;
    const gyMult = wantGrid ? v128.and(computeSourceIndexGrad(gy, AXIS_Y, padding, alignCorners, padBeforeTaps), valid) : nan;
    if (lanesBackward) {
      bilinearFewChannelsBlock(ix, iy, valid, W, H, C, count, 0, dyPtr + at * rowBytes, dGridPtr + (at << 3),
        gxMult, gyMult, true, wantIn, wantGrid);
      continue;
    }
    if (lanesForward) {
      bilinearFewChannels(ix, iy, valid, W, H, count, outputPtr + at * rowBytes);
      continue;
    }
    if (pointsTogether && backward) {
      bilinearBackward(ix, iy, valid, W, H, count, dyPtr + at * rowBytes, dGridPtr + (at << 3), gxMult, gyMult);
      continue;
    }
    if (pointsTogether) {
      bilinearForward(ix, iy, valid, W, H, count, outputPtr + at * rowBytes);
      continue;
    }
    if (bicubicLanes(mode, backward, wantIn, hasPixels, C)) {
      if (backward) bicubicLanesBlock(true, ix, iy, valid, gxMult, gyMult, W, H, C, count, padding, alignCorners, 0, dyPtr + at * rowBytes, dGridPtr + (at << 3));
      else bicubicLanesBlock(false, ix, iy, valid, gxMult, gyMult, W, H, C, count, padding, alignCorners, outputPtr + at * rowBytes, 0, 0);
      continue;
    }
    // One point at a time, written out so that the lane numbers are constants.
    samplePoint(0, at, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
    if (count > 1) samplePoint(1, at, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
    if (count > 2) samplePoint(2, at, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
    if (count > 3) samplePoint(3, at, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
  }
}

/**
 * bilinearPairsLoop backward with one channel and the forward's slopes: d(grid) alone is
 * slopesGrad's pass over the points; with d(input), the walk for d(input) takes d(grid) from the
 * slopes on the way.
 */
function pairsBackwardSlopes(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize, slopes: usize): void {
  if (!wantDInput) slopesGrad(g, count, W, H, padding, alignCorners, dy, slopes, dGrid);
  else if (padding == PADDING_ZEROS && !alignCorners) bilinearPairsLoop(g, count, W, H, 1, PADDING_ZEROS, false, true, true, false, slopes, dy, dGrid, true);
  else bilinearPairsLoop(g, count, W, H, 1, padding, alignCorners, true, true, false, slopes, dy, dGrid, true);
}

/**
 * bilinearPairsLoop backward, one function per channel count (1 to 4: each compiled on its own,
 * so that one's loops do not crowd the other's registers), a copy per combination of the gradients
 * asked for, each doing only its work; the usual case (zeros, alignCorners false) gets its own,
 * its coordinate math folded to constants (d(input) alone, rare, does not).
 */
function pairsBackwardOne(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize): void {
  pairsBackward(g, count, W, H, 1, padding, alignCorners, dy, dGrid);
}

function pairsBackwardTwo(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize): void {
  pairsBackward(g, count, W, H, 2, padding, alignCorners, dy, dGrid);
}

function pairsBackwardRgb(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize): void {
  pairsBackward(g, count, W, H, 3, padding, alignCorners, dy, dGrid);
}

function pairsBackwardRgba(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize): void {
  pairsBackward(g, count, W, H, 4, padding, alignCorners, dy, dGrid);
}

/** bilinearPairsLoop forward with two channels, in a function of its own: one and three channels' loops are inlined in gridSample. */
function pairsForwardTwo(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, o: usize): void {
  pairsForward(g, count, W, H, 2, padding, alignCorners, o);
}

/** bilinearPairsLoop forward with four channels, in a function of its own, as two channels'. */
function pairsForwardRgba(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, o: usize): void {
  pairsForward(g, count, W, H, 4, padding, alignCorners, o);
}

/** bilinearPairsLoop forward with one channel and its slopes (grid_slopes.ts), in a function of its own, as two channels'. */
function pairsForwardSlopes(g: usize, count: i32, W: i32, H: i32, padding: i32, alignCorners: bool, o: usize, slopes: usize): void {
  pairsForward(g, count, W, H, 1, padding, alignCorners, o, true, slopes);
}

/**
 * bilinearPairsLoop forward (`withSlopes`, a constant: the slopes too, at `slopes`); the usual
 * case (zeros, alignCorners false) gets its own copy, its coordinate math folded to constants.
 */
@inline function pairsForward(
  g: usize, count: i32, W: i32, H: i32, C: i32, padding: i32, alignCorners: bool, o: usize, withSlopes: bool = false, slopes: usize = 0,
): void {
  if (padding == PADDING_ZEROS && !alignCorners) bilinearPairsLoop(g, count, W, H, C, PADDING_ZEROS, false, false, false, withSlopes, o, 0, slopes);
  else bilinearPairsLoop(g, count, W, H, C, padding, alignCorners, false, false, withSlopes, o, 0, slopes);
}

@inline function pairsBackward(g: usize, count: i32, W: i32, H: i32, C: i32, padding: i32, alignCorners: bool, dy: usize, dGrid: usize): void {
  const Z = PADDING_ZEROS;
  if (padding == Z && !alignCorners && wantDGrid) {
    if (wantDInput) bilinearPairsLoop(g, count, W, H, C, Z, false, true, true, true, 0, dy, dGrid);
    else bilinearPairsLoop(g, count, W, H, C, Z, false, true, false, true, 0, dy, dGrid);
  } else if (wantDInput && wantDGrid) {
    bilinearPairsLoop(g, count, W, H, C, padding, alignCorners, true, true, true, 0, dy, dGrid);
  } else if (wantDGrid) {
    bilinearPairsLoop(g, count, W, H, C, padding, alignCorners, true, false, true, 0, dy, dGrid);
  } else {
    bilinearPairsLoop(g, count, W, H, C, padding, alignCorners, true, true, false, 0, dy, dGrid);
  }
}

/**
 * The bilinear backward with fewer than four channels that bilinearPairsLoop does not take (a
 * one-pixel image), one batch item: walkBlocks once per combination of the gradients
 * asked for, each folded to a loop that does only its work.
 */
function fewChannelsBackward(gridPtr: usize, first: usize, points: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dyPtr: usize, dGridPtr: usize): void {
  const B = MODE_BILINEAR;
  const C = channels;
  if (wantDInput && wantDGrid) walkBlocks(gridPtr, first, points, W, H, C, B, padding, alignCorners, true, true, true, false, true, false, 0, dyPtr, dGridPtr);
  else if (wantDGrid) walkBlocks(gridPtr, first, points, W, H, C, B, padding, alignCorners, true, false, true, false, true, false, 0, dyPtr, dGridPtr);
  else walkBlocks(gridPtr, first, points, W, H, C, B, padding, alignCorners, true, true, false, false, true, false, 0, dyPtr, dGridPtr);
}
