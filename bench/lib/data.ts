/**
 * Deterministic benchmark data: an input image, an STN-like affine grid (small rotation, scale
 * and shift, so some samples fall outside the input and padding matters) and an upstream
 * gradient. The grid comes from the TS reference affineGrid, so it is the grid affineGrid makes.
 */
import { util } from '@tensorflow/tfjs-core';
import { affineGridReference } from '../../src/reference/grid_sample.js';

export type Shape4 = [number, number, number, number];

export interface BenchCase {
  inputShape: Shape4;
  gridShape: Shape4;
  /** [N, 2, 3] row-major, the theta the grid was made from (tf.image.transform needs it). */
  theta: Float32Array;
  input: Float32Array;
  grid: Float32Array;
  dy: Float32Array;
}

/** mulberry32: a tiny seeded PRNG, so every run and every contender sees the same numbers. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sizeOf = (shape: readonly number[]): number => util.sizeFromShape([...shape]);

/** Rotation within ±0.3 rad, scale 0.8..1.2, shift within ±0.15 (in [-1, 1] units). */
export function stnTheta(n: number, random: () => number): Float32Array {
  const theta = new Float32Array(n * 6);
  for (let b = 0; b < n; b++) {
    const angle = (random() - 0.5) * 0.6;
    const scale = 0.8 + random() * 0.4;
    const [cos, sin] = [Math.cos(angle) * scale, Math.sin(angle) * scale];
    theta.set([cos, -sin, (random() - 0.5) * 0.3, sin, cos, (random() - 0.5) * 0.3], b * 6);
  }
  return theta;
}

export function makeCase(inputShape: Shape4, outHW: [number, number], seed = 1): BenchCase {
  const random = seededRandom(seed);
  const [N, , , C] = inputShape;
  const gridShape: Shape4 = [N, outHW[0], outHW[1], 2];
  const theta = stnTheta(N, random);
  const input = new Float32Array(sizeOf(inputShape)).map(() => random());
  const grid = Float32Array.from(affineGridReference(theta, [N, outHW[0], outHW[1], C], false));
  const dy = new Float32Array(N * outHW[0] * outHW[1] * C).map(() => random() - 0.5);
  return { inputShape, gridShape, theta, input, grid, dy };
}

/**
 * A 4-D transpose: out[i[perm[0]], i[perm[1]], ...] = data[i]. NHWC -> NCHW for ONNX Runtime is
 * perm [0, 3, 1, 2], back is [0, 2, 3, 1]; done outside every timed region.
 */
export function transpose4(data: ArrayLike<number>, shape: readonly number[], perm: readonly number[]): Float32Array {
  const outShape = perm.map((p) => shape[p]!);
  const inStrides = [shape[1]! * shape[2]! * shape[3]!, shape[2]! * shape[3]!, shape[3]!, 1];
  const s = perm.map((p) => inStrides[p]!); // input stride of each output axis
  const out = new Float32Array(data.length);
  let k = 0;
  for (let a = 0; a < outShape[0]!; a++) {
    for (let b = 0; b < outShape[1]!; b++) {
      for (let c = 0; c < outShape[2]!; c++) {
        const row = a * s[0]! + b * s[1]! + c * s[2]!;
        for (let d = 0; d < outShape[3]!; d++) out[k++] = data[row + d * s[3]!]!;
      }
    }
  }
  return out;
}
export const NHWC_TO_NCHW = [0, 3, 1, 2] as const;
export const NCHW_TO_NHWC = [0, 2, 3, 1] as const;

/**
 * The agreement a benchmark asks of a contender before timing it (not the parity rule of the
 * tests): |got - want| <= 1e-3 + 1e-3*|want| on all but 0.01% of the elements. The slack is for
 * float32 against float64 arithmetic: gradients summed over many channels, and samples that land
 * within rounding of a pixel boundary, where bilinear's d(grid) jumps from one side's slope to
 * the other's.
 */
export const AGREE_TOL = 1e-3;
export const AGREE_MAX_BAD_FRACTION = 1e-4;

export interface Agreement {
  bad: number;
  maxAbs: number;
}

export function agreement(got: ArrayLike<number>, want: ArrayLike<number>, tol = AGREE_TOL): Agreement {
  if (got.length !== want.length) throw new Error(`agreement: length ${got.length}, want ${want.length}`);
  let bad = 0;
  let maxAbs = 0;
  for (let i = 0; i < want.length; i++) {
    const d = Math.abs(got[i]! - want[i]!);
    if (!(d <= tol + tol * Math.abs(want[i]!))) bad++;
    if (!(d <= maxAbs)) maxAbs = d;
  }
  return { bad, maxAbs };
}

/** Throws, naming what and where, unless `got` agrees with `want` as agreement() describes. */
export function checkAgreement(what: string, got: ArrayLike<number>, want: ArrayLike<number>): Agreement {
  const a = agreement(got, want);
  if (a.bad > AGREE_MAX_BAD_FRACTION * want.length) {
    throw new Error(`${what} disagrees at ${a.bad} of ${want.length} elements (max |diff| ${a.maxAbs.toPrecision(3)})`);
  }
  return a;
}
