/**
 * The WGSL kernels on tfjs-backend-webgpu, in Node on Dawn (SwiftShader without a GPU): PyTorch
 * parity on the fixtures, agreement with the cpu and wasm kernels on random shapes and extreme
 * coordinates, empty tensors, and the d(input) scatter-add. Every GPU test runs inside error
 * scopes, so a shader that fails to compile fails the test. Without an adapter the GPU tests skip
 * with a warning, except under CI=true, where the file fails.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { affineGrid } from '../src/index.js';
import { FlatProgram, WORKGROUP_SIZE, runProgram, webgpuBackend } from '../src/kernels/webgpu/webgpu_backend.js';
import {
  ALL_OPTIONS, type AffineGridFixture, CPU_BACKENDS, EXTREME_COORDINATES, type GridSampleFixture, expectAffineGridFixture, expectClose,
  expectGridSampleFixture, loadFixtures,
  sampleWithGrads, useBackend,
} from './helpers.js';
import { expectMasksAgree, maskCases, random } from './mask_support.js';
import { requireWebGPU, webgpuDevice, withGPUErrorScopes } from './webgpu_setup.js';

const gpu = await requireWebGPU();

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');
const combos = ALL_OPTIONS;

const EXTREMES = EXTREME_COORDINATES;

describe('registering the webgpu kernels', () => {
  it('imports nothing of tfjs-backend-webgpu but types', () => {
    const dir = join(__dirname, '../src/kernels/webgpu');
    const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    for (const f of files) {
      const source = readFileSync(join(dir, f), 'utf8');
      for (const line of source.split('\n').filter((l) => l.includes('@tensorflow/tfjs-backend-webgpu'))) {
        if (/^\s*(import|export)\b/.test(line)) expect(line, f).toMatch(/^\s*(import|export) type\b/);
      }
    }
  });
});

describe.skipIf(!gpu)(`webgpu backend (${gpu?.adapterName ?? 'no adapter'})`, () => {
  const onGPU = async <T>(body: () => Promise<T>) => {
    await useBackend('webgpu');
    return withGPUErrorScopes(body);
  };

  it('a shader that does not compile fails inside the error scopes', async () => {
    class Broken extends FlatProgram {
      variableNames: string[] = [];
      getUserCode(): string {
        return 'fn main(index: i32) { let x: f32 = not_a_function(); }';
      }
    }
    await useBackend('webgpu');
    await expect(withGPUErrorScopes(async () => {
      const out = runProgram(webgpuBackend(tf.backend()), new Broken([4], 4, 'stnBrokenOnPurpose'), []);
      await tf.engine().makeTensorFromTensorInfo(out).data();
    })).rejects.toThrow(/WebGPU (validation|internal) error/);
  });

  describe('PyTorch fixtures', () => {
    it.each(sampleCases.map((c) => [c.name, c] as const))('gridSample %s', (_, c) => onGPU(() => expectGridSampleFixture(c)));
    it.each(affineCases.map((c) => [c.name, c] as const))('affineGrid %s', (_, c) => onGPU(() => expectAffineGridFixture(c)));
  });

  describe('agrees with the cpu and wasm kernels', () => {
    // Two random cases per combination: shapes from 1 pixel up, any channel count, a grid that
    // reaches past the edges, and one coordinate in 8 taken from EXTREMES.
    const cases = combos.flatMap((o, i) => [0, 1].map((k) => {
      const rand = random(1000 + 2 * i + k);
      const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
      const inputShape = [int(1, 2), int(1, 9), int(1, 9), int(1, 6)];
      const gridShape = [inputShape[0]!, int(1, 7), int(1, 7), 2];
      const points = gridShape[0]! * gridShape[1]! * gridShape[2]!;
      const input = Array.from({ length: tf.util.sizeFromShape(inputShape) }, () => rand() * 2 - 1);
      const grid = Array.from({ length: points * 2 }, () =>
        rand() < 0.125 ? EXTREMES[int(0, EXTREMES.length - 1)]! : rand() * 2.6 - 1.3);
      const dy = Array.from({ length: points * inputShape[3]! }, () => rand() * 2 - 1);
      const label = `${o.mode}/${o.paddingMode}/alignCorners=${o.alignCorners} #${k} [${inputShape}] -> [${gridShape}]`;
      return [label, { o, inputShape, gridShape, input, grid, dy }] as const;
    }));

    it.each(cases)('%s', async (_, c) => {
      const run = () => sampleWithGrads(c.input, c.inputShape, c.grid, c.gridShape, c.dy, c.o);
      const got = await onGPU(run);
      expect(got.output.every(Number.isFinite) && got.dInput.every(Number.isFinite) && got.dGrid.every(Number.isFinite)).toBe(true);
      for (const backend of CPU_BACKENDS) {
        await useBackend(backend);
        const want = await run();
        expectClose(got.output, want.output, `output vs ${backend}`);
        expectClose(got.dInput, want.dInput, `dInput vs ${backend}`);
        // d(grid) at |coordinate| >= 1e7 is float32 rounding times a large slope on every
        // backend; elsewhere it must agree (and it is exactly 0 at NaN and clamped coordinates).
        const big = (i: number) => !(Math.abs(c.grid[i]!) < 1e7);
        expectClose(got.dGrid.map((v, i) => (big(i) && want.dGrid[i] !== 0 ? 0 : v)),
          want.dGrid.map((v, i) => (big(i) && v !== 0 ? 0 : v)), `dGrid vs ${backend}`);
      }
    });

    it.each(combos)('every pair of extreme coordinates: %o', async (o) => {
      const [H, W, C] = [3, 5, 2];
      const input = Array.from({ length: H * W * C }, (_, i) => i + 1);
      const grid = EXTREMES.flatMap((x) => EXTREMES.flatMap((y) => [x, y]));
      const points = grid.length / 2;
      const dy = Array(points * C).fill(1);
      const run = () => sampleWithGrads(input, [1, H, W, C], grid, [1, points, 1, 2], dy, o);
      const got = await onGPU(run);
      await useBackend('cpu');
      const want = await run();
      expectClose(got.output, want.output, 'output');
      expectClose(got.dInput, want.dInput, 'dInput');
      for (let i = 0; i < grid.length; i++) {
        // NaN and ±Infinity have d(grid) 0 exactly, as on the cpu.
        if (!Number.isFinite(grid[i]!)) expect(got.dGrid[i], `dGrid[${i}] at ${grid[i]}`).toBe(0);
        expect(Number.isFinite(got.dGrid[i]!), `dGrid[${i}] finite`).toBe(true);
      }
    });
  });

  describe('empty tensors', () => {
    const o = { mode: 'bilinear', paddingMode: 'border', alignCorners: false } as const;
    it.each([
      ['empty image', [1, 0, 3, 2], [1, 2, 2, 2]],
      ['no channels', [1, 3, 3, 0], [1, 2, 2, 2]],
      ['empty grid', [1, 3, 3, 2], [1, 0, 2, 2]],
      ['empty batch', [0, 3, 3, 2], [0, 2, 2, 2]],
    ])('%s: zeros of the right shapes', (_, inputShape, gridShape) => onGPU(async () => {
      const r = await sampleWithGrads(Array(tf.util.sizeFromShape(inputShape)).fill(1), inputShape, Array(tf.util.sizeFromShape(gridShape)).fill(0.25),
        gridShape, Array(gridShape[0]! * gridShape[1]! * gridShape[2]! * inputShape[3]!).fill(1), o);
      expect(r.output.length).toBe(gridShape[0]! * gridShape[1]! * gridShape[2]! * inputShape[3]!);
      expect(Array.from(r.dInput)).toEqual(Array(tf.util.sizeFromShape(inputShape)).fill(0));
      expect(r.dGrid.length).toBe(tf.util.sizeFromShape(gridShape));
      expect(r.output.every((v) => v === 0) && r.dGrid.every((v) => v === 0)).toBe(true);
    }));

    it('affineGrid with an empty side', () => onGPU(async () => {
      const g = affineGrid(tf.tensor3d([1, 0, 0, 0, 1, 0], [1, 2, 3]), [1, 0, 4, 1]);
      expect(g.shape).toEqual([1, 0, 4, 2]);
      expect((await g.data()).length).toBe(0);
    }));
  });

  it('more invocations than one dispatch dimension holds (tfjs folds the dispatch into 2D)', async () => {
    // 64 * 65535 invocations fill dimension x; forward and d(input) run one per (point, channel).
    const limit = webgpuDevice().limits.maxComputeWorkgroupsPerDimension * WORKGROUP_SIZE[0];
    const [H, W, C, Ho, Wo] = [4, 4, 17, 512, Math.ceil(limit / (512 * 17)) + 3];
    expect(Ho * Wo * C).toBeGreaterThan(limit);
    const rand = random(11);
    const input = Array.from({ length: H * W * C }, () => rand());
    const grid = Array.from({ length: Ho * Wo * 2 }, () => rand() * 2.2 - 1.1);
    const dy = Array.from({ length: Ho * Wo * C }, () => rand());
    const o = { mode: 'bilinear', paddingMode: 'reflection', alignCorners: true } as const;
    const run = () => sampleWithGrads(input, [1, H, W, C], grid, [1, Ho, Wo, 2], dy, o);
    const got = await onGPU(run);
    await useBackend('cpu');
    const want = await run();
    expectClose(got.output, want.output, 'output');
    expectClose(got.dGrid, want.dGrid, 'dGrid');
    expectClose(got.dInput, want.dInput, 'dInput');
  });

  describe('GridSampleGrad outputMask', () => {
    // d(grid) bit for bit; d(input) within rounding, as its scatter-add order is the GPU's. Every
    // mode / padding / alignCorners once, the channel counts in turn (a GPU case takes ~0.3 s here).
    const cases = maskCases(500).filter((_, i) => i % 4 === Math.floor(i / 4) % 4);
    it.each(cases)('%s', (_, c) => onGPU(() => expectMasksAgree(c, false)));
  });

  describe('d(input) scatter-add', () => {
    // 4096 grid points onto a 3x3 image: up to thousands of concurrent adds per pixel.
    const [H, W, C, Ho, Wo] = [3, 3, 2, 64, 64];
    const rand = random(7);
    const input = Array.from({ length: H * W * C }, () => rand());
    const grid = Array.from({ length: Ho * Wo * 2 }, () => rand() * 2 - 1);
    const dy = Array.from({ length: Ho * Wo * C }, () => rand());
    const o = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
    const run = () => sampleWithGrads(input, [1, H, W, C], grid, [1, Ho, Wo, 2], dy, o);

    it('sums every contribution (as the cpu does, within float32 rounding of the order)', async () => {
      const got = await onGPU(run);
      await useBackend('cpu');
      const want = await run();
      expectClose(got.dInput, want.dInput, 'dInput');
    });

    it('d(grid) is bit-identical from run to run; d(input) agrees within rounding', () => onGPU(async () => {
      const first = await run();
      for (let k = 0; k < 4; k++) {
        const again = await run();
        expect(Array.from(again.dGrid)).toEqual(Array.from(first.dGrid));
        expect(Array.from(again.output)).toEqual(Array.from(first.output));
        expectClose(again.dInput, first.dInput, `dInput, run ${k + 2}`, 1e-5);
      }
    }));
  });
});
