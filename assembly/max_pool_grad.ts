// maxPoolGrad on NHWC: each output's dy goes to the first maximum of its window (strictly greater
// than everything before it, starting from -Infinity, as tfjs's cpu backend picks it; a window of
// NaN or -Infinity only passes nothing). Four channels at a time: the window scan keeps the best
// value and its pixel index per lane, then the lanes scatter into dx.

/** Scans one window for channels c..c+3 and adds dy into dx at each lane's maximum. */
@inline function window4(x: usize, dx: usize, dy: usize, C: i32, W: i32, r0: i32, r1: i32, c0: i32, c1: i32, dh: i32, dw: i32): void {
  let best = f32x4.splat(-Infinity);
  let pos = i32x4.splat(-1);
  for (let r = r0; r < r1; r += dh) {
    for (let col = c0; col < c1; col += dw) {
      const pixel = r * W + col;
      const v = v128.load(x + (<usize>(pixel * C) << 2));
      const gt = f32x4.gt(v, best);
      best = v128.bitselect(v, best, gt);
      pos = v128.bitselect(i32x4.splat(pixel), pos, gt);
    }
  }
  const d = v128.load(dy);
  scatter(dx, C, i32x4.extract_lane(pos, 0), f32x4.extract_lane(d, 0), 0);
  scatter(dx, C, i32x4.extract_lane(pos, 1), f32x4.extract_lane(d, 1), 1);
  scatter(dx, C, i32x4.extract_lane(pos, 2), f32x4.extract_lane(d, 2), 2);
  scatter(dx, C, i32x4.extract_lane(pos, 3), f32x4.extract_lane(d, 3), 3);
}

@inline function scatter(dx: usize, C: i32, pixel: i32, g: f32, lane: i32): void {
  if (pixel < 0) return;
  const p = dx + (<usize>(pixel * C + lane) << 2);
  store<f32>(p, load<f32>(p) + g);
}

/** One channel of one window (the channels past a multiple of 4). */
@inline function window1(x: usize, dx: usize, dy: usize, C: i32, W: i32, r0: i32, r1: i32, c0: i32, c1: i32, dh: i32, dw: i32): void {
  let best: f32 = -Infinity;
  let pos = -1;
  for (let r = r0; r < r1; r += dh) {
    for (let col = c0; col < c1; col += dw) {
      const pixel = r * W + col;
      const v = load<f32>(x + (<usize>(pixel * C) << 2));
      if (v > best) {
        best = v;
        pos = pixel;
      }
    }
  }
  scatter(dx, C, pos, load<f32>(dy), 0);
}

/** The first of start, start + step, ... that is >= 0. */
@inline function firstInRange(start: i32, step: i32): i32 {
  return start >= 0 ? start : start + ((-start + step - 1) / step) * step;
}

/**
 * dx [N, H, W, C] from x [N, H, W, C] and dy [N, Ho, Wo, C]: windows of effective size
 * effH x effW (taps every dh, dw), strides sh, sw, padding top, left.
 */
export function maxPoolGrad(
  xPtr: usize, dyPtr: usize, dxPtr: usize, N: i32, H: i32, W: i32, C: i32, Ho: i32, Wo: i32,
  effH: i32, effW: i32, sh: i32, sw: i32, dh: i32, dw: i32, top: i32, left: i32,
): void {
  const image = <usize>(H * W * C) << 2;
  memory.fill(dxPtr, 0, <usize>N * image);
  for (let b = 0; b < N; b++) {
    const x = xPtr + <usize>b * image;
    const dx = dxPtr + <usize>b * image;
    for (let oh = 0; oh < Ho; oh++) {
      const rc = oh * sh - top;
      const r0 = firstInRange(rc, dh);
      const r1 = min(H, rc + effH);
      for (let ow = 0; ow < Wo; ow++) {
        const cc = ow * sw - left;
        const c0 = firstInRange(cc, dw);
        const c1 = min(W, cc + effW);
        const dy = dyPtr + (<usize>(((b * Ho + oh) * Wo + ow) * C) << 2);
        let c = 0;
        for (; c + 4 <= C; c += 4) window4(x + (<usize>c << 2), dx + (<usize>c << 2), dy + (<usize>c << 2), C, W, r0, r1, c0, c1, dh, dw);
        for (; c < C; c++) window1(x + (<usize>c << 2), dx + (<usize>c << 2), dy + (<usize>c << 2), C, W, r0, r1, c0, c1, dh, dw);
      }
    }
  }
}
