/**
 * Non-finite and huge grid coordinates (the rules in ARCHITECTURE.md): NaN reads 0 with no gradient; ±Infinity
 * and huge values read 0 (zeros), the edge pixel (border) or an in-range pixel (reflection, the
 * edge for ±Infinity); d(grid) at an infinite coordinate is 0; no kernel touches memory outside
 * its buffers; finite input always gives finite output and gradients.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { gridSample } from '../src/index.js';
import { modeCode, paddingCode } from '../src/kernels/names.js';
import { stnExportsFor } from '../src/kernels/shared/stn_module.js';
import { wasmMemory, wasmOffset } from '../src/kernels/wasm/wasm_backend.js';
import { gridSampleReference } from '../src/reference/grid_sample.js';
import { ALL_OPTIONS, CPU_BACKENDS, EXTREME_COORDINATES, expectClose, useBackend } from './helpers.js';

const EXTREMES = EXTREME_COORDINATES;
const H = 3;
const W = 5;
const C = 2;
// Input pixel (y, x), channel c, is 100 * y + 10 * x + c + 1: every pixel is recognisable.
const inputWith = (channels: number) => Array.from({ length: H * W * channels }, (_, i) => {
  const c = i % channels;
  const x = Math.floor(i / channels) % W;
  const y = Math.floor(i / (channels * W));
  return 100 * y + 10 * x + c + 1;
});
const inputValues = inputWith(C);
const pixel = (y: number, x: number) => [100 * y + 10 * x + 1, 100 * y + 10 * x + 2];
// Every pair of extremes as (x, y).
const gridValues = EXTREMES.flatMap((x) => EXTREMES.flatMap((y) => [x, y]));
const points = EXTREMES.length * EXTREMES.length;
const combos = ALL_OPTIONS;

describe('the rule, on the reference', () => {
  const sample = (x: number, y: number, o: (typeof combos)[number]) =>
    Array.from(gridSampleReference(inputValues, [1, H, W, C], [x, y], [1, 1, 1, 2], o).output);

  it.each(combos)('NaN reads 0 with no gradient: %o', (o) => {
    for (const [x, y] of [[NaN, 0], [0, NaN], [NaN, NaN], [NaN, Infinity]]) {
      expect(sample(x!, y!, o)).toEqual([0, 0]);
      const r = gridSampleReference(inputValues, [1, H, W, C], [x!, y!], [1, 1, 1, 2], o, [1, 1]);
      expect(Array.from(r.dGrid!)).toEqual([0, 0]);
      expect(r.dInput!.every((v) => v === 0)).toBe(true);
    }
  });

  it.each(combos.filter((o) => o.paddingMode === 'zeros'))('zeros: ±Infinity and ±1e30 read 0: %o', (o) => {
    for (const v of [Infinity, -Infinity, 1e30, -1e30]) {
      expect(sample(v, 0, o)).toEqual([0, 0]);
      expect(sample(0, v, o)).toEqual([0, 0]);
    }
  });

  it.each(combos.filter((o) => o.paddingMode === 'border'))('border: +Infinity is the last pixel, -Infinity the first, as ±1e30: %o', (o) => {
    expect(sample(Infinity, Infinity, o)).toEqual(pixel(H - 1, W - 1));
    expect(sample(-Infinity, -Infinity, o)).toEqual(pixel(0, 0));
    expect(sample(Infinity, -Infinity, o)).toEqual(sample(1e30, -1e30, o));
  });

  it.each(combos.filter((o) => o.paddingMode === 'reflection' && o.mode !== 'bicubic'))(
    'reflection: ±Infinity land on the last / first pixel: %o', (o) => {
      expect(sample(Infinity, Infinity, o)).toEqual(pixel(H - 1, W - 1));
      expect(sample(-Infinity, -Infinity, o)).toEqual(pixel(0, 0));
    });
});

// One, three and four channels take the bilinear forward's pairs loop (four: its RGBA block inside,
// bilinearForward / bilinearBackward at the edges), two the other paths for few channels, five the
// paths for four or more.
for (const backend of CPU_BACKENDS) {
  describe(`${backend} backend`, () => {
    beforeAll(() => useBackend(backend));

    it.each(combos.flatMap((o) => [1, 2, 3, 4, 5].map((C) => ({ ...o, C }))))('extreme coordinates follow the reference, with finite results: %o', async ({ C, ...o }) => {
      const inputValues = inputWith(C);
      const input = tf.tensor4d(inputValues, [1, H, W, C]);
      const grid = tf.tensor4d(gridValues, [1, points, 1, 2]);
      const dy = tf.ones([1, points, 1, C]);
      const want = gridSampleReference(inputValues, [1, H, W, C], gridValues, [1, points, 1, 2], o, Array(points * C).fill(1));
      const out = await gridSample(input, grid, o).data();
      expect(out.every(Number.isFinite)).toBe(true);
      expectClose(out, want.output, 'output');
      const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, o))([input, grid], dy);
      const dIn = await dInput!.data();
      const dG = await dGrid!.data();
      expect(dIn.every(Number.isFinite)).toBe(true);
      expect(dG.every(Number.isFinite)).toBe(true);
      expectClose(dIn, want.dInput!, 'dInput');
      // d(grid) at huge coordinates is float32 noise times a large slope in PyTorch too; compare
      // where the reference is exact (0 at non-finite and clamped coordinates) and finite elsewhere.
      for (let i = 0; i < gridValues.length; i++) {
        if (!Number.isFinite(gridValues[i]!) || Math.abs(gridValues[i]!) > 1e6) {
          if (want.dGrid![i] === 0) expect(dG[i], `dGrid[${i}] at ${gridValues[i]}`).toBe(0);
        }
      }
      tf.dispose([input, grid, dy, dInput!, dGrid!]);
    });
  });
}

// The kernels skip reflection's division for a block of four points inside the span (from its low
// end to its high end, both included: no flip); a block with a point just past an end takes the
// whole chain. Points exactly on the ends, just inside and just past them, in blocks of each kind.
const SPAN_ENDS = [-1, 1, -1, 1, -1 + 1e-7, 1 - 1e-7, 0, 0.3, -1 - 1e-6, 1, 0.5, -0.5, 1 + 1e-6, -1, 1 - 1e-7, 0];
// As float32, what the kernels see (1 - 1e-7 is not a float32).
const spanGrid = SPAN_ENDS.flatMap((x, i) => [x, SPAN_ENDS[(i + 5) % SPAN_ENDS.length]!]).map(Math.fround);
for (const backend of CPU_BACKENDS) {
  describe(`${backend} backend: reflection at the ends of its span`, () => {
    beforeAll(() => useBackend(backend));

    it.each(combos.filter((o) => o.paddingMode === 'reflection').flatMap((o) => [1, 3].map((C) => ({ ...o, C }))))(
      'blocks on, inside and just past the ends follow the reference: %o', async ({ C, ...o }) => {
        const n = SPAN_ENDS.length;
        // Values of order 1: bicubic's d(grid) sums sixteen taps, and with the pixels' hundreds its
        // float32 rounding alone would pass the tolerance where the terms cancel.
        const inputValues = Array.from({ length: H * W * C }, (_, i) => Math.sin(i + 1));
        const input = tf.tensor4d(inputValues, [1, H, W, C]);
        const grid = tf.tensor4d(spanGrid, [1, 1, n, 2]);
        const dyValues = Array.from({ length: n * C }, (_, i) => Math.cos(i + 1));
        const dy = tf.tensor4d(dyValues, [1, 1, n, C]);
        const want = gridSampleReference(inputValues, [1, H, W, C], spanGrid, [1, 1, n, 2], o, dyValues);
        expectClose(await gridSample(input, grid, o).data(), want.output, 'output');
        const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, o))([input, grid], dy);
        expectClose(await dInput!.data(), want.dInput!, 'dInput');
        expectClose(await dGrid!.data(), want.dGrid!, 'dGrid');
        tf.dispose([input, grid, dy, dInput!, dGrid!]);
      });
  });
}

describe('wasm heap guard', () => {
  beforeAll(() => useBackend('wasm'));

  it.each(combos.flatMap((o) => [1, 2, 3, 4, 5].map((C) => ({ ...o, C }))))('forward and backward write nothing outside their outputs: %o', async ({ C, ...o }) => {
    const inputValues = inputWith(C);
    // Sentinel tensors allocated around the operands: any stray write would change them.
    const SENTINEL = -12345.5;
    const guards: tf.Tensor[] = [];
    const guard = () => {
      const t = tf.fill([4096], SENTINEL);
      guards.push(t);
      return t;
    };
    guard();
    const input = tf.tensor4d(inputValues, [1, H, W, C]);
    guard();
    const grid = tf.tensor4d(gridValues, [1, points, 1, 2]);
    guard();
    const dy = tf.ones([1, points, 1, C]);
    guard();
    const out = gridSample(input, grid, o);
    guard();
    const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, o))([input, grid], dy);
    guard();
    await out.data();
    for (const g of guards) expect((await g.data()).every((v) => v === SENTINEL)).toBe(true);
    // And the heap bytes right after each operand and output are untouched sentinels or other tensors.
    const heap = new Float32Array(wasmMemory(tf.backend()).buffer);
    expect(heap[wasmOffset(tf.backend(), guards[0]!) / 4]).toBe(SENTINEL);
    expect((await input.data()).every((v, i) => v === inputValues[i])).toBe(true);
    expect(Array.from(await grid.data())).toEqual(gridValues.map((v) => Math.fround(v)));
    tf.dispose([...guards, input, grid, dy, out, dInput!, dGrid!]);
  });
});

describe('the module on a one-pixel image at the edge of its memory', () => {
  // A one-pixel, one-channel input placed at the first and at the last 4 bytes of a one-page
  // memory: reading a byte before or after it traps. Points all around the pixel.
  const PAGE = 65536;
  const xy = [-0.9, -0.5, -0.25, 0, 0.25, 0.5, 0.9, 1.5];
  const gridValues = xy.flatMap((x) => xy.flatMap((y) => [x, y]));
  const count = gridValues.length / 2;
  const dyValues = Array.from({ length: count }, (_, i) => 1 + i / count);
  const [GRID, OUT, DY, DIN, DGRID] = [1024, 2048, 3072, 4096, 5120];

  it.each(combos.flatMap((o) => [0, PAGE - 4].map((at) => ({ ...o, at }))))(
    'reads nothing outside the input, forward and backward: %o', ({ at, ...o }) => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
      const stn = stnExportsFor(memory);
      const f32 = new Float32Array(memory.buffer);
      f32[at / 4] = 3;
      f32.set(gridValues, GRID / 4);
      f32.set(dyValues, DY / 4);
      const want = gridSampleReference([3], [1, 1, 1, 1], gridValues, [1, count, 1, 2], o, dyValues);
      const args = [modeCode(o.mode), paddingCode(o.paddingMode), o.alignCorners] as const;
      stn.gridSample(at, 1, 1, 1, 1, GRID, count, ...args, false, OUT, 0, 0, 0, 0, 1, 0, count);
      expectClose(f32.slice(OUT / 4, OUT / 4 + count), want.output, 'output');
      stn.gridSample(at, 1, 1, 1, 1, GRID, count, ...args, true, 0, DY, DIN, DGRID, 0, 1, 0, count);
      expectClose(f32.slice(DIN / 4, DIN / 4 + 1), want.dInput!, 'dInput');
      expectClose(f32.slice(DGRID / 4, DGRID / 4 + 2 * count), want.dGrid!, 'dGrid');
    });
});

describe('the module on a small image and output at the edge of its memory', () => {
  // Input [1,3,4,C] (and, in the other case, the output) ending at the last byte of a one-page
  // memory, so a read or write past its end traps. Then two blocks of four points with every tap
  // inside: the first's taps include the image's last pair (its loads end at the image's end),
  // the second's stores end at the output's. With 81 points a short block follows them.
  const PAGE = 65536;
  const [Hs, Ws] = [3, 4];
  const axis = (n: number) => Array.from({ length: n }, (_, i) => -1.2 + (2.4 * i) / (n - 1));
  const spread = axis(9).flatMap((y) => axis(8).flatMap((x) => [x, y]));
  const near = [[0.5, 0.3], [0.45, 0.35], [0.6, 0.2], [0.55, 0.3], [0.1, 0.2], [-0.1, 0.25], [0.15, -0.2], [0, 0], [0.5, 0.3]];
  const allValues = [...spread, ...near.flat()];
  const GRID = 1024;

  it.each(combos.flatMap((o) => [1, 2, 3, 4, 5].flatMap((C) => [80, 81].flatMap((count) =>
    ['input', 'output'].map((atEnd) => ({ ...o, C, count, atEnd }))))))(
    'reads and writes nothing outside its buffers: %o', ({ C, count, atEnd, ...o }) => {
      const memory = new WebAssembly.Memory({ initial: 1, maximum: 1 });
      const stn = stnExportsFor(memory);
      const f32 = new Float32Array(memory.buffer);
      const gridValues = allValues.slice(0, 2 * count);
      const inputValues = Array.from({ length: Hs * Ws * C }, (_, i) => 1 + i);
      const [inputAt, outAt] = atEnd === 'input'
        ? [PAGE - inputValues.length * 4, 8192]
        : [16384, PAGE - count * C * 4];
      f32.set(inputValues, inputAt / 4);
      f32.set(gridValues, GRID / 4);
      const want = gridSampleReference(inputValues, [1, Hs, Ws, C], gridValues, [1, count, 1, 2], o);
      stn.gridSample(inputAt, 1, Hs, Ws, C, GRID, count, modeCode(o.mode), paddingCode(o.paddingMode), o.alignCorners,
        false, outAt, 0, 0, 0, 0, 1, 0, count);
      expectClose(f32.slice(outAt / 4, outAt / 4 + count * C), want.output, 'output');
    });
});
