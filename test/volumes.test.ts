/**
 * Volumes (rank-5 gridSample, 3-D affineGrid) on cpu and wasm against the float64 reference:
 * every mode / padding / alignCorners combination, forward and both gradients, on random shapes
 * with size-1 axes, D != H != W, 1 to 8 channels and grids outside [-1, 1]; the extreme-coordinate
 * rules; outputMask; empty tensors. (PyTorch's own fixtures for volumes: parity.test.ts.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { affineGrid, gridSample } from '../src/index.js';
import { affineGridGradReference, affineGridReference, gridSampleReference } from '../src/reference/grid_sample.js';
import { ALL_OPTIONS, CPU_BACKENDS, EXTREME_COORDINATES, expectClose, gridSampleGradMasked, sampleWithGrads, useBackend } from './helpers.js';
import { random } from './mask_support.js';

const VOLUME_SHAPES: { input: number[]; grid: number[]; range: number }[] = [
  { input: [1, 3, 4, 5, 1], grid: [1, 2, 3, 4, 3], range: 1.2 },
  { input: [2, 5, 3, 2, 3], grid: [2, 3, 2, 5, 3], range: 1.5 },
  { input: [1, 1, 4, 3, 2], grid: [1, 2, 2, 3, 3], range: 1.1 }, // a size-1 depth
  { input: [1, 4, 1, 1, 8], grid: [1, 1, 3, 3, 3], range: 2.5 }, // size-1 height and width
  { input: [2, 2, 3, 4, 5], grid: [2, 3, 1, 2, 3], range: 1.3 },
];

function volumeCase(shape: (typeof VOLUME_SHAPES)[number], seed: number) {
  const next = random(seed);
  const fill = (n: number, scale: number) => Float32Array.from({ length: n }, () => (2 * next() - 1) * scale);
  const size = (s: number[]) => s.reduce((a, b) => a * b, 1);
  const outShape = [...shape.grid.slice(0, -1), shape.input[4]!];
  return { input: fill(size(shape.input), 1), grid: fill(size(shape.grid), shape.range), dy: fill(size(outShape), 1) };
}

for (const backend of CPU_BACKENDS) {
  describe(`volumes on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    const rows = ALL_OPTIONS.flatMap((o) => VOLUME_SHAPES.map((shape, i) => [
      `${o.mode}/${o.paddingMode}/alignCorners=${o.alignCorners}: [${shape.input}] at [${shape.grid}]`, o, shape, i] as const));
    it.each(rows)('gridSample %s equals the reference, forward and both gradients', async (_, o, shape, i) => {
      const c = volumeCase(shape, 1000 + i);
      const want = gridSampleReference(c.input, shape.input, c.grid, shape.grid, o, c.dy);
      const got = await sampleWithGrads(c.input, shape.input, c.grid, shape.grid, c.dy, o);
      expectClose(got.output, want.output, 'output');
      expectClose(got.dInput, want.dInput!, 'dInput');
      expectClose(got.dGrid, want.dGrid!, 'dGrid');
    });

    it.each(ALL_OPTIONS.map((o) => [`${o.mode}/${o.paddingMode}/alignCorners=${o.alignCorners}`, o] as const))(
      'extreme coordinates %s: finite output and gradients, as the reference', async (_, o) => {
        // One channel (trilinear's lanes path) and two (the per-point path).
        for (const C of [1, 2]) await expectExtremes(o, [1, 3, 4, 2, C]);
      });

    async function expectExtremes(o: (typeof ALL_OPTIONS)[number], inputShape: number[]): Promise<void> {
      {
        const coords = EXTREME_COORDINATES;
        // Every extreme value on every axis, the other two axes at ordinary coordinates.
        const grid: number[] = [];
        for (const v of coords) grid.push(v, 0.3, -0.2, 0.1, v, 0.4, -0.6, 0.2, v);
        const gridShape = [1, 1, coords.length, 3, 3];
        const c = volumeCase({ input: inputShape, grid: gridShape, range: 1 }, 7);
        const got = await sampleWithGrads(c.input, inputShape, grid, gridShape, c.dy, o);
        const want = gridSampleReference(c.input, inputShape, grid, gridShape, o, c.dy);
        for (const [what, values] of Object.entries(got)) expect([...values].every(Number.isFinite), what).toBe(true);
        expectClose(got.output, want.output, 'output');
        expectClose(got.dInput, want.dInput!, 'dInput');
        expectClose(got.dGrid, want.dGrid!, 'dGrid');
      }
    }

    // One channel (trilinear's lanes path) and three (the per-point path).
    it.each([VOLUME_SHAPES[0]!, VOLUME_SHAPES[1]!])('GridSampleGrad honours outputMask on volumes (a gradient not asked for has shape [0]): input %j', async (shape) => {
      const c = volumeCase(shape, 3);
      const o = ALL_OPTIONS[0]!;
      const want = gridSampleReference(c.input, shape.input, c.grid, shape.grid, o, c.dy);
      const onlyInput = await gridSampleGradMasked(c.input, shape.input, c.grid, shape.grid, c.dy, o, [true, false]);
      expect(onlyInput.dGrid.shape).toEqual([0]);
      expectClose(onlyInput.dInput.data, want.dInput!, 'dInput');
      const onlyGrid = await gridSampleGradMasked(c.input, shape.input, c.grid, shape.grid, c.dy, o, [false, true]);
      expect(onlyGrid.dInput.shape).toEqual([0]);
      expectClose(onlyGrid.dGrid.data, want.dGrid!, 'dGrid');
    });

    // A near-identity affine grid keeps most blocks of four points inside the volume: one channel
    // and four or more take the vector paths there, the per-point path at the borders.
    it.each([1, 4, 6, 9])('trilinear at a near-identity affine grid, %i channel(s): forward and gradients equal the reference', async (C) => {
      const inputShape = [2, 5, 6, 7, C];
      const theta = [0.95, 0.05, 0, 0.02, -0.04, 1.02, 0.03, -0.05, 0.01, 0, 0.97, 0.04,
        1.05, 0, 0.05, 0, 0, 0.93, 0, 0.1, -0.05, 0.02, 1, -0.03];
      const grid = affineGridReference(theta, inputShape, false);
      const gridShape = [2, 5, 6, 7, 3];
      const c = volumeCase({ input: inputShape, grid: gridShape, range: 1 }, 11 + C);
      const o = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
      const want = gridSampleReference(c.input, inputShape, grid, gridShape, o, c.dy);
      const got = await sampleWithGrads(c.input, inputShape, grid, gridShape, c.dy, o);
      expectClose(got.output, want.output, 'output');
      expectClose(got.dInput, want.dInput!, 'dInput');
      expectClose(got.dGrid, want.dGrid!, 'dGrid');
    });

    it('empty volumes and empty grids', async () => {
      const empty = gridSample(tf.zeros([1, 0, 3, 3, 2]) as tf.Tensor5D, tf.zeros([1, 2, 2, 2, 3]) as tf.Tensor5D);
      expect(empty.shape).toEqual([1, 2, 2, 2, 2]);
      expect([...(await empty.data())].every((v) => v === 0)).toBe(true);
      const noPoints = gridSample(tf.ones([1, 2, 3, 3, 2]) as tf.Tensor5D, tf.zeros([1, 0, 2, 2, 3]) as tf.Tensor5D);
      expect(noPoints.shape).toEqual([1, 0, 2, 2, 2]);
      const grid = affineGrid(tf.zeros([0, 3, 4]) as tf.Tensor3D, [0, 2, 3, 4, 1]);
      expect(grid.shape).toEqual([0, 2, 3, 4, 3]);
      tf.dispose([empty, noPoints, grid]);
    });

    it.each([[[2, 3, 4, 5, 1]], [[1, 1, 1, 1, 2]], [[1, 4, 1, 6, 1]]] as const)(
      'affineGrid %j and d(theta) equal the reference, both alignCorners', async (size) => {
        for (const alignCorners of [false, true]) {
          const next = random(size.reduce((a, b) => a * b + 1, 0));
          const theta = Array.from({ length: size[0] * 12 }, () => 2 * next() - 1);
          const points = size[1] * size[2] * size[3];
          const dGrid = Array.from({ length: size[0] * points * 3 }, () => 2 * next() - 1);
          const t = tf.tensor3d(theta, [size[0], 3, 4]);
          const grid = affineGrid(t, [...size] as [number, number, number, number, number], alignCorners);
          expect(grid.shape).toEqual([size[0], size[1], size[2], size[3], 3]);
          expectClose(await grid.data(), affineGridReference(theta, size, alignCorners), 'grid');
          const dy = tf.tensor(dGrid, grid.shape);
          const dTheta = tf.grad((x: tf.Tensor) => affineGrid(x as tf.Tensor3D, [...size] as [number, number, number, number, number], alignCorners))(t, dy);
          expectClose(await dTheta.data(), affineGridGradReference(dGrid, size, alignCorners), 'dTheta');
          tf.dispose([t, grid, dy, dTheta]);
        }
      });
  });
}
