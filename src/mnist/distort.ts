/**
 * The distorted MNIST variants of the STN paper (Jaderberg et al. 2015, section 4.1), generated from
 * MNIST with stn-layer's own ops (affineGrid, projectiveGrid, flowGrid, then gridSample, bilinear with
 * zero padding) and deterministic by seed:
 *
 *   r    28x28: rotated uniformly in ±90°
 *   rts  42x42: rotated ±45°, scaled 0.7-1.2, centred uniformly where the scaled 28x28 box fits
 *   p    28x28: scaled 0.75, then each corner moved by N(0, 5 px) in x and y: a projective map. The
 *        normal is truncated at ±2 sigma and a quadrilateral that is not convex is drawn again: untruncated,
 *        one draw in eight folds or flattens the digit beyond recognition (a corner moved past 10 px)
 *   e    28x28: scaled 0.75, then a smooth random displacement field (Simard et al. 2003): uniform
 *        noise in [-1, 1] per pixel and axis, smoothed by a Gaussian of sigma 4 px, times alpha 34
 *        (about 1.3 px RMS displacement along each axis)
 *   tc   60x60: the digit unscaled at a random whole-pixel position, plus six 6x6 patches cut at
 *        random from other random digits of the split, pasted at random positions (pixelwise max)
 *
 * The trainer distorts its test set once with TEST_SEED (the same images for every model and seed)
 * and its training set afresh each epoch with a seed drawn from --seed and the epoch.
 */
import * as tf from '@tensorflow/tfjs-core';
import { affineGrid, flowGrid, gridSample, projectiveGrid } from '../index.js';
import { solveInPlace } from '../grids/tps_grid.js';
import { IMAGE_SIZE, type MnistSplit, sideOf } from './batch.js';
import { Rng } from './random.js';

import { DATASETS, type DatasetName } from './defaults.js';

export { DATASETS, type DatasetName };

/** Each dataset's canvas side in pixels. */
export const CANVAS: Readonly<Record<DatasetName, number>> = { mnist: 28, r: 28, rts: 42, p: 28, e: 28, tc: 60 };

/** The parameters of each distortion (angles in degrees, lengths in pixels). */
export const DISTORTION = {
  r: { maxAngle: 90 },
  rts: { maxAngle: 45, minScale: 0.7, maxScale: 1.2 },
  p: { scale: 0.75, cornerStd: 5, truncate: 2 },
  e: { scale: 0.75, alpha: 34, sigma: 4 },
  tc: { patches: 6, patchSize: 6 },
} as const;

/** The seed of every test set's distortion. */
export const TEST_SEED = 20150605;

/** The seed of the training set's distortion in `epoch` of a run with `seed`. */
export function trainingSeed(seed: number, epoch: number): number {
  return (Math.imul(seed >>> 0, 0x9e3779b1) + Math.imul(epoch, 0x85ebca6b) + 1) >>> 0;
}

/**
 * What was drawn for each image, where a similarity places the digit (r, rts, tc): its rotation
 * (radians, positive turns x towards y in pixel coordinates), scale, and where the source's centre
 * lands (x, y pixels from the canvas's top-left corner, continuous coordinates).
 */
export interface Placement {
  angle: Float64Array;
  scale: Float64Array;
  centre: Float64Array;
}

export interface DistortedSplit extends MnistSplit {
  size: number;
  /** For r, rts and tc. */
  placement?: Placement;
}

const HALF = IMAGE_SIZE / 2;
const CHUNK = 500;

/** A standard normal draw (Box-Muller). */
function gaussian(rng: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** A standard normal draw truncated to ±limit (drawn again beyond it). */
function truncatedGaussian(rng: Rng, limit: number): number {
  for (;;) {
    const g = gaussian(rng);
    if (Math.abs(g) <= limit) return g;
  }
}

/** Whether the quadrilateral (4 x (x, y), in order) turns the same way at every corner. */
function convex(q: readonly number[]): boolean {
  const turns = [0, 1, 2, 3].map((k) => {
    const [a, b, c] = [k, (k + 1) % 4, (k + 2) % 4];
    return (q[2 * b]! - q[2 * a]!) * (q[2 * c + 1]! - q[2 * b + 1]!) - (q[2 * b + 1]! - q[2 * a + 1]!) * (q[2 * c]! - q[2 * b]!);
  });
  return turns.every((t) => t > 0) || turns.every((t) => t < 0);
}

/**
 * theta [2, 3] of affineGrid (alignCorners false) for a canvas of side S that shows the 28x28
 * source rotated by `angle`, scaled by `scale`, its centre moved by (dx, dy) pixels from the
 * canvas's centre: source = R(-angle)·(canvas - d) / scale in pixels, in normalised units.
 */
export function similarityTheta(angle: number, scale: number, dx: number, dy: number, S: number): number[] {
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  const k = S / (IMAGE_SIZE * scale);
  const t = 1 / (HALF * scale);
  return [k * c, k * s, -(c * dx + s * dy) * t, -k * s, k * c, -(-s * dx + c * dy) * t];
}

/**
 * The projective map h (8 entries, h33 = 1) taking normalised output points `to` [4 x (x, y)] onto
 * normalised input points `from`, as projectiveGrid takes it.
 */
export function homography(to: readonly number[], from: readonly number[]): number[] {
  const a = new Float64Array(64);
  const b = new Float64Array(8);
  for (let k = 0; k < 4; k++) {
    const [x, y, u, v] = [to[2 * k]!, to[2 * k + 1]!, from[2 * k]!, from[2 * k + 1]!];
    a.set([x, y, 1, 0, 0, 0, -u * x, -u * y], 16 * k);
    a.set([0, 0, 0, x, y, 1, -v * x, -v * y], 16 * k + 8);
    b[2 * k] = u;
    b[2 * k + 1] = v;
  }
  if (!solveInPlace(a, b, 8, 1)) throw new Error('homography: the corners are degenerate (three on a line)');
  return Array.from(b);
}

/** The normalised 1-D Gaussian of `sigma` over ±3 sigma. */
function gaussianKernel(sigma: number): Float64Array {
  const r = Math.ceil(3 * sigma);
  const k = Float64Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const total = k.reduce((s, v) => s + v, 0);
  return k.map((v) => v / total);
}

/** Smooths an n x n field in place with a separable kernel, zero outside. */
function smooth(field: Float64Array, n: number, kernel: Float64Array): void {
  const r = (kernel.length - 1) / 2;
  const tmp = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = Math.max(-r, -j); t <= Math.min(r, n - 1 - j); t++) s += kernel[t + r]! * field[i * n + j + t]!;
      tmp[i * n + j] = s;
    }
  }
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let t = Math.max(-r, -i); t <= Math.min(r, n - 1 - i); t++) s += kernel[t + r]! * tmp[(i + t) * n + j]!;
      field[i * n + j] = s;
    }
  }
}

/** One chunk's sampling grid [n, S, S, 2], drawn from `rng` image by image (recorded in `placement` from index `first`). */
function drawGrid(dataset: Exclude<DatasetName, 'mnist'>, n: number, S: number, rng: Rng, placement: Placement | undefined, first: number): tf.Tensor4D {
  if (dataset === 'p') {
    const { scale, cornerStd, truncate } = DISTORTION.p;
    const corners = [-1, -1, 1, -1, 1, 1, -1, 1];
    const h = new Float32Array(n * 8);
    for (let i = 0; i < n; i++) {
      let to: number[];
      do to = corners.map((c) => c * scale + (cornerStd * truncatedGaussian(rng, truncate)) / HALF);
      while (!convex(to));
      h.set(homography(to, corners), 8 * i);
    }
    return projectiveGrid(tf.tensor2d(h, [n, 8]), [n, S, S, 1]);
  }
  if (dataset === 'e') {
    const { scale, alpha, sigma } = DISTORTION.e;
    const kernel = gaussianKernel(sigma);
    const flow = new Float32Array(n * S * S * 2);
    const field = [new Float64Array(S * S), new Float64Array(S * S)];
    const c = (S - 1) / 2; // the centre in pixel indices
    for (let i = 0; i < n; i++) {
      for (const f of field) {
        for (let p = 0; p < S * S; p++) f[p] = 2 * rng.next() - 1;
        smooth(f, S, kernel);
      }
      // The output pixel v, displaced by alpha·field, reads the source at c + (v + displacement - c) / scale.
      for (let p = 0; p < S * S; p++) {
        const v = [p % S, Math.floor(p / S)];
        for (let axis = 0; axis < 2; axis++) {
          flow[(i * S * S + p) * 2 + axis] = c + (v[axis]! + alpha * field[axis]![p]! - c) / scale - v[axis]!;
        }
      }
    }
    return flowGrid(tf.tensor4d(flow, [n, S, S, 2]), [S, S]);
  }
  const theta = new Float32Array(n * 6);
  for (let i = 0; i < n; i++) {
    let angle = 0;
    let scale = 1;
    let dx: number;
    let dy: number;
    if (dataset === 'tc') {
      // A whole-pixel offset: the digit's pixels land on the canvas's unchanged.
      dx = rng.int(S - IMAGE_SIZE + 1) + HALF - S / 2;
      dy = rng.int(S - IMAGE_SIZE + 1) + HALF - S / 2;
    } else {
      const { maxAngle } = DISTORTION[dataset];
      angle = ((2 * rng.next() - 1) * maxAngle * Math.PI) / 180;
      if (dataset === 'rts') {
        const { minScale, maxScale } = DISTORTION.rts;
        scale = minScale + rng.next() * (maxScale - minScale);
      }
      // Anywhere the scaled 28x28 box fits in the canvas (at the centre for r).
      const reach = S / 2 - HALF * scale;
      dx = (2 * rng.next() - 1) * reach;
      dy = (2 * rng.next() - 1) * reach;
    }
    theta.set(similarityTheta(angle, scale, dx, dy, S), 6 * i);
    if (placement) {
      placement.angle[first + i] = angle;
      placement.scale[first + i] = scale;
      placement.centre.set([S / 2 + dx, S / 2 + dy], 2 * (first + i));
    }
  }
  return affineGrid(tf.tensor3d(theta, [n, 2, 3]), [n, S, S, 1]);
}

/** Pastes DISTORTION.tc.patches random 6x6 crops of other random digits of `split` onto image `i` (pixelwise max). */
function clutter(out: Uint8Array, at: number, S: number, split: MnistSplit, i: number, rng: Rng): void {
  const { patches, patchSize: P } = DISTORTION.tc;
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  for (let k = 0; k < patches; k++) {
    let other = rng.int(split.count - 1);
    if (other >= i) other++; // another digit, when the split has one
    if (split.count === 1) other = 0;
    const [sx, sy] = [rng.int(IMAGE_SIZE - P + 1), rng.int(IMAGE_SIZE - P + 1)];
    const [tx, ty] = [rng.int(S - P + 1), rng.int(S - P + 1)];
    for (let r = 0; r < P; r++) {
      for (let c = 0; c < P; c++) {
        const v = split.images[other * pixels + (sy + r) * IMAGE_SIZE + sx + c]!;
        const o = at + (ty + r) * S + tx + c;
        if (v > out[o]!) out[o] = v;
      }
    }
  }
}

/**
 * `split` (28x28 MNIST) distorted as `dataset` with `seed`: a new split of CANVAS[dataset]-sided
 * images with the same labels ('mnist' returns the split itself). Runs on the current tfjs backend.
 */
export async function distort(split: MnistSplit, dataset: DatasetName, seed: number): Promise<DistortedSplit> {
  if (!DATASETS.includes(dataset)) throw new RangeError(`distort: 'dataset' must be one of ${DATASETS.join(', ')}; received '${String(dataset)}'`);
  if (sideOf(split) !== IMAGE_SIZE) throw new RangeError(`distort: 'split' must hold 28x28 MNIST images; received ${sideOf(split)}x${sideOf(split)}`);
  if (dataset === 'mnist') return { ...split, size: IMAGE_SIZE };
  const S = CANVAS[dataset];
  const rng = new Rng(seed);
  const images = new Uint8Array(split.count * S * S);
  const placement = dataset === 'r' || dataset === 'rts' || dataset === 'tc'
    ? { angle: new Float64Array(split.count), scale: new Float64Array(split.count), centre: new Float64Array(2 * split.count) }
    : undefined;
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  for (let first = 0; first < split.count; first += CHUNK) {
    const n = Math.min(CHUNK, split.count - first);
    const out = tf.tidy(() => {
      const source = tf.tensor4d(Float32Array.from(split.images.subarray(first * pixels, (first + n) * pixels)), [n, IMAGE_SIZE, IMAGE_SIZE, 1]);
      return gridSample(source, drawGrid(dataset, n, S, rng, placement, first));
    });
    const values = await out.data();
    out.dispose();
    for (let p = 0; p < values.length; p++) images[first * S * S + p] = Math.round(Math.min(255, Math.max(0, values[p]!)));
    if (dataset === 'tc') for (let i = 0; i < n; i++) clutter(images, (first + i) * S * S, S, split, first + i, rng);
  }
  return { images, labels: split.labels, count: split.count, size: S, ...(placement && { placement }) };
}
