/**
 * The browser demo end to end: vite builds demo/ into a temporary directory, which is served on
 * 127.0.0.1 to headless Chromium (browser_support.ts). The test switches the page to webgpu, webgl
 * and wasm, trains a few batches on each, and checks the readouts and both pictures; then loads a
 * checkpoint in stn-mnist's format (written here with saveCheckpoint) through the file picker and
 * by URL, and the same network as `stn-mnist --api layers` saves it (a LayersModel directory), and
 * checks the page's held-out loss and accuracy against the same evaluation in Node.
 * Screenshots go to test-artifacts/.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_JSON, SAMPLE_PNG, type SampleMeta, demoSplits, spriteToSplit } from '../demo/sample.js';
import { setUpBackend } from '../src/mnist/backend.js';
import { saveCheckpoint } from '../src/mnist/checkpoint.js';
import { fileIO } from '../src/mnist/file_io.js';
import { getParameters, setParameters, stnLayersModel } from '../src/mnist/layers_model.js';
import { bundledMnistDir, readSplit } from '../src/mnist/data.js';
import { StnModel } from '../src/mnist/model.js';
import { Rng } from '../src/mnist/random.js';
import { type Evaluation, evaluate } from '../src/mnist/steps.js';
import { WEBGL_ARGS, chromiumAvailable, closeServer, launchChromium, removeAll, requireWebGL2, requireWebGPUAdapter, serve, tempDir } from './browser_support.js';

const DEMO = join(__dirname, '..', 'demo');
const ARTIFACTS = join(__dirname, '..', 'test-artifacts');
/** Few and small: WebGPU here is SwiftShader, on the CPU. */
const STEPS = 3;
const BATCH_SIZE = '16';
const BUSY_TIMEOUT = 240_000;

const hasChromium = chromiumAvailable('the demo test');

function readSample() {
  const png = pngjs.PNG.sync.read(readFileSync(join(DEMO, 'public', SAMPLE_PNG)));
  const gray = new Uint8Array(png.width * png.height);
  for (let i = 0; i < gray.length; i++) gray[i] = png.data[4 * i]!;
  const meta = JSON.parse(readFileSync(join(DEMO, 'public', SAMPLE_JSON), 'utf8')) as SampleMeta;
  return spriteToSplit(gray, png.width, meta);
}

async function buildDemo(outDir: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    root: DEMO,
    configFile: join(DEMO, 'vite.config.ts'),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, minify: false, reportCompressedSize: false },
  });
}

/** A checkpoint as stn-mnist writes it, and the network's held-out evaluation computed in Node. */
async function makeCheckpoint(dir: string): Promise<Evaluation> {
  await setUpBackend('cpu');
  const model = StnModel.create(new Rng(42));
  // Larger logits make the loss depend strongly on every weight landing where it belongs.
  const fc2 = model.params.get('fc2.weight')!;
  fc2.assign(fc2.mul(10));
  const state = { epoch: 2, history: [], rngState: new Rng(42).state(), seed: 42, lr: 0.01, batchSize: 64 };
  await saveCheckpoint(dir, model, state);
  // The same network as a LayersModel checkpoint (stn-mnist --api layers).
  const layers = stnLayersModel(new Rng(1));
  setParameters(layers, new Map(await Promise.all([...model.params].map(async ([name, v]) => [name, (await v.data()) as Float32Array] as const))));
  expect(await getParameters(layers)).toEqual(new Map(await Promise.all([...model.params].map(async ([name, v]) => [name, await v.data()] as const))));
  layers.setUserDefinedMetadata({ training: state });
  await layers.save(fileIO(`${dir}-layers`));
  layers.dispose();
  const { heldOut } = demoSplits(readSample());
  const expected = await evaluate(model, heldOut, heldOut.count);
  model.dispose();
  return expected;
}

describe('the demo\'s MNIST sample', () => {
  it('is the first 1,000 images and labels of the real MNIST test set', () => {
    const dir = bundledMnistDir()!;
    const test = readSplit(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte'));
    const sample = readSample();
    expect(sample.count).toBe(1000);
    expect(Buffer.from(sample.images).equals(Buffer.from(test.images.subarray(0, sample.images.length)))).toBe(true);
    expect(Array.from(sample.labels)).toEqual(Array.from(test.labels.subarray(0, 1000)));
  });
});

describe.skipIf(!hasChromium)('the demo in headless Chromium', () => {
  const temp: string[] = [];
  let server: Server | undefined;
  let context: BrowserContext | undefined;
  let page: Page;
  let errors: string[] = [];
  let url: string;
  let outDir: string;
  let expected: Evaluation;

  const text = async (id: string) => (await page.textContent(`#${id}`))?.trim() ?? '';

  /** Waits for the page to finish what it is doing and checks it did not fail. */
  async function settled(): Promise<void> {
    await page.waitForFunction(() => !['busy', 'loading'].includes(document.body.dataset.state ?? ''), undefined, { timeout: BUSY_TIMEOUT });
    const state = await page.evaluate(() => document.body.dataset.state);
    expect(state, `status: ${await text('status')}`).toBe('idle');
  }

  /** How many pixels of each canvas differ from its first pixel (a blank canvas has none). */
  const nonBlank = () => page.evaluate(() => Object.fromEntries(['chart', 'original', 'transformed'].map((id) => {
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const data = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let differing = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i] !== data[0] || data[i + 1] !== data[1] || data[i + 2] !== data[2]) differing++;
    return [id, differing];
  })));

  async function trainOn(backend: string, stepsBefore: number): Promise<void> {
    await page.selectOption('#backend', backend);
    await settled();
    expect(await text('status')).toContain(`Ready on ${backend}`);
    await page.fill('#batches', String(STEPS));
    await page.selectOption('#batch-size', BATCH_SIZE);
    await page.click('#train');
    await settled();
    expect(await text('status')).toMatch(new RegExp(`^Trained ${STEPS} batches on ${backend}`));
    expect(await text('steps')).toBe(String(stepsBefore + STEPS));
    expect(Number(await text('loss'))).toBeGreaterThan(0);
    expect(await text('accuracy')).toMatch(/^\d+\/200 \(\d+\.\d%\), loss \d+\.\d{4}$/);
    const pixels = await nonBlank();
    for (const [id, n] of Object.entries(pixels)) expect(n, `canvas #${id} is blank`).toBeGreaterThan(100);
  }

  /** The page's held-out readout must match Node's evaluation of the same checkpoint. */
  async function expectCheckpointReadout(): Promise<void> {
    expect(await text('status')).toMatch(/^Loaded checkpoint .*trained 2 epochs/);
    const m = /^(\d+)\/200 \(\d+\.\d%\), loss (\d+\.\d{4})$/.exec(await text('accuracy'));
    expect(m, await text('accuracy')).not.toBeNull();
    expect(Math.abs(Number(m![1]) - expected.correct)).toBeLessThanOrEqual(1);
    expect(Number(m![2])).toBeCloseTo(expected.loss, 3);
  }

  beforeAll(async () => {
    outDir = tempDir('stn-demo-', temp);
    await buildDemo(outDir);
    expected = await makeCheckpoint(join(outDir, 'checkpoint'));
    ({ server, url } = await serve(outDir));
    ({ context, page, errors } = await launchChromium(tempDir('stn-chromium-', temp), WEBGL_ARGS));
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.setViewportSize({ width: 1280, height: 1000 });
    await page.goto(url);
    await settled();
  }, 600_000);

  afterAll(async () => {
    await context?.close();
    await closeServer(server);
    removeAll(temp);
  });

  // With SwiftShader as the only GPU, the best backend is wasm (bestBackend() in demo/main.ts).
  it('starts on wasm with the held-out accuracy and both pictures drawn', async () => {
    expect(await text('status')).toContain('Ready on wasm');
    expect(await text('accuracy')).toMatch(/^\d+\/200 /);
    const pixels = await nonBlank();
    expect(pixels.original).toBeGreaterThan(100);
    expect(pixels.transformed).toBeGreaterThan(100);
  });

  it(`trains ${STEPS} batches on webgpu`, async (ctx) => {
    const adapter = await page.evaluate(async () => !!(await navigator.gpu?.requestAdapter()));
    requireWebGPUAdapter(adapter, ctx, 'the demo on webgpu');
    await trainOn('webgpu', Number(await text('steps')));
    expect(await text('status')).toMatch(/on webgpu \(.+\)/); // names the adapter
    await page.screenshot({ path: join(ARTIFACTS, 'demo-webgpu.png'), fullPage: true });
  }, BUSY_TIMEOUT * 3);

  it(`trains ${STEPS} batches on webgl`, async (ctx) => {
    const webgl2 = await page.evaluate(() => !!document.createElement('canvas').getContext('webgl2'));
    requireWebGL2(webgl2, ctx, 'the demo on webgl');
    await trainOn('webgl', Number(await text('steps')));
    await page.screenshot({ path: join(ARTIFACTS, 'demo-webgl.png'), fullPage: true });
  }, BUSY_TIMEOUT * 3);

  it(`trains ${STEPS} batches on wasm`, async () => {
    await trainOn('wasm', Number(await text('steps')));
    await page.screenshot({ path: join(ARTIFACTS, 'demo.png'), fullPage: true });
  }, BUSY_TIMEOUT * 3);

  it('loads a stn-mnist checkpoint from picked files and evaluates it as Node does', async () => {
    const dir = join(outDir, 'checkpoint');
    await page.setInputFiles('#checkpoint-files', [join(dir, 'model.json'), join(dir, 'weights-epoch2.bin')]);
    await settled();
    await expectCheckpointReadout();
  }, BUSY_TIMEOUT);

  it('loads the same checkpoint from a URL', async () => {
    await page.click('#reset');
    await settled();
    await page.fill('#checkpoint-url', 'checkpoint/model.json');
    await page.click('#load-url');
    await settled();
    await expectCheckpointReadout();
  }, BUSY_TIMEOUT);

  it('loads the same network saved as a LayersModel (stn-mnist --api layers), from picked files and by URL', async () => {
    const dir = join(outDir, 'checkpoint-layers');
    await page.setInputFiles('#checkpoint-files', [join(dir, 'model.json'), join(dir, 'weights.bin')]);
    await settled();
    await expectCheckpointReadout();
    await page.click('#reset');
    await settled();
    await page.fill('#checkpoint-url', 'checkpoint-layers/model.json');
    await page.click('#load-url');
    await settled();
    await expectCheckpointReadout();
  }, BUSY_TIMEOUT * 2);

  it('says which file is missing when the weights are not picked', async () => {
    await page.setInputFiles('#checkpoint-files', [join(outDir, 'checkpoint', 'model.json')]);
    await page.waitForFunction(() => document.body.dataset.state === 'error', undefined, { timeout: BUSY_TIMEOUT });
    expect(await text('status')).toMatch(/names the weights file weights-epoch2\.bin: choose it together with model\.json/);
  });

  it(`switches to RTS: the shipped ST-CNN reads the distorted digits; a new one trains ${STEPS} batches on wasm; 42x42 pictures; then back to MNIST`, async () => {
    await page.selectOption('#backend', 'wasm');
    await settled();
    await page.selectOption('#dataset', 'rts');
    await settled();
    // The shipped ST-CNN that stn-mnist trained: it already reads most of the distorted digits.
    expect(await text('status')).toMatch(/^ST-CNN on RTS, trained by stn-mnist for \d+ epochs \(test accuracy \d+\.\d%\), on wasm\.$/);
    expect(Number(/^(\d+)\/200/.exec(await text('accuracy'))![1])).toBeGreaterThan(140);
    await page.click('#reset');
    await settled();
    expect(await text('status')).toBe('New network on wasm.');
    expect(await page.inputValue('#lr')).toBe('0.001');
    // Eight 42x42 digits a row with 2-pixel gaps.
    expect(await page.evaluate(() => (document.getElementById('original') as HTMLCanvasElement).width)).toBe(8 * 44 + 2);
    await page.fill('#batches', String(STEPS));
    await page.click('#train');
    await settled();
    expect(await text('status')).toMatch(new RegExp(`^Trained ${STEPS} batches on wasm`));
    expect(await text('steps')).toBe(String(STEPS));
    expect(await text('accuracy')).toMatch(/^\d+\/200 \(\d+\.\d%\), loss \d+\.\d{4}$/);
    for (const [id, n] of Object.entries(await nonBlank())) expect(n, `canvas #${id} is blank`).toBeGreaterThan(100);
    await page.screenshot({ path: join(ARTIFACTS, 'demo-rts.png'), fullPage: true });
    await page.selectOption('#dataset', 'mnist');
    await settled();
    expect(await text('status')).toBe('New network on MNIST, on wasm.');
    expect(await page.evaluate(() => (document.getElementById('original') as HTMLCanvasElement).width)).toBe(8 * 30 + 2);
  }, BUSY_TIMEOUT * 2);

  it('logged no errors other than the one it provoked', () => {
    expect(errors.filter((e) => !e.includes('weights-epoch2.bin'))).toEqual([]);
  });
});
