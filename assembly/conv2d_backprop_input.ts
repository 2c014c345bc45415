// conv2dBackpropInput: the input gradient of an NHWC conv2d (tfjs-backend-wasm's own is a scalar
// loop that dominated a training step).
//
//   dx[b, oh*sh + kh*dh, ow*sw + kw*dw, ci] += sum over co of dy[b, oh, ow, co] * W[kh, kw, ci, co]
//
// written into a padded dx (the caller crops it, or passes dx itself when nothing is cropped), so
// the scatter needs no bounds checks. For each output position, each "run" of dx elements that
// lies contiguous in memory (with dw = 1 a whole filter row, kw and ci together; else one tap's
// channels) is accumulated in up to four f32x4 registers over co, then added into dx. The filter
// is first rearranged (transposeFilter) so that for each run and co the run's weights are
// contiguous and zero-padded to a multiple of 4.

/** Floats per rearranged run: the run's length rounded up to a multiple of 4. */
@inline function paddedRun(L: i32): i32 {
  return (L + 3) & ~3;
}

/**
 * Rearranges W [Kh, Kw, Ci, Co] into runs [R][Co][paddedRun(L)] (zero padded), R = Kh runs of
 * L = Kw*Ci when dw == 1, else R = Kh*Kw runs of L = Ci.
 */
export function transposeFilter(wPtr: usize, Kh: i32, Kw: i32, Ci: i32, Co: i32, wholeRows: bool, outPtr: usize): void {
  const L = wholeRows ? Kw * Ci : Ci;
  const Lp = paddedRun(L);
  const R = wholeRows ? Kh : Kh * Kw;
  memory.fill(outPtr, 0, (<usize>R * <usize>Co * <usize>Lp) << 2);
  for (let kh = 0; kh < Kh; kh++) {
    for (let kw = 0; kw < Kw; kw++) {
      const run = wholeRows ? kh : kh * Kw + kw;
      const first = wholeRows ? kw * Ci : 0;
      for (let ci = 0; ci < Ci; ci++) {
        const src = wPtr + (<usize>(((kh * Kw + kw) * Ci + ci) * Co) << 2);
        for (let co = 0; co < Co; co++) {
          store<f32>(outPtr + (<usize>((run * Co + co) * Lp + first + ci) << 2), load<f32>(src + (<usize>co << 2)));
        }
      }
    }
  }
}

/** Adds the `n` (1..3) low lanes of v into the floats at p. */
@inline function addPartial(p: usize, v: v128, n: i32): void {
  store<f32>(p, load<f32>(p) + f32x4.extract_lane(v, 0));
  if (n > 1) store<f32>(p, load<f32>(p, 4) + f32x4.extract_lane(v, 1), 4);
  if (n > 2) store<f32>(p, load<f32>(p, 8) + f32x4.extract_lane(v, 2), 8);
}

@inline function addInto(p: usize, v: v128, tail: i32): void {
  if (tail == 0) v128.store(p, f32x4.add(v128.load(p), v));
  else addPartial(p, v, tail);
}

/**
 * Accumulates `count` (1..4, a constant at each call site) vectors of a run over co and adds them
 * into dx at dst; the last one holds only `tail` floats when tail > 0.
 */
@inline function group(count: i32, dst: usize, w: usize, wStep: usize, dy: usize, Co: i32, tail: i32): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  for (let co = 0; co < Co; co++) {
    const d = v128.load32_splat(dy + (<usize>co << 2));
    a0 = f32x4.add(a0, f32x4.mul(d, v128.load(w)));
    if (count > 1) a1 = f32x4.add(a1, f32x4.mul(d, v128.load(w, 16)));
    if (count > 2) a2 = f32x4.add(a2, f32x4.mul(d, v128.load(w, 32)));
    if (count > 3) a3 = f32x4.add(a3, f32x4.mul(d, v128.load(w, 48)));
    w += wStep;
  }
  addInto(dst, a0, count == 1 ? tail : 0);
  if (count > 1) addInto(dst + 16, a1, count == 2 ? tail : 0);
  if (count > 2) addInto(dst + 32, a2, count == 3 ? tail : 0);
  if (count > 3) addInto(dst + 48, a3, count == 4 ? tail : 0);
}

/**
 * dx (padded: image stride dxImageStride floats, row stride dxRowStride floats, Ci channels) from
 * dy [N, Ho, Wo, Co] and the rearranged filter wt (transposeFilter). Zero-fills dx first.
 */
export function conv2dBackpropInput(
  dyPtr: usize, N: i32, Ho: i32, Wo: i32, Co: i32,
  wtPtr: usize, Kh: i32, Kw: i32, Ci: i32, wholeRows: bool,
  sh: i32, sw: i32, dh: i32, dw: i32,
  dxPtr: usize, dxImageStride: i32, dxRowStride: i32,
): void {
  memory.fill(dxPtr, 0, (<usize>N * <usize>dxImageStride) << 2);
  const L = wholeRows ? Kw * Ci : Ci;
  const Lp = paddedRun(L);
  const R = wholeRows ? Kh : Kh * Kw;
  const vectors = Lp >> 2;
  const tail = L & 3;
  const wStep = <usize>Lp << 2;
  const wRun = <usize>Co * wStep;
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < Ho; oh++) {
      for (let ow = 0; ow < Wo; ow++) {
        const dy = dyPtr + (<usize>(((b * Ho + oh) * Wo + ow) * Co) << 2);
        const corner = dxPtr + (<usize>(b * dxImageStride + oh * sh * dxRowStride + ow * sw * Ci) << 2);
        for (let run = 0; run < R; run++) {
          const kh = wholeRows ? run : run / Kw;
          const kw = wholeRows ? 0 : run % Kw;
          const dst = corner + (<usize>(kh * dh * dxRowStride + kw * dw * Ci) << 2);
          const w = wtPtr + <usize>run * wRun;
          let v = 0;
          for (; v + 4 < vectors; v += 4) group(4, dst + (<usize>v << 4), w + (<usize>v << 4), wStep, dy, Co, 0);
          // The last 1..4 vectors; only the very last may be partial.
          const o = <usize>v << 4;
          const rest = vectors - v;
          if (rest == 4) group(4, dst + o, w + o, wStep, dy, Co, tail);
          else if (rest == 3) group(3, dst + o, w + o, wStep, dy, Co, tail);
          else if (rest == 2) group(2, dst + o, w + o, wStep, dy, Co, tail);
          else group(1, dst + o, w + o, wStep, dy, Co, tail);
        }
      }
    }
  }
}
