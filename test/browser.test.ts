/**
 * gridSample and affineGrid in headless Chromium on WebGPU: a page bundled by vite from
 * test/browser/page.ts (src/index.ts with tfjs-core, -backend-cpu and -backend-webgpu from
 * node_modules), served on 127.0.0.1, runs every PyTorch fixture forward and backward on webgpu
 * and on cpu; both must match PyTorch and each other, with no WebGPU validation error. Chromium,
 * its flags and the server are in browser_support.ts.
 */
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, chromiumAvailable, closeServer, launchChromium, removeAll, requireWebGPUAdapter, serve, tempDir } from './browser_support.js';
import type { BrowserRun, BrowserRunResult } from './browser/protocol.js';
import { type AffineGridFixture, type GridSampleFixture, expectClose, loadFixtures } from './helpers.js';

const hasChromium = chromiumAvailable('the headless Chromium test');

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');

describe.skipIf(!hasChromium)('headless Chromium, WebGPU', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let consoleErrors: string[] = [];
  let result: BrowserRunResult;

  beforeAll(async () => {
    const outDir = tempDir('stn-page-', temp);
    await buildPage(join(__dirname, 'browser'), outDir, 'stn-layer on WebGPU');
    let url: string;
    ({ server, url } = await serve(outDir));
    ({ context, page, errors: consoleErrors } = await launchChromium(tempDir('stn-chromium-', temp)));
    await page.goto(url);
    await page.waitForFunction(() => 'stn' in window);
    const strip = <T extends object>(c: T, keys: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k)));
    result = await page.evaluate(
      ([s, a]) => (window as unknown as { stn: { run: BrowserRun } }).stn.run(s as never, a as never),
      [sampleCases.map((c) => strip(c, ['name', 'output', 'dInput', 'dGrid'])), affineCases.map((c) => strip(c, ['name', 'grid', 'dTheta']))],
    );
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await closeServer(server);
    removeAll(temp);
  });

  it('offers a WebGPU adapter and ran without GPU or page errors', (ctx) => {
    requireWebGPUAdapter(result.adapter, ctx, 'the WebGPU fixtures in Chromium');
    console.info(`Chromium WebGPU adapter: ${result.adapter}`);
    expect(result.gpuErrors).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it(`gridSample forward and backward on webgpu match PyTorch and the cpu backend (${sampleCases.length} fixtures)`, (ctx) => {
    if (!result.webgpu || !result.cpu) return ctx.skip();
    sampleCases.forEach((c, i) => {
      const gpu = result.webgpu!.samples[i]!;
      const cpu = result.cpu!.samples[i]!;
      ['output', 'dInput', 'dGrid'].forEach((what, k) => {
        expectClose(gpu[k]!, [c.output, c.dInput, c.dGrid][k]!, `${c.name}: webgpu ${what} vs PyTorch`);
        expectClose(gpu[k]!, cpu[k]!, `${c.name}: webgpu ${what} vs cpu`);
      });
    });
  });

  it(`affineGrid and its gradient on webgpu match PyTorch (${affineCases.length} fixtures)`, (ctx) => {
    if (!result.webgpu) return ctx.skip();
    affineCases.forEach((c, i) => {
      const [grid, dTheta] = result.webgpu!.affine[i]!;
      expectClose(grid!, c.grid, `${c.name}: grid`);
      expectClose(dTheta!, c.dTheta, `${c.name}: dTheta`);
    });
  });
});
