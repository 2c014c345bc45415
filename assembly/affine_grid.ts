// affineGrid: grid[n, h, w] = theta[n] (2x3) * (x_w, y_h, 1), with the base coordinates of
// PyTorch's linspace_from_neg_one. Output [N,H,W,2] float32, x first.

/** PyTorch's linspace_from_neg_one, rounded to f32 (projective_grid.ts uses it too). */
@inline export function baseCoordinate(i: i32, steps: i32, alignCorners: bool): f32 {
  if (steps <= 1) return 0;
  const v = -1 + <f64>(2 * i) / <f64>(steps - 1);
  return <f32>(alignCorners ? v : (v * <f64>(steps - 1)) / <f64>steps);
}

export function affineGrid(thetaPtr: usize, N: i32, H: i32, W: i32, alignCorners: bool, outputPtr: usize): void {
  let o = outputPtr;
  for (let n = 0; n < N; n++) {
    const t = thetaPtr + <usize>n * 24;
    const t0 = load<f32>(t), t1 = load<f32>(t, 4), t2 = load<f32>(t, 8);
    const t3 = load<f32>(t, 12), t4 = load<f32>(t, 16), t5 = load<f32>(t, 20);
    // (x, y) for the pixel pair is one f32x4 FMA chain: rows of theta interleaved as x, y, x, y.
    const ax = f32x4(t0, t3, t0, t3);
    const ay = f32x4(t1, t4, t1, t4);
    for (let h = 0; h < H; h++) {
      const y = baseCoordinate(h, H, alignCorners);
      const row = f32x4.add(f32x4.mul(ay, f32x4.splat(y)), f32x4(t2, t5, t2, t5));
      let w = 0;
      for (; w + 2 <= W; w += 2) {
        const x0 = baseCoordinate(w, W, alignCorners);
        const x1 = baseCoordinate(w + 1, W, alignCorners);
        v128.store(o, f32x4.add(f32x4.mul(ax, f32x4(x0, x0, x1, x1)), row));
        o += 16;
      }
      if (w < W) {
        const x = baseCoordinate(w, W, alignCorners);
        store<f32>(o, t0 * x + t1 * y + t2);
        store<f32>(o, t3 * x + t4 * y + t5, 4);
        o += 8;
      }
    }
  }
}
