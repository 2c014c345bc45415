// Lane helpers shared by gridSample's files: one lane out of a v128 (with a constant lane
// number, so each is one instruction), a lane broadcast, a horizontal sum, and the loads and
// stores of a short block (fewer than four points).
@inline export function lane(v: v128, i: i32): f32 {
  return i == 0 ? f32x4.extract_lane(v, 0) : i == 1 ? f32x4.extract_lane(v, 1) : i == 2 ? f32x4.extract_lane(v, 2) : f32x4.extract_lane(v, 3);
}

@inline export function laneI(v: v128, i: i32): i32 {
  return i == 0 ? i32x4.extract_lane(v, 0) : i == 1 ? i32x4.extract_lane(v, 1) : i == 2 ? i32x4.extract_lane(v, 2) : i32x4.extract_lane(v, 3);
}

/** Lane l of `v` in all four lanes (a shuffle moves bits: masks and floats alike). */
@inline export function broadcast(v: v128, l: i32): v128 {
  return l == 0 ? v128.shuffle<f32>(v, v, 0, 0, 0, 0) : l == 1 ? v128.shuffle<f32>(v, v, 1, 1, 1, 1)
    : l == 2 ? v128.shuffle<f32>(v, v, 2, 2, 2, 2) : v128.shuffle<f32>(v, v, 3, 3, 3, 3);
}

@inline export function horizontalSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Stores lane l at ptr + l * stride, for the first `count` lanes. */
@inline export function storeLanes(ptr: usize, stride: usize, v: v128, count: i32): void {
  if (count == 4 && stride == 4) {
    v128.store(ptr, v);
    return;
  }
  for (let l = 0; l < count; l++) store<f32>(ptr + <usize>l * stride, lane(v, l));
}

/** Loads lane l from ptr + l * stride, for the first `count` lanes; the others are `fill`. */
@inline export function loadLanes(ptr: usize, stride: usize, count: i32, fill: f32): v128 {
  if (count == 4 && stride == 4) return v128.load(ptr);
  let v = f32x4.splat(fill);
  if (count > 0) v = f32x4.replace_lane(v, 0, load<f32>(ptr));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(ptr + stride));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(ptr + 2 * stride));
  if (count > 3) v = f32x4.replace_lane(v, 3, load<f32>(ptr + 3 * stride));
  return v;
}

/**
 * Half `half` (points 0-1 or 2-3) of a block of four grid points' (x, y) at `g`; in a short block
 * (count < 4) the missing points are NaN, which have no taps.
 */
@inline export function loadGridHalf(g: usize, count: i32, half: i32): v128 {
  if (count == 4) return v128.load(g + (<usize>half << 4));
  if (half == 0) return loadLanes(g, 4, min(count * 2, 4), NaN);
  return count > 2 ? loadLanes(g + 16, 4, 2, NaN) : f32x4.splat(NaN);
}
