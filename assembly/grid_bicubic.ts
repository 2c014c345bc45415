// The bicubic forward of images with one to three channels, four grid points side by side in the
// lanes (the generic path, taps.ts's sampleBicubic, takes a point at a time with its taps in the
// lanes: with fewer than four channels its channel loop is all scalar tail, a horizontal sum per
// channel and row). The same operations in the same order as the generic path, so the same bits:
// per point, the 16 taps at rows fy - 1 .. fy + 2 and columns fx - 1 .. fx + 2, each padded
// (PyTorch's get_value_bounded: computeCoordinates per tap), weight cx[k] * cy[i]; per channel
//   out = (((0 + row 0) + row 1) + row 2) + row 3,  row i = (w0 v0 + w1 v1) + (w2 v2 + w3 v3)
// with taps outside the image (zeros padding) masked to 0 before the product. A point with a NaN
// coordinate reads 0. d(grid) alone (an STN's step, the image being data) is
// computed the same way, the generic path's dots and sums in its order (the same bits). A backward
// that asks for d(input) and four or more channels stay on the generic path (a lanes scatter,
// point by point and tap by tap as it must go, measured 1.5x slower than the generic path's).
import { MODE_BICUBIC } from './contract';
import { AXIS_X, AXIS_Y, computeCoordinates, cubicWeightGradLanes, cubicWeightLanes } from './coords';
import { storeDGrid } from './grid_bilinear';
import { broadcast, lane, laneI, loadLanes } from './lanes';
import { PATH_BICUBIC_LANES, countPath } from './paths';
import { inBase } from './registers';

/**
 * Whether a gridSample call's blocks take bicubicLanesBlock (forward, or d(grid) alone), else the
 * generic path's samplePoint.
 */
@inline export function bicubicLanes(mode: i32, backward: bool, wantDInput: bool, hasPixels: bool, C: i32): bool {
  return mode == MODE_BICUBIC && !(backward && wantDInput) && hasPixels && C > 0 && C < 4;
}

/** One tap of the four points: the sum over channels of dy[c] * tap[c] (masked taps 0), from 0, channel after channel. */
@inline function tapDot(e: v128, k: v128, C: i32, d0: v128, d1: v128, d2: v128): v128 {
  let dot = f32x4.add(f32x4.splat(0), f32x4.mul(d0, v128.and(gather(e, 0), k)));
  if (C > 1) dot = f32x4.add(dot, f32x4.mul(d1, v128.and(gather(e, 1), k)));
  if (C > 2) dot = f32x4.add(dot, f32x4.mul(d2, v128.and(gather(e, 2), k)));
  return dot;
}

/**
 * One block of `count` points (pixel coordinates `ix`, `iy`, unpadded; `valid` where not NaN) of an
 * image with C = 1..3 channels. Forward: stores their output rows at `o`. Backward (d(grid) alone):
 * reads their dy rows at `dy` and stores d(grid) (with the coordinates' derivatives gxMult, gyMult)
 * at `dGrid`: backwardTaps' dots (0 + dy[0] * tap[0], then each channel added) and sums
 * (horizontalSum(dots * dw), the rows added in turn from 0) with the points in the lanes.
 */
@inline export function bicubicLanesBlock(
  backward: bool, ix: v128, iy: v128, valid: v128, gxMult: v128, gyMult: v128, W: i32, H: i32, C: i32, count: i32,
  padding: i32, alignCorners: bool, o: usize, dy: usize, dGrid: usize,
): void {
  countPath(PATH_BICUBIC_LANES, backward);
  const fx = f32x4.floor(ix), fy = f32x4.floor(iy);
  const tx = f32x4.sub(ix, fx), ty = f32x4.sub(iy, fy);
  const cx0 = cubicWeightLanes(tx, 0), cx1 = cubicWeightLanes(tx, 1), cx2 = cubicWeightLanes(tx, 2), cx3 = cubicWeightLanes(tx, 3);
  const x0 = tapCoordinate(fx, -1, AXIS_X, padding, alignCorners), x1 = tapCoordinate(fx, 0, AXIS_X, padding, alignCorners);
  const x2 = tapCoordinate(fx, 1, AXIS_X, padding, alignCorners), x3 = tapCoordinate(fx, 2, AXIS_X, padding, alignCorners);
  // Columns inside the image (all of them but with zeros padding), for valid points.
  const width = i32x4.splat(W);
  const m0 = v128.and(valid, i32x4.lt_u(x0, width)), m1 = v128.and(valid, i32x4.lt_u(x1, width));
  const m2 = v128.and(valid, i32x4.lt_u(x2, width)), m3 = v128.and(valid, i32x4.lt_u(x3, width));
  // Backward: the weights' derivatives, and dy of the four points as a vector per channel (a short
  // block's missing points 0).
  const zero = f32x4.splat(0);
  const dcx0 = backward ? cubicWeightGradLanes(tx, 0) : zero, dcx1 = backward ? cubicWeightGradLanes(tx, 1) : zero;
  const dcx2 = backward ? cubicWeightGradLanes(tx, 2) : zero, dcx3 = backward ? cubicWeightGradLanes(tx, 3) : zero;
  const stride = <usize>C << 2;
  const d0 = backward ? loadLanes(dy, stride, count, 0) : zero;
  const d1 = backward && C > 1 ? loadLanes(dy + 4, stride, count, 0) : zero;
  const d2 = backward && C > 2 ? loadLanes(dy + 8, stride, count, 0) : zero;
  // Forward with three channels in a block of four: a tap's channels as one vector (rgbTerm), the
  // accumulators one per point; else one per channel (rowTerm's gathers); backward, d(ix) and d(iy).
  const rgb = !backward && C == 3 && count == 4 && H * W >= 2 && !lastPixelTap(fy, x0, x1, x2, x3, valid, W, H, padding, alignCorners);
  const rowBytes = i32x4.splat(C << 2);
  let a0 = zero, a1 = zero, a2 = zero, a3 = zero;
  for (let i = 0; i < 4; i++) {
    const y = tapCoordinate(fy, i - 1, AXIS_Y, padding, alignCorners);
    const cy = cubicWeightLanes(ty, i);
    const inRow = i32x4.lt_u(y, i32x4.splat(H));
    const row = i32x4.mul(y, width);
    // Byte offsets of the row's four taps of each point (pixel 0 where masked: read, then masked to 0).
    const k0 = v128.and(m0, inRow), k1 = v128.and(m1, inRow), k2 = v128.and(m2, inRow), k3 = v128.and(m3, inRow);
    const e0 = v128.and(i32x4.mul(i32x4.add(row, x0), rowBytes), k0);
    const e1 = v128.and(i32x4.mul(i32x4.add(row, x1), rowBytes), k1);
    const e2 = v128.and(i32x4.mul(i32x4.add(row, x2), rowBytes), k2);
    const e3 = v128.and(i32x4.mul(i32x4.add(row, x3), rowBytes), k3);
    if (backward) {
      const p0 = tapDot(e0, k0, C, d0, d1, d2), p1 = tapDot(e1, k1, C, d0, d1, d2);
      const p2 = tapDot(e2, k2, C, d0, d1, d2), p3 = tapDot(e3, k3, C, d0, d1, d2);
      // dw/dx of tap (i, k) is dcx[k] * cy[i], dw/dy is cx[k] * dcy[i] (sampleBicubic's bicubicRow).
      const dcy = cubicWeightGradLanes(ty, i);
      a0 = f32x4.add(a0, f32x4.add(f32x4.add(f32x4.mul(p0, f32x4.mul(dcx0, cy)), f32x4.mul(p1, f32x4.mul(dcx1, cy))),
        f32x4.add(f32x4.mul(p2, f32x4.mul(dcx2, cy)), f32x4.mul(p3, f32x4.mul(dcx3, cy)))));
      a1 = f32x4.add(a1, f32x4.add(f32x4.add(f32x4.mul(p0, f32x4.mul(cx0, dcy)), f32x4.mul(p1, f32x4.mul(cx1, dcy))),
        f32x4.add(f32x4.mul(p2, f32x4.mul(cx2, dcy)), f32x4.mul(p3, f32x4.mul(cx3, dcy)))));
      continue;
    }
    const w0 = f32x4.mul(cx0, cy), w1 = f32x4.mul(cx1, cy), w2 = f32x4.mul(cx2, cy), w3 = f32x4.mul(cx3, cy);
    if (rgb) {
      a0 = f32x4.add(a0, rgbTerm(0, e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3));
      a1 = f32x4.add(a1, rgbTerm(1, e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3));
      a2 = f32x4.add(a2, rgbTerm(2, e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3));
      a3 = f32x4.add(a3, rgbTerm(3, e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3));
      continue;
    }
    a0 = f32x4.add(a0, rowTerm(e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3, 0));
    if (C > 1) a1 = f32x4.add(a1, rowTerm(e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3, 1));
    if (C > 2) a2 = f32x4.add(a2, rowTerm(e0, e1, e2, e3, k0, k1, k2, k3, w0, w1, w2, w3, 2));
  }
  if (backward) {
    storeDGrid(a0, a1, gxMult, gyMult, dGrid, count);
    return;
  }
  // A NaN point reads 0 (its weights are NaN: masked here).
  if (rgb) {
    storeRgb(o, v128.and(a0, broadcast(valid, 0)));
    storeRgb(o + 12, v128.and(a1, broadcast(valid, 1)));
    storeRgb(o + 24, v128.and(a2, broadcast(valid, 2)));
    storeRgb(o + 36, v128.and(a3, broadcast(valid, 3)));
    return;
  }
  a0 = v128.and(a0, valid);
  a1 = v128.and(a1, valid);
  a2 = v128.and(a2, valid);
  if (C == 1 && count == 4) {
    v128.store(o, a0);
    return;
  }
  storePoint(o, 0, C, a0, a1, a2);
  if (count > 1) storePoint(o, 1, C, a0, a1, a2);
  if (count > 2) storePoint(o, 2, C, a0, a1, a2);
  if (count > 3) storePoint(o, 3, C, a0, a1, a2);
}

/**
 * Whether a valid point of the block has a tap on the image's last pixel, where rgbTerm's 16-byte
 * load of its three channels would read past the image (a masked tap reads pixel 0, the first).
 */
@inline function lastPixelTap(
  fy: v128, x0: v128, x1: v128, x2: v128, x3: v128, valid: v128, W: i32, H: i32, padding: i32, alignCorners: bool,
): bool {
  const lastX = i32x4.splat(W - 1), lastY = i32x4.splat(H - 1);
  const atX = v128.or(v128.or(i32x4.eq(x0, lastX), i32x4.eq(x1, lastX)), v128.or(i32x4.eq(x2, lastX), i32x4.eq(x3, lastX)));
  const atY = v128.or(
    v128.or(i32x4.eq(tapCoordinate(fy, -1, AXIS_Y, padding, alignCorners), lastY), i32x4.eq(tapCoordinate(fy, 0, AXIS_Y, padding, alignCorners), lastY)),
    v128.or(i32x4.eq(tapCoordinate(fy, 1, AXIS_Y, padding, alignCorners), lastY), i32x4.eq(tapCoordinate(fy, 2, AXIS_Y, padding, alignCorners), lastY)));
  return v128.any_true(v128.and(valid, v128.and(atX, atY)));
}

/**
 * Three channels: point l's row of four taps with its channels in the lanes, each tap one 16-byte
 * load (its fourth float, the next pixel's, lands in a lane never stored), summed as forwardTaps'
 * vector pass: (w0 t0 + w1 t1) + (w2 t2 + w3 t3), masked taps 0; the same bits as rowTerm's.
 */
@inline function rgbTerm(
  l: i32, e0: v128, e1: v128, e2: v128, e3: v128, k0: v128, k1: v128, k2: v128, k3: v128, w0: v128, w1: v128, w2: v128, w3: v128,
): v128 {
  const base = inBase;
  const t0 = v128.and(v128.load(base + <usize>laneI(e0, l)), broadcast(k0, l));
  const t1 = v128.and(v128.load(base + <usize>laneI(e1, l)), broadcast(k1, l));
  const t2 = v128.and(v128.load(base + <usize>laneI(e2, l)), broadcast(k2, l));
  const t3 = v128.and(v128.load(base + <usize>laneI(e3, l)), broadcast(k3, l));
  return f32x4.add(f32x4.add(f32x4.mul(broadcast(w0, l), t0), f32x4.mul(broadcast(w1, l), t1)),
    f32x4.add(f32x4.mul(broadcast(w2, l), t2), f32x4.mul(broadcast(w3, l), t3)));
}

/** The first three lanes of `v` at `o` (a point's RGB row). */
@inline function storeRgb(o: usize, v: v128): void {
  v128.store64_lane(o, v, 0);
  store<f32>(o, f32x4.extract_lane(v, 2), 8);
}

/** The padded tap coordinate floor(x) + step of four points, as integers. */
@inline function tapCoordinate(f: v128, step: i32, axis: i32, padding: i32, alignCorners: bool): v128 {
  return i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f, f32x4.splat(<f32>step)), axis, padding, alignCorners));
}

/** One row's four taps of channel `c` for the four points: (w0 v0 + w1 v1) + (w2 v2 + w3 v3), masked taps 0. */
@inline function rowTerm(
  e0: v128, e1: v128, e2: v128, e3: v128, k0: v128, k1: v128, k2: v128, k3: v128, w0: v128, w1: v128, w2: v128, w3: v128, c: i32,
): v128 {
  const p0 = f32x4.mul(w0, v128.and(gather(e0, c), k0)), p1 = f32x4.mul(w1, v128.and(gather(e1, c), k1));
  const p2 = f32x4.mul(w2, v128.and(gather(e2, c), k2)), p3 = f32x4.mul(w3, v128.and(gather(e3, c), k3));
  return f32x4.add(f32x4.add(p0, p1), f32x4.add(p2, p3));
}

/** Channel `c` of the input at the four points' byte offsets `e`. */
@inline function gather(e: v128, c: i32): v128 {
  const at = inBase + (<usize>c << 2);
  return f32x4(load<f32>(at + <usize>laneI(e, 0)), load<f32>(at + <usize>laneI(e, 1)),
    load<f32>(at + <usize>laneI(e, 2)), load<f32>(at + <usize>laneI(e, 3)));
}

/** Point l's output row: its lane of each channel's sums. */
@inline function storePoint(o: usize, l: i32, C: i32, a0: v128, a1: v128, a2: v128): void {
  const row = o + <usize>(l * C) * 4;
  store<f32>(row, lane(a0, l));
  if (C > 1) store<f32>(row, lane(a1, l), 4);
  if (C > 2) store<f32>(row, lane(a2, l), 8);
}
