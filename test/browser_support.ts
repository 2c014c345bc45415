/**
 * Headless Chromium for the browser tests (browser.test.ts, demo.test.ts): Debian's
 * /usr/bin/chromium driven by playwright-core (no browser is ever downloaded), pages built by vite
 * and served from a temporary directory on 127.0.0.1.
 *
 * Chromium flags: only --enable-unsafe-webgpu is needed for WebGPU. Without a GPU, headless
 * Chromium (Debian's 156) falls back to its bundled SwiftShader (adapter 'google swiftshader');
 * --use-angle=swiftshader, --use-vulkan=swiftshader, --enable-features=Vulkan and
 * --use-webgpu-adapter=swiftshader were tried and change nothing. navigator.gpu exists only in
 * a secure context, hence http://127.0.0.1 rather than a file: or about:blank page. The other
 * flags keep the browser from reaching the network or a profile: a fresh user-data dir per run.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Whether Chromium is there; in CI its absence is an error, elsewhere a loud skip of `what`. */
export function chromiumAvailable(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') throw new Error(`CI: ${CHROMIUM} is missing (apt-get install chromium)`);
  console.warn(`\n!!! SKIPPING ${what}: ${CHROMIUM} is missing !!!\n`);
  return false;
}

/** Skips (loudly) when the page found no WebGPU adapter; in CI that is a failure. */
export function requireWebGPUAdapter(adapter: unknown, ctx: { skip(): void }, what: string): void {
  if (adapter) return;
  if (process.env.CI === 'true') throw new Error(`CI: headless Chromium offers no WebGPU adapter (${what})`);
  console.warn(`\n!!! SKIPPING ${what}: headless Chromium offers no WebGPU adapter !!!\n`);
  ctx.skip();
}

/**
 * Bundles the page `root`/page.ts into `outDir` with vite (no config file), under an index.html
 * written into `root` here: every page's is the same but for its title (git-ignored).
 */
export async function buildPage(root: string, outDir: string, title: string): Promise<void> {
  writeFileSync(join(root, 'index.html'), `<!doctype html>
<html>
  <head>
    <meta charset="utf-8" />
    <title>${title}</title>
    <link rel="icon" href="data:," />
  </head>
  <body>
    <script type="module" src="./page.ts"></script>
  </body>
</html>
`);
  const { build } = await import('vite');
  await build({
    root,
    configFile: false,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false, target: 'es2022', chunkSizeWarningLimit: 100_000 },
  });
}

/** A temporary directory, removed by cleanUp(). */
export function tempDir(prefix: string, cleanUp: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanUp.push(dir);
  return dir;
}

export function removeAll(dirs: string[]): void {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

const MIME: Record<string, string> = {
  '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml',
};

/** The headers that make a page cross-origin-isolated: tfjs-wasm then runs its threaded build (a shared heap). */
export const WASM_THREADED_HEADERS = { 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' };

/** Copies tfjs-backend-wasm's .wasm files (its builds) into a page's directory: the page calls setWasmPaths('/'). */
export function copyTfjsWasmFiles(outDir: string): void {
  const dist = join(dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
  for (const f of readdirSync(dist).filter((f) => f.endsWith('.wasm'))) copyFileSync(join(dist, f), join(outDir, f));
}

/** Serves `dir` on 127.0.0.1 at a free port; `url` ends with '/'. */
export async function serve(dir: string, headers: Record<string, string> = {}): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    const file = join(dir, path.endsWith('/') ? `${path}index.html` : path);
    if (!file.startsWith(dir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { ...headers, 'content-type': MIME[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` };
}

export async function closeServer(server: Server | undefined): Promise<void> {
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
}

export interface BrowserPage {
  context: BrowserContext;
  page: Page;
  /** console.error messages and uncaught page errors, as they arrive. */
  errors: string[];
}

/**
 * WebGL2 in headless Chromium without a GPU: ANGLE on SwiftShader. (Debian's Chromium falls back
 * to it by itself here; the flags make that explicit, so a machine with a GPU tests the same.)
 */
export const WEBGL_ARGS = ['--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

/** Skips (loudly) when the page has no WebGL2 context; in CI that is a failure. */
export function requireWebGL2(available: boolean, ctx: { skip(): void }, what: string): void {
  if (available) return;
  if (process.env.CI === 'true') throw new Error(`CI: headless Chromium offers no WebGL2 context (${what})`);
  console.warn(`\n!!! SKIPPING ${what}: headless Chromium offers no WebGL2 context !!!\n`);
  ctx.skip();
}

/** Headless Chromium with a fresh profile in `userDataDir`, and its first page. */
export async function launchChromium(userDataDir: string, extraArgs: string[] = []): Promise<BrowserPage> {
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs],
  });
  const page = context.pages()[0] ?? (await context.newPage());
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}
