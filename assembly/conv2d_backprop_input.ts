// conv2dBackpropInput: the input gradient of an NHWC conv2d (tfjs-backend-wasm's own is a scalar
// loop that dominated a training step).
//
//   dx[b, oh*sh + kh*dh, ow*sw + kw*dw, ci] += sum over co of dy[b, oh, ow, co] * W[kh, kw, ci, co]
//
// written into a padded dx (the caller crops it, or passes dx itself when nothing is cropped), so
// the scatter needs no bounds checks. For each output position, the dx elements it touches form
// "runs" that lie contiguous in memory (with dw = 1 a whole filter row, kw and ci together; else
// one tap's channels), cut into f32x4 vectors. Four positions along a row are done together, two
// vectors of a run at a time: eight accumulators over co (eight independent add chains, so the
// loop is not bound by the adds' latency) that share each weight load, then added into dx one
// position after another (their windows overlap). The filter is first rearranged
// (transposeFilter) so that each run's weights for one co are contiguous, zero-padded to a
// multiple of 4.

/** Floats per rearranged run: the run's length rounded up to a multiple of 4. */
@inline function paddedRun(L: i32): i32 {
  return (L + 3) & ~3;
}

/**
 * Rearranges W [Kh, Kw, Ci, Co] into [R][Co][paddedRun(L)] (zero padded): R = Kh runs of
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

/** Adds v into the 4 floats at p, or only `last` of them when last > 0. */
@inline function addInto(p: usize, v: v128, last: i32): void {
  if (last == 0) v128.store(p, f32x4.add(v128.load(p), v));
  else addPartial(p, v, last);
}

/**
 * `positions` (4 or 1) consecutive positions x `count` (2 or 1) vectors of a run, constants at
 * each call site: dst is the first position's first vector in dx, w the run's weights for co = 0
 * at that vector; the group's last vector holds only `last` floats when last > 0. The steps are
 * wStep (weights per co), dyStep (dy per position) and posStep (dx per position), in bytes; they
 * are parameters, not globals, so that they stay in registers.
 */
@inline function group(positions: i32, count: i32, dst: usize, w: usize, dy: usize, last: i32,
  Co: i32, wStep: usize, dyStep: usize, posStep: usize): void {
  let a0 = f32x4.splat(0), a1 = f32x4.splat(0), a2 = f32x4.splat(0), a3 = f32x4.splat(0);
  let b0 = f32x4.splat(0), b1 = f32x4.splat(0), b2 = f32x4.splat(0), b3 = f32x4.splat(0);
  let d = dy;
  for (let co = 0; co < Co; co++) {
    const w0 = v128.load(w);
    const d0 = v128.load32_splat(d);
    a0 = f32x4.add(a0, f32x4.mul(d0, w0));
    if (positions > 1) {
      const d1 = v128.load32_splat(d + dyStep);
      const d2 = v128.load32_splat(d + 2 * dyStep);
      const d3 = v128.load32_splat(d + 3 * dyStep);
      a1 = f32x4.add(a1, f32x4.mul(d1, w0));
      a2 = f32x4.add(a2, f32x4.mul(d2, w0));
      a3 = f32x4.add(a3, f32x4.mul(d3, w0));
      if (count > 1) {
        const w1 = v128.load(w, 16);
        b0 = f32x4.add(b0, f32x4.mul(d0, w1));
        b1 = f32x4.add(b1, f32x4.mul(d1, w1));
        b2 = f32x4.add(b2, f32x4.mul(d2, w1));
        b3 = f32x4.add(b3, f32x4.mul(d3, w1));
      }
    } else if (count > 1) {
      b0 = f32x4.add(b0, f32x4.mul(d0, v128.load(w, 16)));
    }
    d += 4;
    w += wStep;
  }
  // One position after another: their windows overlap in dx.
  addInto(dst, a0, count == 1 ? last : 0);
  if (count > 1) addInto(dst + 16, b0, last);
  if (positions > 1) {
    addInto(dst + posStep, a1, count == 1 ? last : 0);
    if (count > 1) addInto(dst + posStep + 16, b1, last);
    addInto(dst + 2 * posStep, a2, count == 1 ? last : 0);
    if (count > 1) addInto(dst + 2 * posStep + 16, b2, last);
    addInto(dst + 3 * posStep, a3, count == 1 ? last : 0);
    if (count > 1) addInto(dst + 3 * posStep + 16, b3, last);
  }
}

/** All runs of `positions` (4 or 1) consecutive positions whose first window starts at corner. */
@inline function positionRuns(positions: i32, corner: usize, dy: usize, wt: usize, R: i32, runsPerRow: i32,
  vectors: i32, tail: i32, runRowStep: usize, runColStep: usize, Co: i32, wStep: usize, dyStep: usize, posStep: usize): void {
  const wRun = <usize>Co * wStep;
  for (let run = 0; run < R; run++) {
    const kh = run / runsPerRow;
    const dst = corner + <usize>kh * runRowStep + <usize>(run - kh * runsPerRow) * runColStep;
    const w = wt + <usize>run * wRun;
    let v = 0;
    for (; v + 2 < vectors; v += 2) group(positions, 2, dst + (<usize>v << 4), w + (<usize>v << 4), dy, 0, Co, wStep, dyStep, posStep);
    const o = <usize>v << 4;
    if (vectors - v == 2) group(positions, 2, dst + o, w + o, dy, tail, Co, wStep, dyStep, posStep);
    else group(positions, 1, dst + o, w + o, dy, tail, Co, wStep, dyStep, posStep);
  }
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
  const vectors = paddedRun(L) >> 2;
  if (vectors == 0) return;
  const tail = L & 3;
  const R = wholeRows ? Kh : Kh * Kw;
  const runsPerRow = wholeRows ? 1 : Kw;
  const runRowStep = <usize>(dh * dxRowStride) << 2;
  const runColStep = <usize>(dw * Ci) << 2;
  const wStep = <usize>paddedRun(L) << 2;
  const posStep = <usize>(sw * Ci) << 2;
  const dyStep = <usize>Co << 2;
  for (let b = 0; b < N; b++) {
    for (let oh = 0; oh < Ho; oh++) {
      const dyRow = dyPtr + (<usize>((b * Ho + oh) * Wo * Co) << 2);
      const dxRow = dxPtr + (<usize>(b * dxImageStride + oh * sh * dxRowStride) << 2);
      let ow = 0;
      for (; ow + 4 <= Wo; ow += 4) {
        positionRuns(4, dxRow + <usize>ow * posStep, dyRow + <usize>ow * dyStep, wtPtr, R, runsPerRow, vectors, tail, runRowStep, runColStep, Co, wStep, dyStep, posStep);
      }
      for (; ow < Wo; ow++) {
        positionRuns(1, dxRow + <usize>ow * posStep, dyRow + <usize>ow * dyStep, wtPtr, R, runsPerRow, vectors, tail, runRowStep, runColStep, Co, wStep, dyStep, posStep);
      }
    }
  }
}
