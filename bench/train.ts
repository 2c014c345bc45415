/**
 * npm run bench:train: one epoch of the STN tutorial's training (60,000 images, batch 64, SGD lr
 * 0.01) on a backend (default wasm), then the test set; prints seconds per epoch and test
 * accuracy, and where a training step's time goes: tfjs kernels by name (tf.profile over a few
 * steps) and the rest (tfjs's engine, batch preparation, JS). Then the same epoch with the network
 * as a tf.LayersModel trained by model.fit (`stn-mnist --api layers`), and the ratio of the two.
 *
 *   npm run bench:train -- --help
 */
import { cpus, loadavg } from 'node:os';
import type { ParseArgsConfig } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, setUpBackend } from '../src/mnist/backend.js';
import { batches } from '../src/mnist/batch.js';
import { loadMnist } from '../src/mnist/data.js';
import { layersNetwork, stnLayersModel } from '../src/mnist/layers_model.js';
import { type Classifier, StnModel } from '../src/mnist/model.js';
import { Rng } from '../src/mnist/random.js';
import { DEFAULTS, type Evaluation, evaluate, formatEvaluation, trainEpoch, trainStep } from '../src/mnist/steps.js';
import { compileForTraining, fitEpoch } from '../src/mnist/train_layers.js';
import { parseCheckedArgs } from './lib/args.js';

const USAGE = `npm run bench:train: one epoch of the STN tutorial's training, then the test set, and where a step's time goes;
then the same epoch with the network as a tf.LayersModel trained by model.fit, and the ratio of the two.

  npm run bench:train -- [--backend cpu|wasm|webgpu] [--limit-train N] [--profile-steps N] [--api both|ops|layers] [--tfjs-wasm-kernels] [--json]

  --backend NAME        the tfjs backend (default wasm)
  --limit-train N       train on the first N images only
  --profile-steps N     steps profiled by kernel after the epoch (default 20)
  --api NAME            ops (stn-layer's ops, its own loop), layers (model.fit) or both (default)
  --tfjs-wasm-kernels   on wasm, keep tfjs-wasm's own kernels (no useWasmTrainingKernels()): for comparison
  --json                one JSON object on stdout (the report goes to stderr)
  --help                print this and exit
`;
const OPTIONS = {
  backend: { type: 'string', default: 'wasm' },
  'limit-train': { type: 'string' },
  'profile-steps': { type: 'string', default: '20' },
  'tfjs-wasm-kernels': { type: 'boolean', default: false },
  api: { type: 'string', default: 'both' },
  json: { type: 'boolean', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;
const args = parseCheckedArgs(process.argv.slice(2), USAGE, OPTIONS);
const backend = args.backend as BackendName;
const profileSteps = Number(args['profile-steps']);
const log = (s: string) => (args.json ? process.stderr : process.stdout).write(`${s}\n`);

const data = loadMnist(undefined, { limitTrain: args['limit-train'] ? Number(args['limit-train']) : undefined });
await setUpBackend(backend, { wasmTrainingKernels: !args['tfjs-wasm-kernels'] });
const load = loadavg()[0]!;
log(`stn-mnist training benchmark: ${backend}${args['tfjs-wasm-kernels'] ? ' (tfjs-wasm\'s own kernels)' : ''}, ${data.train.count} training images, batch ${DEFAULTS.batchSize}, ` +
  `${cpus().length} CPUs, load average ${load.toFixed(2)} before`);

const api = args.api as 'both' | 'ops' | 'layers';
if (!['both', 'ops', 'layers'].includes(api)) throw new Error(`--api must be both, ops or layers; got '${api}'`);
const steps = Math.ceil(data.train.count / DEFAULTS.batchSize);
function progress() {
  let lastPercent = -1;
  return (done: number, total: number) => {
    const percent = Math.floor((100 * done) / total);
    if (!args.json && process.stdout.isTTY && percent !== lastPercent) process.stdout.write(`\r  epoch ${percent}%`);
    lastPercent = percent;
  };
}
async function report(what: string, seconds: number, network: Classifier): Promise<Evaluation> {
  if (!args.json && process.stdout.isTTY) process.stdout.write('\r');
  const evalStart = performance.now();
  const e = await evaluate(network, data.test);
  const evalSeconds = (performance.now() - evalStart) / 1000;
  log(`${what}1 epoch: ${seconds.toFixed(1)} s (${((1000 * seconds) / steps).toFixed(1)} ms per step of ${steps}); ` +
    `test set (${evalSeconds.toFixed(1)} s): ${formatEvaluation(e)}, ${((100 * e.correct) / e.total).toFixed(2)}%`);
  return e;
}

const results: Record<string, unknown> = {};
let opsSeconds: number | undefined;
if (api !== 'layers') {
  const rng = new Rng(DEFAULTS.seed);
  const model = StnModel.create(rng);
  const optimizer = tf.train.sgd(DEFAULTS.lr);
  opsSeconds = await trainEpoch(model, optimizer, data.train, DEFAULTS.batchSize, rng, progress());
  const e = await report('', opsSeconds, model);

  // Where a step's time goes, over a few more steps.
  const kernelMs = new Map<string, number>();
  let stepMs = 0;
  let profiled = 0;
  for (const batch of batches(data.train, DEFAULTS.batchSize, rng)) {
    if (profiled === profileSteps) break;
    if (batch.size !== DEFAULTS.batchSize) continue;
    const start = performance.now();
    const info = await tf.profile(async () => {
      const loss = trainStep(model, optimizer, batch, rng);
      await loss.data();
      return loss;
    });
    stepMs += performance.now() - start;
    tf.dispose(info.result as tf.Tensor);
    for (const k of info.kernels) kernelMs.set(k.name, (kernelMs.get(k.name) ?? 0) + Number(k.kernelTimeMs));
    profiled++;
  }
  const rows = [...kernelMs].sort((a, b) => b[1] - a[1]);
  const kernelTotal = rows.reduce((t, [, ms]) => t + ms, 0);
  if (profiled > 0) {
    log(`\nA profiled step (${profiled} steps; profiling itself adds time): ${(stepMs / profiled).toFixed(1)} ms, ` +
      `kernels ${(kernelTotal / profiled).toFixed(1)} ms`);
    for (const [name, ms] of rows.slice(0, 14)) {
      log(`  ${name.padEnd(24)} ${(ms / profiled).toFixed(2).padStart(7)} ms  ${((100 * ms) / stepMs).toFixed(1).padStart(5)}%`);
    }
    const rest = stepMs - kernelTotal;
    log(`  ${'(outside kernels)'.padEnd(24)} ${(rest / profiled).toFixed(2).padStart(7)} ms  ${((100 * rest) / stepMs).toFixed(1).padStart(5)}%`);
  }
  Object.assign(results, {
    epochSeconds: opsSeconds, msPerStep: (1000 * opsSeconds) / steps, testLoss: e.loss, testAccuracy: e.correct / e.total,
    correct: e.correct, total: e.total, kernelsMsPerStep: Object.fromEntries(rows.map(([k, ms]) => [k, ms / Math.max(profiled, 1)])),
  });
  model.dispose();
  optimizer.dispose();
}

if (api !== 'ops') {
  // The same epoch with the network as a tf.LayersModel and model.fit (stn-mnist --api layers).
  const rng = new Rng(DEFAULTS.seed);
  const model = stnLayersModel(rng);
  compileForTraining(model, DEFAULTS.lr);
  const seconds = await fitEpoch(model, data.train, DEFAULTS.batchSize, rng, progress());
  if (api === 'both') log('');
  const e = await report('tf.layers API (model.fit): ', seconds, layersNetwork(model));
  if (opsSeconds !== undefined) log(`tf.layers epoch / ops epoch: ${(seconds / opsSeconds).toFixed(2)}`);
  Object.assign(results, { layersEpochSeconds: seconds, layersTestAccuracy: e.correct / e.total, layersCorrect: e.correct });
  model.dispose();
}
log(`load average after: ${loadavg()[0]!.toFixed(2)}`);
if (args.json) {
  process.stdout.write(`${JSON.stringify({ backend, api, tfjsWasmKernels: args['tfjs-wasm-kernels'], trainImages: data.train.count, loadBefore: load, ...results })}\n`);
}
