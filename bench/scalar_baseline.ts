/**
 * THE BASELINE of `npm run bench`, not a second implementation of the library: the plain scalar
 * JavaScript loop a user would write for bilinear / zeros / alignCorners=false, over Float32Arrays,
 * with no allocation per sample. The SIMD kernels are measured against it.
 *
 * (src/reference would be the natural loop to reuse, but it allocates an object per tap and per
 * coordinate step, which makes it several times slower than a tight loop: an unfairly easy
 * baseline.) It leaves out the reference's NaN/Infinity handling, which costs a tight loop next to
 * nothing. Like the kernels, one loop serves forward (out) and backward (dy -> dInput, dGrid).
 */

export interface ScalarOutputs {
  /** Forward: out[N,Ho,Wo,C]. */
  out?: Float32Array;
  /** Backward: the gradients of sum(gridSample(input, grid) * dy). */
  dy?: Float32Array;
  dInput?: Float32Array;
  dGrid?: Float32Array;
}

export function scalarGridSample(
  input: Float32Array, [N, H, W, C]: readonly number[], grid: Float32Array, points: number, o: ScalarOutputs,
): void {
  const { out, dy, dInput, dGrid } = o;
  const backward = dy !== undefined && dInput !== undefined && dGrid !== undefined;
  if (!backward && !out) throw new Error('scalarGridSample: pass out, or dy with dInput and dGrid');
  dInput?.fill(0);
  for (let n = 0; n < N!; n++) {
    const base = n * H! * W!;
    for (let p = 0; p < points; p++) {
      const g = (n * points + p) * 2;
      const ix = ((grid[g]! + 1) * W! - 1) / 2;
      const iy = ((grid[g + 1]! + 1) * H! - 1) / 2;
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const e = ix - x0; // distance to the west pixel
      const s = iy - y0; // distance to the north pixel
      const o = (n * points + p) * C!;
      const inX0 = x0 >= 0 && x0 < W!;
      const inX1 = x0 + 1 >= 0 && x0 + 1 < W!;
      const inY0 = y0 >= 0 && y0 < H!;
      const inY1 = y0 + 1 >= 0 && y0 + 1 < H!;
      // A tap outside the input has weight 0 and is never read (zeros padding).
      const w00 = inX0 && inY0 ? (1 - e) * (1 - s) : 0;
      const w10 = inX1 && inY0 ? e * (1 - s) : 0;
      const w01 = inX0 && inY1 ? (1 - e) * s : 0;
      const w11 = inX1 && inY1 ? e * s : 0;
      const i00 = (base + y0 * W! + x0) * C!;
      const i10 = i00 + C!;
      const i01 = i00 + W! * C!;
      const i11 = i01 + C!;
      if (!backward) {
        for (let c = 0; c < C!; c++) {
          let v = 0;
          if (w00 !== 0) v += w00 * input[i00 + c]!;
          if (w10 !== 0) v += w10 * input[i10 + c]!;
          if (w01 !== 0) v += w01 * input[i01 + c]!;
          if (w11 !== 0) v += w11 * input[i11 + c]!;
          out![o + c] = v;
        }
        continue;
      }
      // d(out)/d(ix) = sum over taps of v * dw/de; likewise for iy with dw/ds.
      let gx = 0;
      let gy = 0;
      for (let c = 0; c < C!; c++) {
        const d = dy[o + c]!;
        const v00 = inX0 && inY0 ? input[i00 + c]! : 0;
        const v10 = inX1 && inY0 ? input[i10 + c]! : 0;
        const v01 = inX0 && inY1 ? input[i01 + c]! : 0;
        const v11 = inX1 && inY1 ? input[i11 + c]! : 0;
        if (w00 !== 0) dInput[i00 + c] += w00 * d;
        if (w10 !== 0) dInput[i10 + c] += w10 * d;
        if (w01 !== 0) dInput[i01 + c] += w01 * d;
        if (w11 !== 0) dInput[i11 + c] += w11 * d;
        gx += d * ((v10 - v00) * (1 - s) + (v11 - v01) * s);
        gy += d * ((v01 - v00) * (1 - e) + (v11 - v10) * e);
      }
      dGrid[g] = (gx * W!) / 2;
      dGrid[g + 1] = (gy * H!) / 2;
    }
  }
}

/**
 * The same plain loop for volumes: trilinear / zeros / alignCorners=false on input [N,D,H,W,C] and
 * grid [N,Do,Ho,Wo,3], the eight taps written out as the four above are.
 */
export function scalarGridSample3d(
  input: Float32Array, [N, D, H, W, C]: readonly number[], grid: Float32Array, points: number, o: ScalarOutputs,
): void {
  const { out, dy, dInput, dGrid } = o;
  const backward = dy !== undefined && dInput !== undefined && dGrid !== undefined;
  if (!backward && !out) throw new Error('scalarGridSample3d: pass out, or dy with dInput and dGrid');
  dInput?.fill(0);
  const taps = new Int32Array(8);
  const weights = new Float64Array(8);
  for (let n = 0; n < N!; n++) {
    const base = n * D! * H! * W!;
    for (let p = 0; p < points; p++) {
      const g = (n * points + p) * 3;
      const ix = ((grid[g]! + 1) * W! - 1) / 2;
      const iy = ((grid[g + 1]! + 1) * H! - 1) / 2;
      const iz = ((grid[g + 2]! + 1) * D! - 1) / 2;
      const x0 = Math.floor(ix);
      const y0 = Math.floor(iy);
      const z0 = Math.floor(iz);
      const e = ix - x0;
      const s = iy - y0;
      const t = iz - z0;
      // Tap k: x0 + (k & 1), y0 + (k >> 1 & 1), z0 + (k >> 2); index -1 when outside (zeros padding).
      for (let k = 0; k < 8; k++) {
        const x = x0 + (k & 1);
        const y = y0 + ((k >> 1) & 1);
        const z = z0 + (k >> 2);
        const inside = x >= 0 && x < W! && y >= 0 && y < H! && z >= 0 && z < D!;
        taps[k] = inside ? (base + (z * H! + y) * W! + x) * C! : -1;
        weights[k] = (k & 1 ? e : 1 - e) * ((k >> 1) & 1 ? s : 1 - s) * (k >> 2 ? t : 1 - t);
      }
      const o = (n * points + p) * C!;
      if (!backward) {
        for (let c = 0; c < C!; c++) {
          let v = 0;
          for (let k = 0; k < 8; k++) if (taps[k]! >= 0) v += weights[k]! * input[taps[k]! + c]!;
          out![o + c] = v;
        }
        continue;
      }
      let gx = 0;
      let gy = 0;
      let gz = 0;
      for (let c = 0; c < C!; c++) {
        const d = dy[o + c]!;
        for (let k = 0; k < 8; k++) {
          if (taps[k]! < 0) continue;
          const v = input[taps[k]! + c]!;
          dInput[taps[k]! + c] += weights[k]! * d;
          const wx = k & 1 ? e : 1 - e;
          const wy = (k >> 1) & 1 ? s : 1 - s;
          const wz = k >> 2 ? t : 1 - t;
          gx += d * v * (k & 1 ? 1 : -1) * wy * wz;
          gy += d * v * ((k >> 1) & 1 ? 1 : -1) * wx * wz;
          gz += d * v * (k >> 2 ? 1 : -1) * wx * wy;
        }
      }
      dGrid[g] = (gx * W!) / 2;
      dGrid[g + 1] = (gy * H!) / 2;
      dGrid[g + 2] = (gz * D!) / 2;
    }
  }
}
