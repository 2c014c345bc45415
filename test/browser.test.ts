/**
 * gridSample and affineGrid in headless Chromium on WebGPU: a page bundled by vite from
 * test/browser/page.ts (src/index.ts with tfjs-core, -backend-cpu and -backend-webgpu from
 * node_modules), served on 127.0.0.1, runs every PyTorch fixture forward and backward on webgpu
 * and on cpu; both must match PyTorch and each other, with no WebGPU validation error.
 *
 * Chromium flags: only --enable-unsafe-webgpu is needed for WebGPU. Without a GPU, headless
 * Chromium (Debian's 156) falls back to its bundled SwiftShader (adapter 'google swiftshader');
 * --use-angle=swiftshader, --use-vulkan=swiftshader, --enable-features=Vulkan and
 * --use-webgpu-adapter=swiftshader were tried and change nothing. navigator.gpu exists only in
 * a secure context, hence http://127.0.0.1 rather than a file: or about:blank page. The other
 * flags keep the browser from reaching the network or a profile: a fresh user-data dir per run.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserRun, BrowserRunResult } from './browser/protocol.js';
import { type AffineGridFixture, type GridSampleFixture, expectClose, loadFixtures } from './helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) {
  if (process.env.CI === 'true') throw new Error(`CI: ${CHROMIUM} is missing (apt-get install chromium)`);
  console.warn(`\n!!! SKIPPING the headless Chromium test: ${CHROMIUM} is missing !!!\n`);
}

const sampleCases = loadFixtures<GridSampleFixture>('grid_sample.json');
const affineCases = loadFixtures<AffineGridFixture>('affine_grid.json');

async function buildPage(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: join(__dirname, 'browser'),
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false, target: 'es2022' },
  });
}

const MIME: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' };

/** Serves `dir` on 127.0.0.1 at a free port. */
async function serve(dir: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

describe.skipIf(!hasChromium)('headless Chromium, WebGPU', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  const consoleErrors: string[] = [];
  let result: BrowserRunResult;

  beforeAll(async () => {
    const outDir = mkdtempSync(join(tmpdir(), 'stn-page-'));
    const userDataDir = mkdtempSync(join(tmpdir(), 'stn-chromium-'));
    temp.push(outDir, userDataDir);
    await buildPage(outDir);
    server = await serve(outDir);
    context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
    await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
    await page.waitForFunction(() => 'stn' in window);
    const strip = <T extends object>(c: T, keys: string[]) => Object.fromEntries(Object.entries(c).filter(([k]) => !keys.includes(k)));
    result = await page.evaluate(
      ([s, a]) => (window as unknown as { stn: { run: BrowserRun } }).stn.run(s as never, a as never),
      [sampleCases.map((c) => strip(c, ['name', 'output', 'dInput', 'dGrid'])), affineCases.map((c) => strip(c, ['name', 'grid', 'dTheta']))],
    );
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    for (const dir of temp) rmSync(dir, { recursive: true, force: true });
  });

  it('offers a WebGPU adapter and ran without GPU or page errors', (ctx) => {
    if (!result.adapter) {
      if (process.env.CI === 'true') expect.fail('CI: headless Chromium offers no WebGPU adapter');
      console.warn('\n!!! SKIPPING: headless Chromium offers no WebGPU adapter !!!\n');
      ctx.skip();
    }
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
