/**
 * Reference gridSample / affineGrid in plain TypeScript (float64), channels-last, for images
 * (2 spatial axes) and volumes (3).
 *
 * One loop over the grid serves forward and backward. For each grid point it lists the taps
 * (input pixels) that the interpolation reads, each with its weight w and dw/dx, dw/dy (, dw/dz):
 *   forward   out[c]      += w * in[tap, c]
 *   backward  dIn[tap, c] += w * dy[c];   dx += dy[c] * in[tap, c] * dw/dx  (dy, dz likewise)
 * and d(grid) = (dx, dy[, dz]) times the coordinate chain rule (unnormalize, clamp, padding).
 * The interpolation is separable: a tap's weight is the product of one weight per axis, so the
 * taps are the product of each axis' 1-D taps (nearest 1, linear 2, cubic 4 per axis); that is
 * the 2-D rule extended by one axis for volumes (trilinear: 8 taps, tricubic: 64).
 * A grid point with a NaN coordinate has no taps: it reads 0 and has no gradient.
 */
import type { Mode, PaddingMode } from '../kernels/names.js';
// The base grid is plain arithmetic the tests check against PyTorch's fixtures directly.
import { linspaceFromNegOne } from '../ops/base_grid.js';
import {
  computeCoordinates, computeSourceIndexWithGrad, cubicWeightsWithGrad,
} from './coords.js';

export interface SampleOptions {
  mode: Mode;
  paddingMode: PaddingMode;
  alignCorners: boolean;
}

export interface Tap {
  /** The pixel, one index per axis, x first. */
  at: number[];
  weight: number;
  /** d(weight)/d(pixel coordinate), one per axis, x first. */
  dWeight: number[];
}

export interface GridSampleResult {
  output: Float64Array;
  dInput?: Float64Array;
  dGrid?: Float64Array;
}

interface AxisTap {
  at: number;
  weight: number;
  dWeight: number;
}

/** The 1-D taps along one axis of `size` pixels at pixel coordinate `i`. */
function axisTaps(i: number, size: number, o: SampleOptions): AxisTap[] {
  if (o.mode === 'nearest') return [{ at: roundHalfToEven(i), weight: 1, dWeight: 0 }];
  const i0 = Math.floor(i);
  const t = i - i0; // distance from the lower pixel
  if (o.mode === 'bilinear') return [{ at: i0, weight: 1 - t, dWeight: -1 }, { at: i0 + 1, weight: t, dWeight: 1 }];
  const c = cubicWeightsWithGrad(t);
  // Bicubic pads every tap (PyTorch's get_value_bounded); the padded position is an integer.
  return [0, 1, 2, 3].map((k) => ({
    at: Math.trunc(computeCoordinates(i0 - 1 + k, size, o.paddingMode, o.alignCorners)), weight: c.value[k], dWeight: c.grad[k],
  }));
}

/**
 * The input pixels one sample at pixel coordinates `coords` (x, y[, z]) reads in an input of
 * `sizes` (W, H[, D]), after padding; pixels outside the input are left out.
 */
export function sampleTaps(coords: readonly number[], sizes: readonly number[], o: SampleOptions): Tap[] {
  let taps: Tap[] = [{ at: [], weight: 1, dWeight: [] }];
  coords.forEach((i, axis) => {
    const next: Tap[] = [];
    for (const a of axisTaps(i, sizes[axis]!, o)) {
      for (const tap of taps) {
        next.push({
          at: [...tap.at, a.at],
          weight: tap.weight * a.weight,
          dWeight: [...tap.dWeight.map((d) => d * a.weight), tap.weight * a.dWeight],
        });
      }
    }
    taps = next;
  });
  return taps.filter((tap) => tap.at.every((at, axis) => at >= 0 && at < sizes[axis]!));
}

function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * gridSample on NHWC input [N,H,W,C] and grid [N,Ho,Wo,2], or a volume [N,D,H,W,C] and grid
 * [N,Do,Ho,Wo,3]. With dy (of the output's shape) it also returns dInput and dGrid, the
 * gradients of sum(output * dy).
 */
export function gridSampleReference(
  input: ArrayLike<number>, inputShape: readonly number[],
  grid: ArrayLike<number>, gridShape: readonly number[],
  options: SampleOptions, dy?: ArrayLike<number>,
): GridSampleResult {
  const dims = inputShape.length - 2;
  const N = inputShape[0]!;
  const C = inputShape[dims + 1]!;
  const sizes = inputShape.slice(1, dims + 1).reverse(); // x first: W, H[, D]
  const pixels = sizes.reduce((a, b) => a * b, 1);
  const points = gridShape.slice(1, dims + 1).reduce((a, b) => a * b, 1);
  const output = new Float64Array(N * points * C);
  const dInput = dy ? new Float64Array(input.length) : undefined;
  const dGrid = dy ? new Float64Array(grid.length) : undefined;
  const padBeforeTaps = options.mode !== 'bicubic';
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < points; p++) {
      const g = (n * points + p) * dims;
      const gs = Array.from({ length: dims }, (_, axis) => grid[g + axis]!);
      if (gs.some(Number.isNaN)) continue;
      const s = gs.map((c, axis) => computeSourceIndexWithGrad(c, sizes[axis]!, options.paddingMode, options.alignCorners, padBeforeTaps));
      const out = (n * points + p) * C;
      const d = new Array<number>(dims).fill(0);
      for (const tap of sampleTaps(s.map((v) => v.value), sizes, options)) {
        let pixel = 0;
        for (let axis = dims - 1; axis >= 0; axis--) pixel = pixel * sizes[axis]! + tap.at[axis]!;
        const src = (n * pixels + pixel) * C;
        for (let c = 0; c < C; c++) {
          const v = input[src + c]!;
          output[out + c]! += tap.weight * v;
          if (dy) {
            const dOut = dy[out + c]!;
            dInput![src + c]! += tap.weight * dOut;
            for (let axis = 0; axis < dims; axis++) d[axis]! += dOut * v * tap.dWeight[axis]!;
          }
        }
      }
      if (dGrid) {
        // 0 * anything is 0 here: a clamped (infinite) coordinate has no gradient.
        for (let axis = 0; axis < dims; axis++) dGrid[g + axis] = s[axis]!.grad === 0 ? 0 : d[axis]! * s[axis]!.grad;
      }
    }
  }
  return { output, dInput, dGrid };
}

/** The base points (x, y[, z], 1) of an output of spatial size `spatial` (outer first), row-major. */
function basePoints(spatial: readonly number[], alignCorners: boolean): number[][] {
  const axes = spatial.map((size) => linspaceFromNegOne(size, alignCorners)).reverse(); // x first
  let points: number[][] = [[1]];
  for (const axis of axes) points = Array.from(axis).flatMap((v) => points.map((p) => [v, ...p]));
  return points.map((p) => [...p.slice(0, axes.length).reverse(), 1]);
}

/** affineGrid: theta [N,2,3], size [N,H,W,C] -> grid [N,H,W,2] (x, y); theta [N,3,4], size [N,D,H,W,C] -> [N,D,H,W,3]. */
export function affineGridReference(theta: ArrayLike<number>, size: readonly number[], alignCorners: boolean): Float64Array {
  const dims = size.length - 2;
  const base = basePoints(size.slice(1, -1), alignCorners);
  const grid = new Float64Array(size[0]! * base.length * dims);
  for (let n = 0; n < size[0]!; n++) {
    base.forEach((b, p) => {
      for (let r = 0; r < dims; r++) {
        let v = 0;
        for (let k = 0; k <= dims; k++) v += theta[(n * dims + r) * (dims + 1) + k]! * b[k]!;
        grid[(n * base.length + p) * dims + r] = v;
      }
    });
  }
  return grid;
}

/** d(theta) of sum(affineGrid(theta) * dGrid). */
export function affineGridGradReference(dGrid: ArrayLike<number>, size: readonly number[], alignCorners: boolean): Float64Array {
  const dims = size.length - 2;
  const base = basePoints(size.slice(1, -1), alignCorners);
  const dTheta = new Float64Array(size[0]! * dims * (dims + 1));
  for (let n = 0; n < size[0]!; n++) {
    base.forEach((b, p) => {
      for (let r = 0; r < dims; r++) {
        for (let k = 0; k <= dims; k++) dTheta[(n * dims + r) * (dims + 1) + k]! += dGrid[(n * base.length + p) * dims + r]! * b[k]!;
      }
    });
  }
  return dTheta;
}
