/**
 * MNIST in memory: the constants, a split of byte images with labels, and the batches the model
 * trains on. Browser-safe (no Node imports): the demo and stn-layer/mnist's browser entry use it;
 * data.ts reads the IDX files into these splits.
 */
import type { Rng } from './random.js';

/** The tutorial's normalisation (torchvision's MNIST mean and std). */
export const MNIST_MEAN = 0.1307;
export const MNIST_STD = 0.3081;
export const IMAGE_SIZE = 28;
export const NUM_CLASSES = 10;

/** Images as bytes (0..255), count x size x size, and their labels (0..9). */
export interface MnistSplit {
  images: Uint8Array;
  labels: Uint8Array;
  count: number;
  /** The images' side in pixels: 28 (MNIST's, when absent), or a distorted dataset's canvas (42, 60). */
  size?: number;
}

/** The side of a split's square images. */
export const sideOf = (split: MnistSplit): number => split.size ?? IMAGE_SIZE;

/** One batch, ready for the model: normalised NHWC pixels and one-hot labels. */
export interface Batch {
  /** size x side x side x 1, normalised with the MNIST mean and std. */
  x: Float32Array;
  /** The images' side in pixels. */
  side: number;
  /** size x 10, one-hot. */
  oneHot: Float32Array;
  labels: Uint8Array;
  size: number;
}

/** The images at `indices`, normalised, with their labels. */
export function makeBatch(split: MnistSplit, indices: ArrayLike<number>): Batch {
  const side = sideOf(split);
  const pixels = side * side;
  const size = indices.length;
  const x = new Float32Array(size * pixels);
  const oneHot = new Float32Array(size * NUM_CLASSES);
  const labels = new Uint8Array(size);
  const scale = 1 / (255 * MNIST_STD);
  const shift = MNIST_MEAN / MNIST_STD;
  for (let i = 0; i < size; i++) {
    const src = indices[i]! * pixels;
    for (let p = 0; p < pixels; p++) x[i * pixels + p] = split.images[src + p]! * scale - shift;
    labels[i] = split.labels[indices[i]!]!;
    oneHot[i * NUM_CLASSES + labels[i]!] = 1;
  }
  return { x, side, oneHot, labels, size };
}

/**
 * The split in batches of `batchSize` (the last one smaller, as PyTorch's DataLoader does),
 * shuffled with `rng` when given, in order otherwise.
 */
export function* batches(split: MnistSplit, batchSize: number, rng?: Rng): Generator<Batch> {
  const order = new Uint32Array(split.count);
  for (let i = 0; i < order.length; i++) order[i] = i;
  if (rng) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = order[i]!;
      order[i] = order[j]!;
      order[j] = t;
    }
  }
  for (let start = 0; start < order.length; start += batchSize) {
    yield makeBatch(split, order.subarray(start, Math.min(start + batchSize, order.length)));
  }
}

export const batchCount = (split: MnistSplit, batchSize: number): number => Math.ceil(split.count / batchSize);
