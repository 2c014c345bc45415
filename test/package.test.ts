/**
 * The package as a user gets it. `npm pack` (which builds through the prepare script) runs in a
 * copy of the repository, so the test never rewrites this checkout's dist/; the tarball must hold
 * only dist/, README.md, LICENSE and package.json. A fresh app then installs it with tfjs-core,
 * the cpu and wasm backends and @tensorflow/tfjs (the optional peer stn-layer/mnist needs), from
 * the local npm cache where it can. In that app:
 * - an ES module and a CommonJS script run gridSample forward and backward and affineGrid on cpu
 *   and wasm, and import stn-layer/mnist, checking values worked out by hand;
 * - `npx stn-mnist --help` runs;
 * - tsc type-checks a file using the public API under moduleResolution node16 (as ESM and as
 *   CommonJS) and bundler;
 * - vite bundles a web page importing both entries (stn-layer/mnist through its browser
 *   condition, so nothing from node:*), and headless Chromium runs it.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, closeServer, launchChromium, removeAll, serve, tempDir } from './browser_support.js';

const ROOT = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];
const TFJS = '4.22.0';
const PEERS = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs'].map((p) => `${p}@${TFJS}`);
/** Not copied for packing: dependencies (linked instead), history, outputs and what the package does not build from. */
const NOT_BUILD_INPUTS = new Set(['node_modules', '.git', 'dist', 'build', 'scratch', 'test', 'bench', 'demo', 'test-artifacts', 'stn-mnist-out', '.ci']);

const run = promisify(execFile);
async function sh(cwd: string, file: string, args: string[]): Promise<{ stdout: string; stderr: string }> {
  try {
    return await run(file, args, { cwd, maxBuffer: 64 << 20, env: { ...process.env, NO_COLOR: '1' } });
  } catch (e) {
    const err = e as Error & { stdout?: string; stderr?: string };
    throw new Error(`${file} ${args.join(' ')} failed in ${cwd}:\n${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  }
}

/**
 * The checks both module systems run: a 2x2 image [[1, 2], [3, 4]] sampled at its centre reads the
 * mean 2.5; each pixel's gradient is 1/4; d(grid) is the mean step along x (1) and along y (2)
 * times size/2 = 1. The identity affineGrid of a 2x2 output puts x and y at -0.5 and 0.5.
 */
const CHECKS = `
async function checks(tf, stn, mnist) {
  await stn.ready();
  const results = {};
  for (const backend of ['cpu', 'wasm']) {
    if (!(await tf.setBackend(backend))) throw new Error(backend + ' did not start');
    const input = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const grid = tf.tensor4d([0, 0], [1, 1, 1, 2]);
    const out = stn.gridSample(input, grid);
    const [dInput, dGrid] = tf.grads((x, g) => stn.gridSample(x, g))([input, grid]);
    const identity = stn.affineGrid(tf.tensor3d([1, 0, 0, 0, 1, 0], [1, 2, 3]), [1, 2, 2, 1]);
    results[backend] = {
      output: Array.from(await out.data()), dInput: Array.from(await dInput.data()),
      dGrid: Array.from(await dGrid.data()), grid: Array.from(await identity.data()),
    };
  }
  // Importing left tfjs-wasm's Conv2D alone; the opt-in replaces it.
  const conv2d = tf.getKernel('Conv2D', 'wasm');
  stn.useWasmTrainingKernels();
  const optIn = conv2d !== undefined && tf.getKernel('Conv2D', 'wasm') !== conv2d;
  return { backends: results, parameters: mnist.PARAMETER_COUNT, optIn };
}
`;
const EXPECTED_BACKEND = { output: [2.5], dInput: [0.25, 0.25, 0.25, 0.25], dGrid: [1, 2], grid: [-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5] };

/** Uses the public API with its types (as a TypeScript user would). */
const API_TS = `import * as tf from '@tensorflow/tfjs-core';
import {
  AffineGrid, GridSample, GridSampleGrad, type GridSampleOptions, affineGrid, gridSample, ready, useWasmTrainingKernels,
} from 'stn-layer';
import { PARAMETER_COUNT, Rng, StnModel } from 'stn-layer/mnist';

export async function warp(images: tf.Tensor4D, theta: tf.Tensor3D): Promise<tf.Tensor4D> {
  await ready();
  const options: GridSampleOptions = { mode: 'bicubic', paddingMode: 'reflection', alignCorners: true };
  const [n, h, w, c] = images.shape;
  return gridSample(images, affineGrid(theta, [n, h, w, c]), options);
}
export const kernels: string[] = [AffineGrid, GridSample, GridSampleGrad];
export const optIn: () => void = useWasmTrainingKernels;
export const model: StnModel = StnModel.create(new Rng(1));
export const count: number = PARAMETER_COUNT;
// @ts-expect-error: the declarations are real, so a wrong mode is an error
export const wrong = gridSample(tf.zeros([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2]), { mode: 'linear' });
`;

const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'stn-layer-app', version: '1.0.0', private: true }),
  'esm.mjs': `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as stn from 'stn-layer';
import * as mnist from 'stn-layer/mnist';
${CHECKS}
console.log(JSON.stringify(await checks(tf, stn, mnist)));
`,
  'cjs.cjs': `const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const stn = require('stn-layer');
const mnist = require('stn-layer/mnist');
${CHECKS}
checks(tf, stn, mnist).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });
`,
  // Type-checked as ESM (.mts), as CommonJS (.cts) and under bundler resolution (.ts), with the
  // declaration files themselves (no skipLibCheck).
  'api.ts': API_TS,
  'api.mts': API_TS,
  'api.cts': API_TS,
  'tsconfig.node16.json': JSON.stringify({
    compilerOptions: { module: 'node16', moduleResolution: 'node16', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true },
    files: ['api.mts', 'api.cts'],
  }),
  'tsconfig.bundler.json': JSON.stringify({
    compilerOptions: { module: 'esnext', moduleResolution: 'bundler', target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true },
    files: ['api.ts'],
  }),
  'web/index.html': '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>',
  'web/main.js': `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { gridSample, ready } from 'stn-layer';
import { PARAMETER_COUNT, Rng, StnModel } from 'stn-layer/mnist';

window.result = (async () => {
  await ready();
  await tf.setBackend('cpu');
  const input = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const grid = tf.tensor4d([0, 0], [1, 1, 1, 2]);
  const [dInput, dGrid] = tf.grads((x, g) => gridSample(x, g))([input, grid]);
  const model = StnModel.create(new Rng(1));
  const logProbs = model.forward(tf.zeros([1, 28, 28, 1]));
  return {
    output: Array.from(await gridSample(input, grid).data()), dInput: Array.from(await dInput.data()),
    dGrid: Array.from(await dGrid.data()), parameters: PARAMETER_COUNT, classes: logProbs.shape[1],
  };
})();
`,
};

const hasChromium = chromiumAvailable('the bundled web page of the package test');

describe('the packed package in a fresh app', () => {
  const temp: string[] = [];
  let tarball: string;
  let tarballFiles: string[];
  let app: string;

  beforeAll(async () => {
    // Pack a copy of the build inputs, with this checkout's node_modules linked in.
    const source = tempDir('stn-pack-src-', temp);
    for (const entry of readdirSync(ROOT)) {
      if (!NOT_BUILD_INPUTS.has(entry)) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
    const packed = tempDir('stn-pack-', temp);
    await sh(source, 'npm', ['pack', '--pack-destination', packed, '--loglevel=error']);
    tarball = join(packed, readdirSync(packed).find((f) => f.endsWith('.tgz'))!);
    tarballFiles = (await sh(packed, 'tar', ['-tzf', tarball])).stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));

    app = tempDir('stn-app-', temp);
    for (const [name, text] of Object.entries(APP_FILES)) {
      mkdirSync(dirname(join(app, name)), { recursive: true });
      writeFileSync(join(app, name), text);
    }
    await sh(app, 'npm', ['install', ...NPM_FLAGS, tarball, ...PEERS]);
  }, 600_000);

  afterAll(() => removeAll(temp));

  it('packs only dist/, README.md, LICENSE and package.json, with every file the manifest names', () => {
    const stray = tarballFiles.filter((f) => !['package.json', 'README.md', 'LICENSE'].includes(f) && !f.startsWith('dist/'));
    expect(stray).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { exports: object; bin: Record<string, string>; main: string; module: string; types: string };
    const targets = new Set<string>([manifest.main, manifest.module, manifest.types, ...Object.values(manifest.bin)]);
    const walk = (v: unknown): void => {
      if (typeof v === 'string') targets.add(v);
      else if (v && typeof v === 'object') Object.values(v).forEach(walk);
    };
    walk(manifest.exports);
    for (const target of targets) expect(tarballFiles, `package.json names ${target}`).toContain(relative('.', target));
    console.info(`${tarball}: ${tarballFiles.length} files`);
  });

  it.each(['esm.mjs', 'cjs.cjs'])('%s: gridSample forward and backward and affineGrid on cpu and wasm, and stn-layer/mnist', async (script) => {
    const { stdout } = await sh(app, process.execPath, [script]);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as { backends: Record<string, typeof EXPECTED_BACKEND>; parameters: number; optIn: boolean };
    expect(result.parameters).toBe(27_360);
    expect(result.optIn).toBe(true);
    for (const backend of ['cpu', 'wasm']) {
      const got = result.backends[backend]!;
      for (const [key, want] of Object.entries(EXPECTED_BACKEND)) {
        const values = got[key as keyof typeof EXPECTED_BACKEND];
        expect(values.length, `${backend} ${key}`).toBe(want.length);
        values.forEach((v, i) => expect(v, `${backend} ${key}[${i}]`).toBeCloseTo(want[i]!, 5));
      }
    }
  });

  it('npx stn-mnist --help', async () => {
    const { stdout } = await sh(app, 'npx', ['--no', '--', 'stn-mnist', '--help']); // --no: never fetch it from the registry
    expect(stdout).toContain('Usage: stn-mnist');
  });

  it.each(['node16', 'bundler'])('tsc --noEmit under moduleResolution %s', async (resolution) => {
    await sh(app, process.execPath, [TSC, '-p', `tsconfig.${resolution}.json`]);
  });

  it.skipIf(!hasChromium)('bundles for the browser with vite and runs in headless Chromium', async () => {
    const { build, createLogger } = await import('vite');
    const logger = createLogger('warn');
    const warnings: string[] = [];
    logger.warn = (msg) => warnings.push(msg);
    const outDir = tempDir('stn-app-web-', temp);
    await build({ root: join(app, 'web'), configFile: false, customLogger: logger, build: { outDir, minify: false, reportCompressedSize: false, target: 'es2022', chunkSizeWarningLimit: 100_000 } });
    expect(warnings.filter((w) => /externalized for browser compatibility|node:/.test(w))).toEqual([]);
    let server: Server | undefined;
    let context: BrowserContext | undefined;
    try {
      let url: string;
      ({ server, url } = await serve(outDir));
      const browser = await launchChromium(tempDir('stn-chromium-', temp));
      context = browser.context;
      await browser.page.goto(url);
      const result = await browser.page.evaluate(() => (window as unknown as { result: Promise<Record<string, unknown>> }).result);
      expect(result).toMatchObject({ parameters: 27_360, classes: 10 });
      for (const key of ['output', 'dInput', 'dGrid'] as const) {
        (result[key] as number[]).forEach((v, i) => expect(v, `${key}[${i}]`).toBeCloseTo(EXPECTED_BACKEND[key][i]!, 5));
      }
      expect(browser.errors).toEqual([]);
    } finally {
      await context?.close();
      await closeServer(server);
    }
  });
});
