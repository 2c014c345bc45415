// The generic per-point tap path of gridSample, one routine per interpolating mode
// (sampleBilinear, sampleBicubic; nearest, one tap of weight 1, has grid_nearest.ts), the mirror
// of sampleTaps in the TypeScript reference: each
// lists a point's taps with their weights and weight derivatives, and tapGroup applies four taps
// at a time, forward (forwardTaps: out[c] (+)= w * in[tap, c]) or backward (dIn[tap, c] += w *
// dy[c], and the dots that give d(grid)), with the channel loop on f32x4 lanes (channels are
// contiguous in NHWC). samplePoint runs one point of a block; grid_sample.ts calls it for every
// case that no fast path in grid_bilinear.ts takes.
import { MODE_BILINEAR } from './contract';
import { AXIS_X, AXIS_Y, computeCoordinates, cubicWeights, cubicWeightsGrad } from './coords';
import { broadcast, horizontalSum, lane, laneI } from './lanes';
import { PATH_GENERIC, countPath } from './paths';
import { accDIx, accDIy, accDIz, accumulate, backward, channels, dInBase, dyRow, inBase, outRow, wantDGrid, wantDInput } from './registers';

/** Address of the input row (pixel) in lane `l` of `pixels`. */
@inline function tapRow(pixels: v128, l: i32): usize {
  return inBase + <usize>laneI(pixels, l) * (<usize>channels << 2);
}

/**
 * Forward, four taps at once: out[c] (+)= sum of w * in[tap, c], with the weights in the lanes of
 * `weights`. A tap whose mask is 0 is outside the input: its pixel index is 0 and it reads 0. A
 * point with one group (bilinear, nearest) stores its output; bicubic's four groups accumulate.
 * `masked` false: the caller knows every tap is inside, and the masks are skipped.
 */
@inline export function forwardTaps(pixels: v128, inside: v128, weights: v128, masked: bool = true): void {
  const q = v128.and(pixels, inside);
  const s0 = tapRow(q, 0), s1 = tapRow(q, 1), s2 = tapRow(q, 2), s3 = tapRow(q, 3);
  const k0 = broadcast(inside, 0), k1 = broadcast(inside, 1), k2 = broadcast(inside, 2), k3 = broadcast(inside, 3);
  const v0 = broadcast(weights, 0), v1 = broadcast(weights, 1), v2 = broadcast(weights, 2), v3 = broadcast(weights, 3);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const o = outRow + k;
    const t0 = v128.load(s0 + k), t1 = v128.load(s1 + k), t2 = v128.load(s2 + k), t3 = v128.load(s3 + k);
    const a = masked
      ? f32x4.add(f32x4.mul(v0, v128.and(t0, k0)), f32x4.mul(v1, v128.and(t1, k1)))
      : f32x4.add(f32x4.mul(v0, t0), f32x4.mul(v1, t1));
    const b = masked
      ? f32x4.add(f32x4.mul(v2, v128.and(t2, k2)), f32x4.mul(v3, v128.and(t3, k3)))
      : f32x4.add(f32x4.mul(v2, t2), f32x4.mul(v3, t3));
    v128.store(o, accumulate ? f32x4.add(v128.load(o), f32x4.add(a, b)) : f32x4.add(a, b));
  }
  for (; c < channels; c++) {
    const k = <usize>c << 2;
    const v = f32x4(load<f32>(s0 + k), load<f32>(s1 + k), load<f32>(s2 + k), load<f32>(s3 + k));
    const t = horizontalSum(f32x4.mul(weights, v128.and(v, inside)));
    store<f32>(outRow + k, accumulate ? load<f32>(outRow + k) + t : t);
  }
}

/**
 * Four taps at once: reads them (forwardTaps) or scatters into them (backwardTaps).
 * Taking taps four at a time keeps one pass over the channels per group, not per tap.
 * Volumes (grid_sample_3d.ts) pass `depth` true and the taps' dw/dz; a pixel index is then
 * (z * H + y) * W + x.
 */
@inline export function tapGroup(
  pixels: v128, inside: v128, w0: f32, w1: f32, w2: f32, w3: f32,
  dwdx: v128, dwdy: v128, depth: bool = false, dwdz: v128 = f32x4.splat(0),
): void {
  if (!backward) forwardTaps(pixels, inside, f32x4(w0, w1, w2, w3));
  else backwardTaps(pixels, inside, f32x4(w0, w1, w2, w3), dwdx, dwdy, depth, dwdz);
}

/**
 * Backward, four taps at once, the gradient of the point at dyRow: dIn[tap, c] += w * dy[c] (if
 * d(input) is asked for), and (if d(grid) is) dot_t = sum_c dy[c] * in[tap, c] for each tap,
 * added into accDIx (and accDIy, accDIz) times dw/dx (dw/dy, dw/dz). A masked tap is skipped.
 * `masked` false: the caller knows every tap is inside, and the masks are skipped.
 */
@inline export function backwardTaps(
  pixels: v128, inside: v128, weights: v128, dwdx: v128, dwdy: v128,
  depth: bool = false, dwdz: v128 = f32x4.splat(0), masked: bool = true,
): void {
  const q = masked ? v128.and(pixels, inside) : pixels;
  const s0 = tapRow(q, 0), s1 = tapRow(q, 1), s2 = tapRow(q, 2), s3 = tapRow(q, 3);
  const k0 = broadcast(inside, 0), k1 = broadcast(inside, 1), k2 = broadcast(inside, 2), k3 = broadcast(inside, 3);
  const v0 = broadcast(weights, 0), v1 = broadcast(weights, 1), v2 = broadcast(weights, 2), v3 = broadcast(weights, 3);
  let c = 0;
  const m0 = wantDInput && (!masked || laneI(inside, 0) != 0), m1 = wantDInput && (!masked || laneI(inside, 1) != 0);
  const m2 = wantDInput && (!masked || laneI(inside, 2) != 0), m3 = wantDInput && (!masked || laneI(inside, 3) != 0);
  const d0 = dInBase + (s0 - inBase), d1 = dInBase + (s1 - inBase);
  const d2 = dInBase + (s2 - inBase), d3 = dInBase + (s3 - inBase);
  // dot_t = sum_c dy[c] * in[tap, c], four taps in the lanes of `dots`.
  let p0 = f32x4.splat(0), p1 = f32x4.splat(0), p2 = f32x4.splat(0), p3 = f32x4.splat(0);
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const d = v128.load(dyRow + k);
    if (wantDGrid) {
      const t0 = v128.load(s0 + k), t1 = v128.load(s1 + k), t2 = v128.load(s2 + k), t3 = v128.load(s3 + k);
      p0 = f32x4.add(p0, f32x4.mul(d, masked ? v128.and(t0, k0) : t0));
      p1 = f32x4.add(p1, f32x4.mul(d, masked ? v128.and(t1, k1) : t1));
      p2 = f32x4.add(p2, f32x4.mul(d, masked ? v128.and(t2, k2) : t2));
      p3 = f32x4.add(p3, f32x4.mul(d, masked ? v128.and(t3, k3) : t3));
    }
    if (m0) v128.store(d0 + k, f32x4.add(v128.load(d0 + k), f32x4.mul(v0, d)));
    if (m1) v128.store(d1 + k, f32x4.add(v128.load(d1 + k), f32x4.mul(v1, d)));
    if (m2) v128.store(d2 + k, f32x4.add(v128.load(d2 + k), f32x4.mul(v2, d)));
    if (m3) v128.store(d3 + k, f32x4.add(v128.load(d3 + k), f32x4.mul(v3, d)));
  }
  let dots = laneSums(p0, p1, p2, p3);
  for (; c < channels; c++) {
    const k = <usize>c << 2;
    const d = load<f32>(dyRow + k);
    if (wantDGrid) {
      const v = f32x4(load<f32>(s0 + k), load<f32>(s1 + k), load<f32>(s2 + k), load<f32>(s3 + k));
      dots = f32x4.add(dots, f32x4.mul(f32x4.splat(d), masked ? v128.and(v, inside) : v));
    }
    if (m0) store<f32>(d0 + k, load<f32>(d0 + k) + lane(weights, 0) * d);
    if (m1) store<f32>(d1 + k, load<f32>(d1 + k) + lane(weights, 1) * d);
    if (m2) store<f32>(d2 + k, load<f32>(d2 + k) + lane(weights, 2) * d);
    if (m3) store<f32>(d3 + k, load<f32>(d3 + k) + lane(weights, 3) * d);
  }
  if (!wantDGrid) return;
  accDIx += horizontalSum(f32x4.mul(dots, dwdx));
  accDIy += horizontalSum(f32x4.mul(dots, dwdy));
  if (depth) accDIz += horizontalSum(f32x4.mul(dots, dwdz));
}

/**
 * Transpose-and-add: lane t is the sum of p_t's lanes, (p_t[0] + p_t[2]) + (p_t[1] + p_t[3]) (a
 * tap's dot over four channels). grid_bilinear.ts's rgbaInsideBlock sums in this order too.
 */
@inline export function laneSums(p0: v128, p1: v128, p2: v128, p3: v128): v128 {
  const t01 = f32x4.add(v128.shuffle<f32>(p0, p1, 0, 4, 1, 5), v128.shuffle<f32>(p0, p1, 2, 6, 3, 7));
  const t23 = f32x4.add(v128.shuffle<f32>(p2, p3, 0, 4, 1, 5), v128.shuffle<f32>(p2, p3, 2, 6, 3, 7));
  return f32x4.add(v128.shuffle<f32>(t01, t23, 0, 1, 4, 5), v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
}

/** Lanes where 0 <= x < W and 0 <= y < H. */
@inline function insideMask(xs: v128, ys: v128, W: i32, H: i32): v128 {
  return v128.and(i32x4.lt_u(xs, i32x4.splat(W)), i32x4.lt_u(ys, i32x4.splat(H)));
}

function sampleBilinear(ix: f32, iy: f32, W: i32, H: i32): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const x0 = <i32>fx;
  const y0 = <i32>fy;
  const e = ix - fx; // distance from the west pixel
  const s = iy - fy; // distance from the north pixel
  // Taps in the order nw, ne, sw, se.
  const xs = i32x4.add(i32x4.splat(x0), i32x4(0, 1, 0, 1));
  const ys = i32x4.add(i32x4.splat(y0), i32x4(0, 0, 1, 1));
  const pixels = i32x4.add(i32x4.mul(ys, i32x4.splat(W)), xs);
  tapGroup(pixels, insideMask(xs, ys, W, H), (1 - e) * (1 - s), e * (1 - s), (1 - e) * s, e * s,
    f32x4(-(1 - s), 1 - s, -s, s), f32x4(-(1 - e), -e, 1 - e, e));
}

function sampleBicubic(ix: f32, iy: f32, W: i32, H: i32, padding: i32, alignCorners: bool): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const cx = cubicWeights(ix - fx);
  const cy = cubicWeights(iy - fy);
  // The weights' derivatives only feed the backward pass.
  const dcx = backward ? cubicWeightsGrad(ix - fx) : cx;
  const dcy = backward ? cubicWeightsGrad(iy - fy) : cy;
  // Bicubic pads every tap (PyTorch's get_value_bounded); padded positions are integers.
  const steps = f32x4(-1, 0, 1, 2);
  const xs = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fx), steps), AXIS_X, padding, alignCorners));
  const ys = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fy), steps), AXIS_Y, padding, alignCorners));
  // One group per row of four taps, written out so that the lane numbers are constants.
  bicubicRow(0, xs, ys, cx, cy, dcx, dcy, W, H);
  bicubicRow(1, xs, ys, cx, cy, dcx, dcy, W, H);
  bicubicRow(2, xs, ys, cx, cy, dcx, dcy, W, H);
  bicubicRow(3, xs, ys, cx, cy, dcx, dcy, W, H);
}

/** Row `i` of bicubic's four: its taps at columns `xs`, row lane i of `ys`, as one tapGroup. */
@inline function bicubicRow(i: i32, xs: v128, ys: v128, cx: v128, cy: v128, dcx: v128, dcy: v128, W: i32, H: i32): void {
  const y = i32x4.splat(laneI(ys, i));
  const wy = lane(cy, i);
  const w = f32x4.mul(cx, f32x4.splat(wy));
  tapGroup(i32x4.add(i32x4.mul(y, i32x4.splat(W)), xs), insideMask(xs, y, W, H),
    f32x4.extract_lane(w, 0), f32x4.extract_lane(w, 1), f32x4.extract_lane(w, 2), f32x4.extract_lane(w, 3),
    f32x4.mul(dcx, f32x4.splat(wy)), f32x4.mul(cx, f32x4.splat(lane(dcy, i))));
}


/** The generic loop's work for the point in lane `l` of a block whose first point is `first`. */
@inline export function samplePoint(
  l: i32, first: usize, ix: v128, iy: v128, valid: v128, gxMult: v128, gyMult: v128,
  mode: i32, W: i32, H: i32, padding: i32, alignCorners: bool, hasPixels: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const point = first + <usize>l;
  accDIx = 0;
  accDIy = 0;
  outRow = outputPtr + point * rowBytes;
  countPath(PATH_GENERIC, backward);
  if (hasPixels && laneI(valid, l) != 0) {
    dyRow = dyPtr + point * rowBytes;
    const x = lane(ix, l);
    const y = lane(iy, l);
    // Nearest never comes here (grid_nearest.ts takes it).
    if (mode == MODE_BILINEAR) sampleBilinear(x, y, W, H);
    else sampleBicubic(x, y, W, H, padding, alignCorners);
  } else if (!backward && !accumulate) {
    memory.fill(outRow, 0, rowBytes); // a point without taps reads 0
  }
  if (wantDGrid) {
    // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
    const mx = lane(gxMult, l);
    const my = lane(gyMult, l);
    const d = dGridPtr + (point << 3);
    store<f32>(d, mx == 0 ? <f32>0 : accDIx * mx);
    store<f32>(d, my == 0 ? <f32>0 : accDIy * my, 4);
  }
}
