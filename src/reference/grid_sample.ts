/**
 * Reference gridSample / affineGrid in plain TypeScript (float64), channels-last.
 *
 * One loop over the grid serves forward and backward. For each grid point it lists the taps
 * (input pixels) that the interpolation reads, each with its weight w and dw/dx, dw/dy:
 *   forward   out[c]      += w * in[tap, c]
 *   backward  dIn[tap, c] += w * dy[c];   dx += dy[c] * in[tap, c] * dw/dx  (dy likewise)
 * and d(grid) = (dx, dy) times the coordinate chain rule (unnormalize, clamp, padding).
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
  x: number;
  y: number;
  weight: number;
  dWeightDx: number;
  dWeightDy: number;
}

export interface GridSampleResult {
  output: Float64Array;
  dInput?: Float64Array;
  dGrid?: Float64Array;
}

/** The input pixels one sample reads, after padding; pixels outside the input are left out. */
export function sampleTaps(ix: number, iy: number, W: number, H: number, o: SampleOptions): Tap[] {
  const taps: Tap[] = [];
  const push = (x: number, y: number, weight: number, dWeightDx: number, dWeightDy: number) => {
    if (x >= 0 && x < W && y >= 0 && y < H) taps.push({ x, y, weight, dWeightDx, dWeightDy });
  };
  if (o.mode === 'nearest') {
    push(roundHalfToEven(ix), roundHalfToEven(iy), 1, 0, 0);
  } else if (o.mode === 'bilinear') {
    const x0 = Math.floor(ix);
    const y0 = Math.floor(iy);
    const e = ix - x0; // distance to the west pixel
    const s = iy - y0; // distance to the north pixel
    push(x0, y0, (1 - e) * (1 - s), -(1 - s), -(1 - e));
    push(x0 + 1, y0, e * (1 - s), 1 - s, -e);
    push(x0, y0 + 1, (1 - e) * s, -s, 1 - e);
    push(x0 + 1, y0 + 1, e * s, s, e);
  } else {
    const x0 = Math.floor(ix);
    const y0 = Math.floor(iy);
    const cx = cubicWeightsWithGrad(ix - x0);
    const cy = cubicWeightsWithGrad(iy - y0);
    for (let i = 0; i < 4; i++) {
      // Bicubic pads every tap (PyTorch's get_value_bounded); the padded position is an integer.
      const y = Math.trunc(computeCoordinates(y0 - 1 + i, H, o.paddingMode, o.alignCorners));
      for (let j = 0; j < 4; j++) {
        const x = Math.trunc(computeCoordinates(x0 - 1 + j, W, o.paddingMode, o.alignCorners));
        push(x, y, cy.value[i] * cx.value[j], cy.value[i] * cx.grad[j], cy.grad[i] * cx.value[j]);
      }
    }
  }
  return taps;
}

function roundHalfToEven(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * gridSample on NHWC input [N,H,W,C] and grid [N,Ho,Wo,2]. With dy ([N,Ho,Wo,C]) it also returns
 * dInput and dGrid, the gradients of sum(output * dy).
 */
export function gridSampleReference(
  input: ArrayLike<number>, inputShape: readonly number[],
  grid: ArrayLike<number>, gridShape: readonly number[],
  options: SampleOptions, dy?: ArrayLike<number>,
): GridSampleResult {
  const [N, H, W, C] = inputShape as [number, number, number, number];
  const points = gridShape[1]! * gridShape[2]!;
  const output = new Float64Array(N * points * C);
  const dInput = dy ? new Float64Array(input.length) : undefined;
  const dGrid = dy ? new Float64Array(grid.length) : undefined;
  const padBeforeTaps = options.mode !== 'bicubic';
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < points; p++) {
      const g = (n * points + p) * 2;
      const gx = grid[g]!;
      const gy = grid[g + 1]!;
      if (Number.isNaN(gx) || Number.isNaN(gy)) continue;
      const sx = computeSourceIndexWithGrad(gx, W, options.paddingMode, options.alignCorners, padBeforeTaps);
      const sy = computeSourceIndexWithGrad(gy, H, options.paddingMode, options.alignCorners, padBeforeTaps);
      const out = (n * points + p) * C;
      let dx = 0;
      let dyy = 0;
      for (const tap of sampleTaps(sx.value, sy.value, W, H, options)) {
        const src = ((n * H + tap.y) * W + tap.x) * C;
        for (let c = 0; c < C; c++) {
          const v = input[src + c]!;
          output[out + c]! += tap.weight * v;
          if (dy) {
            const d = dy[out + c]!;
            dInput![src + c]! += tap.weight * d;
            dx += d * v * tap.dWeightDx;
            dyy += d * v * tap.dWeightDy;
          }
        }
      }
      if (dGrid) {
        // 0 * anything is 0 here: a clamped (infinite) coordinate has no gradient.
        dGrid[g] = sx.grad === 0 ? 0 : dx * sx.grad;
        dGrid[g + 1] = sy.grad === 0 ? 0 : dyy * sy.grad;
      }
    }
  }
  return { output, dInput, dGrid };
}

/** affineGrid: theta [N,2,3], size [N,H,W,C] -> grid [N,H,W,2] (x, y). */
export function affineGridReference(theta: ArrayLike<number>, size: readonly number[], alignCorners: boolean): Float64Array {
  const [N, H, W] = size as [number, number, number];
  const xs = linspaceFromNegOne(W, alignCorners);
  const ys = linspaceFromNegOne(H, alignCorners);
  const grid = new Float64Array(N * H * W * 2);
  for (let n = 0; n < N; n++) {
    const t = n * 6;
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const o = ((n * H + h) * W + w) * 2;
        grid[o] = theta[t]! * xs[w]! + theta[t + 1]! * ys[h]! + theta[t + 2]!;
        grid[o + 1] = theta[t + 3]! * xs[w]! + theta[t + 4]! * ys[h]! + theta[t + 5]!;
      }
    }
  }
  return grid;
}

/** d(theta) of sum(affineGrid(theta) * dGrid). */
export function affineGridGradReference(dGrid: ArrayLike<number>, size: readonly number[], alignCorners: boolean): Float64Array {
  const [N, H, W] = size as [number, number, number];
  const xs = linspaceFromNegOne(W, alignCorners);
  const ys = linspaceFromNegOne(H, alignCorners);
  const dTheta = new Float64Array(N * 6);
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) {
        const o = ((n * H + h) * W + w) * 2;
        const base = [xs[w]!, ys[h]!, 1];
        for (let k = 0; k < 3; k++) {
          dTheta[n * 6 + k]! += dGrid[o]! * base[k]!;
          dTheta[n * 6 + 3 + k]! += dGrid[o + 1]! * base[k]!;
        }
      }
    }
  }
  return dTheta;
}
