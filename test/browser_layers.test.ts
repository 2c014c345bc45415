/**
 * stn-layer/layers in headless Chromium: a page bundled by vite from test/browser_layers/page.ts
 * builds a CNN with a spatialTransformer in front on each backend of BACKENDS, trains it with
 * model.fit, saves it to indexeddb:// and localstorage:// and loads it back. Every backend must
 * start at the identity, train the transformer's head, and load bit-identically. Chromium, its
 * flags and the server are in browser_support.ts.
 */
import { join } from 'node:path';
import type { Server } from 'node:http';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WEBGL_ARGS, buildPage, chromiumAvailable, closeServer, launchChromium, removeAll, requireWebGL2, requireWebGPUAdapter, serve, tempDir } from './browser_support.js';
import type { BackendResult, LayersRun } from './browser_layers/protocol.js';

/** The backends the page runs, in order. */
const BACKENDS = ['cpu', 'webgpu', 'webgl'];

const hasChromium = chromiumAvailable('the headless Chromium stn-layer/layers test');

describe.skipIf(!hasChromium)('stn-layer/layers in headless Chromium', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let errors: string[] = [];
  let run: { adapter: string | null; results: BackendResult[] };

  beforeAll(async () => {
    const outDir = tempDir('stn-layers-page-', temp);
    await buildPage(join(__dirname, 'browser_layers'), outDir, 'stn-layer/layers in the browser');
    let url: string;
    ({ server, url } = await serve(outDir));
    const browser = await launchChromium(tempDir('stn-chromium-', temp), WEBGL_ARGS);
    ({ context, errors } = browser);
    await browser.page.goto(url);
    await browser.page.waitForFunction(() => 'stnLayers' in window);
    run = await browser.page.evaluate((b) => (window as unknown as { stnLayers: { run: LayersRun } }).stnLayers.run(b), BACKENDS);
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await closeServer(server);
    removeAll(temp);
  });

  it('ran without page errors', () => {
    expect(errors).toEqual([]);
    expect(run.results.map((r) => r.backend)).toEqual(BACKENDS);
  });

  it.for(BACKENDS)('on %s: starts at the identity, trains the head with model.fit, and loads back bit-identically from indexeddb:// and localstorage://', (backend, ctx) => {
    const r = run.results.find((x) => x.backend === backend)!;
    if (backend === 'webgpu') requireWebGPUAdapter(run.adapter, ctx, 'stn-layer/layers on webgpu in Chromium');
    if (backend === 'webgl') requireWebGL2(r.started, ctx, 'stn-layer/layers on webgl in Chromium');
    expect(r.started, `${backend} started`).toBe(true);
    expect(r.identityError!).toBeLessThanOrEqual(1e-6);
    expect(r.losses!.every(Number.isFinite)).toBe(true);
    expect(r.headMoved).toBe(true);
    expect(r.identical).toEqual({ indexeddb: true, localstorage: true });
  });
});
