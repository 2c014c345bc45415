// Partial f32x4 loads and stores for the last 1..3 floats of a row, so that the SIMD loops never
// read or write past a buffer's end.

/** Loads the `n` (1..3) floats at p into the low lanes; the rest are 0. */
@inline export function loadPartial(p: usize, n: i32): v128 {
  if (n == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  return n == 2 ? v : v128.load32_lane(p, v, 2, 8);
}

/** Stores the `n` (1..3) low lanes of v at p. */
@inline export function storePartial(p: usize, v: v128, n: i32): void {
  if (n == 1) {
    v128.store32_lane(p, v, 0);
    return;
  }
  v128.store64_lane(p, v, 0);
  if (n == 3) v128.store32_lane(p, v, 2, 8);
}
