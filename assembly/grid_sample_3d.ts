// gridSample on volumes: input [N,D,H,W,C], grid [N,Do,Ho,Wo,3] (x, y, z), NDHWC float32,
// PyTorch's 5-D grid_sample (its trilinear and nearest), and tricubic, the 2-D bicubic rule
// extended by one axis (PyTorch has none).
//
// The same layers as grid_sample.ts: the coordinate math is coords.ts's, unchanged (it is per
// axis: z goes through the same computeSourceIndex / computeSourceIndexGrad as x and y, four grid
// points in the f32x4 lanes); the taps reuse taps.ts's tapGroup (four taps, one channel pass; its `depth` argument
// adds the z dot), with a pixel index (z * H + y) * W + x:
//   trilinear  8 taps: two groups of four, the planes z0 and z0 + 1
//   tricubic   64 taps: sixteen groups of four, one per (z, y) row, each tap padded per axis
// Forward, a point's first group stores its output and the others add to it (`accumulate`).
// Nearest (1 tap) is grid_nearest.ts's, as for images.
// Trilinear has vector paths beside the generic one (ARCHITECTURE.md's volume path table): one
// channel with four points in the lanes, four or more channels as vectors.
// A grid point with a NaN coordinate has no taps: it reads 0 and has no gradient; taps outside
// the input are masked, so nothing is read or written outside the buffers.
import { MODE_BICUBIC, MODE_BILINEAR, MODE_NEAREST, PADDING_ZEROS } from './contract';
import { nearestVolume } from './grid_nearest';
import { AXIS_X, AXIS_Y, AXIS_Z, applySourceIndexGrad, computeCoordinates, computeSourceIndex, computeSourceIndexGrad, cubicWeights, cubicWeightsGrad, setAxis } from './coords';
import { horizontalSum, lane, laneI, loadLanes, storeLanes } from './lanes';
import { PATH_GENERIC, PATH_TRILINEAR_CHANNELS_GRAD, PATH_TRILINEAR_CHANNELS_INSIDE, PATH_TRILINEAR_ONE_GATHER, PATH_TRILINEAR_ONE_INSIDE, countPath } from './paths';
import { accDIx, accDIy, accDIz, accumulate, backward, channels, dInBase, dyRow, inBase, outRow, pairEast, wantDGrid, wantDInput } from './registers';
import { tapGroup } from './taps';

/**
 * Volumes: input [N,D,H,W,C], grid [N,Do,Ho,Wo,3] (as `points` = Do*Ho*Wo per batch item).
 * Forward (isBackward false): writes output [N,Do,Ho,Wo,C]. Backward: reads dy, writes dInput
 * [N,D,H,W,C] and dGrid [N,Do,Ho,Wo,3]; a gradient whose pointer is 0 is not asked for and not
 * computed. Pointers are byte offsets; an unused one is 0. One call does batch items
 * [itemStart, itemEnd) and, in each, grid points [pointStart, pointEnd) (pointStart a multiple of
 * 4), zero-filling the items' dInput: gridSample's range (grid_sample.ts).
 */
export function gridSample3d(
  inputPtr: usize, N: i32, D: i32, H: i32, W: i32, C: i32,
  gridPtr: usize, points: i32,
  mode: i32, padding: i32, alignCorners: bool,
  isBackward: bool, outputPtr: usize, dyPtr: usize, dInputPtr: usize, dGridPtr: usize,
  itemStart: i32, itemEnd: i32, pointStart: i32, pointEnd: i32,
): void {
  setAxis(AXIS_X, W, padding, alignCorners);
  setAxis(AXIS_Y, H, padding, alignCorners);
  setAxis(AXIS_Z, D, padding, alignCorners);
  channels = C;
  backward = isBackward;
  wantDInput = isBackward && dInputPtr != 0;
  wantDGrid = isBackward && dGridPtr != 0;
  const rowBytes = (<usize>C) << 2;
  const imageBytes = <usize>D * <usize>H * <usize>W * rowBytes;
  const hasPixels = D > 0 && H > 0 && W > 0;
  if (wantDInput) memory.fill(dInputPtr + <usize>itemStart * imageBytes, 0, imageBytes * <usize>(itemEnd - itemStart));
  // A scalar volume (registration's usual case) samples four points side by side in the lanes.
  const oneChannelTrilinear = mode == MODE_BILINEAR && C == 1 && hasPixels;
  // Forward with four or more channels: blocks whose taps are all inside take the channels as vectors.
  const channelsTrilinear = mode == MODE_BILINEAR && C >= 4 && hasPixels && !isBackward;
  // Backward with a multiple of four channels: points whose taps are all inside take the channels as vectors.
  const channelsTrilinearGrad = mode == MODE_BILINEAR && (C & 3) == 0 && C > 0 && hasPixels && isBackward;
  const count = pointEnd - pointStart;
  for (let n = itemStart; n < itemEnd; n++) {
    inBase = inputPtr + <usize>n * imageBytes;
    dInBase = dInputPtr + <usize>n * imageBytes;
    const first = <usize>n * <usize>points + <usize>pointStart;
    if (mode == MODE_NEAREST && hasPixels) {
      nearestVolume(gridPtr + first * 12, count, D, H, W, C, padding, alignCorners, isBackward,
        outputPtr + first * rowBytes, dyPtr + first * rowBytes, dGridPtr + first * 12);
      continue;
    }
    if (oneChannelTrilinear) {
      trilinearOneChannelItem(gridPtr, first, count, D, H, W, padding, alignCorners, outputPtr, dyPtr, dGridPtr);
      continue;
    }
    walkBlocks3d(gridPtr, first, count, D, H, W, mode, padding, alignCorners, hasPixels, false, isBackward, wantDInput, wantDGrid,
      channelsTrilinear, channelsTrilinearGrad, outputPtr, dyPtr, dGridPtr);
  }
}

/**
 * The one-channel trilinear walk of one batch item: walkBlocks3d once per direction and
 * combination of the gradients asked for, each folded to a loop that does only its work; the
 * registration case (zeros, alignCorners false) gets its own copies, its coordinate math folded
 * to constants (as grid_sample.ts's fewChannelsBackward).
 */
function trilinearOneChannelItem(
  gridPtr: usize, first: usize, points: i32, D: i32, H: i32, W: i32, padding: i32, alignCorners: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  if (padding == PADDING_ZEROS && !alignCorners) trilinearOneChannelWalks(gridPtr, first, points, D, H, W, PADDING_ZEROS, false, outputPtr, dyPtr, dGridPtr);
  else trilinearOneChannelWalks(gridPtr, first, points, D, H, W, padding, alignCorners, outputPtr, dyPtr, dGridPtr);
}

@inline function trilinearOneChannelWalks(
  gridPtr: usize, first: usize, points: i32, D: i32, H: i32, W: i32, padding: i32, alignCorners: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const B = MODE_BILINEAR;
  if (!backward) walkBlocks3d(gridPtr, first, points, D, H, W, B, padding, alignCorners, true, true, false, false, false, false, false, outputPtr, 0, 0);
  else if (wantDInput && wantDGrid) walkBlocks3d(gridPtr, first, points, D, H, W, B, padding, alignCorners, true, true, true, true, true, false, false, 0, dyPtr, dGridPtr);
  else if (wantDGrid) walkBlocks3d(gridPtr, first, points, D, H, W, B, padding, alignCorners, true, true, true, false, true, false, false, 0, dyPtr, dGridPtr);
  else walkBlocks3d(gridPtr, first, points, D, H, W, B, padding, alignCorners, true, true, true, true, false, false, false, 0, dyPtr, dGridPtr);
}

/**
 * One batch item's grid points, `points` from point `first`, four at a time: each block's pixel
 * coordinates (with their derivatives when d(grid) is asked for), then the block to the
 * one-channel lanes (`oneChannel`), the channels-as-vectors forward (`channelsInside`, where its
 * taps are inside) or, point by point, the generic path. Inlined: trilinearOneChannelWalks calls
 * it with constants.
 */
@inline function walkBlocks3d(
  gridPtr: usize, first: usize, points: i32, D: i32, H: i32, W: i32, mode: i32, padding: i32, alignCorners: bool, hasPixels: bool,
  oneChannel: bool, isBackward: bool, wantIn: bool, wantGrid: bool, channelsInside: bool, channelsGrad: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const padBeforeTaps = mode != MODE_BICUBIC;
  const nan = f32x4.splat(NaN);
  for (let p = 0; p < points; p += 4) {
    const count = min(4, points - p);
    const at = first + <usize>p;
    const g = gridPtr + at * 12;
    let gx: v128, gy: v128, gz: v128;
    if (count == 4) {
      // Four points' (x, y, z) in three loads, unzipped into one vector per axis.
      const a = v128.load(g), b = v128.load(g, 16), c = v128.load(g, 32);
      gx = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 0, 3, 6, 6), c, 0, 1, 2, 5);
      gy = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 1, 4, 7, 7), c, 0, 1, 2, 6);
      gz = v128.shuffle<f32>(v128.shuffle<f32>(a, b, 2, 5, 5, 5), c, 0, 1, 4, 7);
    } else {
      // A short block: the missing points are NaN, which have no taps.
      gx = loadLanes(g, 12, count, NaN);
      gy = loadLanes(g + 4, 12, count, NaN);
      gz = loadLanes(g + 8, 12, count, NaN);
    }
    const valid = v128.and(v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy)), f32x4.eq(gz, gz));
    const ix = computeSourceIndex(gx, AXIS_X, padding, alignCorners, padBeforeTaps);
    const iy = computeSourceIndex(gy, AXIS_Y, padding, alignCorners, padBeforeTaps);
    const iz = computeSourceIndex(gz, AXIS_Z, padding, alignCorners, padBeforeTaps);
    // The derivatives only where d(grid) is asked for (the inlined twins share their steps).
    const gxMult = wantGrid ? v128.and(computeSourceIndexGrad(gx, AXIS_X, padding, alignCorners, padBeforeTaps), valid) : nan;
    const gyMult = wantGrid ? v128.and(computeSourceIndexGrad(gy, AXIS_Y, padding, alignCorners, padBeforeTaps), valid) : nan;
    const gzMult = wantGrid ? v128.and(computeSourceIndexGrad(gz, AXIS_Z, padding, alignCorners, padBeforeTaps), valid) : nan;
    if (oneChannel) {
      trilinearOneChannel(ix, iy, iz, valid, gxMult, gyMult, gzMult, D, H, W, count, at, isBackward, wantIn, wantGrid, outputPtr, dyPtr, dGridPtr);
      continue;
    }
    if (channelsInside && count == 4 && trilinearChannelsInside(ix, iy, iz, D, H, W, outputPtr + at * rowBytes)) continue;
    // One point at a time, written out so that the lane numbers are constants.
    samplePoint3d(0, at, ix, iy, iz, valid, gxMult, gyMult, gzMult, mode, D, H, W, padding, alignCorners, hasPixels, channelsGrad, outputPtr, dyPtr, dGridPtr);
    if (count > 1) samplePoint3d(1, at, ix, iy, iz, valid, gxMult, gyMult, gzMult, mode, D, H, W, padding, alignCorners, hasPixels, channelsGrad, outputPtr, dyPtr, dGridPtr);
    if (count > 2) samplePoint3d(2, at, ix, iy, iz, valid, gxMult, gyMult, gzMult, mode, D, H, W, padding, alignCorners, hasPixels, channelsGrad, outputPtr, dyPtr, dGridPtr);
    if (count > 3) samplePoint3d(3, at, ix, iy, iz, valid, gxMult, gyMult, gzMult, mode, D, H, W, padding, alignCorners, hasPixels, channelsGrad, outputPtr, dyPtr, dGridPtr);
  }
}

/**
 * Trilinear with one channel, four grid points side by side in the lanes. A block with every tap
 * inside goes to trilinearOneInside; a block with no tap inside writes zeros; otherwise the eight
 * taps' indices, masks and weights as vectors, their values gathered lane by lane (a tap outside
 * the input reads voxel 0, masked to 0; a tap outside for all four points is skipped). Forward
 * stores the four outputs. Backward scatters into dInput lane by lane, in order, so points that
 * share a voxel add correctly, and sums the taps' dots dy * in[tap] times dw/dx, dw/dy, dw/dz for
 * d(grid). isBackward, wantIn and wantGrid are constants where it is inlined (walkBlocks3d).
 */
@inline function trilinearOneChannel(
  ix: v128, iy: v128, iz: v128, valid: v128, gxMult: v128, gyMult: v128, gzMult: v128,
  D: i32, H: i32, W: i32, count: i32, at: usize, isBackward: bool, wantIn: bool, wantGrid: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const fx = f32x4.floor(ix), fy = f32x4.floor(iy), fz = f32x4.floor(iz);
  const e = f32x4.sub(ix, fx), s = f32x4.sub(iy, fy), t = f32x4.sub(iz, fz); // distances from the lower voxel
  const one = f32x4.splat(1);
  const oe = f32x4.sub(one, e), os = f32x4.sub(one, s), ot = f32x4.sub(one, t);
  const x0 = i32x4.trunc_sat_f32x4_s(fx), y0 = i32x4.trunc_sat_f32x4_s(fy), z0 = i32x4.trunc_sat_f32x4_s(fz);
  const i1 = i32x4.splat(1);
  const mx0 = i32x4.lt_u(x0, i32x4.splat(W)), mx1 = i32x4.lt_u(i32x4.add(x0, i1), i32x4.splat(W));
  const my0 = i32x4.lt_u(y0, i32x4.splat(H)), my1 = i32x4.lt_u(i32x4.add(y0, i1), i32x4.splat(H));
  const mz0 = v128.and(i32x4.lt_u(z0, i32x4.splat(D)), valid), mz1 = v128.and(i32x4.lt_u(i32x4.add(z0, i1), i32x4.splat(D)), valid);
  const base = pixelIndex(x0, y0, z0, W, H);
  const zero = f32x4.splat(0);
  const interior = count == 4 && i32x4.all_true(v128.and(v128.and(v128.and(mx0, mx1), v128.and(my0, my1)), v128.and(mz0, mz1)));
  if (interior) {
    countPath(PATH_TRILINEAR_ONE_INSIDE, isBackward);
    trilinearOneInside(base, e, oe, s, os, t, ot, H, W, at, isBackward, wantIn, wantGrid, outputPtr, dyPtr, gxMult, gyMult, gzMult, dGridPtr);
    return;
  }
  countPath(PATH_TRILINEAR_ONE_GATHER, isBackward);
  if (!v128.any_true(v128.and(v128.and(v128.or(mx0, mx1), v128.or(my0, my1)), v128.or(mz0, mz1)))) {
    // No point of the block has a tap inside (a grid reaching past the volume): zeros.
    if (!isBackward) storeLanes(outputPtr + (at << 2), 4, zero, count);
    else if (wantGrid) memory.fill(dGridPtr + at * 12, 0, <usize>count * 12);
    return;
  }
  const dy = isBackward ? loadLanes(dyPtr + (at << 2), 4, count, 0) : zero;
  let out = zero, dIx = zero, dIy = zero, dIz = zero;
  for (let k = 0; k < 8; k++) {
    const sx = (k & 1) != 0, sy = (k & 2) != 0, sz = (k & 4) != 0;
    const mask = v128.and(v128.and(sx ? mx1 : mx0, sy ? my1 : my0), sz ? mz1 : mz0);
    if (!v128.any_true(mask)) continue; // this tap is outside for all four points
    const wx = sx ? e : oe, wy = sy ? s : os, wz = sz ? t : ot;
    const q = v128.and(i32x4.add(base, i32x4.splat((sz ? H * W : 0) + (sy ? W : 0) + (sx ? 1 : 0))), mask);
    const wyz = f32x4.mul(wy, wz);
    const w = f32x4.mul(wx, wyz);
    const v = isBackward && !wantGrid ? zero : v128.and(f32x4(
      load<f32>(inBase + (<usize>i32x4.extract_lane(q, 0) << 2)), load<f32>(inBase + (<usize>i32x4.extract_lane(q, 1) << 2)),
      load<f32>(inBase + (<usize>i32x4.extract_lane(q, 2) << 2)), load<f32>(inBase + (<usize>i32x4.extract_lane(q, 3) << 2))), mask);
    if (!isBackward) {
      out = f32x4.add(out, f32x4.mul(w, v));
      continue;
    }
    if (wantIn) {
      // Lane by lane in order (written out: constant lane numbers); a short block's missing points are masked.
      // Branch-free: a masked lane adds 0 to voxel 0 (its index was masked to 0).
      const g = v128.and(f32x4.mul(w, dy), mask);
      scatterLane(0, q, g);
      scatterLane(1, q, g);
      scatterLane(2, q, g);
      scatterLane(3, q, g);
    }
    if (wantGrid) {
      // dw/dx = ±wy*wz (+ for the upper voxel), and likewise for y and z.
      const dot = f32x4.mul(dy, v);
      const gx = f32x4.mul(dot, wyz), gy = f32x4.mul(dot, f32x4.mul(wx, wz)), gz = f32x4.mul(dot, f32x4.mul(wx, wy));
      dIx = sx ? f32x4.add(dIx, gx) : f32x4.sub(dIx, gx);
      dIy = sy ? f32x4.add(dIy, gy) : f32x4.sub(dIy, gy);
      dIz = sz ? f32x4.add(dIz, gz) : f32x4.sub(dIz, gz);
    }
  }
  if (!isBackward) {
    // A NaN point's weights are NaN: its output is set to 0 here, as it has no taps.
    storeLanes(outputPtr + (at << 2), 4, v128.and(out, valid), count);
    return;
  }
  if (wantGrid) storeDGridBlock(dIx, dIy, dIz, gxMult, gyMult, gzMult, dGridPtr + at * 12, count);
}

/**
 * trilinearOneChannel's block of four points whose 32 taps are all inside (the usual case away
 * from the borders): each row's two voxels (x0, x0 + 1) are adjacent, so every (point, row) is
 * one 64-bit load, and backward one 64-bit read-modify-write into dInput, the points in order
 * (neighbouring points share voxels). Forward lerps the rows in x, then y, z; d(grid) takes
 * differences of the lerps (the sums of the taps' dots times dw/dx, dw/dy, dw/dz, regrouped).
 */
@inline function trilinearOneInside(
  base: v128, e: v128, oe: v128, s: v128, os: v128, t: v128, ot: v128, H: i32, W: i32, at: usize,
  isBackward: bool, wantIn: bool, wantGrid: bool, outputPtr: usize, dyPtr: usize, gxMult: v128, gyMult: v128, gzMult: v128, dGridPtr: usize,
): void {
  // Byte offsets of the points' (x0, y0, z0) voxels, and of the rows y0 + 1 and z0 + 1.
  const q = i32x4.shl(base, 2);
  const o0 = <usize>i32x4.extract_lane(q, 0), o1 = <usize>i32x4.extract_lane(q, 1);
  const o2 = <usize>i32x4.extract_lane(q, 2), o3 = <usize>i32x4.extract_lane(q, 3);
  const dy1 = <usize>W << 2, dz1 = <usize>(H * W) << 2;
  if (!isBackward) {
    const a = lerp(pairRow(o0, o1, o2, o3, 0, e, oe), pairRow(o0, o1, o2, o3, dy1, e, oe), s, os);
    const b = lerp(pairRow(o0, o1, o2, o3, dz1, e, oe), pairRow(o0, o1, o2, o3, dz1 + dy1, e, oe), s, os);
    v128.store(outputPtr + (at << 2), lerp(a, b, t, ot));
    return;
  }
  const dy = v128.load(dyPtr + (at << 2));
  if (wantIn) {
    // Each row's weight (times dy) over the points, split between its west and east voxels.
    scatterPairs(o0, o1, o2, o3, 0, f32x4.mul(dy, f32x4.mul(os, ot)), e, oe);
    scatterPairs(o0, o1, o2, o3, dy1, f32x4.mul(dy, f32x4.mul(s, ot)), e, oe);
    scatterPairs(o0, o1, o2, o3, dz1, f32x4.mul(dy, f32x4.mul(os, t)), e, oe);
    scatterPairs(o0, o1, o2, o3, dz1 + dy1, f32x4.mul(dy, f32x4.mul(s, t)), e, oe);
  }
  if (!wantGrid) return;
  // Rows (y, z) = (0, 0), (1, 0), (0, 1), (1, 1): west voxels, and east ones in pairEast.
  const w00 = loadPairs(o0, o1, o2, o3, 0), e00 = pairEast;
  const w10 = loadPairs(o0, o1, o2, o3, dy1), e10 = pairEast;
  const w01 = loadPairs(o0, o1, o2, o3, dz1), e01 = pairEast;
  const w11 = loadPairs(o0, o1, o2, o3, dz1 + dy1), e11 = pairEast;
  const r00 = lerp(w00, e00, e, oe), r10 = lerp(w10, e10, e, oe), r01 = lerp(w01, e01, e, oe), r11 = lerp(w11, e11, e, oe);
  const dIx = f32x4.mul(dy, cellDx(w00, e00, w10, e10, w01, e01, w11, e11, s, os, t, ot));
  const dIy = f32x4.mul(dy, cellDy(r00, r10, r01, r11, t, ot));
  const dIz = f32x4.mul(dy, cellDz(r00, r10, r01, r11, s, os));
  storeDGridBlock(dIx, dIy, dIz, gxMult, gyMult, gzMult, dGridPtr + at * 12, 4);
}

/** d(grid) of a block: dI times the coordinate chain's gradient (applySourceIndexGrad). */
@inline function storeDGridBlock(dIx: v128, dIy: v128, dIz: v128, gxMult: v128, gyMult: v128, gzMult: v128, d: usize, count: i32): void {
  const rx = applySourceIndexGrad(dIx, gxMult), ry = applySourceIndexGrad(dIy, gyMult), rz = applySourceIndexGrad(dIz, gzMult);
  storeDGrid(0, d, rx, ry, rz);
  if (count > 1) storeDGrid(1, d, rx, ry, rz);
  if (count > 2) storeDGrid(2, d, rx, ry, rz);
  if (count > 3) storeDGrid(3, d, rx, ry, rz);
}

/**
 * dInput[row pair of each point] += (w * (1 - e), w * e): one 64-bit read-modify-write per point,
 * in order, so that points sharing a voxel add correctly. `w` is the row's weight times dy.
 */
@inline function scatterPairs(o0: usize, o1: usize, o2: usize, o3: usize, offset: usize, w: v128, e: v128, oe: v128): void {
  const west = f32x4.mul(w, oe), east = f32x4.mul(w, e);
  const lo = v128.shuffle<f32>(west, east, 0, 4, 1, 5); // points 0 and 1: (west, east) each
  const hi = v128.shuffle<f32>(west, east, 2, 6, 3, 7); // points 2 and 3
  const d = dInBase + offset;
  v128.store64_lane(d + o0, f32x4.add(v128.load64_lane(d + o0, lo, 0), lo), 0);
  v128.store64_lane(d + o1, f32x4.add(v128.load64_lane(d + o1, lo, 1), lo), 1);
  v128.store64_lane(d + o2, f32x4.add(v128.load64_lane(d + o2, hi, 0), hi), 0);
  v128.store64_lane(d + o3, f32x4.add(v128.load64_lane(d + o3, hi, 1), hi), 1);
}

/**
 * Trilinear forward, four or more channels, for a block of four points whose 32 taps are all
 * inside the input (NaN points fail the check): per point, its eight taps' weights broadcast and
 * the channels four at a time, out[c] = sum of w * in[tap, c]. Returns false, doing nothing, for
 * a block with a tap outside (the per-point path takes it).
 */
@inline function trilinearChannelsInside(ix: v128, iy: v128, iz: v128, D: i32, H: i32, W: i32, out: usize): bool {
  const fx = f32x4.floor(ix), fy = f32x4.floor(iy), fz = f32x4.floor(iz);
  const x0 = i32x4.trunc_sat_f32x4_s(fx), y0 = i32x4.trunc_sat_f32x4_s(fy), z0 = i32x4.trunc_sat_f32x4_s(fz);
  // x0 >= 0 and x0 + 1 < W (unsigned: a negative x0 is huge), likewise y and z; NaN lanes compare false.
  const inside = v128.and(v128.and(i32x4.lt_u(x0, i32x4.splat(W - 1)), i32x4.lt_u(y0, i32x4.splat(H - 1))),
    v128.and(i32x4.lt_u(z0, i32x4.splat(D - 1)), v128.and(f32x4.eq(ix, ix), v128.and(f32x4.eq(iy, iy), f32x4.eq(iz, iz)))));
  if (!i32x4.all_true(inside)) return false;
  countPath(PATH_TRILINEAR_CHANNELS_INSIDE, false);
  const e = f32x4.sub(ix, fx), s = f32x4.sub(iy, fy), t = f32x4.sub(iz, fz);
  const one = f32x4.splat(1);
  const oe = f32x4.sub(one, e), os = f32x4.sub(one, s), ot = f32x4.sub(one, t);
  const base = pixelIndex(x0, y0, z0, W, H);
  const rowBytes = <usize>channels << 2;
  channelsPoint(0, base, e, oe, s, os, t, ot, H, W, out);
  channelsPoint(1, base, e, oe, s, os, t, ot, H, W, out + rowBytes);
  channelsPoint(2, base, e, oe, s, os, t, ot, H, W, out + 2 * rowBytes);
  channelsPoint(3, base, e, oe, s, os, t, ot, H, W, out + 3 * rowBytes);
  return true;
}

/** Point l of trilinearChannelsInside: its eight taps, all inside, the channels four at a time. */
@inline function channelsPoint(l: i32, base: v128, e: v128, oe: v128, s: v128, os: v128, t: v128, ot: v128, H: i32, W: i32, out: usize): void {
  const rowBytes = <usize>channels << 2;
  const p000 = inBase + <usize>laneI(base, l) * rowBytes;
  const dx = rowBytes, dy = <usize>W * rowBytes, dz = <usize>(H * W) * rowBytes;
  const ex = lane(e, l), oex = lane(oe, l), sy = lane(s, l), osy = lane(os, l), tz = lane(t, l), otz = lane(ot, l);
  const w000 = f32x4.splat(oex * osy * otz), w100 = f32x4.splat(ex * osy * otz);
  const w010 = f32x4.splat(oex * sy * otz), w110 = f32x4.splat(ex * sy * otz);
  const w001 = f32x4.splat(oex * osy * tz), w101 = f32x4.splat(ex * osy * tz);
  const w011 = f32x4.splat(oex * sy * tz), w111 = f32x4.splat(ex * sy * tz);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const p = p000 + k;
    const a = f32x4.add(f32x4.add(f32x4.mul(w000, v128.load(p)), f32x4.mul(w100, v128.load(p + dx))),
      f32x4.add(f32x4.mul(w010, v128.load(p + dy)), f32x4.mul(w110, v128.load(p + dy + dx))));
    const b = f32x4.add(f32x4.add(f32x4.mul(w001, v128.load(p + dz)), f32x4.mul(w101, v128.load(p + dz + dx))),
      f32x4.add(f32x4.mul(w011, v128.load(p + dz + dy)), f32x4.mul(w111, v128.load(p + dz + dy + dx))));
    v128.store(out + k, f32x4.add(a, b));
  }
  for (; c < channels; c++) {
    const p = p000 + (<usize>c << 2);
    const a = (f32x4.extract_lane(w000, 0) * load<f32>(p) + f32x4.extract_lane(w100, 0) * load<f32>(p + dx)) +
      (f32x4.extract_lane(w010, 0) * load<f32>(p + dy) + f32x4.extract_lane(w110, 0) * load<f32>(p + dy + dx));
    const b = (f32x4.extract_lane(w001, 0) * load<f32>(p + dz) + f32x4.extract_lane(w101, 0) * load<f32>(p + dz + dx)) +
      (f32x4.extract_lane(w011, 0) * load<f32>(p + dz + dy) + f32x4.extract_lane(w111, 0) * load<f32>(p + dz + dy + dx));
    store<f32>(out + (<usize>c << 2), a + b);
  }
}

/**
 * Trilinear backward, channels a multiple of four, for the point in lane `l` when its eight taps
 * are inside the input: the channels four at a time, d(input) as one vector read-modify-write per
 * tap, d(grid) as the cell's derivatives (cellDx, cellDy, cellDz) times dy, summed over the
 * channels; a point without a tap inside (or NaN) only has its d(grid) zeroed. Returns false,
 * doing nothing, for a point with some taps outside (the generic path takes it).
 */
@inline function trilinearChannelsGrad(
  l: i32, point: usize, ix: v128, iy: v128, iz: v128, gxMult: v128, gyMult: v128, gzMult: v128,
  D: i32, H: i32, W: i32, dyPtr: usize, dGridPtr: usize,
): bool {
  const x = lane(ix, l), y = lane(iy, l), z = lane(iz, l);
  const fx = Mathf.floor(x), fy = Mathf.floor(y), fz = Mathf.floor(z);
  // No tap inside (a grid reaching past the volume, or NaN): nothing to add, d(grid) 0.
  if (!(fx >= -1 && fx < <f32>W && fy >= -1 && fy < <f32>H && fz >= -1 && fz < <f32>D)) {
    countPath(PATH_TRILINEAR_CHANNELS_GRAD, true);
    if (wantDGrid) memory.fill(dGridPtr + point * 12, 0, 12);
    return true;
  }
  // Both taps of each axis inside, else the generic path.
  if (!(fx >= 0 && fx < <f32>(W - 1) && fy >= 0 && fy < <f32>(H - 1) && fz >= 0 && fz < <f32>(D - 1))) return false;
  countPath(PATH_TRILINEAR_CHANNELS_GRAD, true);
  const rowBytes = <usize>channels << 2;
  const offset = <usize>((<i32>fz * H + <i32>fy) * W + <i32>fx) * rowBytes;
  const dx = rowBytes, dy = <usize>W * rowBytes, dz = <usize>(H * W) * rowBytes;
  const ex = x - fx, sy = y - fy, tz = z - fz;
  const e = f32x4.splat(ex), oe = f32x4.splat(1 - ex), s = f32x4.splat(sy), os = f32x4.splat(1 - sy), t = f32x4.splat(tz), ot = f32x4.splat(1 - tz);
  // The taps' weights, for d(input).
  const w000 = f32x4.mul(oe, f32x4.mul(os, ot)), w100 = f32x4.mul(e, f32x4.mul(os, ot));
  const w010 = f32x4.mul(oe, f32x4.mul(s, ot)), w110 = f32x4.mul(e, f32x4.mul(s, ot));
  const w001 = f32x4.mul(oe, f32x4.mul(os, t)), w101 = f32x4.mul(e, f32x4.mul(os, t));
  const w011 = f32x4.mul(oe, f32x4.mul(s, t)), w111 = f32x4.mul(e, f32x4.mul(s, t));
  const dyAt = dyPtr + point * rowBytes;
  const zero = f32x4.splat(0);
  let ax = zero, ay = zero, az = zero;
  for (let c: usize = 0; c < rowBytes; c += 16) {
    const g = v128.load(dyAt + c);
    if (wantDInput) {
      const q = dInBase + offset + c;
      addVector(q, f32x4.mul(w000, g));
      addVector(q + dx, f32x4.mul(w100, g));
      addVector(q + dy, f32x4.mul(w010, g));
      addVector(q + dy + dx, f32x4.mul(w110, g));
      addVector(q + dz, f32x4.mul(w001, g));
      addVector(q + dz + dx, f32x4.mul(w101, g));
      addVector(q + dz + dy, f32x4.mul(w011, g));
      addVector(q + dz + dy + dx, f32x4.mul(w111, g));
    }
    if (wantDGrid) {
      const p = inBase + offset + c;
      const w00 = v128.load(p), e00 = v128.load(p + dx), w10 = v128.load(p + dy), e10 = v128.load(p + dy + dx);
      const w01 = v128.load(p + dz), e01 = v128.load(p + dz + dx), w11 = v128.load(p + dz + dy), e11 = v128.load(p + dz + dy + dx);
      const r00 = lerp(w00, e00, e, oe), r10 = lerp(w10, e10, e, oe), r01 = lerp(w01, e01, e, oe), r11 = lerp(w11, e11, e, oe);
      ax = f32x4.add(ax, f32x4.mul(g, cellDx(w00, e00, w10, e10, w01, e01, w11, e11, s, os, t, ot)));
      ay = f32x4.add(ay, f32x4.mul(g, cellDy(r00, r10, r01, r11, t, ot)));
      az = f32x4.add(az, f32x4.mul(g, cellDz(r00, r10, r01, r11, s, os)));
    }
  }
  if (wantDGrid) {
    // Where the coordinate chain has gradient 0 (clamped or clipped), d(grid) is exactly 0.
    const mx = lane(gxMult, l), my = lane(gyMult, l), mz = lane(gzMult, l);
    const d = dGridPtr + point * 12;
    store<f32>(d, mx == 0 ? <f32>0 : horizontalSum(ax) * mx);
    store<f32>(d, my == 0 ? <f32>0 : horizontalSum(ay) * my, 4);
    store<f32>(d, mz == 0 ? <f32>0 : horizontalSum(az) * mz, 8);
  }
  return true;
}

/** The four floats at p += v. */
@inline function addVector(p: usize, v: v128): void {
  v128.store(p, f32x4.add(v128.load(p), v));
}

/** The x-lerp of one row of four points' taps (loadPairs), times (1 - e) and e. */
@inline function pairRow(o0: usize, o1: usize, o2: usize, o3: usize, offset: usize, e: v128, oe: v128): v128 {
  const west = loadPairs(o0, o1, o2, o3, offset);
  return lerp(west, pairEast, e, oe);
}

/**
 * Four points' voxels at byte offsets o + offset in the input (returned) and the next ones (left
 * in pairEast), one 64-bit load per point: both inside the input (the caller checked).
 */
@inline function loadPairs(o0: usize, o1: usize, o2: usize, o3: usize, offset: usize): v128 {
  const a = inBase + offset;
  const p01 = v128.load64_lane(a + o1, v128.load64_zero(a + o0), 1);
  const p23 = v128.load64_lane(a + o3, v128.load64_zero(a + o2), 1);
  pairEast = v128.shuffle<f32>(p01, p23, 1, 3, 5, 7);
  return v128.shuffle<f32>(p01, p23, 0, 2, 4, 6);
}

// A trilinear cell's value's derivatives in x, y, z from its eight voxels: rows (y, z) = 00, 10,
// 01, 11, west voxels w.. and east ones e.., their x-lerps r.. (the taps' dots times dw/dx, dw/dy,
// dw/dz, summed and regrouped). Lanes are points (one channel) or channels (one point).

@inline function cellDx(w00: v128, e00: v128, w10: v128, e10: v128, w01: v128, e01: v128, w11: v128, e11: v128, s: v128, os: v128, t: v128, ot: v128): v128 {
  return lerp(lerp(f32x4.sub(e00, w00), f32x4.sub(e10, w10), s, os), lerp(f32x4.sub(e01, w01), f32x4.sub(e11, w11), s, os), t, ot);
}

@inline function cellDy(r00: v128, r10: v128, r01: v128, r11: v128, t: v128, ot: v128): v128 {
  return lerp(f32x4.sub(r10, r00), f32x4.sub(r11, r01), t, ot);
}

@inline function cellDz(r00: v128, r10: v128, r01: v128, r11: v128, s: v128, os: v128): v128 {
  return f32x4.sub(lerp(r01, r11, s, os), lerp(r00, r10, s, os));
}

/** a * (1 - u) + b * u, with ou = 1 - u. */
@inline function lerp(a: v128, b: v128, u: v128, ou: v128): v128 {
  return f32x4.add(f32x4.mul(a, ou), f32x4.mul(b, u));
}

/** Point l's d(grid) (x, y, z) from lane l of rx, ry, rz. */
@inline function storeDGrid(l: i32, d: usize, rx: v128, ry: v128, rz: v128): void {
  const at = d + <usize>l * 12;
  store<f32>(at, lane(rx, l));
  store<f32>(at, lane(ry, l), 4);
  store<f32>(at, lane(rz, l), 8);
}

/** dInput[voxel in lane l of q] += lane l of g. */
@inline function scatterLane(l: i32, q: v128, g: v128): void {
  const d = dInBase + (<usize>laneI(q, l) << 2);
  store<f32>(d, load<f32>(d) + lane(g, l));
}

/** Lanes where 0 <= x < W, 0 <= y < H and 0 <= z < D. */
@inline function insideMask3d(xs: v128, ys: v128, zs: v128, W: i32, H: i32, D: i32): v128 {
  return v128.and(v128.and(i32x4.lt_u(xs, i32x4.splat(W)), i32x4.lt_u(ys, i32x4.splat(H))), i32x4.lt_u(zs, i32x4.splat(D)));
}

/** Pixel indices (z * H + y) * W + x (also grid_nearest.ts's, past its float index's limit). */
@inline export function pixelIndex(xs: v128, ys: v128, zs: v128, W: i32, H: i32): v128 {
  return i32x4.add(i32x4.mul(i32x4.add(i32x4.mul(zs, i32x4.splat(H)), ys), i32x4.splat(W)), xs);
}

function sampleTrilinear(ix: f32, iy: f32, iz: f32, D: i32, H: i32, W: i32): void {
  const fx = Mathf.floor(ix), fy = Mathf.floor(iy), fz = Mathf.floor(iz);
  const e = ix - fx; // distance from the west pixel
  const s = iy - fy; // distance from the north pixel
  const t = iz - fz; // distance from the front plane
  // Each plane's taps in the order nw, ne, sw, se, as the 2-D bilinear's.
  const xs = i32x4.add(i32x4.splat(<i32>fx), i32x4(0, 1, 0, 1));
  const ys = i32x4.add(i32x4.splat(<i32>fy), i32x4(0, 0, 1, 1));
  const w = f32x4((1 - e) * (1 - s), e * (1 - s), (1 - e) * s, e * s);
  const dwdx = f32x4(-(1 - s), 1 - s, -s, s);
  const dwdy = f32x4(-(1 - e), -e, 1 - e, e);
  accumulate = false;
  trilinearPlane(xs, ys, <i32>fz, w, dwdx, dwdy, 1 - t, -1, D, H, W);
  accumulate = true;
  trilinearPlane(xs, ys, <i32>fz + 1, w, dwdx, dwdy, t, 1, D, H, W);
}

/** One plane z of the trilinear taps: the bilinear weights `w` times the plane's weight `wz`. */
@inline function trilinearPlane(xs: v128, ys: v128, z: i32, w: v128, dwdx: v128, dwdy: v128, wz: f32, dwz: f32, D: i32, H: i32, W: i32): void {
  const zs = i32x4.splat(z);
  const v = f32x4.mul(w, f32x4.splat(wz));
  tapGroup(pixelIndex(xs, ys, zs, W, H), insideMask3d(xs, ys, zs, W, H, D),
    f32x4.extract_lane(v, 0), f32x4.extract_lane(v, 1), f32x4.extract_lane(v, 2), f32x4.extract_lane(v, 3),
    f32x4.mul(dwdx, f32x4.splat(wz)), f32x4.mul(dwdy, f32x4.splat(wz)), true, f32x4.mul(w, f32x4.splat(dwz)));
}

function sampleTricubic(ix: f32, iy: f32, iz: f32, D: i32, H: i32, W: i32, padding: i32, alignCorners: bool): void {
  const fx = Mathf.floor(ix), fy = Mathf.floor(iy), fz = Mathf.floor(iz);
  const cx = cubicWeights(ix - fx), cy = cubicWeights(iy - fy), cz = cubicWeights(iz - fz);
  // The weights' derivatives only feed the backward pass.
  const dcx = backward ? cubicWeightsGrad(ix - fx) : cx;
  const dcy = backward ? cubicWeightsGrad(iy - fy) : cy;
  const dcz = backward ? cubicWeightsGrad(iz - fz) : cz;
  // Tricubic pads every tap per axis, as bicubic does (PyTorch's get_value_bounded).
  const steps = f32x4(-1, 0, 1, 2);
  const xs = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fx), steps), AXIS_X, padding, alignCorners));
  const ys = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fy), steps), AXIS_Y, padding, alignCorners));
  const zs = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fz), steps), AXIS_Z, padding, alignCorners));
  // One call per plane, written out so that the lane numbers are constants.
  accumulate = false;
  tricubicPlane(0, xs, ys, zs, cx, cy, cz, dcx, dcy, dcz, D, H, W);
  tricubicPlane(1, xs, ys, zs, cx, cy, cz, dcx, dcy, dcz, D, H, W);
  tricubicPlane(2, xs, ys, zs, cx, cy, cz, dcx, dcy, dcz, D, H, W);
  tricubicPlane(3, xs, ys, zs, cx, cy, cz, dcx, dcy, dcz, D, H, W);
}

/** Plane `k` of the tricubic taps (z lane k of `zs`): its four rows; after the first row the taps add. */
@inline function tricubicPlane(
  k: i32, xs: v128, ys: v128, zs: v128, cx: v128, cy: v128, cz: v128, dcx: v128, dcy: v128, dcz: v128, D: i32, H: i32, W: i32,
): void {
  const z = laneI(zs, k);
  const wz = lane(cz, k), dwz = lane(dcz, k);
  tricubicRow(0, xs, ys, z, cx, cy, dcx, dcy, wz, dwz, D, H, W);
  accumulate = true;
  tricubicRow(1, xs, ys, z, cx, cy, dcx, dcy, wz, dwz, D, H, W);
  tricubicRow(2, xs, ys, z, cx, cy, dcx, dcy, wz, dwz, D, H, W);
  tricubicRow(3, xs, ys, z, cx, cy, dcx, dcy, wz, dwz, D, H, W);
}

/** Row `i` of plane z: its taps at columns `xs`, row lane i of `ys`, as one tapGroup. */
@inline function tricubicRow(
  i: i32, xs: v128, ys: v128, z: i32, cx: v128, cy: v128, dcx: v128, dcy: v128, wz: f32, dwz: f32, D: i32, H: i32, W: i32,
): void {
  const y = i32x4.splat(laneI(ys, i));
  const zs = i32x4.splat(z);
  const wyz = lane(cy, i) * wz;
  const w = f32x4.mul(cx, f32x4.splat(wyz));
  tapGroup(pixelIndex(xs, y, zs, W, H), insideMask3d(xs, y, zs, W, H, D),
    f32x4.extract_lane(w, 0), f32x4.extract_lane(w, 1), f32x4.extract_lane(w, 2), f32x4.extract_lane(w, 3),
    f32x4.mul(dcx, f32x4.splat(wyz)), f32x4.mul(cx, f32x4.splat(lane(dcy, i) * wz)), true,
    f32x4.mul(cx, f32x4.splat(lane(cy, i) * dwz)));
}

/** The work for the point in lane `l` of a block whose first point is `first`. */
@inline function samplePoint3d(
  l: i32, first: usize, ix: v128, iy: v128, iz: v128, valid: v128, gxMult: v128, gyMult: v128, gzMult: v128,
  mode: i32, D: i32, H: i32, W: i32, padding: i32, alignCorners: bool, hasPixels: bool, channelsGrad: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const point = first + <usize>l;
  if (channelsGrad && trilinearChannelsGrad(l, point, ix, iy, iz, gxMult, gyMult, gzMult, D, H, W, dyPtr, dGridPtr)) return;
  accDIx = 0;
  accDIy = 0;
  accDIz = 0;
  outRow = outputPtr + point * rowBytes;
  countPath(PATH_GENERIC, backward);
  if (hasPixels && laneI(valid, l) != 0) {
    dyRow = dyPtr + point * rowBytes;
    const x = lane(ix, l), y = lane(iy, l), z = lane(iz, l);
    // Nearest never comes here (grid_nearest.ts takes it).
    if (mode == MODE_BILINEAR) sampleTrilinear(x, y, z, D, H, W);
    else sampleTricubic(x, y, z, D, H, W, padding, alignCorners);
  } else if (!backward) {
    memory.fill(outRow, 0, rowBytes); // a point without taps reads 0
  }
  if (wantDGrid) {
    // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
    const mx = lane(gxMult, l), my = lane(gyMult, l), mz = lane(gzMult, l);
    const d = dGridPtr + point * 12;
    store<f32>(d, mx == 0 ? <f32>0 : accDIx * mx);
    store<f32>(d, my == 0 ? <f32>0 : accDIy * my, 4);
    store<f32>(d, mz == 0 ? <f32>0 : accDIz * mz, 8);
  }
}
