// projectiveGrid: for base point (x_w, y_h) of affineGrid's grid, (u, v, w) = H[n] (3x3) * (x, y, 1)
// and grid[n, h, w] = (u / w, v / w). Output [N,H,W,2] float32, x first. A w of 0 gives the
// non-finite values of plain division, as the op's definition asks.
import { baseCoordinate } from './affine_grid';

export function projectiveGrid(hPtr: usize, N: i32, H: i32, W: i32, alignCorners: bool, outputPtr: usize): void {
  if (N == 0 || H == 0 || W == 0) return;
  // The W base x coordinates, computed once into the first row of the output and read back per
  // row (the module has no allocator): the row of image 0 is written last, from that copy.
  const xs = outputPtr;
  for (let w = 0; w < W; w++) store<f32>(xs + (<usize>w << 3), baseCoordinate(w, W, alignCorners));
  for (let n = N - 1; n >= 0; n--) {
    const m = hPtr + <usize>n * 36;
    const h0 = load<f32>(m), h1 = load<f32>(m, 4), h2 = load<f32>(m, 8);
    const h3 = load<f32>(m, 12), h4 = load<f32>(m, 16), h5 = load<f32>(m, 20);
    const h6 = load<f32>(m, 24), h7 = load<f32>(m, 28), h8 = load<f32>(m, 32);
    for (let h = H - 1; h >= 0; h--) {
      const y = baseCoordinate(h, H, alignCorners);
      const ru = h1 * y + h2, rv = h4 * y + h5, rw = h7 * y + h8;
      let o = outputPtr + ((<usize>n * H + h) * W << 3);
      // Image 0's row 0 holds the x coordinates it is overwriting: forwards, each read comes
      // before its write.
      for (let w = 0; w < W; w++) {
        const x = load<f32>(xs + (<usize>w << 3));
        const d = h6 * x + rw;
        store<f32>(o, (h0 * x + ru) / d);
        store<f32>(o, (h3 * x + rv) / d, 4);
        o += 8;
      }
    }
  }
}

// d(h) of sum(grid * dy): with r = 1/w, d(u, v) = dy * r and d(w) = -(dy_x x' + dy_y y') r, where
// (x', y') is the grid point; each adds its value times (x, y, 1) to its row of d(h). A coordinate
// whose x' r is not finite (w of 0, overflow) adds nothing, as the composition of tfjs ops does on
// other backends. The forward's f32 steps are repeated exactly; the sums are f64.
export function projectiveGridGrad(dyPtr: usize, hPtr: usize, N: i32, H: i32, W: i32, alignCorners: bool, dhPtr: usize): void {
  for (let n = 0; n < N; n++) {
    const m = hPtr + <usize>n * 36;
    const h0 = load<f32>(m), h1 = load<f32>(m, 4), h2 = load<f32>(m, 8);
    const h3 = load<f32>(m, 12), h4 = load<f32>(m, 16), h5 = load<f32>(m, 20);
    const h6 = load<f32>(m, 24), h7 = load<f32>(m, 28), h8 = load<f32>(m, 32);
    let a0: f64 = 0, a1: f64 = 0, a2: f64 = 0, a3: f64 = 0, a4: f64 = 0, a5: f64 = 0, a6: f64 = 0, a7: f64 = 0, a8: f64 = 0;
    let g = dyPtr + ((<usize>n * H * W) << 3);
    for (let h = 0; h < H; h++) {
      const y = baseCoordinate(h, H, alignCorners);
      const ru = h1 * y + h2, rv = h4 * y + h5, rw = h7 * y + h8;
      for (let w = 0; w < W; w++) {
        const x = baseCoordinate(w, W, alignCorners);
        const d = h6 * x + rw;
        const r: f32 = 1 / d;
        const tx = ((h0 * x + ru) / d) * r;
        const ty = ((h3 * x + rv) / d) * r;
        const gx = load<f32>(g), gy = load<f32>(g, 4);
        g += 8;
        let du: f64 = 0, dv: f64 = 0, mw: f64 = 0;
        if (isFinite<f32>(tx)) {
          du = <f64>(gx * r);
          mw += <f64>(gx * tx);
        }
        if (isFinite<f32>(ty)) {
          dv = <f64>(gy * r);
          mw += <f64>(gy * ty);
        }
        a0 += du * x; a1 += du * y; a2 += du;
        a3 += dv * x; a4 += dv * y; a5 += dv;
        a6 -= mw * x; a7 -= mw * y; a8 -= mw;
      }
    }
    const o = dhPtr + <usize>n * 36;
    store<f32>(o, <f32>a0); store<f32>(o, <f32>a1, 4); store<f32>(o, <f32>a2, 8);
    store<f32>(o, <f32>a3, 12); store<f32>(o, <f32>a4, 16); store<f32>(o, <f32>a5, 20);
    store<f32>(o, <f32>a6, 24); store<f32>(o, <f32>a7, 28); store<f32>(o, <f32>a8, 32);
  }
}
