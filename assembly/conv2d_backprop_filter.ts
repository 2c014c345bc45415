// conv2dBackpropFilter: the filter gradient of an NHWC conv2d, which tfjs-backend-wasm 4.22 lacks.
//
//   dW[kh, kw, ci, co] = sum over (b, oh, ow) of x[b, oh*sh + kh*dh, ow*sw + kw*dw, ci] * dy[b, oh, ow, co]
//
// x here is already padded (the caller copies it with placeNHWC when the convolution pads), so every
// window lies inside it and the loops need no bounds checks. Seen as a matrix product, dW is a
// K x Co matrix (K = Kh*Kw*Ci rows, each row one (kh, kw, ci) at a fixed offset from the window's
// corner) accumulated over the positions. A tile of 4 rows x 8 columns lives in eight f32x4
// registers while the positions of one image stream by (the image's x and dy stay in L1). Rows
// past K repeat the last row (they read valid memory and store the same value), columns past a
// multiple of 4 are loaded and stored with partial loads, so nothing is read or written outside
// the buffers.

import { loadPartial, storePartial } from './partial';

/** Byte offset of row j = (kh, kw, ci) from the window's corner, clamped to the last row. */
@inline function rowOffset(j: i32, K: i32, Ci: i32, Kw: i32, rowStep: i32, colStep: i32): usize {
  const r = min(j, K - 1);
  const ci = r % Ci;
  const kw = (r / Ci) % Kw;
  const kh = r / (Ci * Kw);
  return <usize>(kh * rowStep + kw * colStep + ci) << 2;
}

// The tiles are inlined and get the image's geometry as parameters (locals; wasm globals would be
// re-read in their loops): xImage and dyImage, the image's x and dy; Ho x Wo positions; xOhStep
// bytes from one output row's windows to the next, xOwStep from one window to the next along a
// row, dyPosStep per dy position (Co floats).

/** Adds this image's contribution to a 4-row x 8-column tile of dW. */
@inline function tile8(o0: usize, o1: usize, o2: usize, o3: usize, w0: usize, w1: usize, w2: usize, w3: usize, col: usize,
  xImage: usize, dyImage: usize, Ho: i32, Wo: i32, xOhStep: usize, xOwStep: usize, dyPosStep: usize): void {
  let a0 = v128.load(w0 + col), b0 = v128.load(w0 + col, 16);
  let a1 = v128.load(w1 + col), b1 = v128.load(w1 + col, 16);
  let a2 = v128.load(w2 + col), b2 = v128.load(w2 + col, 16);
  let a3 = v128.load(w3 + col), b3 = v128.load(w3 + col, 16);
  let xr = xImage;
  let dp = dyImage + col;
  for (let oh = 0; oh < Ho; oh++) {
    let xp = xr;
    for (let ow = 0; ow < Wo; ow++) {
      const d0 = v128.load(dp), d1 = v128.load(dp, 16);
      const x0 = v128.load32_splat(xp + o0), x1 = v128.load32_splat(xp + o1);
      const x2 = v128.load32_splat(xp + o2), x3 = v128.load32_splat(xp + o3);
      a0 = f32x4.add(a0, f32x4.mul(x0, d0)); b0 = f32x4.add(b0, f32x4.mul(x0, d1));
      a1 = f32x4.add(a1, f32x4.mul(x1, d0)); b1 = f32x4.add(b1, f32x4.mul(x1, d1));
      a2 = f32x4.add(a2, f32x4.mul(x2, d0)); b2 = f32x4.add(b2, f32x4.mul(x2, d1));
      a3 = f32x4.add(a3, f32x4.mul(x3, d0)); b3 = f32x4.add(b3, f32x4.mul(x3, d1));
      xp += xOwStep;
      dp += dyPosStep;
    }
    xr += xOhStep;
  }
  // Clamped rows share an address with the last row and hold the same value: the order is moot.
  v128.store(w0 + col, a0); v128.store(w0 + col, b0, 16);
  v128.store(w1 + col, a1); v128.store(w1 + col, b1, 16);
  v128.store(w2 + col, a2); v128.store(w2 + col, b2, 16);
  v128.store(w3 + col, a3); v128.store(w3 + col, b3, 16);
}

/** Adds this image's contribution to a 4-row x n-column tile of dW (n = 1..4). */
@inline function tile4(o0: usize, o1: usize, o2: usize, o3: usize, w0: usize, w1: usize, w2: usize, w3: usize, col: usize, n: i32,
  xImage: usize, dyImage: usize, Ho: i32, Wo: i32, xOhStep: usize, xOwStep: usize, dyPosStep: usize): void {
  const full = n == 4;
  let a0 = full ? v128.load(w0 + col) : loadPartial(w0 + col, n);
  let a1 = full ? v128.load(w1 + col) : loadPartial(w1 + col, n);
  let a2 = full ? v128.load(w2 + col) : loadPartial(w2 + col, n);
  let a3 = full ? v128.load(w3 + col) : loadPartial(w3 + col, n);
  let xr = xImage;
  let dp = dyImage + col;
  for (let oh = 0; oh < Ho; oh++) {
    let xp = xr;
    for (let ow = 0; ow < Wo; ow++) {
      const d = full ? v128.load(dp) : loadPartial(dp, n);
      a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(xp + o0), d));
      a1 = f32x4.add(a1, f32x4.mul(v128.load32_splat(xp + o1), d));
      a2 = f32x4.add(a2, f32x4.mul(v128.load32_splat(xp + o2), d));
      a3 = f32x4.add(a3, f32x4.mul(v128.load32_splat(xp + o3), d));
      xp += xOwStep;
      dp += dyPosStep;
    }
    xr += xOhStep;
  }
  if (full) {
    v128.store(w0 + col, a0); v128.store(w1 + col, a1); v128.store(w2 + col, a2); v128.store(w3 + col, a3);
  } else {
    storePartial(w0 + col, a0, n); storePartial(w1 + col, a1, n);
    storePartial(w2 + col, a2, n); storePartial(w3 + col, a3, n);
  }
}

/**
 * dW [Kh, Kw, Ci, Co] from x (padded: image stride xImageStride floats, row stride xRowStride
 * floats, Ci channels) and dy [N, Ho, Wo, Co]. Strides sh, sw; dilations dh, dw.
 */
export function conv2dBackpropFilter(
  xPtr: usize, xImageStride: i32, xRowStride: i32, Ci: i32,
  dyPtr: usize, N: i32, Ho: i32, Wo: i32, Co: i32,
  Kh: i32, Kw: i32, sh: i32, sw: i32, dh: i32, dw: i32, dWPtr: usize,
): void {
  const K = Kh * Kw * Ci;
  const rowBytes = <usize>Co << 2;
  memory.fill(dWPtr, 0, <usize>K * rowBytes);
  const xOhStep = <usize>(sh * xRowStride) << 2;
  const xOwStep = <usize>(sw * Ci) << 2;
  const dyPosStep = rowBytes;
  const rowStep = dh * xRowStride;
  const colStep = dw * Ci;
  for (let b = 0; b < N; b++) {
    const xImage = xPtr + ((<usize>b * <usize>xImageStride) << 2);
    const dyImage = dyPtr + <usize>b * <usize>(Ho * Wo) * rowBytes;
    for (let j = 0; j < K; j += 4) {
      const o0 = rowOffset(j, K, Ci, Kw, rowStep, colStep);
      const o1 = rowOffset(j + 1, K, Ci, Kw, rowStep, colStep);
      const o2 = rowOffset(j + 2, K, Ci, Kw, rowStep, colStep);
      const o3 = rowOffset(j + 3, K, Ci, Kw, rowStep, colStep);
      const w0 = dWPtr + <usize>min(j, K - 1) * rowBytes;
      const w1 = dWPtr + <usize>min(j + 1, K - 1) * rowBytes;
      const w2 = dWPtr + <usize>min(j + 2, K - 1) * rowBytes;
      const w3 = dWPtr + <usize>min(j + 3, K - 1) * rowBytes;
      let c = 0;
      for (; c + 8 <= Co; c += 8) {
        tile8(o0, o1, o2, o3, w0, w1, w2, w3, <usize>c << 2, xImage, dyImage, Ho, Wo, xOhStep, xOwStep, dyPosStep);
      }
      if (c + 4 <= Co) {
        tile4(o0, o1, o2, o3, w0, w1, w2, w3, <usize>c << 2, 4, xImage, dyImage, Ho, Wo, xOhStep, xOwStep, dyPosStep);
        c += 4;
      }
      if (c < Co) tile4(o0, o1, o2, o3, w0, w1, w2, w3, <usize>c << 2, Co - c, xImage, dyImage, Ho, Wo, xOhStep, xOwStep, dyPosStep);
    }
  }
}

/**
 * Copies x [N, H, W, C] into dst [N, Hd, Wd, C] shifted down by `top` rows and right by `left`
 * columns (negative to shift up / left), zeros elsewhere; what falls outside dst is dropped. Pads
 * x for conv2dBackpropFilter and crops the padded dx of conv2dBackpropInput.
 */
export function placeNHWC(xPtr: usize, N: i32, H: i32, W: i32, C: i32, dstPtr: usize, Hd: i32, Wd: i32, top: i32, left: i32): void {
  const pixel = <usize>C << 2;
  memory.fill(dstPtr, 0, <usize>N * <usize>(Hd * Wd) * pixel);
  const c0 = max(0, -left);
  const c1 = min(W, Wd - left);
  if (c1 <= c0) return;
  for (let b = 0; b < N; b++) {
    for (let h = max(0, -top); h < min(H, Hd - top); h++) {
      const src = xPtr + (<usize>((b * H + h) * W + c0)) * pixel;
      const dst = dstPtr + (<usize>((b * Hd + h + top) * Wd + left + c0)) * pixel;
      memory.copy(dst, src, <usize>(c1 - c0) * pixel);
    }
  }
}
