/**
 * gridSample and affineGrid on tfjs's webgl backend, in headless Chromium (WebGL2 through ANGLE
 * on SwiftShader): a page bundled by vite from test/browser_webgl/page.ts runs
 * - every PyTorch fixture forward and both gradients on webgl, against PyTorch and the cpu backend;
 * - every affineGrid fixture and its gradient; the grid generators against the cpu backend;
 * - volumes: every 5-D fixture (trilinear, nearest, tricubic; forward, d(input), d(grid)) against
 *   PyTorch and the cpu backend, the 3-D affineGrid fixtures and d(theta), random volumes (with
 *   shapes as uniforms, which tfjs, and so stn-layer, compiles in for rank 5), extreme coordinates
 *   on each axis, empty volumes, outputMask;
 * - random shapes, modes and paddings against the cpu backend, with tfjs's shapes-as-uniforms
 *   flag on (grid points near a jump of the sampled function, where two float32 codes may fall on
 *   different sides, are moved off it);
 * - empty tensors;
 * - the extreme-coordinate rules (NaN, ±Infinity, huge values), against the cpu backend;
 * - a count of the backend's readSync / read calls while the ops, gradients and SGD training
 *   steps run: none;
 * - 1,000 forward+backward steps (images and volumes): tf.memory()'s tensors, bytes and GPU bytes unchanged;
 * - a sliced grid and a packed dy (copied before the scatter reads them);
 * - outputMask (every mode, padding and alignCorners), the error for contexts without float32 render targets, and that no existing
 *   kernel of webgl or cpu was replaced.
 * Chromium, its flags and the server are in browser_support.ts. In CI a missing WebGL2 context fails.
 */
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODES, PADDING_MODES } from '../src/kernels/names.js';
import type { SampleOptions } from '../src/reference/grid_sample.js';
import { WEBGL_ARGS, buildPage, chromiumAvailable, closeServer, launchChromium, removeAll, requireWebGL2, serve, tempDir } from './browser_support.js';
import type { PageSampleCase, WebGLPage } from './browser_webgl/protocol.js';
import { nearJump } from './fuzz_support.js';
import { ALL_OPTIONS, type AffineGridFixture, EXTREME_COORDINATES, type GridSampleFixture, expectClose, loadFixtures } from './helpers.js';

const hasChromium = chromiumAvailable('the headless Chromium WebGL test');

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');
// Volumes: PyTorch's 5-D trilinear and nearest, tricubic from scripts/tricubic.py.
const volumeCases = loadFixtures<GridSampleFixture>('grid_sample_3d.json');
const volumeAffineCases = loadFixtures<AffineGridFixture>('affine_grid_3d.json');

/** A small deterministic generator (mulberry32), so a failure repeats. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomCases(count: number, seed: number): PageSampleCase[] {
  const rand = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const values = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + rand() * (hi - lo));
  return Array.from({ length: count }, () => {
    const o: SampleOptions = { mode: MODES[int(0, 2)]!, paddingMode: PADDING_MODES[int(0, 2)]!, alignCorners: rand() < 0.5 };
    const [N, H, W, C, Ho, Wo] = [int(1, 2), int(1, 9), int(1, 9), int(1, 5), int(1, 7), int(1, 7)];
    const grid: number[] = [];
    for (let i = 0; i < N * Ho * Wo; i++) {
      let x: number;
      let y: number;
      do [x, y] = values(2, -1.4, 1.4) as [number, number];
      while (nearJump(x, y, W, H, o, 1e-3).value || nearJump(x, y, W, H, o, 1e-3).grad);
      grid.push(x, y);
    }
    return {
      ...o, inputShape: [N, H, W, C], gridShape: [N, Ho, Wo, 2],
      input: values(N * H * W * C, -2, 2), grid, dy: values(N * Ho * Wo * C, -1, 1),
    };
  });
}

/** A volume case with random values; its grid kept off jumps per axis (nearJump takes each coordinate with its own side). */
function volumeCase(o: SampleOptions, inputShape: number[], gridShape: number[], rand: () => number): PageSampleCase {
  const values = (n: number, lo: number, hi: number) => Array.from({ length: n }, () => lo + rand() * (hi - lo));
  const [N, D, H, W, C] = inputShape as [number, number, number, number, number];
  const points = gridShape.slice(1, 4).reduce((a, b) => a * b, 1);
  const grid: number[] = [];
  for (let i = 0; i < N * points; i++) {
    let g: number[];
    do g = values(3, -1.4, 1.4);
    while (g.some((v, axis) => {
      const size = [W, H, D][axis]!;
      const near = nearJump(v, v, size, size, o, 1e-3);
      return near.value || near.grad;
    }));
    grid.push(...g);
  }
  return { ...o, inputShape, gridShape, input: values(N * D * H * W * C, -2, 2), grid, dy: values(N * points * C, -1, 1) };
}

/** Random volumes: random shapes, modes and paddings. */
function randomVolumeCases(count: number, seed: number): PageSampleCase[] {
  const rand = random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  return Array.from({ length: count }, (_, k) => {
    const o: SampleOptions = { mode: MODES[k % 3]!, paddingMode: PADDING_MODES[int(0, 2)]!, alignCorners: rand() < 0.5 };
    const [N, D, H, W, C, Do, Ho, Wo] = [int(1, 2), int(1, 5), int(1, 5), int(1, 5), int(1, 3), int(1, 3), int(1, 3), int(1, 4)];
    return volumeCase(o, [N, D, H, W, C], [N, Do, Ho, Wo, 3], rand);
  });
}

/** Every pair of extreme coordinates as one grid, on an input whose every pixel is recognisable. */
function extremeCases(): PageSampleCase[] {
  const [H, W, C] = [3, 5, 2];
  const grid = EXTREME_COORDINATES.flatMap((x) => EXTREME_COORDINATES.flatMap((y) => [x, y]));
  const points = grid.length / 2;
  const input = Array.from({ length: H * W * C }, (_, i) => 100 * Math.floor(i / (C * W)) + 10 * (Math.floor(i / C) % W) + (i % C) + 1);
  return ALL_OPTIONS.map((o) => ({
    ...o, inputShape: [1, H, W, C], gridShape: [1, points, 1, 2], input, grid, dy: Array(points * C).fill(1),
  }));
}

/**
 * Volumes: every extreme value on each axis in turn, the other two at ordinary coordinates, on a
 * volume whose every voxel differs; one case per mode / padding / alignCorners.
 */
function volumeExtremeCases(): PageSampleCase[] {
  const [D, H, W, C] = [2, 3, 4, 2];
  const grid = EXTREME_COORDINATES.flatMap((v) => [v, 0.3, -0.2, 0.1, v, 0.4, -0.6, 0.2, v]);
  const points = grid.length / 3;
  const input = Array.from({ length: D * H * W * C }, (_, i) => i + 1);
  return ALL_OPTIONS.map((o) => ({
    ...o, inputShape: [1, D, H, W, C], gridShape: [1, 1, points, 1, 3], input, grid, dy: Array(points * C).fill(1),
  }));
}

const strip = <T extends object>(c: T, keys: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k))) as never;

describe.skipIf(!hasChromium)('headless Chromium, WebGL2 (tfjs webgl backend)', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let consoleErrors: string[] = [];
  let info: { renderer: string; floatBlend: boolean } | null = null;

  /** Calls the page's `method` with `args`. */
  const call = <K extends keyof WebGLPage>(method: K, ...args: Parameters<WebGLPage[K]>) =>
    page.evaluate(([m, a]) => {
      const p = (window as unknown as { stnWebGL: Record<string, (...x: unknown[]) => unknown> }).stnWebGL;
      return p[m as string]!(...(a as unknown[]));
    }, [method, args] as const) as ReturnType<WebGLPage[K]>;

  beforeAll(async () => {
    const outDir = tempDir('stn-webgl-page-', temp);
    await buildPage(join(__dirname, 'browser_webgl'), outDir, 'stn-layer on WebGL');
    let url: string;
    ({ server, url } = await serve(outDir));
    ({ context, page, errors: consoleErrors } = await launchChromium(tempDir('stn-chromium-', temp), WEBGL_ARGS));
    await page.goto(url);
    await page.waitForFunction(() => 'stnWebGL' in window);
    info = await call('info');
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await closeServer(server);
    removeAll(temp);
  });

  it('offers WebGL2 with blendable float32 textures, and stn-layer replaced no existing kernel', async (ctx) => {
    requireWebGL2(info !== null, ctx, 'the WebGL tests');
    console.info(`Chromium WebGL2 renderer: ${info!.renderer}`);
    expect(info!.floatBlend).toBe(true);
    expect(await call('replacedKernels')).toEqual([]);
  });

  it(`gridSample forward and both gradients match PyTorch and the cpu backend (${sampleCases.length} fixtures)`, async (ctx) => {
    if (!info) return ctx.skip();
    const cases = sampleCases.map((c) => strip(c, ['name', 'output', 'dInput', 'dGrid']));
    const gl = await call('samples', 'webgl', cases);
    const cpu = await call('samples', 'cpu', cases);
    sampleCases.forEach((c, i) => {
      ['output', 'dInput', 'dGrid'].forEach((what, k) => {
        expectClose(gl[i]![k]!, [c.output, c.dInput, c.dGrid][k]!, `${c.name}: webgl ${what} vs PyTorch`);
        expectClose(gl[i]![k]!, cpu[i]![k]!, `${c.name}: webgl ${what} vs cpu`);
      });
    });
  }, 600_000);

  for (const [what, cases] of [['images', affineCases], ['volumes', volumeAffineCases]] as const) {
    it(`affineGrid and its gradient match PyTorch on ${what} (${cases.length} fixtures)`, async (ctx) => {
      if (!info) return ctx.skip();
      const got = await call('affine', cases.map((c) => strip(c, ['name', 'grid', 'dTheta'])));
      cases.forEach((c, i) => {
        expectClose(got[i]![0]!, c.grid, `${c.name}: grid`);
        expectClose(got[i]![1]!, c.dTheta, `${c.name}: dTheta`);
      });
    });
  }

  it(`volumes: gridSample forward and both gradients match PyTorch (tricubic: its float64 reference) and the cpu backend (${volumeCases.length} fixtures, every mode, padding and alignCorners)`, async (ctx) => {
    if (!info) return ctx.skip();
    const cases = volumeCases.map((c) => strip(c, ['name', 'output', 'dInput', 'dGrid']));
    const gl = await call('samples', 'webgl', cases);
    const cpu = await call('samples', 'cpu', cases);
    const combos = new Set(volumeCases.map((c) => `${c.mode}/${c.paddingMode}/${c.alignCorners}`));
    expect(combos.size).toBe(ALL_OPTIONS.length);
    volumeCases.forEach((c, i) => {
      ['output', 'dInput', 'dGrid'].forEach((what, k) => {
        expectClose(gl[i]![k]!, [c.output, c.dInput, c.dGrid][k]!, `${c.name}: webgl ${what} vs PyTorch`);
        expectClose(gl[i]![k]!, cpu[i]![k]!, `${c.name}: webgl ${what} vs cpu`);
      });
    });
    // About 680 s alone on 2 cores with SwiftShader: it compiles the programs once per fixture shape.
  }, 1_800_000);

  it('volumes: random shapes, modes and paddings match the cpu backend, with shapes as uniforms', async (ctx) => {
    if (!info) return ctx.skip();
    const cases = randomVolumeCases(12, 16);
    const gl = await call('samples', 'webgl', cases, true);
    const cpu = await call('samples', 'cpu', cases);
    cases.forEach((c, i) => {
      const name = `random volume ${i} (${c.mode}/${c.paddingMode}/alignCorners=${c.alignCorners}, input [${c.inputShape}], grid [${c.gridShape}])`;
      ['output', 'dInput', 'dGrid'].forEach((what, k) => expectClose(gl[i]![k]!, cpu[i]![k]!, `${name}: ${what}`));
    });
  }, 600_000);

  // tfjs compiles a rank-5 tensor's shape into the shader even with shapes as uniforms, but leaves
  // it out of the shader's cache key then: a second volume of another shape would run on the
  // first one's shader. stn-layer's programs with a volume therefore compile their shapes in.
  it('volumes: one program on volumes of different shapes, with shapes as uniforms, matches the cpu backend', async (ctx) => {
    if (!info) return ctx.skip();
    const rand = random(17);
    const cases = (['bilinear', 'bicubic'] as const).flatMap((mode) => {
      const o: SampleOptions = { mode, paddingMode: 'border', alignCorners: false };
      return [volumeCase(o, [2, 3, 4, 5, 2], [2, 2, 3, 2, 3], rand), volumeCase(o, [2, 4, 3, 6, 5], [2, 3, 2, 2, 3], rand)];
    });
    const gl = await call('samples', 'webgl', cases, true);
    const cpu = await call('samples', 'cpu', cases);
    cases.forEach((c, i) => {
      const name = `${c.mode} input [${c.inputShape}], grid [${c.gridShape}]`;
      ['output', 'dInput', 'dGrid'].forEach((what, k) => expectClose(gl[i]![k]!, cpu[i]![k]!, `${name}: ${what}`));
    });
  }, 600_000);

  // With shapes as uniforms (tfjs's WEBGL_USE_SHAPES_UNIFORMS), the programs' other form.
  it('random shapes, modes and paddings match the cpu backend, with shapes as uniforms', async (ctx) => {
    if (!info) return ctx.skip();
    const cases = randomCases(40, 15);
    const gl = await call('samples', 'webgl', cases, true);
    const cpu = await call('samples', 'cpu', cases);
    cases.forEach((c, i) => {
      const name = `random case ${i} (${c.mode}/${c.paddingMode}/alignCorners=${c.alignCorners}, input [${c.inputShape}], grid [${c.gridShape}])`;
      ['output', 'dInput', 'dGrid'].forEach((what, k) => expectClose(gl[i]![k]!, cpu[i]![k]!, `${name}: ${what}`));
    });
  }, 300_000);

  it('empty images, grids and batches give zeros of the right shapes, as on the cpu backend', async (ctx) => {
    if (!info) return ctx.skip();
    const size = (s: number[]) => s.reduce((a, d) => a * d, 1);
    const cases = ([[[1, 0, 3, 2], [1, 2, 2, 2]], [[1, 3, 3, 0], [1, 2, 2, 2]], [[1, 3, 3, 2], [1, 0, 2, 2]], [[0, 3, 3, 2], [0, 2, 2, 2]]] as const)
      .map(([inputShape, gridShape]): PageSampleCase => ({
        mode: 'bilinear', paddingMode: 'border', alignCorners: false, inputShape: [...inputShape], gridShape: [...gridShape],
        input: Array(size([...inputShape])).fill(1), grid: Array(size([...gridShape])).fill(0.25),
        dy: Array(gridShape[0] * gridShape[1] * gridShape[2] * inputShape[3]).fill(1),
      }));
    expect(await call('samples', 'webgl', cases)).toEqual(await call('samples', 'cpu', cases));
  });

  for (const [what, cases, timeout] of [['images', extremeCases(), 300_000], ['volumes (each axis)', volumeExtremeCases(), 600_000]] as const) {
    it(`extreme coordinates follow the rules (as the cpu backend), with finite results: ${what}`, async (ctx) => {
      if (!info) return ctx.skip();
      const gl = await call('samples', 'webgl', cases);
      const cpu = await call('samples', 'cpu', cases);
      cases.forEach((c, i) => {
        const name = `extremes ${c.mode}/${c.paddingMode}/alignCorners=${c.alignCorners}, input [${c.inputShape}]`;
        ['output', 'dInput', 'dGrid'].forEach((w, k) => expect(gl[i]![k]!.every(Number.isFinite), `${name}: ${w} finite`).toBe(true));
        expectClose(gl[i]![0]!, cpu[i]![0]!, `${name}: output`);
        expectClose(gl[i]![1]!, cpu[i]![1]!, `${name}: dInput`);
        // d(grid) near ±1 and at huge coordinates is float32 rounding times a large slope on every
        // backend (as in the WebGPU test); at NaN and ±Infinity it is exactly 0.
        c.grid.forEach((g, j) => {
          if (!Number.isFinite(g)) expect(gl[i]![2]![j], `${name}: dGrid[${j}] at ${g}`).toBe(0);
        });
      });
    }, timeout);
  }

  it('volumes: empty volumes, grids and batches give zeros of the right shapes, as on the cpu backend', async (ctx) => {
    if (!info) return ctx.skip();
    const size = (s: readonly number[]) => s.reduce((a, d) => a * d, 1);
    const cases = ([[[1, 0, 3, 3, 2], [1, 2, 2, 2, 3]], [[1, 2, 3, 3, 0], [1, 2, 2, 2, 3]], [[1, 2, 3, 3, 2], [1, 2, 0, 2, 3]], [[0, 2, 3, 3, 2], [0, 2, 2, 2, 3]]] as const)
      .map(([inputShape, gridShape]): PageSampleCase => ({
        mode: 'bilinear', paddingMode: 'zeros', alignCorners: true, inputShape: [...inputShape], gridShape: [...gridShape],
        input: Array(size(inputShape)).fill(1), grid: Array(size(gridShape)).fill(0.25),
        dy: Array(size(gridShape.slice(0, -1)) * inputShape[4]).fill(1),
      }));
    // -0 and 0 alike (the cpu kernels' d(grid) of a volume without channels has -0 in z).
    const zeroSigned = (r: number[][][]) => r.map((c) => c.map((v) => v.map((x) => x + 0)));
    const gl = await call('samples', 'webgl', cases);
    expect(zeroSigned(gl)).toEqual(zeroSigned(await call('samples', 'cpu', cases)));
    expect(gl.map((r) => r.map((v) => v.length))).toEqual(cases.map((c) => [size(c.gridShape.slice(0, -1)) * c.inputShape[4]!, size(c.inputShape), size(c.gridShape)]));
  });

  it('the grid generators (projectiveGrid, tpsGrid, flowGrid) sample and differentiate on webgl as on cpu', async (ctx) => {
    if (!info) return ctx.skip();
    const gl = await call('generators', 'webgl');
    const cpu = await call('generators', 'cpu');
    ['projectiveGrid', 'tpsGrid', 'flowGrid'].forEach((name, i) => {
      expectClose(gl[2 * i]!, cpu[2 * i]!, `${name}: sampled`);
      expectClose(gl[2 * i + 1]!, cpu[2 * i + 1]!, `${name}: d(params)`);
    });
  });

  it('d(input) is right for a sliced grid and a packed dy, which the scatter copies first', async (ctx) => {
    if (!info) return ctx.skip();
    const r = await call('copiedInputs');
    expect([r.gridSliced, r.dyPacked]).toEqual([true, true]);
    expectClose(r.webgl[0]!, r.cpu[0]!, 'dInput');
    expectClose(r.webgl[1]!, r.cpu[1]!, 'dGrid');
  });

  it('reads nothing back while the ops, their gradients and training steps run', async (ctx) => {
    if (!info) return ctx.skip();
    const { reads, readsOfResults, trained } = await call('readsInsideOps');
    expect(reads).toBe(0);
    expect(trained).toBe(true); // the SGD steps moved the weights: gradients flowed through the ops
    expect(readsOfResults).toBeGreaterThan(0); // the counter counts
  });

  it('1,000 forward+backward steps leave tf.memory() unchanged', async (ctx) => {
    if (!info) return ctx.skip();
    const { before, after } = await call('memoryAfterSteps', 1000);
    expect(after).toEqual(before);
    expect(before.numBytesInGPU).toBeGreaterThanOrEqual(0);
  }, 300_000);

  // Every option on images; volumes share the mask logic (GridSampleGrad.ts): one case per mode, with the volume programs.
  const maskCases: (SampleOptions & { volume: boolean })[] = [
    ...ALL_OPTIONS.map((o) => ({ ...o, volume: false })),
    { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false, volume: true },
    { mode: 'nearest', paddingMode: 'border', alignCorners: true, volume: true },
    { mode: 'bicubic', paddingMode: 'reflection', alignCorners: false, volume: true },
  ];
  it.for(maskCases)('honours outputMask: a gradient left out is a [0] tensor, one asked for is the same as with both: %o', { timeout: 300_000 }, async (c, ctx) => {
    if (!info) return ctx.skip();
    const r = await call('outputMasks', { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners }, c.volume);
    const both = r['true,true']!;
    expect(both.map((t) => t.shape)).toEqual(c.volume ? [[2, 3, 4, 5, 2], [2, 2, 3, 3, 3]] : [[2, 4, 5, 3], [2, 3, 3, 2]]);
    expect(r['true,false']![1]!.shape).toEqual([0]);
    expect(r['false,true']![0]!.shape).toEqual([0]);
    expect(r['false,false']!.map((t) => t.shape)).toEqual([[0], [0]]);
    // d(grid) is a gather: the same bits. d(input) is blended in the GPU's order: the same to 1e-5.
    for (const key of ['false,true', 'absent']) expect(r[key]![1]!.data, `${key}: dGrid`).toEqual(both[1]!.data);
    for (const key of ['true,false', 'absent']) expectClose(r[key]![0]!.data, both[0]!.data, `${key}: dInput`, 1e-5);
  });

  it('refuses, with a clear error, a context whose float32 textures cannot be rendered to', async (ctx) => {
    if (!info) return ctx.skip();
    const message = await call('errorWithoutFloat32');
    expect(message).toMatch(/webgl backend need float32 render targets .*WEBGL_RENDER_FLOAT32_ENABLED.*tf\.setBackend\('wasm'\)/);
  });

  it('ran without page errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
