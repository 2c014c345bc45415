// gridSample forward and backward on NHWC float32 tensors, PyTorch's semantics (see coords.ts).
//
// One loop over the grid serves forward and backward. It takes the grid four points at a time:
// computeSourceIndexWithGrad turns their coordinates into pixel coordinates (and derivatives) in
// one f32x4 each. Then each point's taps (1 for nearest, 4 for bilinear, 16 for bicubic) carry a
// weight w and dw/dx, dw/dy, and
//   forward   out[c]      += w * in[tap, c]
//   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
// with the channel loops on f32x4 lanes (channels are contiguous in NHWC), four taps per pass
// (tapGroup). Bilinear with fewer than four channels (the STN case has one) instead runs the
// four points side by side in the lanes (bilinearFewChannels). The bilinear forward with one or
// three channels, the STN and RGB cases, has a loop of its own (bilinearPairsForward): in the
// generic loop its per-block state spilled out of registers, and it ran 1.6x slower. A grid
// point with a NaN coordinate has no taps: it reads 0 and has no gradient. Taps outside the input
// are masked, so nothing is read or written outside the buffers.
import { MODE_BICUBIC, MODE_BILINEAR, MODE_NEAREST, PADDING_ZEROS } from './contract';
import { computeCoordinates, computeSourceIndex, computeSourceIndexWithGrad, cubicWeights, cubicWeightsWithGrad, gradIn } from './coords';

// The current point's rows, set once per point (wasm globals, not memory).
let inBase: usize = 0; // input image of this batch item
let outRow: usize = 0; // forward: output pixel
let dyRow: usize = 0; // backward: incoming gradient of the output pixel
let dInBase: usize = 0; // backward: dInput image of this batch item
let channels: i32 = 0;
let backward: bool = false;
/** Forward: whether taps add into the output (bicubic's four row groups) or store it (one group). */
let accumulate: bool = false;
let accDx: f32 = 0;
let accDy: f32 = 0;

@inline function lane(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

@inline function laneI(v: v128, i: i32): i32 {
  return i == 0 ? i32x4.extract_lane(v, 0) : i == 1 ? i32x4.extract_lane(v, 1) : i == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

/** Lane l of `v` in all four lanes (a shuffle moves bits: masks and floats alike). */
@inline function broadcast(v: v128, l: i32): v128 {
  return l == 0 ? v128.shuffle<f32>(v, v, 0, 0, 0, 0) : l == 1 ? v128.shuffle<f32>(v, v, 1, 1, 1, 1)
    : l == 2 ? v128.shuffle<f32>(v, v, 2, 2, 2, 2) : v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

/** Address of the input row (pixel) in lane `l` of `pixels`. */
@inline function tapRow(pixels: v128, l: i32): usize {
  return inBase + <usize>laneI(pixels, l) * (<usize>channels << 2);
}

/** Address of the input element in lane `l` of `elements`. */
@inline function elementAt(elements: v128, l: i32): usize {
  return inBase + (<usize>laneI(elements, l) << 2);
}

/**
 * Forward, four taps at once: out[c] (+)= sum of w * in[tap, c], with the weights in the lanes of
 * `weights`. A tap whose mask is 0 is outside the input: its pixel index is 0 and it reads 0. A
 * point with one group (bilinear, nearest) stores its output; bicubic's four groups accumulate.
 * `masked` false: the caller knows every tap is inside, and the masks are skipped.
 */
@inline function forwardTaps(pixels: v128, inside: v128, weights: v128, masked: bool = true): void {
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
 * Four taps at once: reads them (forwardTaps) or scatters into them (backward).
 * Taking taps four at a time keeps one pass over the channels per group, not per tap.
 */
@inline function tapGroup(
  pixels: v128, inside: v128, w0: f32, w1: f32, w2: f32, w3: f32,
  dwdx: v128, dwdy: v128,
): void {
  if (!backward) {
    forwardTaps(pixels, inside, f32x4(w0, w1, w2, w3));
    return;
  }
  const q = v128.and(pixels, inside);
  const s0 = tapRow(q, 0), s1 = tapRow(q, 1), s2 = tapRow(q, 2), s3 = tapRow(q, 3);
  const k0 = i32x4.splat(i32x4.extract_lane(inside, 0));
  const k1 = i32x4.splat(i32x4.extract_lane(inside, 1));
  const k2 = i32x4.splat(i32x4.extract_lane(inside, 2));
  const k3 = i32x4.splat(i32x4.extract_lane(inside, 3));
  const v0 = f32x4.splat(w0), v1 = f32x4.splat(w1), v2 = f32x4.splat(w2), v3 = f32x4.splat(w3);
  let c = 0;
  const m0 = i32x4.extract_lane(inside, 0) != 0, m1 = i32x4.extract_lane(inside, 1) != 0;
  const m2 = i32x4.extract_lane(inside, 2) != 0, m3 = i32x4.extract_lane(inside, 3) != 0;
  const d0 = dInBase + (s0 - inBase), d1 = dInBase + (s1 - inBase);
  const d2 = dInBase + (s2 - inBase), d3 = dInBase + (s3 - inBase);
  // dot_t = sum_c dy[c] * in[tap, c], four taps in the lanes of `dots`.
  let p0 = f32x4.splat(0), p1 = f32x4.splat(0), p2 = f32x4.splat(0), p3 = f32x4.splat(0);
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const d = v128.load(dyRow + k);
    p0 = f32x4.add(p0, f32x4.mul(d, v128.and(v128.load(s0 + k), k0)));
    p1 = f32x4.add(p1, f32x4.mul(d, v128.and(v128.load(s1 + k), k1)));
    p2 = f32x4.add(p2, f32x4.mul(d, v128.and(v128.load(s2 + k), k2)));
    p3 = f32x4.add(p3, f32x4.mul(d, v128.and(v128.load(s3 + k), k3)));
    if (m0) v128.store(d0 + k, f32x4.add(v128.load(d0 + k), f32x4.mul(v0, d)));
    if (m1) v128.store(d1 + k, f32x4.add(v128.load(d1 + k), f32x4.mul(v1, d)));
    if (m2) v128.store(d2 + k, f32x4.add(v128.load(d2 + k), f32x4.mul(v2, d)));
    if (m3) v128.store(d3 + k, f32x4.add(v128.load(d3 + k), f32x4.mul(v3, d)));
  }
  // Transpose-and-add: lane t of `dots` is the sum of p_t's lanes.
  const t01 = f32x4.add(v128.shuffle<f32>(p0, p1, 0, 4, 1, 5), v128.shuffle<f32>(p0, p1, 2, 6, 3, 7));
  const t23 = f32x4.add(v128.shuffle<f32>(p2, p3, 0, 4, 1, 5), v128.shuffle<f32>(p2, p3, 2, 6, 3, 7));
  let dots = f32x4.add(v128.shuffle<f32>(t01, t23, 0, 1, 4, 5), v128.shuffle<f32>(t01, t23, 2, 3, 6, 7));
  for (; c < channels; c++) {
    const k = <usize>c << 2;
    const d = load<f32>(dyRow + k);
    const v = f32x4(load<f32>(s0 + k), load<f32>(s1 + k), load<f32>(s2 + k), load<f32>(s3 + k));
    dots = f32x4.add(dots, f32x4.mul(f32x4.splat(d), v128.and(v, inside)));
    if (m0) store<f32>(d0 + k, load<f32>(d0 + k) + w0 * d);
    if (m1) store<f32>(d1 + k, load<f32>(d1 + k) + w1 * d);
    if (m2) store<f32>(d2 + k, load<f32>(d2 + k) + w2 * d);
    if (m3) store<f32>(d3 + k, load<f32>(d3 + k) + w3 * d);
  }
  accDx += horizontalSum(f32x4.mul(dots, dwdx));
  accDy += horizontalSum(f32x4.mul(dots, dwdy));
}

@inline function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Lanes where 0 <= x < W and 0 <= y < H. */
@inline function insideMask(xs: v128, ys: v128, W: i32, H: i32): v128 {
  return v128.and(i32x4.lt_u(xs, i32x4.splat(W)), i32x4.lt_u(ys, i32x4.splat(H)));
}

function sampleNearest(ix: f32, iy: f32, W: i32, H: i32): void {
  // f32.nearest rounds half to even, as PyTorch's nearbyint does. One tap; the others are masked.
  const x = <i32>nearest<f32>(ix);
  const y = <i32>nearest<f32>(iy);
  const inside = v128.and(insideMask(i32x4.splat(x), i32x4.splat(y), W, H), i32x4(-1, 0, 0, 0));
  const zero = f32x4.splat(0);
  tapGroup(i32x4.splat(y * W + x), inside, 1, 0, 0, 0, zero, zero);
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
  const gx = backward ? cubicWeightsWithGrad(ix - fx) : cx;
  const gy = backward ? cubicWeightsWithGrad(iy - fy) : cy;
  // Bicubic pads every tap (PyTorch's get_value_bounded); padded positions are integers.
  const steps = f32x4(-1, 0, 1, 2);
  const xs = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fx), steps), W, padding, alignCorners));
  const ys = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fy), steps), H, padding, alignCorners));
  // One group per row of four taps, written out so that the lane numbers are constants.
  bicubicRow(0, xs, ys, cx, cy, gx, gy, W, H);
  bicubicRow(1, xs, ys, cx, cy, gx, gy, W, H);
  bicubicRow(2, xs, ys, cx, cy, gx, gy, W, H);
  bicubicRow(3, xs, ys, cx, cy, gx, gy, W, H);
}

/** Row `i` of bicubic's four: its taps at columns `xs`, row lane i of `ys`, as one tapGroup. */
@inline function bicubicRow(i: i32, xs: v128, ys: v128, cx: v128, cy: v128, gx: v128, gy: v128, W: i32, H: i32): void {
  const y = i32x4.splat(laneI(ys, i));
  const wy = lane(cy, i);
  const w = f32x4.mul(cx, f32x4.splat(wy));
  tapGroup(i32x4.add(i32x4.mul(y, i32x4.splat(W)), xs), insideMask(xs, y, W, H),
    f32x4.extract_lane(w, 0), f32x4.extract_lane(w, 1), f32x4.extract_lane(w, 2), f32x4.extract_lane(w, 3),
    f32x4.mul(gx, f32x4.splat(wy)), f32x4.mul(cx, f32x4.splat(lane(gy, i))));
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

/** Stores lane l at ptr + l * stride, for the first `count` lanes. */
@inline function storeLanes(ptr: usize, stride: usize, v: v128, count: i32): void {
  if (count == 4 && stride == 4) {
    v128.store(ptr, v);
    return;
  }
  for (let l = 0; l < count; l++) store<f32>(ptr + <usize>l * stride, lane(v, l));
}

/** Loads lane l from ptr + l * stride, for the first `count` lanes; the others are `fill`. */
@inline function loadLanes(ptr: usize, stride: usize, count: i32, fill: f32): v128 {
  if (count == 4 && stride == 4) return v128.load(ptr);
  let v = f32x4.splat(fill);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr + stride));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr + 2 * stride));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(ptr + 3 * stride));
  return v;
}

/**
 * Forward bilinear with three channels, pairs loaded: per grid point and row, the two taps' six
 * floats in one 16-byte and one 8-byte load; a 4x4 transpose turns the four points' loads into
 * one vector per tap and channel. `top` / `bottom` are the element indices of the west taps.
 */
@inline function rgbPairsForward(
  top: v128, bottom: v128, m00: v128, m10: v128, m01: v128, m11: v128,
  w00: v128, w10: v128, w01: v128, w11: v128, valid: v128, outPtr: usize, count: i32,
): void {
  const t0 = elementAt(top, 0), t1 = elementAt(top, 1), t2 = elementAt(top, 2), t3 = elementAt(top, 3);
  const b0 = elementAt(bottom, 0), b1 = elementAt(bottom, 1), b2 = elementAt(bottom, 2), b3 = elementAt(bottom, 3);
  // Row n: west c0 c1 c2, east c0 | east c1 c2.
  const n0 = transposeRows(v128.load(t0), v128.load(t1), v128.load(t2), v128.load(t3));
  const ne = transposeLow(v128.load64_zero(t0 + 16), v128.load64_zero(t1 + 16), v128.load64_zero(t2 + 16), v128.load64_zero(t3 + 16));
  const nwc0 = transposed0, nwc1 = transposed1, nwc2 = transposed2, nec0 = n0;
  const nec1 = ne, nec2 = transposedLow1;
  const s0 = transposeRows(v128.load(b0), v128.load(b1), v128.load(b2), v128.load(b3));
  const se = transposeLow(v128.load64_zero(b0 + 16), v128.load64_zero(b1 + 16), v128.load64_zero(b2 + 16), v128.load64_zero(b3 + 16));
  const swc0 = transposed0, swc1 = transposed1, swc2 = transposed2, sec0 = s0;
  const sec1 = se, sec2 = transposedLow1;
  const o0 = mix(nwc0, nec0, swc0, sec0, m00, m10, m01, m11, w00, w10, w01, w11, valid);
  const o1 = mix(nwc1, nec1, swc1, sec1, m00, m10, m01, m11, w00, w10, w01, w11, valid);
  const o2 = mix(nwc2, nec2, swc2, sec2, m00, m10, m01, m11, w00, w10, w01, w11, valid);
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
@inline function rgbPoint(top: usize, bottom: usize, w00: v128, w10: v128, w01: v128, w11: v128): v128 {
  const n = f32x4.add(f32x4.mul(w00, v128.load(top)), f32x4.mul(w10, v128.load(top, 12)));
  const s = f32x4.add(f32x4.mul(w01, v128.load(bottom)), f32x4.mul(w11, v128.load(bottom, 12)));
  return f32x4.add(n, s);
}

/**
 * Forward bilinear with three channels where all sixteen taps are inside: no masks, and each
 * point's result stays pixel-major (no transposes). Each tap loads 16 bytes, one float past its
 * three, so the caller makes sure the east taps end 4 bytes before the image does. The stores
 * overlap by one float; the last point stores exactly its three.
 */
@inline function rgbInsideForward(top: v128, bottom: v128, w00: v128, w10: v128, w01: v128, w11: v128, outPtr: usize): void {
  // Written out per lane: with a loop, lane numbers would not be constants.
  v128.store(outPtr, rgbInsidePoint(top, bottom, w00, w10, w01, w11, 0));
  v128.store(outPtr, rgbInsidePoint(top, bottom, w00, w10, w01, w11, 1), 12);
  v128.store(outPtr, rgbInsidePoint(top, bottom, w00, w10, w01, w11, 2), 24);
  const last = rgbInsidePoint(top, bottom, w00, w10, w01, w11, 3);
  v128.store64_lane(outPtr, last, 0, 36);
  v128.store32_lane(outPtr, last, 2, 44);
}

@inline function rgbInsidePoint(top: v128, bottom: v128, w00: v128, w10: v128, w01: v128, w11: v128, l: i32): v128 {
  return rgbPoint(elementAt(top, l), elementAt(bottom, l), broadcast(w00, l), broadcast(w10, l), broadcast(w01, l), broadcast(w11, l));
}

// transposeRows / transposeLow leave their other results here (wasm globals, not memory).
let transposed0: v128 = f32x4.splat(0);
let transposed1: v128 = f32x4.splat(0);
let transposed2: v128 = f32x4.splat(0);
let transposedLow1: v128 = f32x4.splat(0);

/** 4x4 transpose of rows a..d: column k in transposed{k} for k < 3; returns column 3. */
@inline function transposeRows(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab01 = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const cd01 = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  const ab23 = v128.shuffle<f32>(a, b, 2, 6, 3, 7);
  const cd23 = v128.shuffle<f32>(c, d, 2, 6, 3, 7);
  transposed0 = v128.shuffle<f32>(ab01, cd01, 0, 1, 4, 5);
  transposed1 = v128.shuffle<f32>(ab01, cd01, 2, 3, 6, 7);
  transposed2 = v128.shuffle<f32>(ab23, cd23, 0, 1, 4, 5);
  return v128.shuffle<f32>(ab23, cd23, 2, 3, 6, 7);
}

/** Transpose of the low two lanes of a..d: column 1 in transposedLow1; returns column 0. */
@inline function transposeLow(a: v128, b: v128, c: v128, d: v128): v128 {
  const ab = v128.shuffle<f32>(a, b, 0, 4, 1, 5);
  const cd = v128.shuffle<f32>(c, d, 0, 4, 1, 5);
  transposedLow1 = v128.shuffle<f32>(ab, cd, 2, 3, 6, 7);
  return v128.shuffle<f32>(ab, cd, 0, 1, 4, 5);
}

/** One channel of four points: the weighted taps, masked taps read as 0, NaN points as 0. */
@inline function mix(
  nw: v128, ne: v128, sw: v128, se: v128, m00: v128, m10: v128, m01: v128, m11: v128,
  w00: v128, w10: v128, w01: v128, w11: v128, valid: v128,
): v128 {
  const a = f32x4.add(f32x4.mul(w00, v128.and(nw, m00)), f32x4.mul(w10, v128.and(ne, m10)));
  const b = f32x4.add(f32x4.mul(w01, v128.and(sw, m01)), f32x4.mul(w11, v128.and(se, m11)));
  return v128.and(f32x4.add(a, b), valid);
}

// bilinearSetup leaves four grid points' bilinear geometry here, one point per lane.
let tapE: v128 = f32x4.splat(0); // distance from the west pixel
let tapS: v128 = f32x4.splat(0); // distance from the north pixel
let tapOE: v128 = f32x4.splat(0); // 1 - tapE
let tapOS: v128 = f32x4.splat(0); // 1 - tapS
let tapP00: v128 = i32x4.splat(0); // pixel index (y * W + x) of the north-west tap
let tapM00: v128 = i32x4.splat(0); // masks of the taps nw, ne, sw, se inside the image (and the point valid)
let tapM10: v128 = i32x4.splat(0);
let tapM01: v128 = i32x4.splat(0);
let tapM11: v128 = i32x4.splat(0);

/** The four taps of four points: distances, the north-west pixel and which taps are inside. */
@inline function bilinearSetup(ix: v128, iy: v128, valid: v128, W: i32, H: i32): void {
  const fx = f32x4.floor(ix);
  const fy = f32x4.floor(iy);
  const x0 = i32x4.trunc_sat_f32x4_s(fx);
  const y0 = i32x4.trunc_sat_f32x4_s(fy);
  const one = f32x4.splat(1);
  tapE = f32x4.sub(ix, fx);
  tapS = f32x4.sub(iy, fy);
  tapOE = f32x4.sub(one, tapE);
  tapOS = f32x4.sub(one, tapS);
  const Wv = i32x4.splat(W);
  const inX0 = i32x4.lt_u(x0, Wv);
  const inX1 = i32x4.lt_u(i32x4.add(x0, i32x4.splat(1)), Wv);
  const inY0 = v128.and(i32x4.lt_u(y0, i32x4.splat(H)), valid);
  const inY1 = v128.and(i32x4.lt_u(i32x4.add(y0, i32x4.splat(1)), i32x4.splat(H)), valid);
  tapP00 = i32x4.add(i32x4.mul(y0, Wv), x0);
  tapM00 = v128.and(inX0, inY0);
  tapM10 = v128.and(inX1, inY0);
  tapM01 = v128.and(inX0, inY1);
  tapM11 = v128.and(inX1, inY1);
}

/**
 * With one or three channels a tap and its east neighbour are adjacent (2C floats), so each row
 * of two taps loads at once (a pair). `top` / `bottom` hold the element index of each point's
 * west taps, 0 where neither tap of the row is inside (it reads pixel 0's pair, then drops it).
 * Only where a pair would start before the image or end after it (a corner) do the taps load one
 * by one. `lastPair` is lastPairStart's: a one-pixel image has no pair inside it.
 */
@inline function pairsInside(top: v128, bottom: v128, lastPair: v128): bool {
  return v128.all_true<i32>(v128.and(i32x4.le_u(top, lastPair), i32x4.le_u(bottom, lastPair)));
}

/** The element index of the last pair's west tap, in every lane; for H * W >= 2. */
@inline function lastPairStart(H: i32, W: i32): v128 {
  return i32x4.splat((H * W - 2) * channels);
}

// loadPairs leaves the east taps here (a wasm global, not memory).
let pairEast: v128 = f32x4.splat(0);

/** One channel: the four points' west taps of a row of pairs at element indices `row`; the east taps in pairEast. */
@inline function loadPairs(row: v128): v128 {
  const p01 = v128.load64_lane(elementAt(row, 1), v128.load64_zero(elementAt(row, 0)), 1);
  const p23 = v128.load64_lane(elementAt(row, 3), v128.load64_zero(elementAt(row, 2)), 1);
  pairEast = v128.shuffle<f32>(p01, p23, 1, 3, 5, 7);
  return v128.shuffle<f32>(p01, p23, 0, 2, 4, 6);
}

/**
 * Bilinear with fewer than four channels (the STN case has one): too few channels to fill the
 * lanes, so the four grid points go side by side in them instead, one channel at a time.
 * Needs H * W > 0.
 */
function bilinearFewChannels(
  ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32,
  outPtr: usize, dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128,
): void {
  bilinearSetup(ix, iy, valid, W, H);
  const e = tapE, s = tapS, oe = tapOE, os = tapOS;
  const m00 = tapM00, m10 = tapM10, m01 = tapM01, m11 = tapM11;
  const Wv = i32x4.splat(W);
  // Element index of channel 0 of each tap.
  const Cv = i32x4.splat(channels);
  const i00 = i32x4.mul(tapP00, Cv);
  const i10 = i32x4.add(i00, Cv);
  const i01 = i32x4.add(i00, i32x4.mul(Wv, Cv));
  const i11 = i32x4.add(i01, Cv);
  const w00 = f32x4.mul(oe, os);
  const w10 = f32x4.mul(e, os);
  const w01 = f32x4.mul(oe, s);
  const w11 = f32x4.mul(e, s);
  const stride = <usize>channels << 2;
  const top = v128.and(i00, v128.or(m00, m10));
  const bottom = v128.and(i01, v128.or(m01, m11));
  const pairs = (channels == 1 || (channels == 3 && !backward)) && H * W >= 2 && pairsInside(top, bottom, lastPairStart(H, W));
  if (pairs && channels == 3) {
    rgbPairsForward(top, bottom, m00, m10, m01, m11, w00, w10, w01, w11, valid, outPtr, count);
    return;
  }
  let dx = f32x4.splat(0);
  let dyy = f32x4.splat(0);
  for (let c = 0; c < channels; c++) {
    const base = inBase + (<usize>c << 2);
    let v00: v128, v10: v128, v01: v128, v11: v128;
    if (pairs) {
      v00 = v128.and(loadPairs(top), m00);
      v10 = v128.and(pairEast, m10);
      v01 = v128.and(loadPairs(bottom), m01);
      v11 = v128.and(pairEast, m11);
    } else {
      v00 = gather(base, i00, m00);
      v10 = gather(base, i10, m10);
      v01 = gather(base, i01, m01);
      v11 = gather(base, i11, m11);
    }
    if (!backward) {
      const out = f32x4.add(f32x4.add(f32x4.mul(w00, v00), f32x4.mul(w10, v10)), f32x4.add(f32x4.mul(w01, v01), f32x4.mul(w11, v11)));
      // A NaN point's weights are NaN: it reads 0.
      storeLanes(outPtr + (<usize>c << 2), stride, v128.and(out, valid), count);
      continue;
    }
    const dy = loadLanes(dyPtr + (<usize>c << 2), stride, count, 0);
    const cv = i32x4.splat(c);
    scatterAdd(i32x4.add(i00, cv), m00, f32x4.mul(w00, dy));
    scatterAdd(i32x4.add(i10, cv), m10, f32x4.mul(w10, dy));
    scatterAdd(i32x4.add(i01, cv), m01, f32x4.mul(w01, dy));
    scatterAdd(i32x4.add(i11, cv), m11, f32x4.mul(w11, dy));
    dx = f32x4.add(dx, f32x4.mul(dy, f32x4.add(f32x4.mul(os, f32x4.sub(v10, v00)), f32x4.mul(s, f32x4.sub(v11, v01)))));
    dyy = f32x4.add(dyy, f32x4.mul(dy, f32x4.add(f32x4.mul(oe, f32x4.sub(v01, v00)), f32x4.mul(e, f32x4.sub(v11, v10)))));
  }
  if (!backward) return;
  const zero = f32x4.splat(0);
  // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
  const gx = v128.bitselect(zero, f32x4.mul(dx, gxMult), f32x4.eq(gxMult, zero));
  const gy = v128.bitselect(zero, f32x4.mul(dyy, gyMult), f32x4.eq(gyMult, zero));
  storeLanes(dGridPtr, 4, v128.shuffle<f32>(gx, gy, 0, 4, 1, 5), count >= 2 ? 4 : count * 2);
  if (count > 2) storeLanes(dGridPtr + 16, 4, v128.shuffle<f32>(gx, gy, 2, 6, 3, 7), count == 4 ? 4 : 2);
}

/**
 * Forward bilinear with four or more channels: the four points' tap indices, masks and weights
 * computed side by side in the lanes, transposed to one vector per point, then one forwardTaps
 * channel pass per point. Needs H * W > 0.
 */
function bilinearForward(ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32, outPtr: usize): void {
  bilinearSetup(ix, iy, valid, W, H);
  const e = tapE, s = tapS, oe = tapOE, os = tapOS;
  const m00 = tapM00, m10 = tapM10, m01 = tapM01, m11 = tapM11;
  const Wv = i32x4.splat(W);
  const p00 = tapP00;
  // A NaN point's weights are NaN, so the weights are masked too (a point with no tap inside reads 0).
  const w00 = v128.and(f32x4.mul(oe, os), m00), w10 = v128.and(f32x4.mul(e, os), m10);
  const w01 = v128.and(f32x4.mul(oe, s), m01), w11 = v128.and(f32x4.mul(e, s), m11);
  const p3 = transposeRows(p00, i32x4.add(p00, i32x4.splat(1)), i32x4.add(p00, Wv), i32x4.add(p00, i32x4.splat(W + 1)));
  const p0 = transposed0, p1 = transposed1, p2 = transposed2;
  const v3 = transposeRows(w00, w10, w01, w11);
  const v0 = transposed0, v1 = transposed1, v2 = transposed2;
  const rowBytes = <usize>channels << 2;
  if (count == 4 && v128.all_true<i32>(v128.and(v128.and(m00, m10), v128.and(m01, m11)))) {
    // Every tap inside (the usual case): no masks.
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
  const k3 = transposeRows(m00, m10, m01, m11);
  const k0 = transposed0, k1 = transposed1, k2 = transposed2;
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
 * Half `half` (points 0-1 or 2-3) of a block of four grid points' (x, y) at `g`; in a short block
 * (count < 4) the missing points are NaN, which have no taps.
 */
@inline function loadGridHalf(g: usize, count: i32, half: i32): v128 {
  if (count == 4) return v128.load(g + (<usize>half << 4));
  if (half == 0) return loadLanes(g, 4, min(count * 2, 4), NaN);
  return count > 2 ? loadLanes(g + 16, 4, 2, NaN) : f32x4.splat(NaN);
}

/**
 * Forward bilinear with one or three channels over one batch item's `points`: the generic loop's
 * work for that case, with the state of a block of four points kept in registers. A short last
 * block, and blocks with a tap pair at an image corner, go through bilinearFewChannels; three
 * channels with all sixteen taps inside take rgbInsideForward. Inlined with constant padding and
 * alignCorners. Needs H * W >= 2.
 */
@inline function bilinearPairsForward(
  gridPtr: usize, points: i32, W: i32, H: i32, padding: i32, alignCorners: bool, outPtr: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const Cv = i32x4.splat(channels);
  const rowElements = i32x4.splat(W * channels);
  const lastPair = lastPairStart(H, W);
  for (let p = 0; p < points; p += 4) {
    const count = min(4, points - p);
    const xy0 = loadGridHalf(gridPtr + (<usize>p << 3), count, 0), xy1 = loadGridHalf(gridPtr + (<usize>p << 3), count, 1);
    const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
    const gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
    const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
    const ix = computeSourceIndex(gx, W, padding, alignCorners, true);
    const iy = computeSourceIndex(gy, H, padding, alignCorners, true);
    const o = outPtr + <usize>p * rowBytes;
    if (count < 4) {
      bilinearFewChannels(ix, iy, valid, W, H, count, o, 0, 0, valid, valid);
      continue;
    }
    bilinearSetup(ix, iy, valid, W, H);
    const m00 = tapM00, m10 = tapM10, m01 = tapM01, m11 = tapM11;
    const i00 = i32x4.mul(tapP00, Cv);
    const i01 = i32x4.add(i00, rowElements);
    const top = v128.and(i00, v128.or(m00, m10));
    const bottom = v128.and(i01, v128.or(m01, m11));
    if (!pairsInside(top, bottom, lastPair)) {
      bilinearFewChannels(ix, iy, valid, W, H, 4, o, 0, 0, valid, valid);
      continue;
    }
    const w00 = f32x4.mul(tapOE, tapOS), w10 = f32x4.mul(tapE, tapOS);
    const w01 = f32x4.mul(tapOE, tapS), w11 = f32x4.mul(tapE, tapS);
    if (channels == 3) {
      const allInside = v128.and(v128.and(m00, m10), v128.and(m01, m11));
      // rgbInsideForward's east taps read one float past their three: they must start before the last pair.
      if (v128.all_true<i32>(v128.and(allInside, v128.and(i32x4.lt_u(top, lastPair), i32x4.lt_u(bottom, lastPair))))) {
        rgbInsideForward(top, bottom, w00, w10, w01, w11, o);
      } else {
        rgbPairsForward(top, bottom, m00, m10, m01, m11, w00, w10, w01, w11, valid, o, 4);
      }
      continue;
    }
    const v00 = loadPairs(top), v10 = pairEast;
    const v01 = loadPairs(bottom), v11 = pairEast;
    v128.store(o, mix(v00, v10, v01, v11, m00, m10, m01, m11, w00, w10, w01, w11, valid));
  }
}

/** The generic loop's work for the point in lane `l` of a block whose first point is `first`. */
@inline function samplePoint(
  l: i32, first: usize, ix: v128, iy: v128, valid: v128, gxMult: v128, gyMult: v128,
  mode: i32, W: i32, H: i32, padding: i32, alignCorners: bool, hasPixels: bool,
  outputPtr: usize, dyPtr: usize, dGridPtr: usize,
): void {
  const rowBytes = <usize>channels << 2;
  const point = first + <usize>l;
  accDx = 0;
  accDy = 0;
  outRow = outputPtr + point * rowBytes;
  if (hasPixels && laneI(valid, l) != 0) {
    dyRow = dyPtr + point * rowBytes;
    const x = lane(ix, l);
    const y = lane(iy, l);
    if (mode == MODE_BILINEAR) sampleBilinear(x, y, W, H);
    else if (mode == MODE_NEAREST) sampleNearest(x, y, W, H);
    else sampleBicubic(x, y, W, H, padding, alignCorners);
  } else if (!backward && !accumulate) {
    memory.fill(outRow, 0, rowBytes); // a point without taps reads 0
  }
  if (backward) {
    // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
    const mx = lane(gxMult, l);
    const my = lane(gyMult, l);
    const d = dGridPtr + (point << 3);
    store<f32>(d, mx == 0 ? <f32>0 : accDx * mx);
    store<f32>(d, my == 0 ? <f32>0 : accDy * my, 4);
  }
}

/**
 * input [N,H,W,C], grid [N,Ho,Wo,2] (as `points` = Ho*Wo per batch item).
 * Forward (isBackward false): writes output [N,Ho,Wo,C].
 * Backward: reads dy [N,Ho,Wo,C], writes dInput [N,H,W,C] and dGrid [N,Ho,Wo,2].
 * Pointers are byte offsets; an unused one is 0.
 */
export function gridSample(
  inputPtr: usize, N: i32, H: i32, W: i32, C: i32,
  gridPtr: usize, points: i32,
  mode: i32, padding: i32, alignCorners: bool,
  isBackward: bool, outputPtr: usize, dyPtr: usize, dInputPtr: usize, dGridPtr: usize,
): void {
  channels = C;
  backward = isBackward;
  const rowBytes = (<usize>C) << 2;
  const imageBytes = <usize>H * <usize>W * rowBytes;
  const padBeforeTaps = mode != MODE_BICUBIC;
  // An empty image has no taps: every sample reads 0 (outputs are zero-filled) and d(grid) is 0.
  const hasPixels = H > 0 && W > 0;
  // Side by side in the lanes wins below four channels, forward and backward (measured: 1.4x
  // tapGroup's per-tap rows for 2-3 channels backward, though it scatters lane by lane).
  const lanesTogether = mode == MODE_BILINEAR && hasPixels && C < 4;
  // Four or more channels, bilinear forward: the four points' taps and weights as vectors, then
  // one channel pass per point (bilinearForward).
  const pointsTogether = mode == MODE_BILINEAR && hasPixels && C >= 4 && !isBackward;
  // Backward scatters into dInput and bicubic accumulates its four row groups into the output:
  // both start from zero. Bilinear and nearest forward write every output element themselves.
  accumulate = mode == MODE_BICUBIC;
  if (isBackward) memory.fill(dInputPtr, 0, imageBytes * <usize>N);
  else if (accumulate) memory.fill(outputPtr, 0, rowBytes * <usize>points * <usize>N);
  const nan = f32x4.splat(NaN);
  const pairsLoop = mode == MODE_BILINEAR && !isBackward && (C == 1 || C == 3) && H * W >= 2;
  for (let n = 0; n < N; n++) {
    inBase = inputPtr + <usize>n * imageBytes;
    dInBase = dInputPtr + <usize>n * imageBytes;
    if (pairsLoop) {
      const g = gridPtr + ((<usize>n * <usize>points) << 3);
      const o = outputPtr + <usize>n * <usize>points * rowBytes;
      // The usual case gets its own copy, its coordinate math folded to constants.
      if (padding == PADDING_ZEROS && !alignCorners) bilinearPairsForward(g, points, W, H, PADDING_ZEROS, false, o);
      else bilinearPairsForward(g, points, W, H, padding, alignCorners, o);
      continue;
    }
    for (let p = 0; p < points; p += 4) {
      const count = min(4, points - p);
      const first = <usize>n * <usize>points + <usize>p;
      const xy0 = loadGridHalf(gridPtr + (first << 3), count, 0), xy1 = loadGridHalf(gridPtr + (first << 3), count, 1);
      const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
      const gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
      const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
      let ix: v128, iy: v128, gxMult = nan, gyMult = nan;
      if (isBackward) {
        ix = computeSourceIndexWithGrad(gx, W, padding, alignCorners, padBeforeTaps);
        gxMult = v128.and(gradIn, valid);
        iy = computeSourceIndexWithGrad(gy, H, padding, alignCorners, padBeforeTaps);
        gyMult = v128.and(gradIn, valid);
      } else {
        ix = computeSourceIndex(gx, W, padding, alignCorners, padBeforeTaps);
        iy = computeSourceIndex(gy, H, padding, alignCorners, padBeforeTaps);
      }
      if (lanesTogether) {
        bilinearFewChannels(ix, iy, valid, W, H, count,
          outputPtr + first * rowBytes, dyPtr + first * rowBytes, dGridPtr + (first << 3), gxMult, gyMult);
        continue;
      }
      if (pointsTogether) {
        bilinearForward(ix, iy, valid, W, H, count, outputPtr + first * rowBytes);
        continue;
      }
      // One point at a time, written out so that the lane numbers are constants.
      samplePoint(0, first, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
      if (count > 1) samplePoint(1, first, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
      if (count > 2) samplePoint(2, first, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
      if (count > 3) samplePoint(3, first, ix, iy, valid, gxMult, gyMult, mode, W, H, padding, alignCorners, hasPixels, outputPtr, dyPtr, dGridPtr);
    }
  }
}
