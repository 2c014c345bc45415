/**
 * npm run paper: the STN paper's distorted-MNIST experiment (Jaderberg et al. 2015, Table 1) with
 * stn-layer. Trains every (dataset, model, seed) of the grid with one budget (epochs, training
 * images, test images), appending each finished run to bench/paper/runs.jsonl, then writes
 * bench/PAPER.md from every run in that file (grouped by budget): test error (mean and each seed)
 * beside the paper's, the budget and the time taken, and for each dataset the first test digits
 * before and after each ST model's learned transformer (bench/paper/<dataset>-<model>.png).
 * --fresh empties the runs file first; --report-only writes the report without training (from
 * runs.jsonl alone). --checkpoints DIR keeps each run's checkpoint (stn-mnist's, after every epoch)
 * in DIR/<dataset>-<model>-seed<N> and continues a run found there, so a long budget survives a stop.
 *
 *   npm run paper -- [--datasets rts,p,tc] [--models cnn,st-cnn:affine,...] [--seeds 1,2] [--epochs N]
 *                    [--limit-train N] [--limit-test N] [--batch-size N] [--lr X] [--filters N] [--backend wasm]
 *                    [--checkpoints DIR]
 *                    [--fresh] [--report-only]
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ParseArgsConfig } from 'node:util';
import { type BackendName, setUpBackend } from '../src/mnist/backend.js';
import { loadMnist } from '../src/mnist/data.js';
import { type DatasetName, DATASETS, PAPER_BATCH_SIZE, PAPER_LR, type PaperModelName, type PaperTransform, TRANSFORMS } from '../src/mnist/defaults.js';
import { hasPaperCheckpoint, loadPaperCheckpoint, savePaperCheckpoint } from '../src/mnist/paper_checkpoint.js';
import { learningRate, trainPaper } from '../src/mnist/paper_train.js';
import { DEFAULT_DOWNSAMPLE, DEFAULT_FILTERS, type Downsample, DOWNSAMPLES, parameterCount } from '../src/mnist/paper_models.js';
import { transformFirst } from '../src/mnist/steps.js';
import { figurePng } from '../src/mnist/visualize.js';
import { parseCheckedArgs } from './lib/args.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The paper's Table 1, % test error (datasets it reports per model). */
const PAPER: Record<string, Partial<Record<DatasetName, number>>> = {
  fcn: { r: 2.1, rts: 5.2, p: 3.1, e: 3.2, tc: 13.2 },
  cnn: { r: 1.2, rts: 0.8, p: 1.5, e: 1.4, tc: 3.5 },
  'st-fcn:affine': { r: 1.2, rts: 0.8, p: 1.5, e: 2.7, tc: 2.0 },
  'st-fcn:projective': { r: 1.3, rts: 0.9, p: 1.4, e: 2.6 },
  'st-fcn:tps': { r: 1.1, rts: 0.8, p: 1.4, e: 2.4 },
  'st-cnn:affine': { r: 0.7, rts: 0.5, p: 0.8, e: 1.2, tc: 1.7 },
  'st-cnn:projective': { r: 0.8, rts: 0.6, p: 0.8, e: 1.3 },
  'st-cnn:tps': { r: 0.7, rts: 0.5, p: 0.8, e: 1.1 },
};

const USAGE = `npm run paper: the STN paper's distorted-MNIST experiment (CNN against ST-CNN on RTS, P, TC), trained
with one budget, appended to bench/paper/runs.jsonl, reported in bench/PAPER.md beside the paper's Table 1.

  npm run paper -- [--datasets rts,p,tc] [--models cnn,st-cnn:affine,st-cnn:projective,st-cnn:tps] [--seeds 1,2]
                   [--epochs 10] [--limit-train 60000] [--limit-test 10000] [--batch-size ${PAPER_BATCH_SIZE}] [--lr ${PAPER_LR}]
                   [--filters ${DEFAULT_FILTERS}] [--downsample ${DEFAULT_DOWNSAMPLE}] [--backend wasm] [--checkpoints DIR] [--out bench/PAPER.md] [--fresh] [--report-only]

  --lr X             Adam's learning rate (divided by 10 for the last third of the epochs); part of the budget
  --filters N        the cnn classifier's filters per convolution (the localisation net's stay); part of the budget
  --downsample sample|pool
                     the 2x downsampling after the transformer on rts and tc: sample at half the side, or sample
                     the whole canvas and average-pool 2x2; part of the budget
  --checkpoints DIR  keep each run's checkpoint (after every epoch) in DIR and continue a run found there
  --fresh            empty runs.jsonl first
  --report-only      write the report from runs.jsonl, training nothing
  --help             print this and exit
`;
const OPTIONS = {
  datasets: { type: 'string', default: 'rts,p,tc' },
  models: { type: 'string', default: 'cnn,st-cnn:affine,st-cnn:projective,st-cnn:tps' },
  seeds: { type: 'string', default: '1,2' },
  epochs: { type: 'string', default: '10' },
  'limit-train': { type: 'string', default: '60000' },
  'limit-test': { type: 'string', default: '10000' },
  'batch-size': { type: 'string', default: String(PAPER_BATCH_SIZE) },
  lr: { type: 'string', default: String(PAPER_LR) },
  filters: { type: 'string', default: String(DEFAULT_FILTERS) },
  downsample: { type: 'string', default: DEFAULT_DOWNSAMPLE },
  backend: { type: 'string', default: 'wasm' },
  out: { type: 'string', default: join(HERE, 'PAPER.md') },
  checkpoints: { type: 'string' },
  fresh: { type: 'boolean', default: false },
  'report-only': { type: 'boolean', default: false },
} satisfies NonNullable<ParseArgsConfig['options']>;
const v = parseCheckedArgs(process.argv.slice(2), USAGE, OPTIONS);

const datasets = v.datasets!.split(',') as DatasetName[];
for (const d of datasets) if (!DATASETS.includes(d) || d === 'mnist') throw new Error(`--datasets: unknown '${d}'`);
const models = v.models!.split(',').map((m) => {
  const [model, transform = 'affine'] = m.split(':') as [PaperModelName, PaperTransform];
  if (!TRANSFORMS.includes(transform)) throw new Error(`--models: unknown transform in '${m}'`);
  return { key: model.startsWith('st-') ? `${model}:${transform}` : model, model, transform };
});
const seeds = v.seeds!.split(',').map(Number);
const [epochs, limitTrain, limitTest, batchSize, lr] = [v.epochs, v['limit-train'], v['limit-test'], v['batch-size'], v.lr].map(Number) as [number, number, number, number, number];
if (!(lr > 0)) throw new Error(`--lr: expected a positive number, received '${v.lr}'`);
const filters = Number(v.filters);
if (!(Number.isInteger(filters) && filters >= 1)) throw new Error(`--filters: expected a positive integer, received '${v.filters}'`);
const downsample = v.downsample as Downsample;
if (!DOWNSAMPLES.includes(downsample)) throw new Error(`--downsample: expected one of ${DOWNSAMPLES.join(', ')}, received '${v.downsample}'`);
const backend = v.backend as BackendName;

const MACHINE = `${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'})`;
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pictures = join(HERE, 'paper');
const RUNS = join(pictures, 'runs.jsonl');
mkdirSync(pictures, { recursive: true });
if (v.fresh) rmSync(RUNS, { force: true });

/** One finished training run, as runs.jsonl keeps it. */
interface Run {
  dataset: DatasetName; key: string; model: PaperModelName; transform: PaperTransform; seed: number;
  epochs: number; trainImages: number; testImages: number; batchSize: number; backend: string;
  /** Adam's learning rate before the last third's division by 10 (absent in older runs: PAPER_LR). */
  lr?: number;
  /** The cnn classifier's filters per convolution (absent in older runs: DEFAULT_FILTERS). */
  filters?: number;
  /** The downsampling after the transformer (absent in older runs: DEFAULT_DOWNSAMPLE). */
  downsample?: Downsample;
  /** The rate each epoch ran at (absent in older runs: learningRate's schedule); differs from it in a run continued to a longer budget. */
  lrs?: number[];
  /** Test error in % after each epoch. */
  errors: number[];
  /** Seconds in the training steps (not distorting the training set, nor testing). */
  seconds: number;
  /** The 1-minute load average at the run's end. */
  loadAverage: number;
  /** Seconds from the start to the end of the run, all its parts when resumed (absent in older runs). */
  wallSeconds?: number;
  /** The mean of the 1-minute load averages at the ends of its epochs (absent in older runs). */
  meanLoad?: number;
  /** The CPU cores and model it ran on. */
  machine: string;
  /** Which of RECIPES it was trained with. */
  recipe: number;
}

/** What changed in the training between runs (bench/PAPER.md lists them); the last is the current one. */
const RECIPES: Record<number, string> = {
  1: 'the transformer zero-pads the normalised pixels (a grey frame past the canvas\'s edge)',
  2: 'the transformer zero-pads the raw pixels (black past the edge, as the paper\'s); batch 32 by default',
};
const RECIPE = Math.max(...Object.keys(RECIPES).map(Number));

const readRuns = (): Run[] => (existsSync(RUNS) ? readFileSync(RUNS, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Run) : []);
/** "Adam at 0.001", or the epochs at each rate where a continued run did not follow learningRate's schedule. */
function scheduleOf(r: Run): string {
  const lr = r.lr ?? PAPER_LR;
  const lrs = r.lrs ?? [];
  if (lrs.every((x, i) => x === learningRate(lr, i + 1, r.epochs))) return `Adam at ${lr}`;
  const spans: [number, number][] = [];
  for (const x of lrs) {
    const span = spans.at(-1);
    if (span?.[0] === x) span[1]++;
    else spans.push([x, 1]);
  }
  return `Adam at ${spans.map(([x, n]) => `${x} for ${n} epochs`).join(', then ')} (continued from a shorter run)`;
}
const filtersOf = (r: Run) => r.filters ?? DEFAULT_FILTERS;
const downsampleOf = (r: Run) => r.downsample ?? DEFAULT_DOWNSAMPLE;
const budgetOf = (r: Run) => `${r.epochs} epochs of ${r.trainImages.toLocaleString('en')} training images, batch ${r.batchSize}, ${scheduleOf(r)}, ` +
  (filtersOf(r) === DEFAULT_FILTERS ? '' : `the classifier's convolutions of ${filtersOf(r)} filters, `) +
  (downsampleOf(r) === DEFAULT_DOWNSAMPLE ? '' : 'the transformer sampling the whole canvas, then a 2x2 average pool, ') +
  `${r.testImages.toLocaleString('en')} test images, ${r.backend}, recipe ${r.recipe}`;

if (!v['report-only']) {
  await setUpBackend(backend);
  const data = loadMnist(undefined, { limitTrain, limitTest });
  for (const dataset of datasets) {
    for (const m of models) {
      for (const seed of seeds) {
        const wide = filters === DEFAULT_FILTERS ? '' : `-filters${filters}`;
        const pool = downsample === DEFAULT_DOWNSAMPLE ? '' : `-${downsample}`;
        const dir = v.checkpoints && join(v.checkpoints, `${dataset}-${m.key.replace(':', '-')}${wide}${pool}-seed${seed}`);
        const resume = dir && hasPaperCheckpoint(dir) ? loadPaperCheckpoint(dir) : undefined;
        // The wall time and loads of the parts before a stop, kept beside the checkpoint.
        const partsFile = dir && join(dir, 'wall.json');
        const parts: { wallSeconds: number; loads: number[] } = resume && partsFile && existsSync(partsFile)
          ? JSON.parse(readFileSync(partsFile, 'utf8')) : { wallSeconds: 0, loads: [] };
        const start = performance.now();
        const { model, test, history } = await trainPaper(data, {
          model: m.model, transform: m.transform, dataset, epochs, batchSize, lr, seed, backend, filters, downsample,
        }, {
          ...(dir && {
            save: async (c) => {
              await savePaperCheckpoint(dir, c);
              parts.loads.push(loadavg()[0]!);
              writeFileSync(partsFile!, JSON.stringify({ wallSeconds: parts.wallSeconds + (performance.now() - start) / 1000, loads: parts.loads }));
            },
          }),
          onEpochEnd: (r) => process.stderr.write(`${JSON.stringify({ ...r, seed, loadAverage: loadavg()[0] })}\n`),
        }, resume);
        if (!dir) parts.loads.push(loadavg()[0]!);
        const run: Run = {
          dataset, key: m.key, model: m.model, transform: m.transform, seed, epochs, trainImages: data.train.count,
          testImages: data.test.count, batchSize, lr, filters, downsample, lrs: history.map((r) => r.lr), backend, errors: history.map((r) => 100 * (1 - r.testAccuracy)),
          seconds: history.reduce((t, r) => t + r.trainSeconds, 0), loadAverage: loadavg()[0]!,
          wallSeconds: parts.wallSeconds + (performance.now() - start) / 1000, meanLoad: mean(parts.loads), machine: MACHINE, recipe: RECIPE,
        };
        // The picture is the lowest seed's at this budget: seeds may run in processes of their own.
        const lowerSeedRan = readRuns().some((r) => r.dataset === dataset && r.key === m.key && budgetOf(r) === budgetOf(run) && r.seed < seed);
        appendFileSync(RUNS, `${JSON.stringify(run)}\n`);
        if (model.hasTransformer && !lowerSeedRan) {
          const { original, transformed, count } = await transformFirst(model, test, 32);
          writeFileSync(join(pictures, `${dataset}-${m.key.replace(':', '-')}.png`), figurePng(original, transformed, count));
        }
        model.dispose();
      }
    }
  }
}

const runs = readRuns();
const budgets = [...new Set(runs.map(budgetOf))];
const fmt = (x: number) => x.toFixed(2);
const keyOrder = Object.keys(PAPER);
const lines: string[] = [];
lines.push('# The STN paper\'s distorted MNIST, reproduced with stn-layer', '');
lines.push('Made by `npm run paper` (bench/paper.ts) from the runs in bench/paper/runs.jsonl. Test error in % after the last');
lines.push('epoch, the mean of the seeds and each seed, beside the paper\'s Table 1 (Jaderberg et al. 2015, "Spatial Transformer');
lines.push('Networks"; its R, E and FCN entries as recalled from the paper, its RTS, P and TC ones as the issue quotes them).');
lines.push('The datasets are described in src/mnist/distort.ts, the models in src/mnist/paper_models.ts, the training in');
lines.push('src/mnist/paper_train.ts.', '');
lines.push('## Budget', '');
lines.push(`Adam at the budget's rate (${PAPER_LR} unless it says otherwise), divided by 10 for the last third of the epochs (with 3 or more), the training set distorted afresh`);
lines.push('each epoch; the test set is the first MNIST test digits distorted once with a fixed seed (the same images for every');
lines.push('model and seed). The paper trained 150,000 iterations of batch 256 (38.4 million images); the budgets here:', '');
for (const b of budgets) {
  const rs = runs.filter((r) => budgetOf(r) === b);
  const r0 = rs[0]!;
  lines.push(`- ${b}: ${Math.ceil(r0.trainImages / r0.batchSize) * r0.epochs} iterations per run ` +
    `(${((150000 * 256) / (r0.epochs * r0.trainImages)).toFixed(0)} times fewer images than the paper); ${rs.length} runs, ` +
    `${(rs.reduce((s, r) => s + r.seconds, 0) / 60).toFixed(1)} minutes of training steps in all.`);
}
const rates = runs.map((r) => (r.epochs * r.trainImages) / r.seconds);
const paperHours = (rate: number) => (150000 * 256) / rate / 3600;
lines.push('', `At the rates measured here (${Math.min(...rates).toFixed(0)}-${Math.max(...rates).toFixed(0)} training images a second), one run of ` +
  `the paper's budget would take ${paperHours(Math.max(...rates)).toFixed(0)}-${paperHours(Math.min(...rates)).toFixed(0)} hours of training steps on this machine; ` +
  'the whole grid (3 datasets, 4 models, 2 seeds) some 24 times that.');
lines.push('', `Machines: ${[...new Set(runs.map((r) => r.machine))].join('; ')}, often shared with other jobs (load average ` +
  `${fmt(Math.min(...runs.map((r) => r.loadAverage)))}-${fmt(Math.max(...runs.map((r) => r.loadAverage)))} at the runs' ends), so times are noisy. ` +
  'Budgets 5 and 6 ran two or three at a time (tfjs-wasm in Node uses one thread), budget 5 partly beside a test run; ' +
  'the TC runs at Adam 0.0003 and the RTS runs continued to 24 epochs ran four at a time, niced, beside a test run, and were ' +
  'paused (SIGSTOP) while benchmarks ran: their training seconds include the pauses. Budget 9\'s two runs shared the ' +
  'two cores with four TC runs (the projective and TPS ones of budget 7), WebAssembly builds and a test run, and were paused ' +
  'for benchmarks likewise; budget 10\'s two shared them with WebAssembly builds, test runs and a CI run, paused for timings; ' +
  'budget 11\'s two ran side by side on an otherwise idle machine, budgets 12-14 two at a time, briefly three, and beside a CI run; ' +
  'budgets 15 and 16 two at a time, paused for a few minutes of benchmarks, 46 of budget 15\'s 81 minutes beside a CI run.', '');
lines.push('## Recipe', '');
lines.push('Each budget names the recipe its runs were trained with:', '');
for (const [k, text] of Object.entries(RECIPES)) lines.push(`- recipe ${k}: ${text}.`);
lines.push('', 'Checked against the paper before the longer runs: the test set is distorted as the training set (the same');
lines.push('generator, a fixed seed); the generator\'s digits look as the paper\'s (the pictures below); the ST models sample at half');
lines.push('the canvas on RTS and TC (the paper\'s 2x downsampling after the transformer); the localisation head starts at the');
lines.push('identity; pixels are normalised with MNIST\'s mean and std. The classifier\'s rate of learning is ordinary: the plain');
lines.push('cnn on plain MNIST makes 6.70% error after one epoch of 10,000 images at batch 64. RTS asks more of it (a digit anywhere');
lines.push('on 42x42, turned by up to 45 degrees), and the error roughly halves with each doubling of the images seen (the ST-CNN');
lines.push('on RTS: 9.78% after 30,000, 5.83% after 60,000, recipe 1; 2.03% after 240,000 and 1.26% after 960,000, recipe 2), so');
lines.push('most of the gap to the paper is its budget, 40 times the largest here. Probes of the recipe, RTS ST-CNN (affine), seed 1, 3 epochs of 10,000 training images, 2,000 test images,');
lines.push('wasm (the runs of budget 1; load average 2.2-9.6), test error after the third epoch:', '');
lines.push('- recipe 1 at batch 64: 9.25%; Adam at 0.003 instead of 0.001: 9.50% (kept 0.001);');
lines.push('- batch 32: 7.55% (twice the steps for the same images; adopted);');
lines.push('- padding \'border\' in place of the normalised zeros (a stand-in for black past the edge), batch 64: 8.80% (adopted as');
lines.push('  zero padding on the raw pixels, which is what the paper\'s does and needs no assumption about the edge).', '');
lines.push('Budgets with 2,000 test images use the first 2,000 of the 10,000, which are harder than the rest: the RTS ST-CNN of');
lines.push('recipe 2 (seed 1, 4 epochs of 60,000) makes 1.95% error on all 10,000 and 2.85% on the first 2,000, so compare budgets');
lines.push('with the same test images.', '');
lines.push('TC and the learning rate: at Adam 0.001 the ST-CNN (affine) of seed 2 collapsed in its first epoch of 60,000 (it');
lines.push('predicts one class: 88.65% error after 4 epochs), and does again when rerun alone; at 0.0003 it does not (the first');
lines.push('2,000 test digits 11.7% correct at 0.001 against 88.35% at 0.0003 after one epoch, `stn-mnist train --dataset tc --model st-cnn --seed 2`).');
lines.push('The TC budget at Adam 0.0003 trains the CNN at the same rate, so the two are trained the same way.', '');
lines.push('RTS\'s plateau near 1.2%: the ST-CNN (affine) of budget 8 makes 1.03% and 0.99% error on 10,000 training digits');
lines.push('distorted afresh (test: 1.29%, 1.22%), so it underfits, and more epochs at the low rate did not move it. A classifier');
lines.push('of twice the filters (`--filters 32`, budget 9; 1.7x the time per image) made 1.21% and 0.96% on training digits');
lines.push('and 1.43% and 1.12% on the test set (mean 1.27% against 1.26% at 16 filters): the width is not what holds it. The');
lines.push('transformer\'s picture (below) shows the digits zoomed, centred and upright; the classifier sees them at 21x21.');
lines.push('A longer phase at the higher rate (budget 10: 32 epochs of 60,000, 22 at Adam 0.001 and 10 at 0.0001, twice');
lines.push('budget 6\'s images) made 1.25% and 1.16% (mean 1.21% against 1.26%): twice the training moves the plateau by 0.05.');
lines.push('The downsampling (budget 11, `--downsample pool`): sampling at 21x21 skips pixels where the transformer zooms out');
lines.push('(a grid step over one pixel), so the transformer sampled the whole 42x42 canvas and a 2x2 average pool followed, as a');
lines.push('box filter before the decimation; the classifier still sees 21x21. 1.19% and 1.24% (mean 1.21% against budget 6\'s');
lines.push('1.26%, the same budget otherwise): within the spread of the seeds; the skipped pixels are not what holds it either.');
lines.push('Where the errors are (budget 11\'s two models on the 10,000 test digits, by the distortion drawn for each): 0.98% at');
lines.push('rotations under 15 degrees, 1.76% at 40-45; 0.77% within 3 px of the centre, 1.91% at 9-12 px; 1.67% at scales 0.7-0.8,');
lines.push('0.94-1.42% above. The transformer leaves the extreme draws less well normalised, and the classifier itself is near its');
lines.push('floor on the easy ones: the same cnn on plain MNIST (`stn-mnist train --dataset mnist --model cnn --epochs 16`, seed 1)');
lines.push('makes 0.76% error, where the paper\'s plain CNN makes 0.8% on RTS itself. A third step of the schedule (budget 12:');
lines.push('budget 11\'s runs continued 8 epochs at Adam 0.00001) took them to 1.06% and 1.17% (mean 1.12%).');
lines.push('Both together with a classifier of twice the filters (budgets 13 and 14: `--filters 32 --downsample pool`, 16 epochs,');
lines.push('then 8 more at Adam 0.00001, about 130 s of training steps per epoch): 1.07% and 1.15% after 16 epochs (mean 1.11%;');
lines.push('at 32 filters sampling at half the side, budget 9: 1.27%), then 0.97% and 1.07% (mean 1.02%), the closest to the');
lines.push('1.0% target, one seed under it. Budget 13\'s first seed ran beside budget 11\'s continuations; budget 14\'s second');
lines.push('beside a CI run. On 10,000 training digits distorted afresh, budget 14\'s models make 0.80% and 0.80% error (budget');
lines.push('12\'s first seed, 16 filters: 0.99%): with the pooled downsampling and the third step, the width lowers the training');
lines.push('error too, so the classifier\'s capacity is what holds the rest. At 48 filters (budget 15: `--filters 48');
lines.push('--downsample pool`, 16 epochs, about 170 s of training steps an epoch with two runs side by side, 310-445 s beside a');
lines.push('CI run): 0.99% and 0.98% (mean 0.99%), both seeds under the 1.0% target, after 30,000 iterations of 32 images (the');
lines.push('paper: 150,000 of 256, 40 times the images). Eight more epochs at Adam 0.00001 (budget 16): 0.96% and');
lines.push('0.87% (mean 0.92%); over those eight epochs the test error read 0.91-0.97% and 0.86-0.93%.');
lines.push('Parameters: the 48-filter ST-CNN has 188,786 (its classifier 128,890), a 48-filter cnn would have 164,890, about the');
lines.push('same as the paper asks; that cnn was not trained here (on the 42x42 canvas its convolutions cost four times the');
lines.push('ST-CNN\'s classifier\'s at 21x21: 520 s of training steps an epoch with two runs side by side, about 2.4 hours');
lines.push('a run on this machine), so the ordering at this width is not measured: it is at the smaller budgets above (budgets 1');
lines.push('and 3-5, 16 filters).');
lines.push('');
lines.push('Not probed: a rate for the localisation net alone (the paper\'s SGD had one; Adam scales each step by itself),');
lines.push('dropout, sampling at the full canvas (no 2x downsampling), and the 48-filter cnn.', '');
lines.push('## Test error (%)', '');
lines.push('| dataset | model | parameters (classifier) | budget | mean | seeds | paper | training seconds per run | wall seconds per run (mean load) |');
lines.push('|---|---|---|---|---|---|---|---|---|');
const groups = new Map<string, Run[]>();
for (const r of runs) {
  const g = `${r.dataset}|${r.key}|${budgetOf(r)}`;
  // A rerun of the same seed replaces the earlier one.
  groups.set(g, [...(groups.get(g) ?? []).filter((x) => x.seed !== r.seed), r]);
}
// Seeds in order, whichever finished first (seeds may run in processes of their own).
for (const rs of groups.values()) rs.sort((a, b) => a.seed - b.seed);
const sorted = [...groups.values()].sort((a, b) => DATASETS.indexOf(a[0]!.dataset) - DATASETS.indexOf(b[0]!.dataset) ||
  budgets.indexOf(budgetOf(a[0]!)) - budgets.indexOf(budgetOf(b[0]!)) || keyOrder.indexOf(a[0]!.key) - keyOrder.indexOf(b[0]!.key));
const last = (r: Run) => r.errors[r.errors.length - 1]!;
for (const rs of sorted) {
  const r0 = rs[0]!;
  const count = parameterCount({ model: r0.model, transform: r0.transform, dataset: r0.dataset, filters: filtersOf(r0) });
  const paper = PAPER[r0.key]?.[r0.dataset];
  lines.push(`| ${r0.dataset} | ${r0.key} | ${count.total.toLocaleString('en')} (${count.classifier.toLocaleString('en')}) | ` +
    `${budgets.indexOf(budgetOf(r0)) + 1} | ${fmt(mean(rs.map(last)))} | ${rs.map((r) => `${fmt(last(r))} (seed ${r.seed})`).join(', ')} | ` +
    `${paper === undefined ? '-' : paper.toFixed(1)} | ${mean(rs.map((r) => r.seconds)).toFixed(0)} | ` +
    `${rs.every((r) => r.wallSeconds !== undefined) ? `${mean(rs.map((r) => r.wallSeconds!)).toFixed(0)} (${fmt(mean(rs.map((r) => r.meanLoad!)))})` : '-'} |`);
}
lines.push('', 'Budgets: ' + budgets.map((b, i) => `${i + 1}: ${b}`).join('; ') + '.');
lines.push('', '## The paper\'s ordering', '');
lines.push('Each ST model against the cnn trained with the same budget: below it "beyond the spread of the seeds" when its worst');
lines.push('seed is below the cnn\'s best.', '');
for (const rs of sorted.filter((g) => g[0]!.model === 'st-cnn')) {
  const r0 = rs[0]!;
  const cnn = groups.get(`${r0.dataset}|cnn|${budgetOf(r0)}`);
  if (!cnn) continue;
  const [worst, best] = [Math.max(...rs.map(last)), Math.min(...cnn.map(last))];
  lines.push(`- ${r0.dataset}, budget ${budgets.indexOf(budgetOf(r0)) + 1}: ${r0.key} ${worst < best ? 'below the cnn beyond the spread of the seeds' : 'NOT below the cnn on every seed'} ` +
    `(its worst seed ${fmt(worst)}%, the cnn's best ${fmt(best)}%).`);
}
lines.push('', '## Targets', '');
const rtsAffine = [...groups.values()].filter((g) => g[0]!.dataset === 'rts' && g[0]!.key === 'st-cnn:affine');
for (const rs of rtsAffine) {
  const m = mean(rs.map(last));
  lines.push(`- RTS ST-CNN (affine) error at most 1.0%: ${m <= 1 ? 'met' : 'NOT met'} with budget ${budgets.indexOf(budgetOf(rs[0]!)) + 1} (${fmt(m)}%).`);
}
lines.push('- The paper\'s ordering on RTS, P and TC: see above, per dataset with its budget; a dataset not listed there was not run.');
lines.push('', '## Before and after the learned transformer', '');
lines.push('The first 32 distorted test digits (left) and the same digits through the trained model\'s transformer (right), the');
lines.push('lowest seed of the latest budget trained, at the canvas\'s full size.', '');
const pictured = new Set<string>();
for (const rs of sorted.filter((g) => g[0]!.model.startsWith('st-'))) {
  const file = `${rs[0]!.dataset}-${rs[0]!.key.replace(':', '-')}.png`;
  if (pictured.has(file) || !existsSync(join(pictures, file))) continue;
  pictured.add(file);
  lines.push(`${rs[0]!.dataset}, ${rs[0]!.key}:`, '', `![${rs[0]!.dataset} ${rs[0]!.key}](paper/${file})`, '');
}
writeFileSync(v.out!, `${lines.join('\n')}\n`);
process.stderr.write(`wrote ${v.out} from ${runs.length} runs\n`);
