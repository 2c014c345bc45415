// A bias along the last axis, as a convolution or dense layer adds it and its gradient sums it:
// x [rows, C] + b [C], and the column sums of dy [rows, C]. tfjs-backend-wasm's generic
// broadcasting Add and its Sum (which transposes first) were a tenth of a training step.
import { loadPartial, storePartial } from './partial';

/** out[r, c] = x[r, c] + b[c]. */
export function biasAdd(xPtr: usize, rows: i32, C: i32, bPtr: usize, outPtr: usize): void {
  const rowBytes = <usize>C << 2;
  const full = C & ~3;
  const tail = C & 3;
  for (let r = 0; r < rows; r++) {
    const x = xPtr + <usize>r * rowBytes;
    const o = outPtr + <usize>r * rowBytes;
    let c = 0;
    for (; c < full; c += 4) {
      const k = <usize>c << 2;
      v128.store(o + k, f32x4.add(v128.load(x + k), v128.load(bPtr + k)));
    }
    if (tail != 0) {
      const k = <usize>c << 2;
      storePartial(o + k, f32x4.add(loadPartial(x + k, tail), loadPartial(bPtr + k, tail)), tail);
    }
  }
}

/** out[c] = sum over r of x[r, c], rows in order. */
export function sumRows(xPtr: usize, rows: i32, C: i32, outPtr: usize): void {
  const rowBytes = <usize>C << 2;
  for (let c = 0; c < C; c += 4) {
    const n = min(C - c, 4);
    let acc = f32x4.splat(0);
    let x = xPtr + (<usize>c << 2);
    for (let r = 0; r < rows; r++) {
      acc = f32x4.add(acc, n == 4 ? v128.load(x) : loadPartial(x, n));
      x += rowBytes;
    }
    if (n == 4) v128.store(outPtr + (<usize>c << 2), acc);
    else storePartial(outPtr + (<usize>c << 2), acc, n);
  }
}
