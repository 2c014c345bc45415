/**
 * Parity with PyTorch 1.13 (test/fixtures, made by scripts/make_fixtures.py in float64) on every
 * backend, for the kernels and for the TypeScript reference: outputs and both gradients of all 18
 * mode / padding / alignCorners combinations, for images and volumes (grid_sample_3d.json,
 * affine_grid_3d.json: trilinear and nearest are PyTorch's own 5-D grid_sample; tricubic, which
 * PyTorch lacks, comes from scripts/tricubic.py, checked there to reproduce PyTorch's 2-D bicubic).
 */
import { beforeAll, describe, it } from 'vitest';
import { affineGridGradReference, affineGridReference, gridSampleReference } from '../src/reference/grid_sample.js';
import {
  type AffineGridFixture, CPU_BACKENDS, type GridSampleFixture, expectAffineGridFixture, expectClose,
  expectGridSampleFixture, loadFixtures, useBackend,
} from './helpers.js';

const sampleCases = [...loadFixtures<GridSampleFixture>('grid_sample.json'), ...loadFixtures<GridSampleFixture>('grid_sample_3d.json')];
const affineCases = [...loadFixtures<AffineGridFixture>('affine_grid.json'), ...loadFixtures<AffineGridFixture>('affine_grid_3d.json')];
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

    it.each(sampleCases.map((c) => [label(c), c] as const))('gridSample %s', (_, c) => expectGridSampleFixture(c));
    it.each(affineCases.map((c) => [c.name, c] as const))('affineGrid %s', (_, c) => expectAffineGridFixture(c));
  });
}
