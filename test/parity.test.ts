/**
 * Parity with PyTorch 1.13 (test/fixtures, made by scripts/make_fixtures.py in float64) on every
 * backend, for the kernels and for the TypeScript reference: outputs and both gradients of all 18
 * mode / padding / alignCorners combinations.
 */
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, it } from 'vitest';
import { affineGrid, gridSample } from '../src/index.js';
import { affineGridGradReference, affineGridReference, gridSampleReference } from '../src/reference/grid_sample.js';
import {
  type AffineGridFixture, CPU_BACKENDS, type GridSampleFixture, expectClose, loadFixtures, useBackend,
} from './helpers.js';

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');
const label = (c: GridSampleFixture) =>
  `${c.mode}/${c.paddingMode}/alignCorners=${c.alignCorners}: ${c.name} [${c.inputShape}] -> [${c.gridShape}]`;

describe('reference (TypeScript, float64)', () => {
  it.each(sampleCases.map((c) => [label(c), c] as const))('gridSample %s', (_, c) => {
    const r = gridSampleReference(c.input, c.inputShape, c.grid, c.gridShape, c, c.dy);
    expectClose(r.output, c.output, 'output');
    expectClose(r.dInput!, c.dInput, 'dInput');
    expectClose(r.dGrid!, c.dGrid, 'dGrid');
  });
  it.each(affineCases.map((c) => [c.name, c] as const))('affineGrid %s', (_, c) => {
    expectClose(affineGridReference(c.theta, c.size, c.alignCorners), c.grid, 'grid');
    expectClose(affineGridGradReference(c.dGrid, c.size, c.alignCorners), c.dTheta, 'dTheta');
  });
});

for (const backend of CPU_BACKENDS) {
  describe(`${backend} backend`, () => {
    beforeAll(() => useBackend(backend));

    it.each(sampleCases.map((c) => [label(c), c] as const))('gridSample %s', async (_, c) => {
      const input = tf.tensor4d(c.input, c.inputShape);
      const grid = tf.tensor4d(c.grid, c.gridShape);
      const dy = tf.tensor4d(c.dy, [c.gridShape[0], c.gridShape[1], c.gridShape[2], c.inputShape[3]]);
      const options = { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners };
      expectClose(await gridSample(input, grid, options).data(), c.output, 'output');
      const [dInput, dGrid] = tf.grads((x: tf.Tensor, g: tf.Tensor) => gridSample(x as tf.Tensor4D, g as tf.Tensor4D, options))([input, grid], dy);
      expectClose(await dInput!.data(), c.dInput, 'dInput');
      expectClose(await dGrid!.data(), c.dGrid, 'dGrid');
      tf.dispose([input, grid, dy, dInput!, dGrid!]);
    });

    it.each(affineCases.map((c) => [c.name, c] as const))('affineGrid %s', async (_, c) => {
      const theta = tf.tensor3d(c.theta, [c.size[0], 2, 3]);
      const dGrid = tf.tensor4d(c.dGrid, [c.size[0], c.size[1], c.size[2], 2]);
      expectClose(await affineGrid(theta, c.size, c.alignCorners).data(), c.grid, 'grid');
      const dTheta = tf.grad((t: tf.Tensor) => affineGrid(t as tf.Tensor3D, c.size, c.alignCorners))(theta, dGrid);
      expectClose(await dTheta.data(), c.dTheta, 'dTheta');
      tf.dispose([theta, dGrid, dTheta]);
    });
  });
}
