/**
 * The names of gridSample's kernel paths in the AssemblyScript module (assembly/paths.ts, in the
 * order of its PATH_ codes: the rows of the dispatch table in assembly/grid_bilinear.ts, the
 * generic per-point path, the volume paths of assembly/grid_sample_3d.ts and the nearest paths of
 * assembly/grid_nearest.ts), and their counters, for tests that name the path each case exercises.
 * Production code does not read them.
 */
import type { StnExports } from './stn_module.js';

export const KERNEL_PATHS = [
  'generic', 'fewGather', 'fewPairs', 'onePairs', 'rgbPairs', 'rgbInside', 'pointsMasked', 'pointsInside',
  // volumes (assembly/grid_sample_3d.ts)
  'trilinearOneInside', 'trilinearOneGather', 'trilinearChannelsInside', 'trilinearChannelsGrad',
  // codes added after the volumes': two channels; one channel with every tap inside; four channels with every tap inside
  'twoPairs', 'oneInside', 'rgbaInside',
  // nearest (assembly/grid_nearest.ts): images, volumes
  'nearest', 'nearestVolume',
  // the bicubic forward with 1-3 channels (assembly/grid_bicubic.ts)
  'bicubicLanes',
  // nearest forward with three channels, a block of four read as 16-byte rows (assembly/grid_nearest.ts)
  'nearestRgb',
] as const;
export type KernelPath = (typeof KERNEL_PATHS)[number];

/** The paths with a nonzero count since the last reset, as 'path forward' / 'path backward': the blocks (points, for generic) each took. */
export function kernelPathCounts(stn: StnExports): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [code, path] of KERNEL_PATHS.entries()) {
    for (const backward of [false, true]) {
      const n = stn.kernelPathCount(code, backward) >>> 0;
      if (n > 0) counts[`${path} ${backward ? 'backward' : 'forward'}`] = n;
    }
  }
  return counts;
}
