/**
 * tfjs-wasm's threaded build in headless Chromium: a page served cross-origin-isolated (COOP and
 * COEP headers), so tfjs-wasm puts its heap in a shared WebAssembly.Memory, which the unshared
 * build of stn-layer's module cannot link to. ready() compiles the shared-memory build there, and
 * gridSample forward and backward on wasm must agree with cpu.
 */
import { copyFileSync, readdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPage, chromiumAvailable, closeServer, launchChromium, removeAll, serve, tempDir } from './browser_support.js';
import { type GridSampleFixture, expectClose, loadFixtures } from './helpers.js';

const hasChromium = chromiumAvailable('the tfjs-wasm threaded test');
const ISOLATED = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

describe.skipIf(!hasChromium)('headless Chromium, tfjs-wasm threaded (cross-origin-isolated)', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let errors: string[] = [];

  beforeAll(async () => {
    const outDir = tempDir('stn-threaded-page-', temp);
    await buildPage(join(__dirname, 'browser_wasm_threaded'), outDir);
    const wasmDist = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
    for (const f of readdirSync(wasmDist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(wasmDist, f), join(outDir, f));
    let url: string;
    ({ server, url } = await serve(outDir, ISOLATED));
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
});
