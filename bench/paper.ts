/**
 * npm run paper: the STN paper's distorted-MNIST experiment (Jaderberg et al. 2015, Table 1) with
 * stn-layer. Trains every (dataset, model, seed) of the grid with one budget (epochs, training
 * images, test images), then writes bench/PAPER.md: test error (mean and both seeds) beside the
 * paper's, the budget and the time taken, and for each dataset the first test digits before and
 * after each ST model's learned transformer (bench/paper/<dataset>-<model>.png).
 *
 *   npm run paper -- [--datasets rts,p,tc] [--models cnn,st-cnn:affine,...] [--seeds 1,2]
 *                    [--epochs N] [--limit-train N] [--limit-test N] [--backend wasm]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type BackendName, setUpBackend } from '../src/mnist/backend.js';
import { loadMnist } from '../src/mnist/data.js';
import { type DatasetName, DATASETS, PAPER_LR, type PaperModelName, type PaperTransform, TRANSFORMS } from '../src/mnist/defaults.js';
import { type PaperEpochRecord, trainPaper } from '../src/mnist/paper_train.js';
import { parameterCount } from '../src/mnist/paper_models.js';
import { transformFirst } from '../src/mnist/steps.js';
import { figurePng } from '../src/mnist/visualize.js';

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

const { values: v } = parseArgs({
  options: {
    datasets: { type: 'string', default: 'rts,p,tc' },
    models: { type: 'string', default: 'cnn,st-cnn:affine,st-cnn:projective,st-cnn:tps' },
    seeds: { type: 'string', default: '1,2' },
    epochs: { type: 'string', default: '10' },
    'limit-train': { type: 'string', default: '60000' },
    'limit-test': { type: 'string', default: '10000' },
    'batch-size': { type: 'string', default: '64' },
    backend: { type: 'string', default: 'wasm' },
    out: { type: 'string', default: join(HERE, 'PAPER.md') },
  },
});

const datasets = v.datasets!.split(',') as DatasetName[];
for (const d of datasets) if (!DATASETS.includes(d) || d === 'mnist') throw new Error(`--datasets: unknown '${d}'`);
const models = v.models!.split(',').map((m) => {
  const [model, transform = 'affine'] = m.split(':') as [PaperModelName, PaperTransform];
  if (!TRANSFORMS.includes(transform)) throw new Error(`--models: unknown transform in '${m}'`);
  return { key: model.startsWith('st-') ? `${model}:${transform}` : model, model, transform };
});
const seeds = v.seeds!.split(',').map(Number);
const [epochs, limitTrain, limitTest, batchSize] = [v.epochs, v['limit-train'], v['limit-test'], v['batch-size']].map(Number) as [number, number, number, number];
const backend = v.backend as BackendName;

await setUpBackend(backend);
const data = loadMnist(undefined, { limitTrain, limitTest });
const pictures = join(HERE, 'paper');
mkdirSync(pictures, { recursive: true });

interface Run { dataset: DatasetName; key: string; seed: number; error: number; seconds: number; history: PaperEpochRecord[] }
const runs: Run[] = [];
const started = performance.now();
for (const dataset of datasets) {
  for (const m of models) {
    for (const seed of seeds) {
      const t0 = performance.now();
      const { model, test, history } = await trainPaper(data, {
        model: m.model, transform: m.transform, dataset, epochs, batchSize, lr: PAPER_LR, seed, backend,
      }, { onEpochEnd: (r) => process.stderr.write(`${JSON.stringify({ ...r, seed })}\n`) });
      const seconds = (performance.now() - t0) / 1000;
      const last = history[history.length - 1]!;
      runs.push({ dataset, key: m.key, seed, error: 100 * (1 - last.testAccuracy), seconds, history });
      if (seed === seeds[0] && model.hasTransformer) {
        const { original, transformed, count } = await transformFirst(model, test, 32);
        writeFileSync(join(pictures, `${dataset}-${m.key.replace(':', '-')}.png`), figurePng(original, transformed, count));
      }
      model.dispose();
    }
  }
}
const totalMinutes = (performance.now() - started) / 60000;

const fmt = (x: number) => x.toFixed(2);
const lines: string[] = [];
lines.push('# The STN paper\'s distorted MNIST, reproduced with stn-layer', '');
lines.push('Made by `npm run paper` (bench/paper.ts). Test error in % after the last epoch: the mean of the seeds and each seed,');
lines.push('beside the paper\'s Table 1 (Jaderberg et al. 2015, "Spatial Transformer Networks"). The models, datasets and');
lines.push('training are described in src/mnist/paper_models.ts, src/mnist/distort.ts and src/mnist/paper_train.ts.', '');
lines.push('## Budget', '');
lines.push(`- ${epochs} epochs of ${limitTrain.toLocaleString('en')} training images (distorted afresh each epoch), batch ${batchSize}, Adam at ${PAPER_LR}` +
  `${epochs >= 3 ? ', divided by 10 for the last third of the epochs' : ''}: ${Math.ceil((epochs * limitTrain) / batchSize).toLocaleString('en')} iterations per run ` +
  `(the paper: 150,000 iterations of batch 256, ${((150000 * 256) / (epochs * limitTrain)).toFixed(0)} times the images).`);
lines.push(`- Test: the first ${limitTest.toLocaleString('en')} MNIST test digits, distorted once with a fixed seed (the same images for every model).`);
lines.push(`- Seeds ${seeds.join(', ')}; backend ${backend}; ${cpus().length} CPU cores (${cpus()[0]?.model ?? 'unknown'}), shared with other jobs ` +
  `(load average ${loadavg()[0]!.toFixed(1)} at the end), so times are noisy.`);
lines.push(`- Total time: ${totalMinutes.toFixed(1)} minutes.`, '');
lines.push('## Test error (%)', '');
lines.push('| dataset | model | parameters (classifier) | this run: mean | seeds | paper | seconds per run |');
lines.push('|---|---|---|---|---|---|---|');
for (const dataset of datasets) {
  for (const m of models) {
    const rs = runs.filter((r) => r.dataset === dataset && r.key === m.key);
    const mean = rs.reduce((s, r) => s + r.error, 0) / rs.length;
    const count = parameterCount({ model: m.model, transform: m.transform, dataset });
    const paper = PAPER[m.key]?.[dataset];
    lines.push(`| ${dataset} | ${m.key} | ${count.total.toLocaleString('en')} (${count.classifier.toLocaleString('en')}) | ${fmt(mean)} | ` +
      `${rs.map((r) => fmt(r.error)).join(', ')} | ${paper === undefined ? '-' : paper.toFixed(1)} | ${(rs.reduce((s, r) => s + r.seconds, 0) / rs.length).toFixed(0)} |`);
  }
}
lines.push('', '## The paper\'s ordering', '');
for (const dataset of datasets) {
  const cnn = runs.filter((r) => r.dataset === dataset && r.key === 'cnn');
  if (cnn.length === 0) continue;
  for (const m of models.filter((x) => x.model === 'st-cnn')) {
    const st = runs.filter((r) => r.dataset === dataset && r.key === m.key);
    const holds = Math.max(...st.map((r) => r.error)) < Math.min(...cnn.map((r) => r.error));
    lines.push(`- ${dataset}: ${m.key} ${holds ? 'below' : 'NOT below'} the cnn on every seed (worst seed ${fmt(Math.max(...st.map((r) => r.error)))}% against the cnn's best ${fmt(Math.min(...cnn.map((r) => r.error)))}%).`);
  }
}
lines.push('', '## Before and after the learned transformer', '');
lines.push('The first 32 distorted test digits (left) and the same digits through the trained model\'s transformer (right), seed ' +
  `${seeds[0]}, at the canvas's full size.`, '');
for (const dataset of datasets) {
  for (const m of models.filter((x) => x.model.startsWith('st-'))) {
    lines.push(`${dataset}, ${m.key}:`, '', `![${dataset} ${m.key}](paper/${dataset}-${m.key.replace(':', '-')}.png)`, '');
  }
}
writeFileSync(v.out!, `${lines.join('\n')}\n`);
process.stderr.write(`wrote ${v.out} (${totalMinutes.toFixed(1)} minutes)\n`);
