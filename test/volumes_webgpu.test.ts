/**
 * Volumes on webgpu (the WGSL of src/kernels/webgpu/sample_3d_wgsl.ts and grid_sample_3d_webgpu.ts,
 * in Node on Dawn / SwiftShader): PyTorch parity on the volume fixtures, the extreme-coordinate
 * rules against the cpu kernels, outputMask and empty volumes. Without an adapter the GPU tests
 * skip with a warning, except under CI=true, where the file fails (test/webgpu_setup.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { gridSample } from '../src/index.js';
import {
  ALL_OPTIONS, type AffineGridFixture, EXTREME_COORDINATES, type GridSampleFixture, expectAffineGridFixture, expectClose,
  expectGridSampleFixture, gridSampleGradMasked, loadFixtures, sampleWithGrads, useBackend,
} from './helpers.js';
import { requireWebGPU, withGPUErrorScopes } from './webgpu_setup.js';

const gpu = await requireWebGPU();

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample_3d.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid_3d.json');

describe.skipIf(!gpu)(`volumes on webgpu (${gpu?.adapterName ?? 'no adapter'})`, () => {
  const onGPU = async <T>(body: () => Promise<T>) => {
    await useBackend('webgpu');
    return withGPUErrorScopes(body);
  };

  describe('PyTorch fixtures', () => {
    it.each(sampleCases.map((c) => [c.name, c] as const))('gridSample %s', (_, c) => onGPU(() => expectGridSampleFixture(c)));
    it.each(affineCases.map((c) => [c.name, c] as const))('affineGrid %s', (_, c) => onGPU(() => expectAffineGridFixture(c)));
  });

  it.each(ALL_OPTIONS)('extreme coordinates on each axis agree with the cpu kernels: %o', async (o) => {
    const [D, H, W, C] = [2, 3, 4, 2];
    const input = Array.from({ length: D * H * W * C }, (_, i) => i + 1);
    const grid = EXTREME_COORDINATES.flatMap((v) => [v, 0.3, -0.2, 0.1, v, 0.4, -0.6, 0.2, v]);
    const points = grid.length / 3;
    const dy = Array(points * C).fill(1);
    const run = () => sampleWithGrads(input, [1, D, H, W, C], grid, [1, 1, points, 1, 3], dy, o);
    const got = await onGPU(run);
    await useBackend('cpu');
    const want = await run();
    expectClose(got.output, want.output, 'output');
    expectClose(got.dInput, want.dInput, 'dInput');
    for (let i = 0; i < grid.length; i++) {
      if (!Number.isFinite(grid[i]!)) expect(got.dGrid[i], `dGrid[${i}] at ${grid[i]}`).toBe(0);
      expect(Number.isFinite(got.dGrid[i]!), `dGrid[${i}] finite`).toBe(true);
    }
  });

  it('outputMask: a gradient not asked for has shape [0]', () => onGPU(async () => {
    const c = sampleCases[1]!;
    const o = { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners };
    const onlyGrid = await gridSampleGradMasked(c.input, c.inputShape, c.grid, c.gridShape, c.dy, o, [false, true]);
    expect(onlyGrid.dInput.shape).toEqual([0]);
    expectClose(onlyGrid.dGrid.data, c.dGrid, 'dGrid');
    const onlyInput = await gridSampleGradMasked(c.input, c.inputShape, c.grid, c.gridShape, c.dy, o, [true, false]);
    expect(onlyInput.dGrid.shape).toEqual([0]);
    expectClose(onlyInput.dInput.data, c.dInput, 'dInput');
  }));

  it('an empty volume reads zeros', () => onGPU(async () => {
    const out = gridSample(tf.zeros([1, 0, 3, 3, 2]) as tf.Tensor5D, tf.zeros([1, 2, 2, 2, 3]) as tf.Tensor5D);
    expect(out.shape).toEqual([1, 2, 2, 2, 2]);
    expect([...(await out.data())].every((v) => v === 0)).toBe(true);
    out.dispose();
  }));
});
