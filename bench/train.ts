/**
 * npm run bench:train: one epoch of the STN tutorial's training (60,000 images, batch 64, SGD lr
 * 0.01) on a backend (default wasm), then the test set; prints seconds per epoch and test
 * accuracy, and where a training step's time goes: tfjs kernels by name (tf.profile over a few
 * steps) and the rest (tfjs's engine, batch preparation, JS).
 *
 *   npm run bench:train -- --help
 */
import { cpus, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs-core';
import { type BackendName, setUpBackend } from '../src/mnist/backend.js';
import { batches } from '../src/mnist/batch.js';
import { loadMnist } from '../src/mnist/data.js';
import { StnModel } from '../src/mnist/model.js';
import { Rng } from '../src/mnist/random.js';
import { DEFAULTS, evaluate, formatEvaluation, trainEpoch, trainStep } from '../src/mnist/steps.js';
import { checkArgs } from './lib/args.js';

const USAGE = `npm run bench:train: one epoch of the STN tutorial's training, then the test set, and where a step's time goes.

  npm run bench:train -- [--backend cpu|wasm|webgpu] [--limit-train N] [--profile-steps N] [--tfjs-wasm-kernels] [--json]

  --backend NAME        the tfjs backend (default wasm)
  --limit-train N       train on the first N images only
  --profile-steps N     steps profiled by kernel after the epoch (default 20)
  --tfjs-wasm-kernels   on wasm, keep tfjs-wasm's own kernels (no useWasmTrainingKernels()): for comparison
  --json                one JSON object on stdout (the report goes to stderr)
  --help                print this and exit
`;
checkArgs(process.argv.slice(2), USAGE,
  ['--backend', '--limit-train', '--profile-steps', '--tfjs-wasm-kernels', '--json']);
const { values: args } = parseArgs({
  options: {
    backend: { type: 'string', default: 'wasm' },
    'limit-train': { type: 'string' },
    'profile-steps': { type: 'string', default: '20' },
    'tfjs-wasm-kernels': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const backend = args.backend as BackendName;
const profileSteps = Number(args['profile-steps']);
const log = (s: string) => (args.json ? process.stderr : process.stdout).write(`${s}\n`);

const data = loadMnist(undefined, { limitTrain: args['limit-train'] ? Number(args['limit-train']) : undefined });
await setUpBackend(backend, { wasmTrainingKernels: !args['tfjs-wasm-kernels'] });
const load = loadavg()[0]!;
log(`stn-mnist training benchmark: ${backend}${args['tfjs-wasm-kernels'] ? ' (tfjs-wasm\'s own kernels)' : ''}, ${data.train.count} training images, batch ${DEFAULTS.batchSize}, ` +
  `${cpus().length} CPUs, load average ${load.toFixed(2)} before`);

const rng = new Rng(DEFAULTS.seed);
const model = StnModel.create(rng);
const optimizer = tf.train.sgd(DEFAULTS.lr);
const steps = Math.ceil(data.train.count / DEFAULTS.batchSize);
let lastPercent = -1;
const seconds = await trainEpoch(model, optimizer, data.train, DEFAULTS.batchSize, rng, (done, total) => {
  const percent = Math.floor((100 * done) / total);
  if (!args.json && process.stdout.isTTY && percent !== lastPercent) process.stdout.write(`\r  epoch ${percent}%`);
  lastPercent = percent;
});
if (!args.json && process.stdout.isTTY) process.stdout.write('\r');
const evalStart = performance.now();
const e = await evaluate(model, data.test);
const evalSeconds = (performance.now() - evalStart) / 1000;
log(`1 epoch: ${seconds.toFixed(1)} s (${((1000 * seconds) / steps).toFixed(1)} ms per step of ${steps}); ` +
  `test set (${evalSeconds.toFixed(1)} s): ${formatEvaluation(e)}, ${((100 * e.correct) / e.total).toFixed(2)}%`);

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
log(`load average after: ${loadavg()[0]!.toFixed(2)}`);
if (args.json) {
  process.stdout.write(`${JSON.stringify({
    backend, tfjsWasmKernels: args['tfjs-wasm-kernels'], trainImages: data.train.count, epochSeconds: seconds, msPerStep: (1000 * seconds) / steps,
    testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total, loadBefore: load,
    kernelsMsPerStep: Object.fromEntries(rows.map(([k, ms]) => [k, ms / Math.max(profiled, 1)])),
  })}\n`);
}
model.dispose();
optimizer.dispose();
