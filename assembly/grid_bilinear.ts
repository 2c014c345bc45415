// The bilinear fast paths of gridSample: the STN case (one channel), two channels, RGB and RGBA.
// Bilinear with one to four channels walks a loop of its own (bilinearPairsLoop, forward and
// backward: in the generic loop a block's state spilled out of registers, and the forward ran
// 1.6x slower, the backward 1.2-1.4x), the four points of a block side by side in the lanes; its
// short and corner blocks go through bilinearFewChannelsBlock (four channels: short blocks and any
// with a tap outside, bilinearForward / bilinearBackward). Four or more channels: the four points'
// taps and weights as vectors, one channel pass per point (bilinearForward / bilinearBackward,
// twins); four channels with every tap inside, a tap is one vector (rgbaInsideBlock: with the loop,
// four channels' forward 1.8x, d(grid) 1.9x faster than through walkBlocks and bilinearForward).
// The backward scatters into dInput point by point (points of a block can share a pixel, and
// must add in turn): by tap pairs where a pair is inside (scalar for one channel: 8-byte
// read-modify-writes stalled on store forwarding; one 16-byte one per row for two channels; 16 + 8
// bytes per row for three, the pair's six floats), else lane by lane (scatterAdd); with four or
// more, a vector per 4 channels.
//
// THE DISPATCH TABLE: which routine takes a block of four grid points, from its channels, the
// direction and where its taps are. bilinearPath() below is this table, and every choice between
// these routines is made by it; each routine counts the blocks it takes (paths.ts).
//
//   channels  direction  the block                                        path: routine
//   1         either     4 points, every tap inside                       ONE_INSIDE: onePairsBlock, unmasked
//   1         either     4 points, every tap pair inside                  ONE_PAIRS: onePairsBlock, masked
//   2         either     4 points, every tap pair inside                  TWO_PAIRS: twoPairsForward / twoBackward
//   3         forward    4 points, all taps inside and before the last    RGB_INSIDE: rgbInsideForward
//                        pair (its loads read one float past the taps)
//   3         forward    every tap pair inside (also fewer than 4 points) RGB_PAIRS: rgbPairsForward
//   3         backward   4 points, all taps inside                        RGB_INSIDE: rgbBackward, unmasked
//   3         backward   4 points, every tap pair inside                  RGB_PAIRS: rgbBackward, masked
//   1         either     every tap pair inside, fewer than 4 points       FEW_PAIRS: bilinearFewChannelsBlock,
//                                                                           taps loaded and scattered in pairs
//   0-3       either     any other (a pair at an image corner; 2          FEW_GATHER: bilinearFewChannelsBlock,
//                        channels, fewer than 4 points; 3 channels,         taps gathered and scattered one by one
//                        fewer than 4 points backward; no channels)
//   4         either     4 points, all taps inside                        RGBA_INSIDE: rgbaInsideBlock
//   5+        either     4 points, all taps inside                        POINTS_INSIDE: bilinearForward /
//                                                                           bilinearBackward, unmasked
//   4+        either     any other                                        POINTS_MASKED: the same, masked
//
// "Tap pair": with one to three channels a tap and its east neighbour are adjacent in memory, so
// a row of two taps loads at once, unless the pair would start before the image or end after it
// (pairsInside; a one-pixel image has no pair). Bicubic and an empty image always take the
// generic path (taps.ts, point by point); nearest, grid_nearest.ts. The loops that walk the grid (grid_sample.ts,
// bilinearPairsLoop, fewChannelsBackward) are chosen per call, with the row the best block
// would take: one to four channels walk bilinearPairsLoop whatever the direction.
import { AXIS_X, AXIS_Y, applySourceIndexGrad, computeSourceIndex, computeSourceIndexGrad, unnormalizeGrad } from './coords';
import { PADDING_ZEROS } from './contract';
import { broadcast, lane, laneI, loadGridHalf, loadLanes, storeLanes } from './lanes';
import {
  PATH_FEW_GATHER, PATH_FEW_PAIRS, PATH_GENERIC, PATH_ONE_INSIDE, PATH_ONE_PAIRS, PATH_POINTS_INSIDE, PATH_POINTS_MASKED,
  PATH_RGB_INSIDE, PATH_RGB_PAIRS, PATH_RGBA_INSIDE, PATH_TWO_PAIRS, countPath,
} from './paths';
import {
  accDIx, accDIy, channels, dInBase, dyRow, inBase, outRow, wantDGrid,
} from './registers';
import { backwardTaps, forwardTaps, laneSums } from './taps';

/**
 * The dispatch table above. `full`: the block has four points; `pairs`: every tap pair of the
 * block is inside the image; `inside`: every tap is inside (and, for three channels, before the
 * last pair). Inlined: with the facts its caller knows as constants, it folds to a branch or two.
 */
@inline export function bilinearPath(C: i32, backward: bool, full: bool, pairs: bool, inside: bool): i32 {
  if (C >= 4) return !(full && inside) ? PATH_POINTS_MASKED : C == 4 ? PATH_RGBA_INSIDE : PATH_POINTS_INSIDE;
  if (!pairs || (C != 1 && !full && (C == 2 || backward))) return PATH_FEW_GATHER;
  if (C == 1) return !full ? PATH_FEW_PAIRS : inside ? PATH_ONE_INSIDE : PATH_ONE_PAIRS;
  if (C == 2) return PATH_TWO_PAIRS;
  if (C == 3) return full && inside ? PATH_RGB_INSIDE : PATH_RGB_PAIRS;
  // No channels: nothing to read or scatter, and d(grid) is 0.
  return PATH_FEW_GATHER;
}

/** The weight of tap (east, south) of four points, from their distances e, s and 1 - e, 1 - s: the one place they are computed. */
@inline function bilinearWeight(e: v128, s: v128, oe: v128, os: v128, east: bool, south: bool): v128 {
  return f32x4.mul(east ? e : oe, south ? s : os);
}

/**
 * bilinearWeight's twin: one channel's part of d(loss)/d(ix) (x true) or d(loss)/d(iy) for four
 * points, dy times the taps (masked ones 0) weighted by the weights' derivatives (bilinearSlopes).
 */
@inline function bilinearWeightGrad(
  dy: v128, vNW: v128, vNE: v128, vSW: v128, vSE: v128, e: v128, s: v128, oe: v128, os: v128, x: bool,
): v128 {
  return f32x4.mul(dy, bilinearSlopes(vNW, vNE, vSW, vSE, e, s, oe, os, x));
}

/**
 * One channel's slopes: d(sample)/d(ix) (x true) or d(sample)/d(iy) of four points, the taps
 * weighted by the weights' derivatives; the forward saves them (pairsForwardSlopes, grid_slopes.ts)
 * and slopesDGrid multiplies them by dy as bilinearWeightGrad does.
 */
@inline function bilinearSlopes(vNW: v128, vNE: v128, vSW: v128, vSE: v128, e: v128, s: v128, oe: v128, os: v128, x: bool): v128 {
  return x
    ? f32x4.add(f32x4.mul(os, f32x4.sub(vNE, vNW)), f32x4.mul(s, f32x4.sub(vSE, vSW)))
    : f32x4.add(f32x4.mul(oe, f32x4.sub(vSW, vNW)), f32x4.mul(e, f32x4.sub(vSE, vNE)));
}

/**
 * Address of the element in lane `l` of `elements` in the image at `base` (inBase or dInBase,
 * read once per block by the caller: V8 reloads a module global at every use).
 */
@inline function elementAt(base: usize, elements: v128, l: i32): usize {
  return base + (<usize>laneI(elements, l) << 2);
}

/** input[idx] in the lanes where `mask` is set, else 0 (masked lanes read element 0, then drop it). */
@inline function gather(base: usize, idx: v128, mask: v128): v128 {
  const i = v128.and(idx, mask);
  let v = f32x4.splat(load<f32>(base + (<usize>i32x4.extract_lane(i, 0) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(base + (<usize>i32x4.extract_lane(i, 1) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(base + (<usize>i32x4.extract_lane(i, 2) << 2)));
  v = f32x4.replace_lane(v, 3, load<f32>(base + (<usize>i32x4.extract_lane(i, 3) << 2)));
  return v128.and(v, mask);
}

/** dInput[idx] += value in the lanes where `mask` is set, one lane at a time (lanes may collide). */
@inline function scatterAdd(idx: v128, mask: v128, value: v128): void {
  // Written out per lane, so that the lane numbers are constants.
  scatterAddLane(idx, mask, value, 0);
  scatterAddLane(idx, mask, value, 1);
  scatterAddLane(idx, mask, value, 2);
  scatterAddLane(idx, mask, value, 3);
}

@inline function scatterAddLane(idx: v128, mask: v128, value: v128, l: i32): void {
  if (laneI(mask, l) != 0) {
    const p = dInBase + (<usize>laneI(idx, l) << 2);
    store<f32>(p, load<f32>(p) + lane(value, l));
  }
}

/**
 * One channel: dInput += the four points' contributions to a row of tap pairs at element indices
 * `row` (west and east taps adjacent): one address per point and row, and no branch on the
 * masks, as a masked tap's contribution is +0 (the caller masks after multiplying) added to a
 * pixel inside the pair. Scalar read-modify-writes, point by point, so that points sharing a
 * pixel add in turn: 8-byte ones stalled on store forwarding, as neighbouring points' pairs
 * overlap by one float (measured 2x slower). A block whose four pairs start on consecutive pixels
 * as one 16-byte read-modify-write (the same adds in the same order) was 26% faster on an
 * unrotated grid but 36% slower for d(input) on an STN-like one, where a quarter of the blocks are
 * such runs: mispredicted, and its load stalled on the previous block's 4-byte stores.
 */
@inline function scatterPairs(dBase: usize, row: v128, west: v128, east: v128): void {
  scatterPair(dBase, row, 0, west, east);
  scatterPair(dBase, row, 1, west, east);
  scatterPair(dBase, row, 2, west, east);
  scatterPair(dBase, row, 3, west, east);
}

@inline function scatterPair(dBase: usize, row: v128, l: i32, west: v128, east: v128): void {
  const p = elementAt(dBase, row, l);
  store<f32>(p, load<f32>(p) + lane(west, l));
  store<f32>(p, load<f32>(p, 4) + lane(east, l), 4);
}

/**
 * Forward bilinear with three channels, pairs loaded: per grid point and row, the two taps' six
 * floats in one 16-byte and one 8-byte load; a 4x4 transpose turns the four points' loads into
 * one vector per tap and channel. `top` / `bottom` are the element indices of the west taps.
 */
@inline function rgbPairsForward(
  top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, valid: v128, outPtr: usize, count: i32,
): void {
  const base = inBase;
  const t0 = elementAt(base, top, 0), t1 = elementAt(base, top, 1), t2 = elementAt(base, top, 2), t3 = elementAt(base, top, 3);
  const b0 = elementAt(base, bottom, 0), b1 = elementAt(base, bottom, 1), b2 = elementAt(base, bottom, 2), b3 = elementAt(base, bottom, 3);
  // Row n: west c0 c1 c2, east c0 | east c1 c2.
  const n0 = v128.load(t0), n1 = v128.load(t1), n2 = v128.load(t2), n3 = v128.load(t3);
  const ne0 = v128.load64_zero(t0 + 16), ne1 = v128.load64_zero(t1 + 16), ne2 = v128.load64_zero(t2 + 16), ne3 = v128.load64_zero(t3 + 16);
  const nwc0 = transposeColumn(n0, n1, n2, n3, 0), nwc1 = transposeColumn(n0, n1, n2, n3, 1);
  const nwc2 = transposeColumn(n0, n1, n2, n3, 2), nec0 = transposeColumn(n0, n1, n2, n3, 3);
  const nec1 = transposeColumn(ne0, ne1, ne2, ne3, 0), nec2 = transposeColumn(ne0, ne1, ne2, ne3, 1);
  const s0 = v128.load(b0), s1 = v128.load(b1), s2 = v128.load(b2), s3 = v128.load(b3);
  const se0 = v128.load64_zero(b0 + 16), se1 = v128.load64_zero(b1 + 16), se2 = v128.load64_zero(b2 + 16), se3 = v128.load64_zero(b3 + 16);
  const swc0 = transposeColumn(s0, s1, s2, s3, 0), swc1 = transposeColumn(s0, s1, s2, s3, 1);
  const swc2 = transposeColumn(s0, s1, s2, s3, 2), sec0 = transposeColumn(s0, s1, s2, s3, 3);
  const sec1 = transposeColumn(se0, se1, se2, se3, 0), sec2 = transposeColumn(se0, se1, se2, se3, 1);
  const o0 = mix(nwc0, nec0, swc0, sec0, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid);
  const o1 = mix(nwc1, nec1, swc1, sec1, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid);
  const o2 = mix(nwc2, nec2, swc2, sec2, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid);
  // Back to pixel-major: p0c0 p0c1 p0c2 p1c0 | p1c1 p1c2 p2c0 p2c1 | p2c2 p3c0 p3c1 p3c2.
  const r0 = v128.shuffle<f32>(v128.shuffle<f32>(o0, o1, 0, 4, 1, 5), o2, 0, 1, 4, 2);
  const y = v128.shuffle<f32>(o1, o2, 1, 5, 2, 6);
  const r1 = v128.shuffle<f32>(y, o0, 0, 1, 6, 2);
  const r2 = v128.shuffle<f32>(o2, v128.shuffle<f32>(o0, o1, 3, 7, 0, 0), 2, 4, 5, 3);
  if (count == 4) {
    v128.store(outPtr, r0);
    v128.store(outPtr, r1, 16);
    v128.store(outPtr, r2, 32);
    return;
  }
  // A short last block: its `count` points, channel by channel.
  for (let l = 0; l < count; l++) {
    const o = outPtr + <usize>l * 12;
    store<f32>(o, lane(o0, l));
    store<f32>(o, lane(o1, l), 4);
    store<f32>(o, lane(o2, l), 8);
  }
}

/** One point's three channels (lane 3 is spare): its taps' rows are 16-byte loads at `top`, `bottom`. */
@inline function rgbPoint(top: usize, bottom: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128): v128 {
  const n = f32x4.add(f32x4.mul(wNW, v128.load(top)), f32x4.mul(wNE, v128.load(top, 12)));
  const s = f32x4.add(f32x4.mul(wSW, v128.load(bottom)), f32x4.mul(wSE, v128.load(bottom, 12)));
  return f32x4.add(n, s);
}

/**
 * Forward bilinear with three channels where all sixteen taps are inside: no masks, and each
 * point's result stays pixel-major (no transposes). Each tap loads 16 bytes, one float past its
 * three, so the caller makes sure the east taps end 4 bytes before the image does. The stores
 * overlap by one float; the last point stores exactly its three. The south taps are `belowBytes`
 * (one image row) past the north ones.
 */
@inline function rgbInsideForward(top: v128, belowBytes: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128, outPtr: usize): void {
  // Written out per lane: with a loop, lane numbers would not be constants.
  const base = inBase;
  v128.store(outPtr, rgbInsidePoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 0));
  v128.store(outPtr, rgbInsidePoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 1), 12);
  v128.store(outPtr, rgbInsidePoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 2), 24);
  const last = rgbInsidePoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 3);
  v128.store64_lane(outPtr, last, 0, 36);
  v128.store32_lane(outPtr, last, 2, 44);
}

@inline function rgbInsidePoint(base: usize, top: v128, belowBytes: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128, l: i32): v128 {
  const n = elementAt(base, top, l);
  return rgbPoint(n, n + belowBytes, broadcast(wNW, l), broadcast(wNE, l), broadcast(wSW, l), broadcast(wSE, l));
}

/**
 * Backward bilinear with three channels, four points, every tap pair inside: point by point, its
 * rows pixel-major as rgbInsideForward's, with no transposes. A row of two taps is six floats, so
 * the point's reads are one 16-byte and one 8-byte load per row, and its scatter into dInput one
 * 16-byte and one 8-byte read-modify-write per row instead of twelve scalar ones; points sharing
 * a pixel add in turn. `masked` false: every tap is inside (rgbInside), no masks; true (rgbPairs):
 * masked taps read 0 and scatter +0 into their pair. d(grid) is stored from here: each point
 * gives its four taps' dots with dy, and the rest is the four points side by side.
 */
@inline function rgbBackward(
  top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, e: v128, s: v128, oe: v128, os: v128,
  dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128, masked: bool, wantDInput: bool, wantDGrid: bool,
): void {
  // dy of the four points, pixel-major (12 floats): point l's three channels in lanes 0-2.
  const r0 = v128.load(dyPtr), r1 = v128.load(dyPtr, 16), r2 = v128.load(dyPtr, 32);
  const d1 = v128.shuffle<f32>(r0, r1, 3, 4, 5, 6), d2 = v128.shuffle<f32>(r1, r2, 2, 3, 4, 5);
  const d3 = v128.shuffle<f32>(r2, r2, 1, 2, 3, 3);
  const base = inBase, dBase = dInBase;
  const t0 = rgbBackwardPoint(0, base, dBase, r0, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, masked, wantDInput, wantDGrid);
  const t1 = rgbBackwardPoint(1, base, dBase, d1, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, masked, wantDInput, wantDGrid);
  const t2 = rgbBackwardPoint(2, base, dBase, d2, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, masked, wantDInput, wantDGrid);
  const t3 = rgbBackwardPoint(3, base, dBase, d3, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, masked, wantDInput, wantDGrid);
  if (wantDGrid) storeDotsDGrid(t0, t1, t2, t3, mNW, mNE, mSW, mSE, e, s, oe, os, gxMult, gyMult, dGridPtr, masked);
}

/**
 * Four points' d(grid) from each point's taps' dots with dy (t_l holds point l's, in the order nw,
 * ne, sw, se): rgbBackward's and twoBackward's, which read a point's taps by rows. `masked`: a
 * masked tap's dot is 0 (it read a pixel inside the pair, but not the tap).
 */
@inline function storeDotsDGrid(
  t0: v128, t1: v128, t2: v128, t3: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  e: v128, s: v128, oe: v128, os: v128, gxMult: v128, gyMult: v128, dGridPtr: usize, masked: bool,
): void {
  let aNW = transposeColumn(t0, t1, t2, t3, 0), aNE = transposeColumn(t0, t1, t2, t3, 1);
  let aSW = transposeColumn(t0, t1, t2, t3, 2), aSE = transposeColumn(t0, t1, t2, t3, 3);
  if (masked) {
    aNW = v128.and(aNW, mNW);
    aNE = v128.and(aNE, mNE);
    aSW = v128.and(aSW, mSW);
    aSE = v128.and(aSE, mSE);
  }
  // The dots times the weights' derivatives (taps.ts's dw/dx, dw/dy), regrouped.
  const dIx = f32x4.add(f32x4.mul(os, f32x4.sub(aNE, aNW)), f32x4.mul(s, f32x4.sub(aSE, aSW)));
  const dIy = f32x4.add(f32x4.mul(oe, f32x4.sub(aSW, aNW)), f32x4.mul(e, f32x4.sub(aSE, aNE)));
  storeDGrid(dIx, dIy, gxMult, gyMult, dGridPtr, 4);
}

/** Lanes l, l of `west` and l, l of `east`: a two-channel row's weights or masks for point l (a constant). */
@inline function twoRow(west: v128, east: v128, l: i32): v128 {
  return l == 0 ? v128.shuffle<f32>(west, east, 0, 0, 4, 4) : l == 1 ? v128.shuffle<f32>(west, east, 1, 1, 5, 5)
    : l == 2 ? v128.shuffle<f32>(west, east, 2, 2, 6, 6) : v128.shuffle<f32>(west, east, 3, 3, 7, 7);
}

/**
 * Forward bilinear with two channels, four points, every tap pair inside: a row of two taps is
 * four floats, one 16-byte load per point and row, weighted and masked after the product (a
 * masked tap and a NaN point add 0); each row's west and east halves add, then the rows, as mix
 * adds them (short and corner blocks give the same bits), two points per store.
 */
@inline function twoPairsForward(
  top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128, wNW: v128, wNE: v128, wSW: v128, wSE: v128, outPtr: usize,
): void {
  const base = inBase;
  const n0 = twoRowProduct(base, top, wNW, wNE, mNW, mNE, 0), s0 = twoRowProduct(base, bottom, wSW, wSE, mSW, mSE, 0);
  const n1 = twoRowProduct(base, top, wNW, wNE, mNW, mNE, 1), s1 = twoRowProduct(base, bottom, wSW, wSE, mSW, mSE, 1);
  const n2 = twoRowProduct(base, top, wNW, wNE, mNW, mNE, 2), s2 = twoRowProduct(base, bottom, wSW, wSE, mSW, mSE, 2);
  const n3 = twoRowProduct(base, top, wNW, wNE, mNW, mNE, 3), s3 = twoRowProduct(base, bottom, wSW, wSE, mSW, mSE, 3);
  v128.store(outPtr, f32x4.add(twoRowSums(n0, n1), twoRowSums(s0, s1)));
  v128.store(outPtr, f32x4.add(twoRowSums(n2, n3), twoRowSums(s2, s3)), 16);
}

/** Point l's row of two taps at element `row`, times their weights, masked: [west c0, c1, east c0, c1]. */
@inline function twoRowProduct(base: usize, row: v128, wWest: v128, wEast: v128, mWest: v128, mEast: v128, l: i32): v128 {
  return v128.and(f32x4.mul(v128.load(elementAt(base, row, l)), twoRow(wWest, wEast, l)), twoRow(mWest, mEast, l));
}

/** Two points' rows (twoRowProduct's) to west + east per channel: c0 c1 of the first point, then of the second. */
@inline function twoRowSums(a: v128, b: v128): v128 {
  return f32x4.add(v128.shuffle<f32>(a, b, 0, 1, 4, 5), v128.shuffle<f32>(a, b, 2, 3, 6, 7));
}

/**
 * Backward bilinear with two channels, four points, every tap pair inside: point by point, its
 * rows read and scattered as 16-byte loads and read-modify-writes (points sharing a pixel add in
 * turn), masked after the product; d(grid) from the same row loads (storeDotsDGrid).
 */
@inline function twoBackward(
  top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, e: v128, s: v128, oe: v128, os: v128,
  dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128, wantDInput: bool, wantDGrid: bool,
): void {
  // dy of the four points: c0 c1 of points 0-1, then of 2-3.
  const d01 = v128.load(dyPtr), d23 = v128.load(dyPtr, 16);
  const base = inBase, dBase = dInBase;
  const t0 = twoBackwardPoint(0, base, dBase, v128.shuffle<f32>(d01, d01, 0, 1, 0, 1), top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, wantDInput, wantDGrid);
  const t1 = twoBackwardPoint(1, base, dBase, v128.shuffle<f32>(d01, d01, 2, 3, 2, 3), top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, wantDInput, wantDGrid);
  const t2 = twoBackwardPoint(2, base, dBase, v128.shuffle<f32>(d23, d23, 0, 1, 0, 1), top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, wantDInput, wantDGrid);
  const t3 = twoBackwardPoint(3, base, dBase, v128.shuffle<f32>(d23, d23, 2, 3, 2, 3), top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, wantDInput, wantDGrid);
  if (wantDGrid) storeDotsDGrid(t0, t1, t2, t3, mNW, mNE, mSW, mSE, e, s, oe, os, gxMult, gyMult, dGridPtr, true);
}

/**
 * twoBackward's point `l` (a constant), its dy as c0 c1 c0 c1: scatters into dInput and returns
 * its four taps' dots with dy, [nw, ne, sw, se].
 */
@inline function twoBackwardPoint(
  l: i32, base: usize, dBase: usize, dy: v128, top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, wantDInput: bool, wantDGrid: bool,
): v128 {
  let dots = f32x4.splat(0);
  if (wantDGrid) {
    const a = f32x4.mul(v128.load(elementAt(base, top, l)), dy), b = f32x4.mul(v128.load(elementAt(base, bottom, l)), dy);
    dots = f32x4.add(v128.shuffle<f32>(a, b, 0, 2, 4, 6), v128.shuffle<f32>(a, b, 1, 3, 5, 7));
  }
  if (wantDInput) {
    // After the product: a masked tap adds +0 even where dy is infinite.
    const dn = elementAt(dBase, top, l), ds = elementAt(dBase, bottom, l);
    v128.store(dn, f32x4.add(v128.load(dn), v128.and(f32x4.mul(dy, twoRow(wNW, wNE, l)), twoRow(mNW, mNE, l))));
    v128.store(ds, f32x4.add(v128.load(ds), v128.and(f32x4.mul(dy, twoRow(wSW, wSE, l)), twoRow(mSW, mSE, l))));
  }
  return dots;
}

/**
 * The dispatch table's three-channel backward blocks: RGB_INSIDE (`masked` false) takes
 * rgbBackward unmasked, RGB_PAIRS masked; each counted.
 */
@inline function rgbBackwardBlock(
  masked: bool, top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, e: v128, s: v128, oe: v128, os: v128,
  dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128, wantDInput: bool, wantDGrid: bool,
): void {
  // Two calls, so that `masked` is a constant in each.
  if (masked) {
    countPath(PATH_RGB_PAIRS, true);
    rgbBackward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, e, s, oe, os, dyPtr, dGridPtr, gxMult, gyMult, true, wantDInput, wantDGrid);
  } else {
    countPath(PATH_RGB_INSIDE, true);
    rgbBackward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, e, s, oe, os, dyPtr, dGridPtr, gxMult, gyMult, false, wantDInput, wantDGrid);
  }
}

/** Lanes l, l, l of `west` and lane l of `east`: a row of two three-channel taps' first 16 bytes. */
@inline function rgbRow(west: v128, east: v128, l: i32): v128 {
  return l == 0 ? v128.shuffle<f32>(west, east, 0, 0, 0, 4) : l == 1 ? v128.shuffle<f32>(west, east, 1, 1, 1, 5)
    : l == 2 ? v128.shuffle<f32>(west, east, 2, 2, 2, 6) : v128.shuffle<f32>(west, east, 3, 3, 3, 7);
}

/**
 * rgbBackward's point `l` (a constant), its dy in lanes 0-2 of `dy`. Scatters into dInput, and
 * returns its four taps' dots with dy, sum_c dy[c] * in[tap, c], as [nw, ne, sw, se]: with
 * a = dy in a row's order (c0 c1 c2 c0 | c1 c2), the row's floats times a, summed by tap.
 */
@inline function rgbBackwardPoint(
  l: i32, base: usize, dBase: usize, dy: v128, top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, masked: bool, wantDInput: bool, wantDGrid: bool,
): v128 {
  const zero = f32x4.splat(0);
  const a16 = v128.shuffle<f32>(dy, dy, 0, 1, 2, 0);
  const a8 = v128.shuffle<f32>(dy, zero, 1, 2, 4, 4);
  const n = elementAt(base, top, l), so = elementAt(base, bottom, l);
  let dots = zero;
  if (wantDGrid) {
    // nw = p0 + p1 + p2, ne = p3 + q0 + q1 (p, q: the north row's 16 and 8 bytes times a); sw, se from r, u.
    const p = f32x4.mul(v128.load(n), a16), q = f32x4.mul(v128.load64_zero(n, 16), a8);
    const r = f32x4.mul(v128.load(so), a16), u = f32x4.mul(v128.load64_zero(so, 16), a8);
    const w = v128.shuffle<f32>(p, q, 1, 4, 2, 5), z = v128.shuffle<f32>(r, u, 1, 4, 2, 5);
    dots = f32x4.add(f32x4.add(v128.shuffle<f32>(p, r, 0, 3, 4, 7), v128.shuffle<f32>(w, z, 0, 1, 4, 5)), v128.shuffle<f32>(w, z, 2, 3, 6, 7));
  }
  if (wantDInput) {
    let tN = f32x4.mul(a16, rgbRow(wNW, wNE, l)), tN8 = f32x4.mul(a8, broadcast(wNE, l));
    let tS = f32x4.mul(a16, rgbRow(wSW, wSE, l)), tS8 = f32x4.mul(a8, broadcast(wSE, l));
    if (masked) {
      // After the product: a masked tap adds +0 even where dy is infinite.
      tN = v128.and(tN, rgbRow(mNW, mNE, l));
      tN8 = v128.and(tN8, broadcast(mNE, l));
      tS = v128.and(tS, rgbRow(mSW, mSE, l));
      tS8 = v128.and(tS8, broadcast(mSE, l));
    }
    const dn = elementAt(dBase, top, l), ds = elementAt(dBase, bottom, l);
    v128.store(dn, f32x4.add(v128.load(dn), tN));
    v128.store64_lane(dn, f32x4.add(v128.load64_zero(dn, 16), tN8), 0, 16);
    v128.store(ds, f32x4.add(v128.load(ds), tS));
    v128.store64_lane(ds, f32x4.add(v128.load64_zero(ds, 16), tS8), 0, 16);
  }
  return dots;
}

/** Stores the first `count` of four points' (x, y) pairs as a grid is laid out: x, y per point (d(grid), the slopes). */
@inline export function storeXY(x: v128, y: v128, ptr: usize, count: i32): void {
  storeLanes(ptr, 4, v128.shuffle<f32>(x, y, 0, 4, 1, 5), count >= 2 ? 4 : count * 2);
  if (count > 2) storeLanes(ptr + 16, 4, v128.shuffle<f32>(x, y, 2, 6, 3, 7), count == 4 ? 4 : 2);
}

/**
 * Stores four points' d(grid) from their d(pixel coordinates) dIx, dIy and the coordinate
 * chain's derivatives (applySourceIndexGrad).
 */
@inline export function storeDGrid(dIx: v128, dIy: v128, gxMult: v128, gyMult: v128, dGridPtr: usize, count: i32): void {
  storeXY(applySourceIndexGrad(dIx, gxMult), applySourceIndexGrad(dIy, gyMult), dGridPtr, count);
}

/**
 * Four points' d(grid) from their slopes at slopesPtr (the forward's, pairsForwardSlopes) and dy:
 * 0 + dy * slope, then storeDGrid, as the one-channel blocks finish their dots (onePairsBlock,
 * bilinearFewChannelsBlock), so the same bits as they give.
 */
@inline export function slopesDGrid(dyPtr: usize, slopesPtr: usize, gxMult: v128, gyMult: v128, dGridPtr: usize, count: i32): void {
  const s0 = loadGridHalf(slopesPtr, count, 0), s1 = loadGridHalf(slopesPtr, count, 1);
  const dy = loadLanes(dyPtr, 4, count, 0);
  const zero = f32x4.splat(0);
  const dIx = f32x4.add(zero, f32x4.mul(dy, v128.shuffle<f32>(s0, s1, 0, 2, 4, 6)));
  const dIy = f32x4.add(zero, f32x4.mul(dy, v128.shuffle<f32>(s0, s1, 1, 3, 5, 7)));
  storeDGrid(dIx, dIy, gxMult, gyMult, dGridPtr, count);
}

/**
 * Column k (a constant) of the 4x4 matrix with rows a..d: lane k of each. The optimizer shares
 * the interleaves between the columns of one transpose.
 */
@inline function transposeColumn(a: v128, b: v128, c: v128, d: v128, k: i32): v128 {
  const ab = k < 2 ? v128.shuffle<f32>(a, b, 0, 4, 1, 5) : v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd = k < 2 ? v128.shuffle<f32>(c, d, 0, 4, 1, 5) : v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  return (k & 1) == 0 ? v128.shuffle<f32>(ab, cd, 0, 1, 4, 5) : v128.shuffle<f32>(ab, cd, 2, 3, 6, 7);
}

/**
 * One channel of four points: the weighted taps, masked taps read as 0, NaN points as 0.
 * `masked` false: the caller knows every tap is inside (every mask set), and they are skipped.
 */
@inline function mix(
  nw: v128, ne: v128, sw: v128, se: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, valid: v128, masked: bool = true,
): v128 {
  if (!masked) return f32x4.add(f32x4.add(f32x4.mul(wNW, nw), f32x4.mul(wNE, ne)), f32x4.add(f32x4.mul(wSW, sw), f32x4.mul(wSE, se)));
  const a = f32x4.add(f32x4.mul(wNW, v128.and(nw, mNW)), f32x4.mul(wNE, v128.and(ne, mNE)));
  const b = f32x4.add(f32x4.mul(wSW, v128.and(sw, mSW)), f32x4.mul(wSE, v128.and(se, mSE)));
  return v128.and(f32x4.add(a, b), valid);
}


// Four grid points' bilinear geometry, one point per lane, from their pixel coordinates (ix, iy),
// as return values: the optimizer shares floor(ix) and the like between them within a block.

/** Distance from the west pixel (e, from ix) or the north pixel (s, from iy). */
@inline function tapDistance(i: v128): v128 {
  return f32x4.sub(i, f32x4.floor(i));
}

/** The taps' column (row) from ix (iy): floor, plus 1 for the east (south) taps. */
@inline function tapIndex(i: v128, plusOne: bool): v128 {
  const i0 = i32x4.trunc_sat_f32x4_s(f32x4.floor(i));
  return plusOne ? i32x4.add(i0, i32x4.splat(1)) : i0;
}

/** The pixel index (y * W + x) of the north-west tap. */
@inline function pixelIndexNW(ix: v128, iy: v128, W: i32): v128 {
  return i32x4.add(i32x4.mul(tapIndex(iy, false), i32x4.splat(W)), tapIndex(ix, false));
}

/** The element index of the north-west tap of C-channel pixels (pixelIndexNW times C). */
@inline function elementIndexNW(ix: v128, iy: v128, W: i32, C: i32): v128 {
  return C == 1 ? pixelIndexNW(ix, iy, W) : i32x4.mul(pixelIndexNW(ix, iy, W), i32x4.splat(C));
}

/**
 * elementIndexNW for a block whose taps are all inside an image of fewer than 2^22 elements: the
 * index computed in floats (whole numbers, exact below 2^24), then made an integer by adding
 * 1.5 * 2^23, which leaves a whole number below 2^22 in the mantissa's low bits, and subtracting
 * that constant's bits. Two operations in place of elementIndexNW's two i32x4.trunc_sat_f32x4_s,
 * each of which V8 lowers to seven on x64 (for its saturation).
 */
@inline function elementIndexNWInside(ix: v128, iy: v128, W: i32, C: i32): v128 {
  const pixel = f32x4.add(f32x4.mul(f32x4.floor(iy), f32x4.splat(<f32>W)), f32x4.floor(ix));
  const element = C == 1 ? pixel : f32x4.mul(pixel, f32x4.splat(<f32>C));
  return i32x4.sub(f32x4.add(element, f32x4.splat(12582912.0)), i32x4.splat(0x4B400000));
}

/** Whether tap (east, south) is inside the image, and its point valid. */
@inline function tapMask(ix: v128, iy: v128, valid: v128, W: i32, H: i32, east: bool, south: bool): v128 {
  const inX = i32x4.lt_u(tapIndex(ix, east), i32x4.splat(W));
  return v128.and(inX, v128.and(i32x4.lt_u(tapIndex(iy, south), i32x4.splat(H)), valid));
}

/**
 * Whether every tap of the four points is inside the image, every point valid: tapMask's four
 * masks all set, asked without them. floor(ix) in [0, W - 2] is ix in [0, W - 1), and a NaN
 * compares false.
 */
@inline function tapsInside(ix: v128, iy: v128, W: i32, H: i32): bool {
  const zero = f32x4.splat(0);
  const inX = v128.and(f32x4.ge(ix, zero), f32x4.lt(ix, f32x4.splat(<f32>(W - 1))));
  const inY = v128.and(f32x4.ge(iy, zero), f32x4.lt(iy, f32x4.splat(<f32>(H - 1))));
  return v128.all_true<i32>(v128.and(inX, inY));
}

/**
 * With one to three channels a tap and its east neighbour are adjacent (2C floats), so each row
 * of two taps loads at once (a pair). `top` / `bottom` hold the element index of each point's
 * west taps, 0 where neither tap of the row is inside (it reads pixel 0's pair, then drops it).
 * Only where a pair would start before the image or end after it (a corner) do the taps load one
 * by one. `lastPair` is lastPairStart's: a one-pixel image has no pair inside it.
 */
@inline function pairsInside(top: v128, bottom: v128, lastPair: v128): bool {
  return v128.all_true<i32>(v128.and(i32x4.le_u(top, lastPair), i32x4.le_u(bottom, lastPair)));
}

/** The element index of the last pair's west tap (C channels), in every lane; for H * W >= 2. */
@inline function lastPairStart(H: i32, W: i32, C: i32): v128 {
  return i32x4.splat((H * W - 2) * C);
}


/**
 * One channel: points 0-1 (half 0) or 2-3 (half 1) of a row of pairs at element indices `row`
 * in the image at `base`: [west, east] of one point, then of the other. pairTaps unzips them.
 */
@inline function loadPairHalf(base: usize, row: v128, half: i32): v128 {
  const l = half * 2;
  return v128.load64_lane(elementAt(base, row, l + 1), v128.load64_zero(elementAt(base, row, l)), 1);
}

/** The four points' west (east false) or east taps, from loadPairHalf's two halves. */
@inline function pairTaps(p01: v128, p23: v128, east: bool): v128 {
  return east ? v128.shuffle<f32>(p01, p23, 1, 3, 5, 7) : v128.shuffle<f32>(p01, p23, 0, 2, 4, 6);
}

/** bilinearFewChannelsBlock forward, as one function (its callers are inlined several times). */
export function bilinearFewChannels(ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32, outPtr: usize): void {
  bilinearFewChannelsBlock(ix, iy, valid, W, H, channels, count, outPtr, 0, 0, valid, valid, false, false, false);
}

/** bilinearFewChannels with one channel, writing the block's slopes too (pairsForwardSlopes). */
function bilinearFewChannelsSlopes(ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32, outPtr: usize, slopesPtr: usize): void {
  bilinearFewChannelsBlock(ix, iy, valid, W, H, 1, count, outPtr, 0, slopesPtr, valid, valid, false, false, true);
}

/**
 * bilinearFewChannelsBlock backward with one to three channels, as one function
 * (bilinearPairsLoop's short and corner blocks): a copy per combination of the gradients asked for.
 */
function fewChannelsBackwardBlock(
  ix: v128, iy: v128, valid: v128, W: i32, H: i32, C: i32, count: i32, dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128,
  wantDInput: bool, wantDGrid: bool,
): void {
  if (wantDInput && wantDGrid) bilinearFewChannelsBlock(ix, iy, valid, W, H, C, count, 0, dyPtr, dGridPtr, gxMult, gyMult, true, true, true);
  else if (wantDInput) bilinearFewChannelsBlock(ix, iy, valid, W, H, C, count, 0, dyPtr, dGridPtr, gxMult, gyMult, true, true, false);
  else bilinearFewChannelsBlock(ix, iy, valid, W, H, C, count, 0, dyPtr, dGridPtr, gxMult, gyMult, true, false, true);
}

/**
 * Bilinear with fewer than four channels (the STN case has one): too few channels to fill the
 * lanes, so the four grid points go side by side in them instead, one channel at a time.
 * Backward, the gradients asked for (wantDInput, wantDGrid) are constants wherever it is inlined
 * (fewChannelsBackwardBlock, grid_sample.ts's fewChannelsBackward), so each combination does only its work. Needs H * W > 0.
 */
@inline export function bilinearFewChannelsBlock(
  ix: v128, iy: v128, valid: v128, W: i32, H: i32, C: i32, count: i32,
  outPtr: usize, dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128,
  backward: bool, wantDInput: bool, wantDGrid: bool,
): void {
  const e = tapDistance(ix), s = tapDistance(iy);
  const oe = f32x4.sub(f32x4.splat(1), e), os = f32x4.sub(f32x4.splat(1), s);
  const mNW = tapMask(ix, iy, valid, W, H, false, false), mNE = tapMask(ix, iy, valid, W, H, true, false);
  const mSW = tapMask(ix, iy, valid, W, H, false, true), mSE = tapMask(ix, iy, valid, W, H, true, true);
  const Wv = i32x4.splat(W);
  // Element index of channel 0 of each tap.
  const Cv = i32x4.splat(C);
  const iNW = elementIndexNW(ix, iy, W, C);
  const iNE = i32x4.add(iNW, Cv);
  const iSW = i32x4.add(iNW, i32x4.mul(Wv, Cv));
  const iSE = i32x4.add(iSW, Cv);
  const wNW = bilinearWeight(e, s, oe, os, false, false);
  const wNE = bilinearWeight(e, s, oe, os, true, false);
  const wSW = bilinearWeight(e, s, oe, os, false, true);
  const wSE = bilinearWeight(e, s, oe, os, true, true);
  const stride = <usize>C << 2;
  const top = v128.and(iNW, v128.or(mNW, mNE));
  const bottom = v128.and(iSW, v128.or(mSW, mSE));
  // Two channels' pair blocks (TWO_PAIRS) are bilinearPairsLoop's alone: here their taps are
  // gathered, and the pair code below is one channel's (three go to rgbBackward / rgbPairsForward).
  const pairsOk = (C == 1 || C == 3) && H * W >= 2 && pairsInside(top, bottom, lastPairStart(H, W, C));
  // The callers send no block that the table gives to ONE_INSIDE, ONE_PAIRS or TWO_PAIRS (`inside`
  // is false for one channel here), nor forward to RGB_INSIDE; backward reads and writes no float
  // past a pair, so "inside" is every tap inside.
  const inside = backward && C == 3 && v128.all_true<i32>(v128.and(v128.and(mNW, mNE), v128.and(mSW, mSE)));
  const path = bilinearPath(C, backward, count == 4, pairsOk, inside);
  // Each branch counts its own constant path: one global add.
  if (backward && (path == PATH_RGB_INSIDE || path == PATH_RGB_PAIRS)) {
    rgbBackwardBlock(path == PATH_RGB_PAIRS, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, e, s, oe, os, dyPtr, dGridPtr, gxMult, gyMult, wantDInput, wantDGrid);
    return;
  }
  if (path == PATH_RGB_PAIRS) {
    countPath(PATH_RGB_PAIRS, backward);
    rgbPairsForward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid, outPtr, count);
    return;
  }
  const pairs = path != PATH_FEW_GATHER;
  if (pairs) countPath(PATH_FEW_PAIRS, backward);
  else countPath(PATH_FEW_GATHER, backward);
  // d(loss)/d(ix) and d(loss)/d(iy), the pixel coordinates; times gxMult, gyMult they give d(grid).
  let dIx = f32x4.splat(0);
  let dIy = f32x4.splat(0);
  // Only the forward pass and d(grid) read the input.
  const reads = !backward || wantDGrid;
  const dBase = dInBase;
  for (let c = 0; c < C; c++) {
    const base = inBase + (<usize>c << 2);
    let vNW = dIx, vNE = dIx, vSW = dIx, vSE = dIx;
    if (!reads) {
      // d(input) alone: nothing to read.
    } else if (pairs) {
      const n01 = loadPairHalf(base, top, 0), n23 = loadPairHalf(base, top, 1);
      const s01 = loadPairHalf(base, bottom, 0), s23 = loadPairHalf(base, bottom, 1);
      vNW = v128.and(pairTaps(n01, n23, false), mNW);
      vNE = v128.and(pairTaps(n01, n23, true), mNE);
      vSW = v128.and(pairTaps(s01, s23, false), mSW);
      vSE = v128.and(pairTaps(s01, s23, true), mSE);
    } else {
      vNW = gather(base, iNW, mNW);
      vNE = gather(base, iNE, mNE);
      vSW = gather(base, iSW, mSW);
      vSE = gather(base, iSE, mSE);
    }
    if (!backward) {
      const out = f32x4.add(f32x4.add(f32x4.mul(wNW, vNW), f32x4.mul(wNE, vNE)), f32x4.add(f32x4.mul(wSW, vSW), f32x4.mul(wSE, vSE)));
      // A NaN point's weights are NaN: it reads 0.
      storeLanes(outPtr + (<usize>c << 2), stride, v128.and(out, valid), count);
      // The slopes (wantDGrid, forward, one channel): the backward's dots with dy = 1.
      if (wantDGrid) {
        dIx = f32x4.add(dIx, bilinearSlopes(vNW, vNE, vSW, vSE, e, s, oe, os, true));
        dIy = f32x4.add(dIy, bilinearSlopes(vNW, vNE, vSW, vSE, e, s, oe, os, false));
      }
      continue;
    }
    const dy = loadLanes(dyPtr + (<usize>c << 2), stride, count, 0);
    if (wantDInput && pairs) {
      // One channel: after the product, so that a masked tap adds +0 even where dy is infinite.
      scatterPairs(dBase, top, v128.and(f32x4.mul(wNW, dy), mNW), v128.and(f32x4.mul(wNE, dy), mNE));
      scatterPairs(dBase, bottom, v128.and(f32x4.mul(wSW, dy), mSW), v128.and(f32x4.mul(wSE, dy), mSE));
    } else if (wantDInput) {
      const cv = i32x4.splat(c);
      scatterAdd(i32x4.add(iNW, cv), mNW, f32x4.mul(wNW, dy));
      scatterAdd(i32x4.add(iNE, cv), mNE, f32x4.mul(wNE, dy));
      scatterAdd(i32x4.add(iSW, cv), mSW, f32x4.mul(wSW, dy));
      scatterAdd(i32x4.add(iSE, cv), mSE, f32x4.mul(wSE, dy));
    }
    if (!wantDGrid) continue;
    dIx = f32x4.add(dIx, bilinearWeightGrad(dy, vNW, vNE, vSW, vSE, e, s, oe, os, true));
    dIy = f32x4.add(dIy, bilinearWeightGrad(dy, vNW, vNE, vSW, vSE, e, s, oe, os, false));
  }
  if (wantDGrid && !backward) storeXY(dIx, dIy, dGridPtr, count);
  else if (wantDGrid) storeDGrid(dIx, dIy, gxMult, gyMult, dGridPtr, count);
}

/**
 * Forward bilinear with four or more channels: the four points' tap indices, masks and weights
 * computed side by side in the lanes, transposed to one vector per point, then one forwardTaps
 * channel pass per point. Needs H * W > 0.
 */
export function bilinearForward(ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32, outPtr: usize): void {
  const e = tapDistance(ix), s = tapDistance(iy);
  const oe = f32x4.sub(f32x4.splat(1), e), os = f32x4.sub(f32x4.splat(1), s);
  const mNW = tapMask(ix, iy, valid, W, H, false, false), mNE = tapMask(ix, iy, valid, W, H, true, false);
  const mSW = tapMask(ix, iy, valid, W, H, false, true), mSE = tapMask(ix, iy, valid, W, H, true, true);
  const Wv = i32x4.splat(W);
  const pixelNW = pixelIndexNW(ix, iy, W);
  // A NaN point's weights are NaN, so the weights are masked too (a point with no tap inside reads 0).
  const wNW = v128.and(bilinearWeight(e, s, oe, os, false, false), mNW), wNE = v128.and(bilinearWeight(e, s, oe, os, true, false), mNE);
  const wSW = v128.and(bilinearWeight(e, s, oe, os, false, true), mSW), wSE = v128.and(bilinearWeight(e, s, oe, os, true, true), mSE);
  const pNE = i32x4.add(pixelNW, i32x4.splat(1)), pSW = i32x4.add(pixelNW, Wv), pSE = i32x4.add(pixelNW, i32x4.splat(W + 1));
  // Per point (lane), its four taps' pixels and weights.
  const p0 = transposeColumn(pixelNW, pNE, pSW, pSE, 0), p1 = transposeColumn(pixelNW, pNE, pSW, pSE, 1);
  const p2 = transposeColumn(pixelNW, pNE, pSW, pSE, 2), p3 = transposeColumn(pixelNW, pNE, pSW, pSE, 3);
  const v0 = transposeColumn(wNW, wNE, wSW, wSE, 0), v1 = transposeColumn(wNW, wNE, wSW, wSE, 1);
  const v2 = transposeColumn(wNW, wNE, wSW, wSE, 2), v3 = transposeColumn(wNW, wNE, wSW, wSE, 3);
  const rowBytes = <usize>channels << 2;
  // Four channels come here only with a short block or a tap outside (bilinearPairsLoop takes
  // their inside blocks to rgbaInsideBlock), so the row is POINTS_MASKED for them.
  const path = bilinearPath(channels, false, count == 4, false, v128.all_true<i32>(v128.and(v128.and(mNW, mNE), v128.and(mSW, mSE))));
  if (path == PATH_POINTS_INSIDE) {
    // Every tap inside (the usual case): no masks.
    countPath(PATH_POINTS_INSIDE, false);
    const all = i32x4.splat(-1);
    outRow = outPtr;
    forwardTaps(p0, all, v0, false);
    outRow = outPtr + rowBytes;
    forwardTaps(p1, all, v1, false);
    outRow = outPtr + 2 * rowBytes;
    forwardTaps(p2, all, v2, false);
    outRow = outPtr + 3 * rowBytes;
    forwardTaps(p3, all, v3, false);
    return;
  }
  countPath(PATH_POINTS_MASKED, false);
  const k0 = transposeColumn(mNW, mNE, mSW, mSE, 0), k1 = transposeColumn(mNW, mNE, mSW, mSE, 1);
  const k2 = transposeColumn(mNW, mNE, mSW, mSE, 2), k3 = transposeColumn(mNW, mNE, mSW, mSE, 3);
  outRow = outPtr;
  forwardTaps(p0, k0, v0);
  if (count < 2) return;
  outRow = outPtr + rowBytes;
  forwardTaps(p1, k1, v1);
  if (count < 3) return;
  outRow = outPtr + 2 * rowBytes;
  forwardTaps(p2, k2, v2);
  if (count < 4) return;
  outRow = outPtr + 3 * rowBytes;
  forwardTaps(p3, k3, v3);
}


/**
 * Backward bilinear with four or more channels, bilinearForward's twin: the four points' taps,
 * masks, weights and weight derivatives side by side in the lanes, transposed to one vector per
 * point, then one backwardTaps channel pass per point (in turn, so that points sharing a pixel
 * add in turn), and the block's d(grid) in one store. `dyPtr`, `dGridPtr`: the block's rows.
 * Needs H * W > 0.
 */
export function bilinearBackward(
  ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32, dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128,
): void {
  const e = tapDistance(ix), s = tapDistance(iy);
  const oe = f32x4.sub(f32x4.splat(1), e), os = f32x4.sub(f32x4.splat(1), s);
  const mNW = tapMask(ix, iy, valid, W, H, false, false), mNE = tapMask(ix, iy, valid, W, H, true, false);
  const mSW = tapMask(ix, iy, valid, W, H, false, true), mSE = tapMask(ix, iy, valid, W, H, true, true);
  const pixelNW = pixelIndexNW(ix, iy, W);
  const wNW = bilinearWeight(e, s, oe, os, false, false), wNE = bilinearWeight(e, s, oe, os, true, false);
  const wSW = bilinearWeight(e, s, oe, os, false, true), wSE = bilinearWeight(e, s, oe, os, true, true);
  const pNE = i32x4.add(pixelNW, i32x4.splat(1)), pSW = i32x4.add(pixelNW, i32x4.splat(W)), pSE = i32x4.add(pixelNW, i32x4.splat(W + 1));
  // Per point (lane), its four taps' pixels, weights and d(weight)/d(ix), d(weight)/d(iy).
  const p0 = transposeColumn(pixelNW, pNE, pSW, pSE, 0), p1 = transposeColumn(pixelNW, pNE, pSW, pSE, 1);
  const p2 = transposeColumn(pixelNW, pNE, pSW, pSE, 2), p3 = transposeColumn(pixelNW, pNE, pSW, pSE, 3);
  const v0 = transposeColumn(wNW, wNE, wSW, wSE, 0), v1 = transposeColumn(wNW, wNE, wSW, wSE, 1);
  const v2 = transposeColumn(wNW, wNE, wSW, wSE, 2), v3 = transposeColumn(wNW, wNE, wSW, wSE, 3);
  const nos = f32x4.neg(os), ns = f32x4.neg(s), noe = f32x4.neg(oe), ne = f32x4.neg(e);
  const x0 = transposeColumn(nos, os, ns, s, 0), x1 = transposeColumn(nos, os, ns, s, 1);
  const x2 = transposeColumn(nos, os, ns, s, 2), x3 = transposeColumn(nos, os, ns, s, 3);
  const y0 = transposeColumn(noe, ne, oe, e, 0), y1 = transposeColumn(noe, ne, oe, e, 1);
  const y2 = transposeColumn(noe, ne, oe, e, 2), y3 = transposeColumn(noe, ne, oe, e, 3);
  const rowBytes = <usize>channels << 2;
  const zero = f32x4.splat(0);
  let dIx = zero, dIy = zero;
  // Four channels come here only with a short block or a tap outside (bilinearPairsLoop takes
  // their inside blocks to rgbaInsideBlock), so the row is POINTS_MASKED for them.
  const path = bilinearPath(channels, true, count == 4, false, v128.all_true<i32>(v128.and(v128.and(mNW, mNE), v128.and(mSW, mSE))));
  if (path == PATH_POINTS_INSIDE) {
    // Every tap inside (the usual case): no masks.
    countPath(PATH_POINTS_INSIDE, true);
    const all = i32x4.splat(-1);
    dIx = f32x4.replace_lane(dIx, 0, backwardPoint(dyPtr, p0, all, v0, x0, y0, false));
    dIy = f32x4.replace_lane(dIy, 0, accDIy);
    dIx = f32x4.replace_lane(dIx, 1, backwardPoint(dyPtr + rowBytes, p1, all, v1, x1, y1, false));
    dIy = f32x4.replace_lane(dIy, 1, accDIy);
    dIx = f32x4.replace_lane(dIx, 2, backwardPoint(dyPtr + 2 * rowBytes, p2, all, v2, x2, y2, false));
    dIy = f32x4.replace_lane(dIy, 2, accDIy);
    dIx = f32x4.replace_lane(dIx, 3, backwardPoint(dyPtr + 3 * rowBytes, p3, all, v3, x3, y3, false));
    dIy = f32x4.replace_lane(dIy, 3, accDIy);
  } else {
    countPath(PATH_POINTS_MASKED, true);
    const k0 = transposeColumn(mNW, mNE, mSW, mSE, 0), k1 = transposeColumn(mNW, mNE, mSW, mSE, 1);
    const k2 = transposeColumn(mNW, mNE, mSW, mSE, 2), k3 = transposeColumn(mNW, mNE, mSW, mSE, 3);
    // The points past a short block's end have no dy row: they are skipped.
    dIx = f32x4.replace_lane(dIx, 0, backwardPoint(dyPtr, p0, k0, v0, x0, y0, true));
    dIy = f32x4.replace_lane(dIy, 0, accDIy);
    if (count > 1) {
      dIx = f32x4.replace_lane(dIx, 1, backwardPoint(dyPtr + rowBytes, p1, k1, v1, x1, y1, true));
      dIy = f32x4.replace_lane(dIy, 1, accDIy);
    }
    if (count > 2) {
      dIx = f32x4.replace_lane(dIx, 2, backwardPoint(dyPtr + 2 * rowBytes, p2, k2, v2, x2, y2, true));
      dIy = f32x4.replace_lane(dIy, 2, accDIy);
    }
    if (count > 3) {
      dIx = f32x4.replace_lane(dIx, 3, backwardPoint(dyPtr + 3 * rowBytes, p3, k3, v3, x3, y3, true));
      dIy = f32x4.replace_lane(dIy, 3, accDIy);
    }
  }
  if (wantDGrid) storeDGrid(dIx, dIy, gxMult, gyMult, dGridPtr, count);
}

/** One point of bilinearBackward: its taps' backwardTaps pass; returns its d(ix), leaves d(iy) in accDIy. */
@inline function backwardPoint(dy: usize, pixels: v128, inside: v128, weights: v128, dwdx: v128, dwdy: v128, masked: bool): f32 {
  accDIx = 0;
  accDIy = 0;
  dyRow = dy;
  backwardTaps(pixels, inside, weights, dwdx, dwdy, false, f32x4.splat(0), masked);
  return accDIx;
}

/**
 * Bilinear with one to four channels over one batch item's `points`, forward or backward (the
 * gradients asked for: wantDInput, wantDGrid), with the state of a block of four points kept in
 * registers: in the generic loop it spilled out of them, and the forward ran 1.6x slower. A short
 * last block, and blocks with a tap pair at an image corner, go through bilinearFewChannels
 * (fewChannelsBackwardBlock); two channels take twoPairsForward / twoBackward, three
 * rgbInsideForward / rgbPairsForward forward and rgbBackward backward; one channel's, onePairsBlock
 * (its taps loaded and scattered into d(input) by pairs). Four channels: rgbaInsideBlock, or for a
 * block with a tap outside (or short) bilinearForward / bilinearBackward. A block with every tap
 * inside skips the masks. Inlined with C (1 to 4), padding, alignCorners and the direction
 * constant, so that the dispatch table folds to the branches this case needs. Needs H * W >= 2.
 * Forward with wantDGrid (one channel only): the slopes too, at dGridPtr (pairsForwardSlopes).
 * Backward fromSlopes (one channel, wantDGrid false): d(grid) from the slopes at outPtr
 * (slopesDGrid), beside d(input) (wantDInput).
 */
@inline export function bilinearPairsLoop(
  gridPtr: usize, points: i32, W: i32, H: i32, C: i32, padding: i32, alignCorners: bool,
  backward: bool, wantDInput: bool, wantDGrid: bool, outPtr: usize, dyPtr: usize, dGridPtr: usize, fromSlopes: bool = false,
): void {
  const rowBytes = <usize>C << 2;
  const rowElements = i32x4.splat(W * C);
  const lastPair = lastPairStart(H, W, C);
  // elementIndexNWInside's conversion (adding 1.5 * 2^23) holds below 2^22 elements. Three
  // channels' backward keeps elementIndexNW: with the other, its loop ran 5% slower (the forward
  // and d(grid) alone 0-3% faster).
  const floatIndex = <f64>H * <f64>W * <f64>C < 4194304 && (C != 3 || !backward);
  const dGridAsked = backward && (wantDGrid || fromSlopes);
  for (let p = 0; p < points; p += 4) {
    const count = min(4, points - p);
    const xy0 = loadGridHalf(gridPtr + (<usize>p << 3), count, 0), xy1 = loadGridHalf(gridPtr + (<usize>p << 3), count, 1);
    const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
    const gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
    const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
    const ix = computeSourceIndex(gx, AXIS_X, padding, alignCorners, true);
    const iy = computeSourceIndex(gy, AXIS_Y, padding, alignCorners, true);
    const o = outPtr + <usize>p * rowBytes;
    // d(grid): the coordinates' derivatives; dy, dGrid of the block.
    const gxMult = dGridAsked ? v128.and(computeSourceIndexGrad(gx, AXIS_X, padding, alignCorners, true), valid) : valid;
    const gyMult = dGridAsked ? v128.and(computeSourceIndexGrad(gy, AXIS_Y, padding, alignCorners, true), valid) : valid;
    const dy = dyPtr + <usize>p * rowBytes;
    const dGrid = dGridPtr + (<usize>p << 3);
    // d(grid) from the forward's slopes (at outPtr), in each kind of block below (ONE_INSIDE's
    // coordinate derivatives are constants with zeros padding): the block's own routine then does
    // d(input) alone.
    const slopes = outPtr + (<usize>p << 3);
    if (fromSlopes && count < 4) slopesDGrid(dy, slopes, gxMult, gyMult, dGrid, count);
    if (count < 4) {
      if (C == 4 && backward) bilinearBackward(ix, iy, valid, W, H, count, dy, dGrid, gxMult, gyMult);
      else if (C == 4) bilinearForward(ix, iy, valid, W, H, count, o);
      else if (backward) fewChannelsBackwardBlock(ix, iy, valid, W, H, C, count, dy, dGrid, gxMult, gyMult, wantDInput, wantDGrid);
      else if (wantDGrid) bilinearFewChannelsSlopes(ix, iy, valid, W, H, count, o, dGrid);
      else bilinearFewChannels(ix, iy, valid, W, H, count, o);
      continue;
    }
    const e = tapDistance(ix), s = tapDistance(iy);
    const oe = f32x4.sub(f32x4.splat(1), e), os = f32x4.sub(f32x4.splat(1), s);
    const wNW = bilinearWeight(e, s, oe, os, false, false), wNE = bilinearWeight(e, s, oe, os, true, false);
    const wSW = bilinearWeight(e, s, oe, os, false, true), wSE = bilinearWeight(e, s, oe, os, true, true);
    // Every tap inside (the usual block): the masks are all set and not computed, and the paths
    // that can, skip them (ONE_INSIDE, RGB_INSIDE).
    let mNW = i32x4.splat(-1), mNE = mNW, mSW = mNW, mSE = mNW;
    let top: v128, bottom: v128;
    let path: i32;
    if (tapsInside(ix, iy, W, H)) {
      top = floatIndex ? elementIndexNWInside(ix, iy, W, C) : elementIndexNW(ix, iy, W, C);
      bottom = i32x4.add(top, rowElements);
      // rgbInsideForward's east taps read one float past their three: they must start before the
      // last pair (rgbBackward reads no float past a pair).
      const beforeLastPair = v128.all_true<i32>(v128.and(i32x4.lt_u(top, lastPair), i32x4.lt_u(bottom, lastPair)));
      path = bilinearPath(C, backward, true, true, C != 3 || backward || beforeLastPair);
      if (path == PATH_ONE_INSIDE) {
        // Straight to its block: through the dispatch below, one channel's loop ran 3-7% slower.
        // With zeros padding, the coordinates' derivatives of points inside are the unnormalize
        // scale alone (clampToSafeRange and the padding pass them through), and gxMult and
        // gyMult are computed for the other blocks only (d(grid) alone 9% faster; for three
        // channels, 3% slower, so theirs are not).
        const zeros = padding == PADDING_ZEROS;
        if (fromSlopes) {
          slopesDGrid(dy, slopes, zeros ? unnormalizeGrad(AXIS_X) : gxMult, zeros ? unnormalizeGrad(AXIS_Y) : gyMult, dGrid, 4);
        }
        onePairsBlock(false, top, bottom, mNW, mNE, mSW, mSE, valid, wNW, wNE, wSW, wSE, e, s, oe, os,
          backward, wantDInput, wantDGrid, o, dy, dGrid,
          zeros ? unnormalizeGrad(AXIS_X) : gxMult, zeros ? unnormalizeGrad(AXIS_Y) : gyMult, <usize>W << 2);
        continue;
      }
      if (path == PATH_RGBA_INSIDE) {
        // As ONE_INSIDE: with zeros padding, the coordinates' derivatives are the unnormalize scale.
        const zeros = padding == PADDING_ZEROS;
        rgbaInsideBlock(top, <usize>(W * C) << 2, wNW, wNE, wSW, wSE, e, s, oe, os, backward, wantDInput, wantDGrid, o, dy, dGrid,
          zeros ? unnormalizeGrad(AXIS_X) : gxMult, zeros ? unnormalizeGrad(AXIS_Y) : gyMult);
        continue;
      }
    } else if (C == 4) {
      // Four channels' blocks with a tap outside (POINTS_MASKED): bilinearForward / bilinearBackward,
      // which mask their own taps.
      if (backward) bilinearBackward(ix, iy, valid, W, H, 4, dy, dGrid, gxMult, gyMult);
      else bilinearForward(ix, iy, valid, W, H, 4, o);
      continue;
    } else {
      if (fromSlopes) slopesDGrid(dy, slopes, gxMult, gyMult, dGrid, 4);
      mNW = tapMask(ix, iy, valid, W, H, false, false); mNE = tapMask(ix, iy, valid, W, H, true, false);
      mSW = tapMask(ix, iy, valid, W, H, false, true); mSE = tapMask(ix, iy, valid, W, H, true, true);
      const iNW = elementIndexNW(ix, iy, W, C);
      top = v128.and(iNW, v128.or(mNW, mNE));
      bottom = v128.and(i32x4.add(iNW, rowElements), v128.or(mSW, mSE));
      path = bilinearPath(C, backward, true, pairsInside(top, bottom, lastPair), false);
    }
    if (path == PATH_FEW_GATHER) {
      if (backward) fewChannelsBackwardBlock(ix, iy, valid, W, H, C, 4, dy, dGrid, gxMult, gyMult, wantDInput, wantDGrid);
      else if (wantDGrid) bilinearFewChannelsSlopes(ix, iy, valid, W, H, 4, o, dGrid);
      else bilinearFewChannels(ix, iy, valid, W, H, 4, o);
      continue;
    }
    if (backward && (path == PATH_RGB_INSIDE || path == PATH_RGB_PAIRS)) {
      rgbBackwardBlock(path == PATH_RGB_PAIRS, top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, e, s, oe, os, dy, dGrid, gxMult, gyMult, wantDInput, wantDGrid);
      continue;
    }
    if (path == PATH_TWO_PAIRS) {
      countPath(PATH_TWO_PAIRS, backward);
      if (backward) twoBackward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, e, s, oe, os, dy, dGrid, gxMult, gyMult, wantDInput, wantDGrid);
      else twoPairsForward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, o);
      continue;
    }
    if (path == PATH_RGB_INSIDE) {
      countPath(PATH_RGB_INSIDE, false);
      rgbInsideForward(top, <usize>(W * C) << 2, wNW, wNE, wSW, wSE, o);
      continue;
    }
    if (path == PATH_RGB_PAIRS) {
      countPath(PATH_RGB_PAIRS, false);
      rgbPairsForward(top, bottom, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid, o, 4);
      continue;
    }
    onePairsBlock(true, top, bottom, mNW, mNE, mSW, mSE, valid, wNW, wNE, wSW, wSE, e, s, oe, os,
      backward, wantDInput, wantDGrid, o, dy, dGrid, gxMult, gyMult);
  }
}

/**
 * bilinearPairsLoop's one-channel block of four points, its tap rows at element indices `top`,
 * `bottom`: ONE_PAIRS (`masked`: every pair inside, masked taps read 0 and scatter +0) or
 * ONE_INSIDE (every tap inside: the masks all set, and skipped). Forward: stores the output;
 * backward: d(grid) and d(input) as asked.
 */
@inline function onePairsBlock(
  masked: bool, top: v128, bottom: v128, mNW: v128, mNE: v128, mSW: v128, mSE: v128, valid: v128,
  wNW: v128, wNE: v128, wSW: v128, wSE: v128, e: v128, s: v128, oe: v128, os: v128,
  backward: bool, wantDInput: bool, wantDGrid: bool, o: usize, dy: usize, dGrid: usize, gxMult: v128, gyMult: v128,
  rowBytes: usize = 0,
): void {
  countPath(masked ? PATH_ONE_PAIRS : PATH_ONE_INSIDE, backward);
  // Unmasked, the bottom row is the top row one image row down: its addresses are the top row's
  // plus rowBytes, without extracting the bottom lanes again (3% of the forward).
  const below = masked ? bottom : top;
  const belowBytes: usize = masked ? 0 : rowBytes;
  if (!backward || wantDGrid) {
    const base = inBase;
    const n01 = loadPairHalf(base, top, 0), n23 = loadPairHalf(base, top, 1);
    const s01 = loadPairHalf(base + belowBytes, below, 0), s23 = loadPairHalf(base + belowBytes, below, 1);
    const vNW = pairTaps(n01, n23, false), vNE = pairTaps(n01, n23, true);
    const vSW = pairTaps(s01, s23, false), vSE = pairTaps(s01, s23, true);
    const tNW = masked ? v128.and(vNW, mNW) : vNW, tNE = masked ? v128.and(vNE, mNE) : vNE;
    const tSW = masked ? v128.and(vSW, mSW) : vSW, tSE = masked ? v128.and(vSE, mSE) : vSE;
    if (!backward) {
      v128.store(o, mix(vNW, vNE, vSW, vSE, mNW, mNE, mSW, mSE, wNW, wNE, wSW, wSE, valid, masked));
      // The slopes (wantDGrid, forward): d(output)/d(ix), d(iy), the dots below with dy = 1, which
      // slopesDGrid multiplies by dy as this block's backward would.
      if (wantDGrid) storeXY(bilinearSlopes(tNW, tNE, tSW, tSE, e, s, oe, os, true), bilinearSlopes(tNW, tNE, tSW, tSE, e, s, oe, os, false), dGrid, 4);
      return;
    }
    // As bilinearFewChannelsBlock's one-channel pass (0 + x, as its accumulators: the same bits).
    const dyv = v128.load(dy);
    const zero = f32x4.splat(0);
    const dIx = f32x4.add(zero, bilinearWeightGrad(dyv, tNW, tNE, tSW, tSE, e, s, oe, os, true));
    const dIy = f32x4.add(zero, bilinearWeightGrad(dyv, tNW, tNE, tSW, tSE, e, s, oe, os, false));
    storeDGrid(dIx, dIy, gxMult, gyMult, dGrid, 4);
  }
  if (wantDInput) {
    // As bilinearFewChannelsBlock's: masked after the product (a masked tap adds +0 to a pixel of its pair).
    const dyv = v128.load(dy), dBase = dInBase;
    const nw = f32x4.mul(wNW, dyv), ne = f32x4.mul(wNE, dyv), sw = f32x4.mul(wSW, dyv), se = f32x4.mul(wSE, dyv);
    scatterPairs(dBase, top, masked ? v128.and(nw, mNW) : nw, masked ? v128.and(ne, mNE) : ne);
    scatterPairs(dBase + belowBytes, below, masked ? v128.and(sw, mSW) : sw, masked ? v128.and(se, mSE) : se);
  }
}

/**
 * bilinearPairsLoop's four-channel (RGBA) block with every tap inside (RGBA_INSIDE): a tap is one
 * vector of its four channels, loaded at the element indices `top` (west taps; the east ones 16
 * bytes on; the south ones `belowBytes` on, one image row, so the bottom lanes are not extracted
 * again), each point's weights broadcast from the block's lanes; no masks, no
 * transposed taps. The same operations in the same order as bilinearForward / bilinearBackward's
 * unmasked pass (forwardTaps; backwardTaps with one group of four channels, then its d(grid)
 * dots), so the same bits. Forward: stores the four output rows. Backward: d(grid) tap by tap
 * over the four points (a tap's dots of the four points side by side: d(ix), d(iy) need no
 * horizontal sums), and d(input) point by point (points sharing a pixel add in turn).
 */
@inline function rgbaInsideBlock(
  top: v128, belowBytes: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128, e: v128, s: v128, oe: v128, os: v128,
  backward: bool, wantDInput: bool, wantDGrid: bool, o: usize, dy: usize, dGrid: usize, gxMult: v128, gyMult: v128,
): void {
  countPath(PATH_RGBA_INSIDE, backward);
  const base = inBase;
  if (!backward) {
    // Written out per lane: with a loop, lane numbers would not be constants.
    v128.store(o, rgbaForwardPoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 0));
    v128.store(o, rgbaForwardPoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 1), 16);
    v128.store(o, rgbaForwardPoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 2), 32);
    v128.store(o, rgbaForwardPoint(base, top, belowBytes, wNW, wNE, wSW, wSE, 3), 48);
    return;
  }
  const d0 = v128.load(dy), d1 = v128.load(dy, 16), d2 = v128.load(dy, 32), d3 = v128.load(dy, 48);
  if (wantDGrid) {
    // Lane l of dNW: point l's dot of dy and its NW tap (backwardTaps' 0 + dy * tap, summed by laneSums).
    const dNW = rgbaTapDots(base, top, false, d0, d1, d2, d3), dNE = rgbaTapDots(base, top, true, d0, d1, d2, d3);
    const dSW = rgbaTapDots(base + belowBytes, top, false, d0, d1, d2, d3), dSE = rgbaTapDots(base + belowBytes, top, true, d0, d1, d2, d3);
    // backwardTaps' horizontalSum(dots * dwdx), dwdx = (-(1 - s), 1 - s, -s, s), for the four points at once.
    const zero = f32x4.splat(0);
    const dIx = f32x4.add(zero, f32x4.add(
      f32x4.add(f32x4.mul(dNW, f32x4.neg(os)), f32x4.mul(dNE, os)), f32x4.add(f32x4.mul(dSW, f32x4.neg(s)), f32x4.mul(dSE, s))));
    const dIy = f32x4.add(zero, f32x4.add(
      f32x4.add(f32x4.mul(dNW, f32x4.neg(oe)), f32x4.mul(dNE, f32x4.neg(e))), f32x4.add(f32x4.mul(dSW, oe), f32x4.mul(dSE, e))));
    storeDGrid(dIx, dIy, gxMult, gyMult, dGrid, 4);
  }
  if (wantDInput) {
    const dBase = dInBase;
    rgbaScatterPoint(dBase, top, belowBytes, wNW, wNE, wSW, wSE, d0, 0);
    rgbaScatterPoint(dBase, top, belowBytes, wNW, wNE, wSW, wSE, d1, 1);
    rgbaScatterPoint(dBase, top, belowBytes, wNW, wNE, wSW, wSE, d2, 2);
    rgbaScatterPoint(dBase, top, belowBytes, wNW, wNE, wSW, wSE, d3, 3);
  }
}

/** Point l of rgbaInsideBlock forward: its four taps times its weights, as forwardTaps sums them. */
@inline function rgbaForwardPoint(base: usize, top: v128, belowBytes: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128, l: i32): v128 {
  const n = elementAt(base, top, l), s = n + belowBytes;
  const a = f32x4.add(f32x4.mul(broadcast(wNW, l), v128.load(n)), f32x4.mul(broadcast(wNE, l), v128.load(n, 16)));
  const b = f32x4.add(f32x4.mul(broadcast(wSW, l), v128.load(s)), f32x4.mul(broadcast(wSE, l), v128.load(s, 16)));
  return f32x4.add(a, b);
}

/** The four points' dots of dy and one tap (the west or east one of the row at `row`), in their lanes. */
@inline function rgbaTapDots(base: usize, row: v128, east: bool, d0: v128, d1: v128, d2: v128, d3: v128): v128 {
  const zero = f32x4.splat(0);
  const off: usize = east ? 16 : 0;
  return laneSums(
    f32x4.add(zero, f32x4.mul(d0, v128.load(elementAt(base, row, 0) + off))),
    f32x4.add(zero, f32x4.mul(d1, v128.load(elementAt(base, row, 1) + off))),
    f32x4.add(zero, f32x4.mul(d2, v128.load(elementAt(base, row, 2) + off))),
    f32x4.add(zero, f32x4.mul(d3, v128.load(elementAt(base, row, 3) + off))));
}

/** Point l's d(input): each of its taps' pixels += its weight times dy (`d`), as backwardTaps adds them. */
@inline function rgbaScatterPoint(
  dBase: usize, top: v128, belowBytes: usize, wNW: v128, wNE: v128, wSW: v128, wSE: v128, d: v128, l: i32,
): void {
  const n = elementAt(dBase, top, l), s = n + belowBytes;
  v128.store(n, f32x4.add(v128.load(n), f32x4.mul(broadcast(wNW, l), d)));
  v128.store(n, f32x4.add(v128.load(n, 16), f32x4.mul(broadcast(wNE, l), d)), 16);
  v128.store(s, f32x4.add(v128.load(s), f32x4.mul(broadcast(wSW, l), d)));
  v128.store(s, f32x4.add(v128.load(s, 16), f32x4.mul(broadcast(wSE, l), d)), 16);
}
