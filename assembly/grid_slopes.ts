// The slopes route of one-channel bilinear gridSample, for training: the forward also saves each
// point's slopes, d(output)/d(ix) and d(output)/d(iy) (the derivatives of its sample with respect
// to its pixel coordinates: the backward's dots with dy = 1), and d(grid) is then their product
// with dy and the coordinate chain's derivative (computeSourceIndexGrad) -- a pass over the grid
// that reads no input. The op takes this route while tfjs records gradients (src/ops/grid_sample.ts):
// an STN's backward is d(grid) alone, which otherwise walks the taps again.
//
// gridSample's backward takes the slopes where its outputPtr (unused backward) is not 0: d(grid)
// alone is slopesGrad below, a pass over the points; with d(input), bilinearPairsLoop's walk for
// d(input) finishes each block's d(grid) from the slopes (slopesDGrid) on the way.
// The same bits as GridSampleGrad's d(grid) from the taps: bilinearPairsLoop computes the slopes
// with the very operations its backward blocks use (onePairsBlock, bilinearFewChannelsBlock), with
// dy = 1, and slopesDGrid finishes them as those blocks do: 0 + dy * slope, then storeDGrid.
import { computeSourceIndexGrad } from './coords';
import { bilinearPairsLoop, slopesDGrid } from './grid_bilinear';
import { loadGridHalf } from './lanes';
import { accumulate, backward, channels, inBase, wantDGrid, wantDInput } from './registers';
import { PADDING_BORDER, PADDING_REFLECTION, PADDING_ZEROS } from './contract';

/**
 * Forward, one channel, bilinear: input [N,H,W,1] (H * W >= 2), grid [N,Ho,Wo,2] (as `points` =
 * Ho*Wo per item) to output [N,Ho,Wo,1] (the same bits as gridSample) and slopes [N,Ho,Wo,2].
 * Items [itemStart, itemEnd), points [pointStart, pointEnd) of each (pointStart a multiple of
 * 4), as gridSample splits.
 */
export function gridSampleSlopes(
  inputPtr: usize, N: i32, H: i32, W: i32, gridPtr: usize, points: i32, padding: i32, alignCorners: bool,
  outputPtr: usize, slopesPtr: usize, itemStart: i32, itemEnd: i32, pointStart: i32, pointEnd: i32,
): void {
  channels = 1;
  backward = false;
  wantDInput = false;
  wantDGrid = false;
  accumulate = false;
  // The op takes this route only where bilinearPairsLoop runs (two pixels or more).
  if (H * W < 2) unreachable();
  const count = pointEnd - pointStart;
  for (let n = itemStart; n < itemEnd; n++) {
    inBase = inputPtr + <usize>n * <usize>H * <usize>W * 4;
    const first = <usize>n * <usize>points + <usize>pointStart;
    const g = gridPtr + (first << 3), o = outputPtr + (first << 2), slopes = slopesPtr + (first << 3);
    // As gridSample's pairsForward: the usual case gets its own copy, its coordinate math folded.
    if (padding == PADDING_ZEROS && !alignCorners) bilinearPairsLoop(g, count, W, H, 1, PADDING_ZEROS, false, false, false, true, o, 0, slopes);
    else bilinearPairsLoop(g, count, W, H, 1, padding, alignCorners, false, false, true, o, 0, slopes);
  }
}

/**
 * d(grid) alone from the slopes, one batch item's `points` (gridSample backward with the slopes,
 * d(input) not asked): no walk over the taps, each point alone. A copy per padding and
 * alignCorners, their coordinate math folded to constants (as variables, 5x slower).
 */
export function slopesGrad(
  gridPtr: usize, points: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dyPtr: usize, slopesPtr: usize, dGridPtr: usize,
): void {
  const Z = PADDING_ZEROS, B = PADDING_BORDER, R = PADDING_REFLECTION;
  if (padding == Z && !alignCorners) slopesGradLoop(gridPtr, points, W, H, Z, false, dyPtr, slopesPtr, dGridPtr);
  else if (padding == Z) slopesGradLoop(gridPtr, points, W, H, Z, true, dyPtr, slopesPtr, dGridPtr);
  else if (padding == B && !alignCorners) slopesGradLoop(gridPtr, points, W, H, B, false, dyPtr, slopesPtr, dGridPtr);
  else if (padding == B) slopesGradLoop(gridPtr, points, W, H, B, true, dyPtr, slopesPtr, dGridPtr);
  else if (!alignCorners) slopesGradLoop(gridPtr, points, W, H, R, false, dyPtr, slopesPtr, dGridPtr);
  else slopesGradLoop(gridPtr, points, W, H, R, true, dyPtr, slopesPtr, dGridPtr);
}

@inline function slopesGradLoop(
  gridPtr: usize, points: i32, W: i32, H: i32, padding: i32, alignCorners: bool, dyPtr: usize, slopesPtr: usize, dGridPtr: usize,
): void {
  for (let p = 0; p < points; p += 4) {
    const count = min(4, points - p);
    const at = <usize>p << 3;
    const xy0 = loadGridHalf(gridPtr + at, count, 0), xy1 = loadGridHalf(gridPtr + at, count, 1);
    const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6), gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
    const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
    const gxMult = v128.and(computeSourceIndexGrad(gx, W, padding, alignCorners, true), valid);
    const gyMult = v128.and(computeSourceIndexGrad(gy, H, padding, alignCorners, true), valid);
    slopesDGrid(dyPtr + (<usize>p << 2), slopesPtr + at, gxMult, gyMult, dGridPtr + at, count);
  }
}
