// affineGrid on volumes: grid[n, d, h, w] = theta[n] (3x4) * (x_w, y_h, z_d, 1), with the base
// coordinates of PyTorch's linspace_from_neg_one. Output [N,D,H,W,3] float32, x first.
import { baseCoordinate } from './affine_grid';

/** Volumes: theta [N,3,4] to the grid [N,D,H,W,3] (x, y, z). */
export function affineGrid3d(thetaPtr: usize, N: i32, D: i32, H: i32, W: i32, alignCorners: bool, outputPtr: usize): void {
  let o = outputPtr;
  for (let n = 0; n < N; n++) {
    const t = thetaPtr + <usize>n * 48;
    // Columns of theta as vectors (x, y, z, unused): a point is one f32x4 FMA chain.
    const ax = f32x4(load<f32>(t), load<f32>(t, 16), load<f32>(t, 32), 0);
    const ay = f32x4(load<f32>(t, 4), load<f32>(t, 20), load<f32>(t, 36), 0);
    const az = f32x4(load<f32>(t, 8), load<f32>(t, 24), load<f32>(t, 40), 0);
    const a1 = f32x4(load<f32>(t, 12), load<f32>(t, 28), load<f32>(t, 44), 0);
    for (let d = 0; d < D; d++) {
      const plane = f32x4.add(f32x4.mul(az, f32x4.splat(baseCoordinate(d, D, alignCorners))), a1);
      for (let h = 0; h < H; h++) {
        const row = f32x4.add(f32x4.mul(ay, f32x4.splat(baseCoordinate(h, H, alignCorners))), plane);
        for (let w = 0; w < W; w++) {
          const p = f32x4.add(f32x4.mul(ax, f32x4.splat(baseCoordinate(w, W, alignCorners))), row);
          store<f32>(o, f32x4.extract_lane(p, 0));
          store<f32>(o, f32x4.extract_lane(p, 1), 4);
          store<f32>(o, f32x4.extract_lane(p, 2), 8);
          o += 12;
        }
      }
    }
  }
}
