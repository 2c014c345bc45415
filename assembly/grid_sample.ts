// gridSample forward and backward on NHWC float32 tensors, PyTorch's semantics (see coords.ts).
//
// One loop over the grid serves forward and backward. It takes the grid four points at a time:
// computeSourceIndexWithGrad turns their coordinates into pixel coordinates (and derivatives) in
// one f32x4 each. Then each point's taps (1 for nearest, 4 for bilinear, 16 for bicubic) carry a
// weight w and dw/dx, dw/dy, and
//   forward   out[c]      += w * in[tap, c]
//   backward  dIn[tap, c] += w * dy[c];  dot = sum_c dy[c] * in[tap, c];  dx += dot * dw/dx
// with the channel loops on f32x4 lanes (channels are contiguous in NHWC). Single-channel
// bilinear, the STN case, instead runs the four points side by side in the lanes
// (bilinearSingleChannel). A grid point with a NaN coordinate has no taps: it reads 0 and has no
// gradient. Taps outside the input are skipped, so nothing is read or written outside the buffers.
import { computeCoordinates, computeSourceIndexWithGrad, cubicWeights, cubicWeightsWithGrad, gradIn } from './coords';

export const MODE_BILINEAR: i32 = 0;
export const MODE_NEAREST: i32 = 1;
export const MODE_BICUBIC: i32 = 2;

// The current point's rows, set once per point (wasm globals, not memory).
let inBase: usize = 0; // input image of this batch item
let outRow: usize = 0; // forward: output pixel
let dyRow: usize = 0; // backward: incoming gradient of the output pixel
let dInBase: usize = 0; // backward: dInput image of this batch item
let channels: i32 = 0;
let backward: bool = false;
let accDx: f32 = 0;
let accDy: f32 = 0;

@inline function lane(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

@inline function laneI(v: v128, i: i32): i32 {
  return i == 0 ? i32x4.extract_lane(v, 0) : i == 1 ? i32x4.extract_lane(v, 1) : i == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

/** Reads (forward) or scatters into (backward) one input pixel: `pixel` = y * W + x. */
@inline function tap(pixel: i32, w: f32, dwdx: f32, dwdy: f32): void {
  const offset = (<usize>pixel * <usize>channels) << 2;
  const src = inBase + offset;
  let c = 0;
  if (!backward) {
    const wv = f32x4.splat(w);
    for (; c + 4 <= channels; c += 4) {
      const o = outRow + (<usize>c << 2);
      v128.store(o, f32x4.add(v128.load(o), f32x4.mul(wv, v128.load(src + (<usize>c << 2)))));
    }
    for (; c < channels; c++) {
      const o = outRow + (<usize>c << 2);
      store<f32>(o, load<f32>(o) + w * load<f32>(src + (<usize>c << 2)));
    }
    return;
  }
  const dst = dInBase + offset;
  const wv = f32x4.splat(w);
  let dotv = f32x4.splat(0);
  for (; c + 4 <= channels; c += 4) {
    const k = <usize>c << 2;
    const d = v128.load(dyRow + k);
    dotv = f32x4.add(dotv, f32x4.mul(d, v128.load(src + k)));
    v128.store(dst + k, f32x4.add(v128.load(dst + k), f32x4.mul(wv, d)));
  }
  let dot = f32x4.extract_lane(dotv, 0) + f32x4.extract_lane(dotv, 1) + f32x4.extract_lane(dotv, 2) + f32x4.extract_lane(dotv, 3);
  for (; c < channels; c++) {
    const k = <usize>c << 2;
    const d = load<f32>(dyRow + k);
    dot += d * load<f32>(src + k);
    store<f32>(dst + k, load<f32>(dst + k) + w * d);
  }
  accDx += dot * dwdx;
  accDy += dot * dwdy;
}

@inline function tapIfInside(x: i32, y: i32, W: i32, H: i32, w: f32, dwdx: f32, dwdy: f32): void {
  if (<u32>x < <u32>W && <u32>y < <u32>H) tap(y * W + x, w, dwdx, dwdy);
}

function sampleNearest(ix: f32, iy: f32, W: i32, H: i32): void {
  // f32.nearest rounds half to even, as PyTorch's nearbyint does.
  tapIfInside(<i32>nearest<f32>(ix), <i32>nearest<f32>(iy), W, H, 1, 0, 0);
}

function sampleBilinear(ix: f32, iy: f32, W: i32, H: i32): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const x0 = <i32>fx;
  const y0 = <i32>fy;
  const e = ix - fx; // distance from the west pixel
  const s = iy - fy; // distance from the north pixel
  tapIfInside(x0, y0, W, H, (1 - e) * (1 - s), -(1 - s), -(1 - e));
  tapIfInside(x0 + 1, y0, W, H, e * (1 - s), 1 - s, -e);
  tapIfInside(x0, y0 + 1, W, H, (1 - e) * s, -s, 1 - e);
  tapIfInside(x0 + 1, y0 + 1, W, H, e * s, s, e);
}

function sampleBicubic(ix: f32, iy: f32, W: i32, H: i32, padding: i32, alignCorners: bool): void {
  const fx = Mathf.floor(ix);
  const fy = Mathf.floor(iy);
  const cx = cubicWeights(ix - fx);
  const cy = cubicWeights(iy - fy);
  const gx = cubicWeightsWithGrad(ix - fx);
  const gy = cubicWeightsWithGrad(iy - fy);
  // Bicubic pads every tap (PyTorch's get_value_bounded); padded positions are integers.
  const steps = f32x4(-1, 0, 1, 2);
  const xs = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fx), steps), W, padding, alignCorners));
  const ys = i32x4.trunc_sat_f32x4_s(computeCoordinates(f32x4.add(f32x4.splat(fy), steps), H, padding, alignCorners));
  for (let i = 0; i < 4; i++) {
    const y = laneI(ys, i);
    const wy = lane(cy, i);
    const dwy = lane(gy, i);
    for (let j = 0; j < 4; j++) {
      const wx = lane(cx, j);
      tapIfInside(laneI(xs, j), y, W, H, wy * wx, wy * lane(gx, j), dwy * wx);
    }
  }
}

/** input[idx] in the lanes where `mask` is set, else 0 (masked lanes read pixel 0, then drop it). */
@inline function gather(idx: v128, mask: v128): v128 {
  const i = v128.and(idx, mask);
  let v = f32x4.splat(load<f32>(inBase + (<usize>i32x4.extract_lane(i, 0) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(inBase + (<usize>i32x4.extract_lane(i, 1) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(inBase + (<usize>i32x4.extract_lane(i, 2) << 2)));
  v = f32x4.replace_lane(v, 3, load<f32>(inBase + (<usize>i32x4.extract_lane(i, 3) << 2)));
  return v128.and(v, mask);
}

/** dInput[idx] += value in the lanes where `mask` is set, one lane at a time (lanes may collide). */
@inline function scatterAdd(idx: v128, mask: v128, value: v128): void {
  for (let l = 0; l < 4; l++) {
    if (laneI(mask, l) != 0) {
      const p = dInBase + (<usize>laneI(idx, l) << 2);
      store<f32>(p, load<f32>(p) + lane(value, l));
    }
  }
}

@inline function storeLanes(ptr: usize, v: v128, count: i32): void {
  if (count == 4) {
    v128.store(ptr, v);
    return;
  }
  for (let l = 0; l < count; l++) store<f32>(ptr + (<usize>l << 2), lane(v, l));
}

@inline function loadLanes(ptr: usize, count: i32, fill: f32): v128 {
  if (count == 4) return v128.load(ptr);
  let v = f32x4.splat(fill);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr, 8));
  return v;
}

/** Bilinear, one channel: four grid points side by side in the lanes (H * W > 0). */
function bilinearSingleChannel(
  ix: v128, iy: v128, valid: v128, W: i32, H: i32, count: i32,
  outPtr: usize, dyPtr: usize, dGridPtr: usize, gxMult: v128, gyMult: v128,
): void {
  const fx = f32x4.floor(ix);
  const fy = f32x4.floor(iy);
  const x0 = i32x4.trunc_sat_f32x4_s(fx);
  const y0 = i32x4.trunc_sat_f32x4_s(fy);
  const one = f32x4.splat(1);
  const e = f32x4.sub(ix, fx); // distance from the west pixel
  const s = f32x4.sub(iy, fy); // distance from the north pixel
  const oe = f32x4.sub(one, e);
  const os = f32x4.sub(one, s);
  const Wv = i32x4.splat(W);
  const Hv = i32x4.splat(H);
  const inX0 = i32x4.lt_u(x0, Wv);
  const inX1 = i32x4.lt_u(i32x4.add(x0, i32x4.splat(1)), Wv);
  const inY0 = v128.and(i32x4.lt_u(y0, Hv), valid);
  const inY1 = v128.and(i32x4.lt_u(i32x4.add(y0, i32x4.splat(1)), Hv), valid);
  const m00 = v128.and(inX0, inY0);
  const m10 = v128.and(inX1, inY0);
  const m01 = v128.and(inX0, inY1);
  const m11 = v128.and(inX1, inY1);
  const i00 = i32x4.add(i32x4.mul(y0, Wv), x0);
  const i10 = i32x4.add(i00, i32x4.splat(1));
  const i01 = i32x4.add(i00, Wv);
  const i11 = i32x4.add(i01, i32x4.splat(1));
  const v00 = gather(i00, m00);
  const v10 = gather(i10, m10);
  const v01 = gather(i01, m01);
  const v11 = gather(i11, m11);
  const w00 = f32x4.mul(oe, os);
  const w10 = f32x4.mul(e, os);
  const w01 = f32x4.mul(oe, s);
  const w11 = f32x4.mul(e, s);
  if (!backward) {
    let out = f32x4.add(f32x4.add(f32x4.mul(w00, v00), f32x4.mul(w10, v10)), f32x4.add(f32x4.mul(w01, v01), f32x4.mul(w11, v11)));
    out = v128.and(out, valid); // a NaN point's weights are NaN: it reads 0
    storeLanes(outPtr, out, count);
    return;
  }
  const dy = loadLanes(dyPtr, count, 0);
  scatterAdd(i00, m00, f32x4.mul(w00, dy));
  scatterAdd(i10, m10, f32x4.mul(w10, dy));
  scatterAdd(i01, m01, f32x4.mul(w01, dy));
  scatterAdd(i11, m11, f32x4.mul(w11, dy));
  const dx = f32x4.mul(dy, f32x4.add(f32x4.mul(os, f32x4.sub(v10, v00)), f32x4.mul(s, f32x4.sub(v11, v01))));
  const dyy = f32x4.mul(dy, f32x4.add(f32x4.mul(oe, f32x4.sub(v01, v00)), f32x4.mul(e, f32x4.sub(v11, v10))));
  const zero = f32x4.splat(0);
  // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
  const gx = v128.bitselect(zero, f32x4.mul(dx, gxMult), f32x4.eq(gxMult, zero));
  const gy = v128.bitselect(zero, f32x4.mul(dyy, gyMult), f32x4.eq(gyMult, zero));
  storeLanes(dGridPtr, v128.shuffle<f32>(gx, gy, 0, 4, 1, 5), count >= 2 ? 4 : count * 2);
  if (count > 2) storeLanes(dGridPtr + 16, v128.shuffle<f32>(gx, gy, 2, 6, 3, 7), count == 4 ? 4 : 2);
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
  if (isBackward) memory.fill(dInputPtr, 0, imageBytes * <usize>N);
  else memory.fill(outputPtr, 0, rowBytes * <usize>points * <usize>N);
  const padBeforeTaps = mode != MODE_BICUBIC;
  const lanesTogether = mode == MODE_BILINEAR && C == 1 && H > 0 && W > 0;
  const nan = f32x4.splat(NaN);
  for (let n = 0; n < N; n++) {
    inBase = inputPtr + <usize>n * imageBytes;
    dInBase = dInputPtr + <usize>n * imageBytes;
    for (let p = 0; p < points; p += 4) {
      const count = min(4, points - p);
      const first = <usize>n * <usize>points + <usize>p;
      // Four (x, y) pairs; a short last block is padded with NaN, which has no taps.
      const g = gridPtr + (first << 3);
      const xy0 = count == 4 ? v128.load(g) : loadLanes(g, min(count * 2, 4), NaN);
      const xy1 = count == 4 ? v128.load(g, 16) : count > 2 ? loadLanes(g + 16, 2, NaN) : nan;
      const gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
      const gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
      const valid = v128.and(f32x4.eq(gx, gx), f32x4.eq(gy, gy));
      const ix = computeSourceIndexWithGrad(gx, W, padding, alignCorners, padBeforeTaps);
      const gxMult = v128.and(gradIn, valid);
      const iy = computeSourceIndexWithGrad(gy, H, padding, alignCorners, padBeforeTaps);
      const gyMult = v128.and(gradIn, valid);
      if (lanesTogether) {
        bilinearSingleChannel(ix, iy, valid, W, H, count,
          outputPtr + (first << 2), dyPtr + (first << 2), dGridPtr + (first << 3), gxMult, gyMult);
        continue;
      }
      for (let l = 0; l < count; l++) {
        const point = first + <usize>l;
        accDx = 0;
        accDy = 0;
        if (laneI(valid, l) != 0) {
          outRow = outputPtr + point * rowBytes;
          dyRow = dyPtr + point * rowBytes;
          const x = lane(ix, l);
          const y = lane(iy, l);
          if (mode == MODE_BILINEAR) sampleBilinear(x, y, W, H);
          else if (mode == MODE_NEAREST) sampleNearest(x, y, W, H);
          else sampleBicubic(x, y, W, H, padding, alignCorners);
        }
        if (isBackward) {
          // Where the coordinate chain has gradient 0 (NaN, clamped or clipped), d(grid) is exactly 0.
          const mx = lane(gxMult, l);
          const my = lane(gyMult, l);
          const d = dGridPtr + (point << 3);
          store<f32>(d, mx == 0 ? <f32>0 : accDx * mx);
          store<f32>(d, my == 0 ? <f32>0 : accDy * my, 4);
        }
      }
    }
  }
}
