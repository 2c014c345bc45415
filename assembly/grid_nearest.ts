// The nearest path of gridSample, images and volumes (every call in nearest mode on a non-empty
// input). Nearest has one tap of weight 1 and no weight derivative, so the generic tap loop's
// work (taps.ts: four-tap groups, three of them masked, a horizontal sum per channel) reduces to
//   forward   out[point, c] = in[tap, c]          (0 where the tap is outside or the point NaN)
//   backward  dIn[tap, c]  += dy[point, c]        (points in order: two may share a tap)
//             d(grid) = 0                         (rounding has no gradient: PyTorch writes 0)
// Four grid points at a time: their pixel coordinates through coords.ts (computeSourceIndex, as
// every mode), rounded half to even (f32x4.nearest, PyTorch's nearbyint), then one row copy or
// add per point; two blocks' coordinates before their rows (nearestLoop). Three channels forward
// copy a block as 16-byte rows (PATH_NEAREST_RGB) where no load would leave the image. The forward
// and d(input) are the generic path's bits (1 * v, += 1 * dy); d(grid) is +0 even where the input
// is not finite (the tap loop's 0 * Infinity gave NaN there). The backward keeps adding three
// channels float by float: 16-byte adds (the spare lane adding -0) measured slower, each load
// overlapping the store before it where neighbouring points hit neighbouring pixels.
import { AXIS_X, AXIS_Y, AXIS_Z, computeSourceIndex, lastPixel } from './coords';
import { pixelIndex } from './grid_sample_3d';
import { broadcast, laneI, loadGridHalf, loadLanes, storeLanes } from './lanes';
import { PATH_NEAREST, PATH_NEAREST_RGB, PATH_NEAREST_VOLUME, countPath } from './paths';
import { dInBase, inBase, nearestInside, wantDGrid, wantDInput } from './registers';

/**
 * One batch item's grid points of an image, `count` from the point whose (x, y) is at `g`, and its
 * rows from `o` (forward output) or `dy` (backward); d(grid) rows from `dGrid`. The usual channel
 * counts get copies with C constant.
 */
export function nearestImage(
  g: usize, count: i32, W: i32, H: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize, dGrid: usize,
): void {
  if (backward && wantDGrid) memory.fill(dGrid, 0, <usize>count << 3);
  if (backward && !wantDInput) return;
  if (C == 1) nearestLoop(false, g, count, 1, H, W, 1, padding, alignCorners, backward, o, dy);
  else if (C == 3) nearestLoop(false, g, count, 1, H, W, 3, padding, alignCorners, backward, o, dy);
  else nearestLoop(false, g, count, 1, H, W, C, padding, alignCorners, backward, o, dy);
}

/** nearestImage's twin for volumes: grid points (x, y, z) at `g`, pixel index (z * H + y) * W + x. */
export function nearestVolume(
  g: usize, count: i32, D: i32, H: i32, W: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize, dGrid: usize,
): void {
  if (backward && wantDGrid) memory.fill(dGrid, 0, <usize>count * 12);
  if (backward && !wantDInput) return;
  if (C == 1) nearestLoop(true, g, count, D, H, W, 1, padding, alignCorners, backward, o, dy);
  else nearestLoop(true, g, count, D, H, W, C, padding, alignCorners, backward, o, dy);
}

@inline function nearestLoop(
  volume: bool, g: usize, count: i32, D: i32, H: i32, W: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize,
): void {
  const rowBytes = <usize>C << 2;
  const gridBytes: usize = volume ? 12 : 8;
  const floatIndex = <u64>D * <u64>H * <u64>W * <u64>C <= FLOAT_INDEX_LIMIT;
  // The last tap row (a byte offset, unsigned: an image may pass 2 GiB) a 16-byte load may start
  // at without leaving the image; an image under 16 bytes has none.
  const imageBytes = <u64>D * <u64>H * <u64>W * <u64>C * 4;
  const vectorRows = imageBytes >= 16;
  const lastVectorRow = <u32>min<u64>(imageBytes - 16, u32.MAX_VALUE);
  const points = backward ? dy : o;
  const path = volume ? PATH_NEAREST_VOLUME : PATH_NEAREST;
  // Two blocks a step: their coordinates first, then their rows. The coordinate math is a long
  // chain of dependent steps (reflection's: a division among a dozen), and one block's loop body
  // was too long for the processor to overlap the next block's chain with it (measured: two
  // blocks a step 15-30% faster, forward and backward; four, slower again).
  let p = 0;
  for (; p + 8 <= count; p += 8) {
    const at = <usize>p;
    const a = nearestRows(volume, g + at * gridBytes, 4, D, H, W, C, padding, alignCorners, floatIndex);
    const insideA = nearestInside;
    const b = nearestRows(volume, g + (at + 4) * gridBytes, 4, D, H, W, C, padding, alignCorners, floatIndex);
    const insideB = nearestInside;
    nearestBlock(a, insideA, 4, C, backward, points + at * rowBytes, vectorRows, lastVectorRow, path);
    nearestBlock(b, insideB, 4, C, backward, points + (at + 4) * rowBytes, vectorRows, lastVectorRow, path);
  }
  for (; p < count; p += 4) {
    const n = min(4, count - p);
    const at = <usize>p;
    const rows = nearestRows(volume, g + at * gridBytes, n, D, H, W, C, padding, alignCorners, floatIndex);
    nearestBlock(rows, nearestInside, n, C, backward, points + at * rowBytes, vectorRows, lastVectorRow, path);
  }
}

/**
 * The byte offsets in the image of a block's `n` taps' rows (0 where outside: no tap, or a NaN
 * point); which are inside is left in nearestInside. An image's (x, y) are 8 bytes a point at
 * `g`, a volume's (x, y, z) 12.
 */
@inline function nearestRows(
  volume: bool, g: usize, n: i32, D: i32, H: i32, W: i32, C: i32, padding: i32, alignCorners: bool, floatIndex: bool,
): v128 {
  let gx: v128, gy: v128, gz = f32x4.splat(0);
  if (volume) {
    // A short block's missing points are NaN: they have no tap.
    gx = loadLanes(g, 12, n, NaN);
    gy = loadLanes(g + 4, 12, n, NaN);
    gz = loadLanes(g + 8, 12, n, NaN);
  } else {
    const xy0 = loadGridHalf(g, n, 0), xy1 = loadGridHalf(g, n, 1);
    gx = v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6);
    gy = v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7);
  }
  const x = f32x4.nearest(computeSourceIndex(gx, AXIS_X, padding, alignCorners, true));
  const y = f32x4.nearest(computeSourceIndex(gy, AXIS_Y, padding, alignCorners, true));
  let inside = v128.and(axisInside(x, lastPixel(AXIS_X)), axisInside(y, lastPixel(AXIS_Y)));
  let rows: v128;
  if (volume) {
    const z = f32x4.nearest(computeSourceIndex(gz, AXIS_Z, padding, alignCorners, true));
    inside = v128.and(inside, axisInside(z, lastPixel(AXIS_Z)));
    rows = floatIndex
      ? i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(z, f32x4.splat(<f32>H)), y), f32x4.splat(<f32>W)), x), f32x4.splat(<f32>C)))
      : i32x4.mul(pixelIndex(i32x4.trunc_sat_f32x4_s(x), i32x4.trunc_sat_f32x4_s(y), i32x4.trunc_sat_f32x4_s(z), W, H), i32x4.splat(C));
  } else {
    rows = floatIndex
      ? i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.add(f32x4.mul(y, f32x4.splat(<f32>W)), x), f32x4.splat(<f32>C)))
      : i32x4.mul(i32x4.add(i32x4.mul(i32x4.trunc_sat_f32x4_s(y), i32x4.splat(W)), i32x4.trunc_sat_f32x4_s(x)), i32x4.splat(C));
  }
  nearestInside = inside;
  return i32x4.shl(v128.and(rows, inside), 2);
}

/**
 * Below this many elements (pixels times channels) a tap's element index is computed in floats,
 * exactly (float32 holds every integer up to 2^24), and converted once: V8 lowers
 * i32x4.trunc_sat_f32x4_s to seven instructions on x64, and the integer index needs two or three.
 */
const FLOAT_INDEX_LIMIT: u64 = 1 << 24;

/**
 * Lanes whose rounded pixel coordinate `i` is in [0, last]. The coordinates are clamped to the safe
 * range (coords.ts), so they convert exactly; a NaN point (NaN coordinates) compares false: no tap.
 */
@inline function axisInside(i: v128, last: v128): v128 {
  return v128.and(f32x4.ge(i, f32x4.splat(0)), f32x4.le(i, last));
}

/**
 * A block of `count` points whose taps' rows are at byte offsets `rows` in the image (0, the first
 * pixel, where not `inside`: read and masked, so nothing outside the input is touched), the
 * points' own rows from `points`: forward, each point's output row is its tap's row or zeros;
 * backward, each inside point's dy row is added into its tap's dInput row, lane after lane. Its
 * blocks count as `path` (PATH_NEAREST, PATH_NEAREST_VOLUME), or PATH_NEAREST_RGB; where
 * `vectorRows`, a tap row at most `lastVectorRow` bytes in can be read 16 bytes at a time.
 */
@inline function nearestBlock(
  rows: v128, inside: v128, count: i32, C: i32, backward: bool, points: usize, vectorRows: bool, lastVectorRow: u32, path: i32,
): void {
  if (backward) {
    countPath(path, true);
    addTap(0, rows, inside, C, points);
    if (count > 1) addTap(1, rows, inside, C, points);
    if (count > 2) addTap(2, rows, inside, C, points);
    if (count > 3) addTap(3, rows, inside, C, points);
    return;
  }
  if (C == 1) {
    countPath(path, false);
    // One channel: the four taps are one vector of outputs.
    const v = f32x4(load<f32>(inBase + <usize>laneI(rows, 0)), load<f32>(inBase + <usize>laneI(rows, 1)),
      load<f32>(inBase + <usize>laneI(rows, 2)), load<f32>(inBase + <usize>laneI(rows, 3)));
    storeLanes(points, 4, v128.and(v, inside), count);
    return;
  }
  if (C == 3 && count == 4 && vectorRows && v128.all_true<i32>(i32x4.le_u(rows, i32x4.splat(<i32>lastVectorRow)))) {
    // Three channels: a 16-byte load per tap (one float past its row), the point's row in lanes
    // 0-2 masked, and stores that overlap by one float, each overwriting the last's spare lane
    // (1.6-1.8x faster than a row's 8- and 4-byte copies).
    countPath(PATH_NEAREST_RGB, false);
    v128.store(points, v128.and(v128.load(inBase + <usize>laneI(rows, 0)), broadcast(inside, 0)));
    v128.store(points, v128.and(v128.load(inBase + <usize>laneI(rows, 1)), broadcast(inside, 1)), 12);
    v128.store(points, v128.and(v128.load(inBase + <usize>laneI(rows, 2)), broadcast(inside, 2)), 24);
    const last = v128.and(v128.load(inBase + <usize>laneI(rows, 3)), broadcast(inside, 3));
    v128.store64_lane(points, last, 0, 36);
    v128.store32_lane(points, last, 2, 44);
    return;
  }
  countPath(path, false);
  copyTap(0, rows, inside, C, points);
  if (count > 1) copyTap(1, rows, inside, C, points);
  if (count > 2) copyTap(2, rows, inside, C, points);
  if (count > 3) copyTap(3, rows, inside, C, points);
}

/** Forward, lane `l`: out row = in[tap] row, or zeros where the tap is outside. */
@inline function copyTap(l: i32, rows: v128, inside: v128, C: i32, points: usize): void {
  const rowBytes = <usize>C << 2;
  const src = inBase + <usize>laneI(rows, l);
  const dst = points + <usize>l * rowBytes;
  const keep = laneI(inside, l);
  const keepV = i32x4.splat(keep);
  let k: usize = 0;
  for (; k + 16 <= rowBytes; k += 16) v128.store(dst + k, v128.and(v128.load(src + k), keepV));
  if (k + 8 <= rowBytes) {
    store<i64>(dst + k, load<i64>(src + k) & <i64>keep);
    k += 8;
  }
  if (k < rowBytes) store<i32>(dst + k, load<i32>(src + k) & keep);
}

/** Backward, lane `l`: dIn[tap] row += dy row, where the tap is inside. */
@inline function addTap(l: i32, rows: v128, inside: v128, C: i32, points: usize): void {
  if (laneI(inside, l) == 0) return;
  const rowBytes = <usize>C << 2;
  const dst = dInBase + <usize>laneI(rows, l);
  const src = points + <usize>l * rowBytes;
  let k: usize = 0;
  for (; k + 16 <= rowBytes; k += 16) v128.store(dst + k, f32x4.add(v128.load(dst + k), v128.load(src + k)));
  for (; k < rowBytes; k += 4) store<f32>(dst + k, load<f32>(dst + k) + load<f32>(src + k));
}
