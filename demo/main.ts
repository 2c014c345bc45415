/**
 * The demo page: loads the MNIST sample, trains stn-layer/mnist's network on the backend the
 * person picks (by default the best this browser has: bestBackend()), and draws the loss/accuracy chart and the tutorial's picture as it goes. Its state
 * is in the DOM for people and for test/demo.test.ts: body[data-state] is 'loading', 'busy',
 * 'idle' or 'error'.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import '@tensorflow/tfjs-backend-webgl';
import '@tensorflow/tfjs-backend-webgpu';
// tfjs-backend-wasm fetches its own .wasm at run time: vite copies these into the build.
import wasmUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';
import { ready, useWasmTrainingKernels } from 'stn-layer';
import {
  DEFAULTS, type MnistSplit, NUM_CLASSES, PAPER_LR, PaperModel, type PaperModelJson, Rng, StnModel, TEST_SEED, batches, distort, evaluate,
  paperTrainStep, trainStep, trainingSeed, transformFirst,
} from 'stn-layer/mnist';
import { type LoadedCheckpoint, checkpointFromFiles, checkpointFromUrl } from './checkpoint.js';
import { type ChartData, drawChart, drawDigits } from './draw.js';
import { SAMPLE_JSON, SAMPLE_PNG, type SampleMeta, demoSplits, spriteToSplit } from './sample.js';

setWasmPaths({
  'tfjs-backend-wasm.wasm': wasmUrl,
  'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
  'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimdUrl,
});
// The demo trains: on wasm, with stn-layer's faster kernels for convolutions, pooling and dense layers.
useWasmTrainingKernels();

const BACKENDS = ['webgpu', 'webgl', 'wasm', 'cpu'] as const;
type BackendName = (typeof BACKENDS)[number];
/** mnist: the tutorial's network on the sample; rts: the STN paper's ST-CNN (affine) on the sample distorted as RTS. */
const DATASETS = ['mnist', 'rts'] as const;
type DatasetName = (typeof DATASETS)[number];
const RTS_MODEL = { model: 'st-cnn', transform: 'affine', dataset: 'rts' } as const;
/** The ST-CNN `stn-mnist train --dataset rts --model st-cnn` trained (its paper-model.json), shipped with the demo. */
const RTS_CHECKPOINT = 'rts-st-cnn.json';
const FIGURE_COUNT = 64;
/** Held-out accuracy and pictures every this many steps (and at the end of each run). */
const REFRESH_EVERY = 10;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const ui = {
  backend: $<HTMLSelectElement>('backend'),
  dataset: $<HTMLSelectElement>('dataset'),
  batches: $<HTMLInputElement>('batches'),
  batchSize: $<HTMLSelectElement>('batch-size'),
  lr: $<HTMLInputElement>('lr'),
  train: $<HTMLButtonElement>('train'),
  stop: $<HTMLButtonElement>('stop'),
  reset: $<HTMLButtonElement>('reset'),
  checkpointFiles: $<HTMLInputElement>('checkpoint-files'),
  checkpointUrl: $<HTMLInputElement>('checkpoint-url'),
  loadUrl: $<HTMLButtonElement>('load-url'),
  status: $<HTMLParagraphElement>('status'),
  steps: $<HTMLSpanElement>('steps'),
  loss: $<HTMLSpanElement>('loss'),
  accuracy: $<HTMLSpanElement>('accuracy'),
  stepTime: $<HTMLSpanElement>('step-time'),
  chart: $<HTMLCanvasElement>('chart'),
  original: $<HTMLCanvasElement>('original'),
  transformed: $<HTMLCanvasElement>('transformed'),
};

type State = 'loading' | 'busy' | 'idle' | 'error';
function setState(state: State, message: string): void {
  document.body.dataset.state = state;
  ui.status.textContent = message;
  const busy = state === 'busy' || state === 'loading';
  for (const control of [ui.backend, ui.dataset, ui.train, ui.reset, ui.checkpointFiles, ui.loadUrl]) control.disabled = busy;
  ui.stop.disabled = state !== 'busy';
}

/** The committed sample: the PNG sprite decoded without colour management, so the bytes are MNIST's. */
async function loadSample(): Promise<MnistSplit> {
  const [png, meta] = await Promise.all([
    fetch(SAMPLE_PNG).then((r) => (r.ok ? r.blob() : Promise.reject(new Error(`${SAMPLE_PNG}: HTTP ${r.status}`)))),
    fetch(SAMPLE_JSON).then((r) => (r.ok ? (r.json() as Promise<SampleMeta>) : Promise.reject(new Error(`${SAMPLE_JSON}: HTTP ${r.status}`)))),
  ]);
  const bitmap = await createImageBitmap(png, { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(bitmap, 0, 0);
  const rgba = ctx.getImageData(0, 0, bitmap.width, bitmap.height).data;
  const gray = new Uint8Array(bitmap.width * bitmap.height);
  for (let i = 0; i < gray.length; i++) gray[i] = rgba[4 * i]!;
  return spriteToSplit(gray, bitmap.width, meta);
}

/** The network, its optimizer and the random stream for shuffling and dropout, on the current backend. */
let model: StnModel | PaperModel | undefined;
let optimizer: tf.Optimizer | undefined;
let rng = new Rng(DEFAULTS.seed);
let dataset: DatasetName = 'mnist';
/** The sample's 28x28 splits, and those the page trains and tests on (distorted for rts). */
let sample: { train: MnistSplit; heldOut: MnistSplit };
let trainSplit: MnistSplit;
let heldOut: MnistSplit;
/** Passes over the training split so far (rts distorts it afresh for each). */
let passes = 0;
let stopRequested = false;
const chart: { losses: number[]; accuracies: { step: number; accuracy: number }[] } & ChartData = { losses: [], accuracies: [] };
let webgpuAdapter = '';

async function modelValues(m: StnModel | PaperModel): Promise<Map<string, Float32Array>> {
  const values = new Map<string, Float32Array>();
  for (const [name, v] of m.params) values.set(name, (await v.data()) as Float32Array);
  return values;
}

function dropModel(): void {
  model?.dispose();
  optimizer?.dispose();
  model = optimizer = undefined;
}

/** A network with `values`, or a freshly initialised one, and a new optimizer, on the current backend. */
function useModel(values: Map<string, Float32Array> | undefined): void {
  dropModel();
  if (dataset === 'rts') {
    const m = new PaperModel(RTS_MODEL, rng);
    if (values) m.assignValues(values);
    model = m;
    // Adam, as stn-mnist trains the paper's models.
    optimizer = tf.train.adam(Number(ui.lr.value) || PAPER_LR);
  } else {
    model = values ? StnModel.fromValues(values) : StnModel.create(rng);
    optimizer = tf.train.sgd(Number(ui.lr.value) || DEFAULTS.lr);
  }
}

/** The training split for the next pass: the sample's, or for rts the sample distorted afresh. */
async function nextPass(): Promise<void> {
  passes++;
  trainSplit = dataset === 'rts' ? await distort(sample.train, 'rts', trainingSeed(DEFAULTS.seed, passes)) : sample.train;
}

/** The shipped RTS ST-CNN's values and how it was trained. */
async function rtsCheckpoint(): Promise<{ values: Map<string, Float32Array>; about: string }> {
  const response = await fetch(RTS_CHECKPOINT);
  if (!response.ok) throw new Error(`${RTS_CHECKPOINT}: HTTP ${response.status}`);
  const json = (await response.json()) as PaperModelJson;
  const m = PaperModel.fromJson(json);
  const values = await modelValues(m);
  m.dispose();
  const history = (json.metadata as { history?: { testAccuracy: number }[] } | undefined)?.history ?? [];
  const last = history[history.length - 1];
  return { values, about: `trained by stn-mnist for ${history.length} epochs${last ? ` (test accuracy ${(100 * last.testAccuracy).toFixed(1)}%)` : ''}` };
}

/**
 * Switches the dataset: its splits and another network (the other dataset's takes other images):
 * for rts the shipped ST-CNN unless `fresh`. Returns what the network is.
 */
async function useDataset(name: DatasetName, fresh = false): Promise<string> {
  dataset = name;
  ui.lr.value = String(name === 'rts' ? PAPER_LR : DEFAULTS.lr);
  heldOut = name === 'rts' ? await distort(sample.heldOut, 'rts', TEST_SEED) : sample.heldOut;
  passes = 0;
  await nextPass();
  rng = new Rng(DEFAULTS.seed);
  if (name === 'rts' && !fresh) {
    const { values, about } = await rtsCheckpoint();
    useModel(values);
    return `ST-CNN on RTS, ${about}`;
  }
  useModel(undefined);
  return name === 'rts' ? 'New ST-CNN on RTS' : 'New network on MNIST';
}

function network(): { model: StnModel | PaperModel; optimizer: tf.Optimizer } {
  if (!model || !optimizer) throw new Error('no network yet');
  return { model, optimizer };
}

const backendLabel = () => (tf.getBackend() === 'webgpu' && webgpuAdapter ? `webgpu (${webgpuAdapter})` : tf.getBackend());

/**
 * Starts `name`. The network's values go across as plain arrays: tfjs moves a tensor to another
 * backend by reading it synchronously, which WebGPU does not allow.
 */
async function switchBackend(name: BackendName): Promise<void> {
  const previous = tf.getBackend();
  const values = model ? await modelValues(model) : undefined;
  dropModel();
  try {
    if (name === 'webgpu') {
      // GPUAdapter.info is newer than the @webgpu/types tfjs brings.
      const adapter = (await navigator.gpu?.requestAdapter()) as (GPUAdapter & { info?: Record<string, string> }) | null;
      if (!adapter) throw new Error('this browser offers no WebGPU adapter (navigator.gpu is missing or found no GPU)');
      const info = adapter.info ?? {};
      webgpuAdapter = [info.vendor, info.architecture, info.description].filter(Boolean).join(' ');
    }
    if (!(await tf.setBackend(name))) throw new Error(`the ${name} backend failed to start (see the console)`);
    await tf.ready();
  } catch (e) {
    if (previous && previous !== name) await tf.setBackend(previous);
    ui.backend.value = tf.getBackend();
    useModel(values);
    throw e;
  }
  useModel(values);
}

async function refresh(): Promise<void> {
  const { model } = network();
  const e = await evaluate(model, heldOut, heldOut.count);
  chart.accuracies.push({ step: chart.losses.length, accuracy: e.correct / e.total });
  ui.accuracy.textContent = `${e.correct}/${e.total} (${((100 * e.correct) / e.total).toFixed(1)}%), loss ${e.loss.toFixed(4)}`;
  const { original, transformed, count } = await transformFirst(model, heldOut, FIGURE_COUNT);
  drawDigits(ui.original, original, count);
  drawDigits(ui.transformed, transformed, count);
  drawChart(ui.chart, chart);
}

async function trainBatches(count: number, batchSize: number): Promise<number> {
  const { model, optimizer } = network();
  const lr = Number(ui.lr.value) || (dataset === 'rts' ? PAPER_LR : DEFAULTS.lr);
  // SGD keeps its rate as a tensor that setLearningRate remakes; Adam reads its learningRate (which
  // tfjs declares protected) at every step. (instanceof cannot tell them apart: tfjs's optimizers
  // answer it by duck typing.)
  const o = optimizer as tf.Optimizer & { setLearningRate?: (lr: number) => void; learningRate?: number };
  if (typeof o.setLearningRate === 'function') o.setLearningRate(lr);
  else o.learningRate = lr;
  let source = batches(trainSplit, batchSize, rng);
  let done = 0;
  const start = performance.now();
  while (done < count && !stopRequested) {
    let next = source.next();
    if (next.done) {
      await nextPass();
      source = batches(trainSplit, batchSize, rng);
      next = source.next();
    }
    const batch = next.value as Exclude<typeof next.value, void>;
    let loss: tf.Scalar;
    if (model instanceof PaperModel) {
      const [x, y] = [tf.tensor4d(batch.x, [batch.size, batch.side, batch.side, 1]), tf.tensor2d(batch.oneHot, [batch.size, NUM_CLASSES])];
      loss = paperTrainStep(model, optimizer, x, y);
      tf.dispose([x, y]);
    } else {
      loss = trainStep(model, optimizer, batch, rng);
    }
    const value = (await loss.data())[0]!;
    loss.dispose();
    done++;
    chart.losses.push(value);
    ui.steps.textContent = String(chart.losses.length);
    ui.loss.textContent = value.toFixed(4);
    ui.stepTime.textContent = `${((performance.now() - start) / done).toFixed(0)} ms`;
    setState('busy', `Training on ${backendLabel()}: batch ${done} of ${count}`);
    if (done % REFRESH_EVERY === 0) await refresh();
    else drawChart(ui.chart, chart);
  }
  if (done % REFRESH_EVERY !== 0) await refresh();
  return done;
}

/** Runs one action with the controls locked; a failure is shown in the status line. */
async function act(busyMessage: string, action: () => Promise<string>): Promise<void> {
  setState('busy', busyMessage);
  try {
    setState('idle', await action());
  } catch (e) {
    console.error(e);
    setState('error', `Error: ${(e as Error).message}`);
  }
}

async function loadCheckpoint(load: () => Promise<LoadedCheckpoint>, source: string): Promise<string> {
  const checkpoint = await load();
  if (dataset !== 'mnist') {
    await useDataset('mnist');
    ui.dataset.value = 'mnist';
  }
  useModel(checkpoint.values);
  chart.losses.length = 0;
  chart.accuracies.length = 0;
  ui.steps.textContent = '0';
  ui.loss.textContent = '–';
  await refresh();
  const trained = checkpoint.epoch === undefined ? '' : `, trained ${checkpoint.epoch} epoch${checkpoint.epoch === 1 ? '' : 's'}` +
    (checkpoint.testAccuracy === undefined ? '' : ` (test accuracy ${(100 * checkpoint.testAccuracy).toFixed(2)}%)`);
  return `Loaded checkpoint ${source}${trained}. Running on ${backendLabel()}.`;
}

ui.backend.addEventListener('change', () => {
  const name = ui.backend.value as BackendName;
  void act(`Starting ${name}…`, async () => {
    await switchBackend(name);
    await refresh();
    return `Ready on ${backendLabel()}.`;
  });
});

ui.dataset.addEventListener('change', () => {
  const name = ui.dataset.value as DatasetName;
  void act(`Preparing ${name}…`, async () => {
    const what = await useDataset(name);
    chart.losses.length = 0;
    chart.accuracies.length = 0;
    ui.steps.textContent = '0';
    ui.loss.textContent = '–';
    await refresh();
    return `${what}, on ${backendLabel()}.`;
  });
});

ui.train.addEventListener('click', () => {
  const count = Math.floor(Number(ui.batches.value));
  if (!(count >= 1)) {
    setState('error', `Error: batches must be a whole number of at least 1, got '${ui.batches.value}'`);
    return;
  }
  stopRequested = false;
  void act('Training…', async () => {
    const done = await trainBatches(count, Number(ui.batchSize.value));
    return `${stopRequested ? 'Stopped after' : 'Trained'} ${done} batch${done === 1 ? '' : 'es'} on ${backendLabel()}.`;
  });
});

ui.stop.addEventListener('click', () => {
  stopRequested = true;
});

ui.reset.addEventListener('click', () => {
  void act('Starting a new network…', async () => {
    await useDataset(dataset, true);
    chart.losses.length = 0;
    chart.accuracies.length = 0;
    ui.steps.textContent = '0';
    ui.loss.textContent = '–';
    await refresh();
    return `New network on ${backendLabel()}.`;
  });
});

ui.checkpointFiles.addEventListener('change', () => {
  const files = Array.from(ui.checkpointFiles.files ?? []);
  if (files.length === 0) return;
  void act('Loading the checkpoint…', () => loadCheckpoint(() => checkpointFromFiles(files), files.find((f) => f.name.endsWith('.json'))?.name ?? ''));
});

ui.loadUrl.addEventListener('click', () => {
  const url = ui.checkpointUrl.value.trim();
  if (!url) {
    setState('error', 'Error: enter the URL of a checkpoint\'s model.json');
    return;
  }
  void act('Loading the checkpoint…', () => loadCheckpoint(() => checkpointFromUrl(url), url));
});

window.addEventListener('unhandledrejection', (e) => setState('error', `Error: ${String(e.reason)}`));

/** A software rasteriser (SwiftShader, llvmpipe): slower than the wasm backend on the same CPU. */
const SOFTWARE_GPU = /swiftshader|llvmpipe|softpipe|software/i;

/**
 * The fastest backend this browser runs on a real GPU: webgpu, then webgl (WebGL2 with the
 * float32 render targets and blending stn-layer's webgl kernels need); without one, wasm.
 */
async function bestBackend(): Promise<BackendName> {
  const adapter = (await navigator.gpu?.requestAdapter().catch(() => null)) as (GPUAdapter & { info?: Record<string, unknown> }) | null | undefined;
  if (adapter && !adapter.info?.isFallbackAdapter && !SOFTWARE_GPU.test(Object.values(adapter.info ?? {}).join(' '))) return 'webgpu';
  const gl = document.createElement('canvas').getContext('webgl2');
  if (gl) {
    const debug = gl.getExtension('WEBGL_debug_renderer_info');
    const renderer = String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
    const floats = gl.getExtension('EXT_color_buffer_float') && gl.getExtension('EXT_float_blend');
    gl.getExtension('WEBGL_lose_context')?.loseContext();
    if (floats && !SOFTWARE_GPU.test(renderer)) return 'webgl';
  }
  return 'wasm';
}

async function start(): Promise<void> {
  setState('loading', 'Loading the MNIST sample and compiling the kernels…');
  const [loaded] = await Promise.all([loadSample(), ready()]);
  sample = demoSplits(loaded);
  const params = new URLSearchParams(location.search);
  const requested = params.get('backend');
  const name = (BACKENDS as readonly string[]).includes(requested ?? '') ? (requested as BackendName) : await bestBackend();
  ui.backend.value = name;
  await switchBackend(name);
  const requestedDataset = params.get('dataset');
  ui.dataset.value = (DATASETS as readonly string[]).includes(requestedDataset ?? '') ? requestedDataset! : 'mnist';
  await useDataset(ui.dataset.value as DatasetName);
  await refresh();
}

start().then(
  () => setState('idle', `Ready on ${backendLabel()}. Pick a backend, then Train.`),
  (e: unknown) => {
    console.error(e);
    setState('error', `Error: ${(e as Error).message}`);
  },
);
