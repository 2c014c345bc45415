// conv2d forward on NHWC:
//
//   out[b, oh, ow, co] = sum over (kh, kw, ci) of x[b, oh*sh + kh*dh, ow*sw + kw*dw, ci] * W[kh, kw, ci, co]
//
// with x already padded (the caller copies it with placeNHWC when the convolution pads), so every
// window lies inside it. Seen as a matrix product, W is a K x Co matrix (K = Kh*Kw*Ci rows, in
// memory order) and each output position a row of K values of x at fixed offsets from its window's
// corner. A tile of 4 positions along a row x 8 output channels lives in eight f32x4 registers
// while the K rows of W stream by. Positions past the row's end repeat the last one (they read
// valid memory and store the same value); channels past a multiple of 4 use partial loads and
// stores, so nothing is read or written outside the buffers.

import { loadPartial, storePartial } from './partial';

/**
 * The filter's geometry, passed to the inlined tile as locals (wasm globals would be re-read in its
 * loop): Kh x Kw taps of Ci channels; rowStep bytes from one filter row's taps to the next (dh
 * rows of x), colStep from one tap to the next (dw pixels), wRowBytes per row of W (Co floats).
 */
/**
 * One tile: positions whose windows start at x0..x3, output channels col..col+cols (cols = 8, 4,
 * or 1..3 partial), written to o0..o3. W rows are read from w + col.
 */
@inline function tile(cols: i32, x0: usize, x1: usize, x2: usize, x3: usize, w: usize, o0: usize, o1: usize, o2: usize, o3: usize,
  Kh: i32, Kw: i32, Ci: i32, rowStep: usize, colStep: usize, wRowBytes: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  let c0 = f32x4.splat(0), c1 = f32x4.splat(0), c2 = f32x4.splat(0), c3 = f32x4.splat(0);
  const wide = cols > 8; // 8 full columns and a partial vector of cols - 8 (1..4)
  const tail = cols - 8;
  let tap: usize = 0;
  for (let kh = 0; kh < Kh; kh++) {
    let t = tap;
    for (let kw = 0; kw < Kw; kw++) {
      for (let ci = 0; ci < Ci; ci++) {
        const k = t + (<usize>ci << 2);
        const w0 = cols >= 4 ? v128.load(w) : loadPartial(w, cols);
        const v0 = v128.load32_splat(x0 + k), v1 = v128.load32_splat(x1 + k);
        const v2 = v128.load32_splat(x2 + k), v3 = v128.load32_splat(x3 + k);
        a0 = f32x4.add(a0, f32x4.mul(v0, w0)); a1 = f32x4.add(a1, f32x4.mul(v1, w0));
        a2 = f32x4.add(a2, f32x4.mul(v2, w0)); a3 = f32x4.add(a3, f32x4.mul(v3, w0));
        if (cols >= 8) {
          const w1 = v128.load(w, 16);
          b0 = f32x4.add(b0, f32x4.mul(v0, w1)); b1 = f32x4.add(b1, f32x4.mul(v1, w1));
          b2 = f32x4.add(b2, f32x4.mul(v2, w1)); b3 = f32x4.add(b3, f32x4.mul(v3, w1));
        }
        if (wide) {
          const w2 = tail == 4 ? v128.load(w, 32) : loadPartial(w + 32, tail);
          c0 = f32x4.add(c0, f32x4.mul(v0, w2)); c1 = f32x4.add(c1, f32x4.mul(v1, w2));
          c2 = f32x4.add(c2, f32x4.mul(v2, w2)); c3 = f32x4.add(c3, f32x4.mul(v3, w2));
        }
        w += wRowBytes;
      }
      t += colStep;
    }
    tap += rowStep;
  }
  if (cols >= 4) {
    v128.store(o0, a0); v128.store(o1, a1); v128.store(o2, a2); v128.store(o3, a3);
  } else {
    storePartial(o0, a0, cols); storePartial(o1, a1, cols); storePartial(o2, a2, cols); storePartial(o3, a3, cols);
  }
  if (cols >= 8) {
    v128.store(o0, b0, 16); v128.store(o1, b1, 16); v128.store(o2, b2, 16); v128.store(o3, b3, 16);
  }
  if (wide && tail == 4) {
    v128.store(o0, c0, 32); v128.store(o1, c1, 32); v128.store(o2, c2, 32); v128.store(o3, c3, 32);
  } else if (wide) {
    storePartial(o0 + 32, c0, tail); storePartial(o1 + 32, c1, tail); storePartial(o2 + 32, c2, tail); storePartial(o3 + 32, c3, tail);
  }
}

/**
 * out [N, Ho, Wo, Co] from x (padded: image stride xImageStride floats, row stride xRowStride
 * floats, Ci channels) and W [Kh, Kw, Ci, Co]. Strides sh, sw; dilations dh, dw.
 */
export function conv2d(
  xPtr: usize, xImageStride: i32, xRowStride: i32, Ci: i32,
  wPtr: usize, Kh: i32, Kw: i32, Co: i32,
  N: i32, Ho: i32, Wo: i32, sh: i32, sw: i32, dh: i32, dw: i32, outPtr: usize,
): void {
  const rowStep = <usize>(dh * xRowStride) << 2;
  const colStep = <usize>(dw * Ci) << 2;
  const wRowBytes = <usize>Co << 2;
  const posStep = <usize>(sw * Ci) << 2;
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < Ho; oh++) {
      const xRow = xPtr + (<usize>(b * xImageStride + oh * sh * xRowStride) << 2);
      const oRow = outPtr + ((<usize>((b * Ho + oh) * Wo) * <usize>Co) << 2);
      for (let ow = 0; ow < Wo; ow += 4) {
        const p1 = min(ow + 1, Wo - 1), p2 = min(ow + 2, Wo - 1), p3 = min(ow + 3, Wo - 1);
        const x0 = xRow + <usize>ow * posStep, x1 = xRow + <usize>p1 * posStep;
        const x2 = xRow + <usize>p2 * posStep, x3 = xRow + <usize>p3 * posStep;
        const o0 = oRow + <usize>ow * wRowBytes, o1 = oRow + <usize>p1 * wRowBytes;
        const o2 = oRow + <usize>p2 * wRowBytes, o3 = oRow + <usize>p3 * wRowBytes;
        // Column tiles of 8; the last 9..12 columns in one wide tile, 1..7 in a 4 and a partial one.
        let c = 0;
        for (; c + 8 <= Co && Co - c != 9 && Co - c != 10 && Co - c != 11 && Co - c != 12; c += 8) {
          const cb = <usize>c << 2;
          tile(8, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        }
        const rest = Co - c;
        const cb = <usize>c << 2;
        if (rest == 12) tile(12, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        else if (rest == 11) tile(11, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        else if (rest == 10) tile(10, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        else if (rest == 9) tile(9, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        else {
          if (rest >= 4) tile(4, x0, x1, x2, x3, wPtr + cb, o0 + cb, o1 + cb, o2 + cb, o3 + cb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
          const r = rest & 3;
          const rb = cb + (<usize>(rest & 4) << 2);
          if (r == 3) tile(3, x0, x1, x2, x3, wPtr + rb, o0 + rb, o1 + rb, o2 + rb, o3 + rb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
          else if (r == 2) tile(2, x0, x1, x2, x3, wPtr + rb, o0 + rb, o1 + rb, o2 + rb, o3 + rb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
          else if (r == 1) tile(1, x0, x1, x2, x3, wPtr + rb, o0 + rb, o1 + rb, o2 + rb, o3 + rb, Kh, Kw, Ci, rowStep, colStep, wRowBytes);
        }
      }
    }
  }
}
