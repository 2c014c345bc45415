// The kernel paths of gridSample (the rows of the dispatch table at the top of grid_bilinear.ts,
// the generic per-point path of taps.ts, the volume paths of grid_sample_3d.ts, the nearest paths
// of grid_nearest.ts and grid_bicubic.ts's bicubic lanes), and a counter per path and direction: each routine
// counts the blocks of four grid points (the generic path: the points) it takes, so that a test
// can name the path a case exercises and a dispatch change cannot silently reroute what the
// tests cover. A counter is one global add per block. src/kernels/shared/kernel_paths.ts names
// the codes in the same order.

export const PATH_GENERIC: i32 = 0; // taps.ts, point by point
export const PATH_FEW_GATHER: i32 = 1; // bilinearFewChannelsBlock, taps gathered one by one
export const PATH_FEW_PAIRS: i32 = 2; // bilinearFewChannelsBlock, one channel, taps loaded in pairs
export const PATH_ONE_PAIRS: i32 = 3; // onePairsBlock masked: one channel, a tap outside (taps loaded and, backward, scattered in pairs)
export const PATH_RGB_PAIRS: i32 = 4; // rgbPairsForward
export const PATH_RGB_INSIDE: i32 = 5; // rgbInsideForward
export const PATH_POINTS_MASKED: i32 = 6; // bilinearForward, taps masked (four or more channels)
export const PATH_POINTS_INSIDE: i32 = 7; // bilinearForward, every tap inside (five or more channels)
// Volumes (grid_sample_3d.ts's table in ARCHITECTURE.md).
export const PATH_TRILINEAR_ONE_INSIDE: i32 = 8; // trilinearOneInside: one channel, a block with every tap inside
export const PATH_TRILINEAR_ONE_GATHER: i32 = 9; // trilinearOneChannel: one channel, taps gathered (or a block without taps)
export const PATH_TRILINEAR_CHANNELS_INSIDE: i32 = 10; // trilinearChannelsInside: forward, channels as vectors
export const PATH_TRILINEAR_CHANNELS_GRAD: i32 = 11; // trilinearChannelsGrad: backward, channels as vectors (points)
export const PATH_TWO_PAIRS: i32 = 12; // bilinearPairsLoop's two-channel block: twoPairsForward / twoBackward
export const PATH_ONE_INSIDE: i32 = 13; // bilinearPairsLoop's one-channel block, every tap inside: no masks
export const PATH_RGBA_INSIDE: i32 = 14; // bilinearPairsLoop's four-channel block, every tap inside: rgbaInsideBlock
export const PATH_NEAREST: i32 = 15; // grid_nearest.ts, images: a row copied (added) per point
export const PATH_NEAREST_VOLUME: i32 = 16; // grid_nearest.ts, volumes
export const PATH_BICUBIC_LANES: i32 = 17; // grid_bicubic.ts: bicubic forward, 1-3 channels, points in the lanes
export const PATH_NEAREST_RGB: i32 = 18; // grid_nearest.ts: forward, three channels, a block of four read as 16-byte rows
export const PATH_COUNT: i32 = 19;

// The counters are module globals (the module has no memory of its own), in registers.ts.
import {
  b0, b1, b10, b11, b12, b13, b14, b15, b16, b17, b18, b2, b3, b4, b5, b6, b7, b8, b9,
  f0, f1, f10, f11, f12, f13, f14, f15, f16, f17, f18, f2, f3, f4, f5, f6, f7, f8, f9,
} from './registers';

/** Counts one block (or point) taken by `path`; with a constant path, one global add. */
@inline export function countPath(path: i32, backward: bool): void {
  if (backward) {
    if (path == 0) b0++; else if (path == 1) b1++; else if (path == 2) b2++; else if (path == 3) b3++;
    else if (path == 4) b4++; else if (path == 5) b5++; else if (path == 6) b6++; else if (path == 7) b7++;
    else if (path == 8) b8++; else if (path == 9) b9++; else if (path == 10) b10++; else if (path == 11) b11++; else if (path == 12) b12++; else if (path == 13) b13++; else if (path == 14) b14++; else if (path == 15) b15++; else if (path == 16) b16++; else if (path == 17) b17++; else b18++;
  } else {
    if (path == 0) f0++; else if (path == 1) f1++; else if (path == 2) f2++; else if (path == 3) f3++;
    else if (path == 4) f4++; else if (path == 5) f5++; else if (path == 6) f6++; else if (path == 7) f7++;
    else if (path == 8) f8++; else if (path == 9) f9++; else if (path == 10) f10++; else if (path == 11) f11++; else if (path == 12) f12++; else if (path == 13) f13++; else if (path == 14) f14++; else if (path == 15) f15++; else if (path == 16) f16++; else if (path == 17) f17++; else f18++;
  }
}

/** Blocks (points, for the generic path) taken by `path` in `backward` calls since the last reset. */
export function kernelPathCount(path: i32, backward: bool): u32 {
  if (backward) {
    return path == 0 ? b0 : path == 1 ? b1 : path == 2 ? b2 : path == 3 ? b3 : path == 4 ? b4 : path == 5 ? b5 : path == 6 ? b6
      : path == 7 ? b7 : path == 8 ? b8 : path == 9 ? b9 : path == 10 ? b10 : path == 11 ? b11 : path == 12 ? b12 : path == 13 ? b13 : path == 14 ? b14 : path == 15 ? b15 : path == 16 ? b16 : path == 17 ? b17 : b18;
  }
  return path == 0 ? f0 : path == 1 ? f1 : path == 2 ? f2 : path == 3 ? f3 : path == 4 ? f4 : path == 5 ? f5 : path == 6 ? f6
    : path == 7 ? f7 : path == 8 ? f8 : path == 9 ? f9 : path == 10 ? f10 : path == 11 ? f11 : path == 12 ? f12 : path == 13 ? f13 : path == 14 ? f14 : path == 15 ? f15 : path == 16 ? f16 : path == 17 ? f17 : f18;
}

export function resetKernelPathCounts(): void {
  f0 = 0; f1 = 0; f2 = 0; f3 = 0; f4 = 0; f5 = 0; f6 = 0; f7 = 0; f8 = 0; f9 = 0; f10 = 0; f11 = 0; f12 = 0; f13 = 0; f14 = 0; f15 = 0; f16 = 0; f17 = 0; f18 = 0;
  b0 = 0; b1 = 0; b2 = 0; b3 = 0; b4 = 0; b5 = 0; b6 = 0; b7 = 0; b8 = 0; b9 = 0; b10 = 0; b11 = 0; b12 = 0; b13 = 0; b14 = 0; b15 = 0; b16 = 0; b17 = 0; b18 = 0;
}
