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
