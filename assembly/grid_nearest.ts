// The nearest path of gridSample, images and volumes (every call in nearest mode on a non-empty
// input). Nearest has one tap of weight 1 and no weight derivative, so the generic tap loop's
// work (taps.ts: four-tap groups, three of them masked, a horizontal sum per channel) reduces to
//   forward   out[point, c] = in[tap, c]          (0 where the tap is outside or the point NaN)
//   backward  dIn[tap, c]  += dy[point, c]        (points in order: two may share a tap)
//             d(grid) = 0                         (rounding has no gradient: PyTorch writes 0)
// Four grid points at a time: their pixel coordinates through coords.ts (computeSourceIndex, as
// every mode), rounded half to even (f32x4.nearest, PyTorch's nearbyint), then one row copy or
// add per point. The forward and d(input) are the generic path's bits (1 * v, += 1 * dy); d(grid)
// is +0 even where the input is not finite (the tap loop's 0 * Infinity gave NaN there).
import { computeSourceIndex } from './coords';
import { pixelIndex } from './grid_sample_3d';
import { laneI, loadGridHalf, loadLanes, storeLanes } from './lanes';
import { PATH_NEAREST, PATH_NEAREST_VOLUME, countPath } from './paths';
import { dInBase, inBase, wantDGrid, wantDInput } from './registers';

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
  if (C == 1) nearestImageLoop(g, count, W, H, 1, padding, alignCorners, backward, o, dy);
  else if (C == 3) nearestImageLoop(g, count, W, H, 3, padding, alignCorners, backward, o, dy);
  else nearestImageLoop(g, count, W, H, C, padding, alignCorners, backward, o, dy);
}

@inline function nearestImageLoop(
  g: usize, count: i32, W: i32, H: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize,
): void {
  const rowBytes = <usize>C << 2;
  const floatIndex = <u64>H * <u64>W * <u64>C <= FLOAT_INDEX_LIMIT;
  const lastX = f32x4.splat(<f32>(W - 1)), lastY = f32x4.splat(<f32>(H - 1));
  for (let p = 0; p < count; p += 4) {
    const n = min(4, count - p);
    const at = <usize>p;
    const xy0 = loadGridHalf(g + (at << 3), n, 0), xy1 = loadGridHalf(g + (at << 3), n, 1);
    const x = f32x4.nearest(computeSourceIndex(v128.shuffle<f32>(xy0, xy1, 0, 2, 4, 6), W, padding, alignCorners, true));
    const y = f32x4.nearest(computeSourceIndex(v128.shuffle<f32>(xy0, xy1, 1, 3, 5, 7), H, padding, alignCorners, true));
    const inside = v128.and(axisInside(x, lastX), axisInside(y, lastY));
    const rows = floatIndex
      ? i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.add(f32x4.mul(y, f32x4.splat(<f32>W)), x), f32x4.splat(<f32>C)))
      : i32x4.mul(i32x4.add(i32x4.mul(i32x4.trunc_sat_f32x4_s(y), i32x4.splat(W)), i32x4.trunc_sat_f32x4_s(x)), i32x4.splat(C));
    countPath(PATH_NEAREST, backward);
    nearestBlock(i32x4.shl(v128.and(rows, inside), 2), inside, n, C, backward, (backward ? dy : o) + at * rowBytes);
  }
}

/** nearestImage's twin for volumes: grid points (x, y, z) at `g`, pixel index (z * H + y) * W + x. */
export function nearestVolume(
  g: usize, count: i32, D: i32, H: i32, W: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize, dGrid: usize,
): void {
  if (backward && wantDGrid) memory.fill(dGrid, 0, <usize>count * 12);
  if (backward && !wantDInput) return;
  if (C == 1) nearestVolumeLoop(g, count, D, H, W, 1, padding, alignCorners, backward, o, dy);
  else nearestVolumeLoop(g, count, D, H, W, C, padding, alignCorners, backward, o, dy);
}

@inline function nearestVolumeLoop(
  g: usize, count: i32, D: i32, H: i32, W: i32, C: i32, padding: i32, alignCorners: bool, backward: bool, o: usize, dy: usize,
): void {
  const rowBytes = <usize>C << 2;
  const floatIndex = <u64>D * <u64>H * <u64>W * <u64>C <= FLOAT_INDEX_LIMIT;
  const lastX = f32x4.splat(<f32>(W - 1)), lastY = f32x4.splat(<f32>(H - 1)), lastZ = f32x4.splat(<f32>(D - 1));
  for (let p = 0; p < count; p += 4) {
    const n = min(4, count - p);
    const at = <usize>p;
    // A short block's missing points are NaN: they have no tap.
    const gx = loadLanes(g + at * 12, 12, n, NaN), gy = loadLanes(g + at * 12 + 4, 12, n, NaN), gz = loadLanes(g + at * 12 + 8, 12, n, NaN);
    const x = f32x4.nearest(computeSourceIndex(gx, W, padding, alignCorners, true));
    const y = f32x4.nearest(computeSourceIndex(gy, H, padding, alignCorners, true));
    const z = f32x4.nearest(computeSourceIndex(gz, D, padding, alignCorners, true));
    const inside = v128.and(v128.and(axisInside(x, lastX), axisInside(y, lastY)), axisInside(z, lastZ));
    const rows = floatIndex
      ? i32x4.trunc_sat_f32x4_s(f32x4.mul(f32x4.add(f32x4.mul(f32x4.add(f32x4.mul(z, f32x4.splat(<f32>H)), y), f32x4.splat(<f32>W)), x), f32x4.splat(<f32>C)))
      : i32x4.mul(pixelIndex(i32x4.trunc_sat_f32x4_s(x), i32x4.trunc_sat_f32x4_s(y), i32x4.trunc_sat_f32x4_s(z), W, H), i32x4.splat(C));
    countPath(PATH_NEAREST_VOLUME, backward);
    nearestBlock(i32x4.shl(v128.and(rows, inside), 2), inside, n, C, backward, (backward ? dy : o) + at * rowBytes);
  }
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
 * backward, each inside point's dy row is added into its tap's dInput row, lane after lane.
 */
@inline function nearestBlock(rows: v128, inside: v128, count: i32, C: i32, backward: bool, points: usize): void {
  if (backward) {
    addTap(0, rows, inside, C, points);
    if (count > 1) addTap(1, rows, inside, C, points);
    if (count > 2) addTap(2, rows, inside, C, points);
    if (count > 3) addTap(3, rows, inside, C, points);
    return;
  }
  if (C == 1) {
    // One channel: the four taps are one vector of outputs.
    const v = f32x4(load<f32>(inBase + <usize>laneI(rows, 0)), load<f32>(inBase + <usize>laneI(rows, 1)),
      load<f32>(inBase + <usize>laneI(rows, 2)), load<f32>(inBase + <usize>laneI(rows, 3)));
    storeLanes(points, 4, v128.and(v, inside), count);
    return;
  }
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
