// The slopes route of one-channel bilinear gridSample, for training: the forward also saves each
// point's slopes, d(output)/d(ix) and d(output)/d(iy) (the derivatives of its sample with respect
// to its pixel coordinates: the backward's dots with dy = 1), and d(grid) is then their product
// with dy and the coordinate chain's derivative (computeSourceIndexGrad) -- a pass over the grid
// that reads no input. The op takes this route while tfjs records gradients (src/ops/grid_sample.ts):
// an STN's backward is d(grid) alone, which otherwise walks the taps again.
//
// gridSample's forward writes the slopes where its dGridPtr (unused forward) is not 0
// (pairsForwardSlopes: bilinearPairsLoop's one-channel forward, its blocks also storing them), and
// its backward takes them where its outputPtr (unused backward) is not 0: d(grid) alone is
// slopesGrad below, a pass over the points; with d(input), bilinearPairsLoop's walk for d(input)
// finishes each block's d(grid) from the slopes (slopesDGrid) on the way.
// The same bits as GridSampleGrad's d(grid) from the taps: bilinearPairsLoop computes the slopes
// with the very operations its backward blocks use (onePairsBlock, bilinearFewChannelsBlock), with
// dy = 1, and slopesDGrid finishes them as those blocks do: 0 + dy * slope, then storeDGrid.
import { AXIS_X, AXIS_Y, computeSourceIndexGrad } from './coords';
import { slopesDGrid } from './grid_bilinear';
import { loadGridHalf } from './lanes';
import { PADDING_BORDER, PADDING_REFLECTION, PADDING_ZEROS } from './contract';

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
    const gxMult = v128.and(computeSourceIndexGrad(gx, AXIS_X, padding, alignCorners, true), valid);
    const gyMult = v128.and(computeSourceIndexGrad(gy, AXIS_Y, padding, alignCorners, true), valid);
    slopesDGrid(dyPtr + (<usize>p << 2), slopesPtr + at, gxMult, gyMult, dGridPtr + at, count);
  }
}
