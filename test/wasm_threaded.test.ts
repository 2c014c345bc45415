/**
 * tfjs-wasm's threaded build in headless Chromium: a page served cross-origin-isolated (COOP and
 * COEP headers), so tfjs-wasm puts its heap in a shared WebAssembly.Memory, which the unshared
 * build of stn-layer's module cannot link to. ready() compiles the shared-memory build there, and
 * gridSample forward and backward on wasm must agree with cpu; useThreads(2) must split the wasm
 * and cpu backends' calls (forward, and the backward kernel alone) over a Web Worker with the same
 * bits as one thread.
 */
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WASM_THREADED_HEADERS, buildPage, chromiumAvailable, closeServer, copyTfjsWasmFiles, launchChromium, removeAll, serve, tempDir } from './browser_support.js';
import { type GridSampleFixture, expectClose, loadFixtures } from './helpers.js';

const hasChromium = chromiumAvailable('the tfjs-wasm threaded test');

describe.skipIf(!hasChromium)('headless Chromium, tfjs-wasm threaded (cross-origin-isolated)', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    const outDir = tempDir('stn-threaded-page-', temp);
    await buildPage(join(__dirname, 'browser_wasm_threaded'), outDir, 'stn-layer on tfjs-wasm\'s threaded build');
    copyTfjsWasmFiles(outDir);
    let url: string;
    ({ server, url } = await serve(outDir, WASM_THREADED_HEADERS));
    ({ context, page, errors } = await launchChromium(tempDir('stn-chromium-', temp)));
    await page.goto(url);
    await page.waitForFunction(() => 'stn' in window);
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await closeServer(server);
    removeAll(temp);
  });

  it('gridSample forward and backward on the threaded build agree with cpu', async () => {
    const c = loadFixtures<GridSampleFixture>('grid_sample.json').find((f) => f.mode === 'bilinear' && f.paddingMode === 'zeros' && f.inputShape.length === 4)!;
    const result = await page.evaluate((k) => (window as unknown as { stn: { run(c: unknown): Promise<unknown> } }).stn.run(k),
      { input: c.input, inputShape: c.inputShape, grid: c.grid, gridShape: c.gridShape, dy: c.dy }) as {
      isolated: boolean; threaded: boolean; shared: boolean; wasm: number[][]; cpu: number[][];
    };
    expect(result.isolated).toBe(true);
    expect(result.threaded).toBe(true);
    expect(result.shared).toBe(true);
    result.wasm.forEach((v, i) => expectClose(v, result.cpu[i]!, ['output', 'dInput', 'dGrid'][i]!, 1e-5));
    expect(errors).toEqual([]);
  });

  // useThreads(2): a Web Worker runs the shared-memory module on tfjs-wasm's heap (and on the cpu
  // backend's memory), the page's thread spinning while it waits (a main thread may not block).
  // Batches split by item, one large image into stripes of grid points.
  it('useThreads(2) splits the wasm and cpu backends\' calls over a Web Worker, with the same bits as one thread', async () => {
    const shapes = [[2, 64, 64, 8], [2, 128, 128, 3], [1, 256, 256, 1]];
    const rows = await page.evaluate(([b, s]) => (window as unknown as { stn: { threads(...a: unknown[]): Promise<unknown> } }).stn.threads(b, s),
      [['wasm', 'cpu'], shapes] as const) as { backend: string; shape: number[]; threadsUsed: number; served: boolean; workerTasks: number; backwardTasks: number; differing: number; elements: number }[];
    expect(rows).toHaveLength(2 * shapes.length);
    for (const r of rows) {
      const what = `${r.backend} [${r.shape.join(',')}]`;
      expect(r.threadsUsed, what).toBe(2);
      expect(r.served, what).toBe(true);
      expect(r.workerTasks, what).toBeGreaterThan(0);
      expect(r.backwardTasks, what).toBeGreaterThan(0);
      expect(r.elements, what).toBeGreaterThan(0);
      expect(r.differing, what).toBe(0);
    }
    expect(errors).toEqual([]);
  }, 600_000);
});
