/**
 * Deterministic benchmark data: an input image, an STN-like affine grid (small rotation, scale
 * and shift, so some samples fall outside the input and padding matters) and an upstream
 * gradient. The grid comes from the TS reference affineGrid, so it is the grid affineGrid makes.
 */
import { util } from '@tensorflow/tfjs-core';
import { affineGridReference } from '../../src/reference/grid_sample.js';

export type Shape4 = [number, number, number, number];
export type Shape5 = [number, number, number, number, number];

/** A case on images (Shape4, the default) or on volumes (Shape5), channels-last as stn-layer takes it. */
export interface BenchCase<S extends Shape4 | Shape5 = Shape4> {
  inputShape: S;
  gridShape: S;
  /** [N, 2, 3] (volumes: [N, 3, 4]) row-major, the theta the grid was made from (tf.image.transform needs it). */
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
 * A volume case: a near-identity 3-D affine grid the size of the input (rotation within ±0.2 rad
 * about a random axis, to first order; scale 0.9..1.1; shift within ±0.1), as registration starts.
 */
export function makeVolumeCase(inputShape: Shape5, seed = 5): BenchCase<Shape5> {
  const random = seededRandom(seed);
  const [N] = inputShape;
  const theta = new Float32Array(N * 12);
  for (let n = 0; n < N; n++) {
    const [a, b, c] = [0, 1, 2].map(() => (random() - 0.5) * 0.4) as [number, number, number];
    const s = 0.9 + random() * 0.2;
    // A small rotation to first order (I + skew), scaled.
    theta.set([s, -c * s, b * s, (random() - 0.5) * 0.2, c * s, s, -a * s, (random() - 0.5) * 0.2,
      -b * s, a * s, s, (random() - 0.5) * 0.2], n * 12);
  }
  const input = new Float32Array(sizeOf(inputShape)).map(() => random());
  const grid = Float32Array.from(affineGridReference(theta, inputShape, false));
  const dy = new Float32Array(input.length).map(() => random() - 0.5);
  const [, D, H, W] = inputShape;
  return { inputShape, gridShape: [N, D, H, W, 3], theta, input, grid, dy };
}

/**
 * Channels-last <-> channels-first for any rank: [N, ...spatial, C] <-> [N, C, ...spatial], the
 * layouts of stn-layer and of ONNX Runtime / PyTorch. Done outside every timed region.
 */
function moveChannels(data: ArrayLike<number>, n: number, spatial: number, c: number, toFirst: boolean): Float32Array {
  const out = new Float32Array(data.length);
  for (let b = 0; b < n; b++) {
    for (let s = 0; s < spatial; s++) {
      for (let k = 0; k < c; k++) {
        const last = (b * spatial + s) * c + k;
        const first = (b * c + k) * spatial + s;
        if (toFirst) out[first] = data[last]!;
        else out[last] = data[first]!;
      }
    }
  }
  return out;
}

/** [N, ...spatial, C] (the shape given) -> [N, C, ...spatial]. */
export function toChannelsFirst(data: ArrayLike<number>, shape: readonly number[]): Float32Array {
  return moveChannels(data, shape[0]!, sizeOf(shape.slice(1, -1)), shape[shape.length - 1]!, true);
}

/** [N, C, ...spatial] (the shape given) -> [N, ...spatial, C]. */
export function toChannelsLast(data: ArrayLike<number>, shape: readonly number[]): Float32Array {
  return moveChannels(data, shape[0]!, sizeOf(shape.slice(2)), shape[1]!, false);
}

/** [N, ...spatial, C] -> [N, C, ...spatial]. */
export const channelsFirstShape = (shape: readonly number[]): number[] => [shape[0]!, shape[shape.length - 1]!, ...shape.slice(1, -1)];

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
