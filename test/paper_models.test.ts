/**
 * The STN paper's models: parameter counts and shapes per dataset, the transformers starting at the
 * identity, one training step of each model lowering the loss on cpu, wasm and webgpu (which agree
 * on the loss before it), the learning-rate schedule, and the stn-mnist command line for them (its JSON contract,
 * the checkpoint after each epoch, --resume, eval and visualize).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import pngjs from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setUpBackend } from '../src/mnist/backend.js';
import { MNIST_MEAN, MNIST_STD, makeBatch } from '../src/mnist/batch.js';
import { runCli } from '../src/mnist/cli.js';
import { loadMnist } from '../src/mnist/data.js';
import { CANVAS, type DatasetName, TEST_SEED, distort } from '../src/mnist/distort.js';
import { nllLoss } from '../src/mnist/model.js';
import { PaperModel, type PaperModelConfig, parameterCount } from '../src/mnist/paper_models.js';
import { DOWNSAMPLES } from '../src/mnist/index.js';
import { learningRate, paperTrainStep, trainPaper } from '../src/mnist/paper_train.js';
import { Rng } from '../src/mnist/random.js';
import { evaluate } from '../src/mnist/steps.js';
import { figureSize } from '../src/mnist/visualize.js';
import { captureIo, expectClose } from './helpers.js';
import { requireWebGPU } from './webgpu_setup.js';

const gpu = await requireWebGPU();

const tmp = mkdtempSync(join(tmpdir(), 'stn-paper-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const mnist = loadMnist(undefined, { limitTrain: 8, limitTest: 8 });

/** Each model once, on a dataset that exercises its path (downsampling, tc's pooled localisation). */
const CASES: PaperModelConfig[] = [
  { model: 'cnn', transform: 'affine', dataset: 'rts' },
  { model: 'st-cnn', transform: 'affine', dataset: 'rts' },
  { model: 'st-cnn', transform: 'projective', dataset: 'p' },
  { model: 'st-cnn', transform: 'tps', dataset: 'tc' },
  { model: 'fcn', transform: 'affine', dataset: 'r' },
  { model: 'st-fcn', transform: 'affine', dataset: 'e' },
];

const name = (c: PaperModelConfig) => `${c.model}${c.model.startsWith('st-') ? `:${c.transform}` : ''} on ${c.dataset}`;

describe('the paper models', () => {
  beforeAll(() => setUpBackend('cpu'));

  it('have the documented parameter counts: the same classifier with and without the transformer', () => {
    const count = (model: PaperModelConfig['model'], transform: PaperModelConfig['transform'], dataset: DatasetName) =>
      parameterCount({ model, transform, dataset });
    // cnn: conv 9x9x1x16, conv 7x7x16x16, linear (side/4)²·16 -> 10.
    const cnn = (side: number) => 81 * 16 + 16 + 49 * 16 * 16 + 16 + Math.floor(side / 4) ** 2 * 16 * 10 + 10;
    expect(count('cnn', 'affine', 'rts')).toEqual({ total: cnn(42), classifier: cnn(42) });
    expect(count('cnn', 'affine', 'mnist').total).toBe(cnn(28));
    // st-cnn: localisation conv 5x5x1x20, conv 5x5x20x20, linear -> 50, head 50 -> P; the classifier at half the canvas.
    const loc = (side: number, P: number) => {
      const s = Math.floor((Math.floor((side - 4) / 2) - 4) / 2);
      return 25 * 20 + 20 + 25 * 400 + 20 + s * s * 20 * 50 + 50 + 50 * P + P;
    };
    expect(count('st-cnn', 'affine', 'rts')).toEqual({ total: cnn(21) + loc(42, 6), classifier: cnn(21) });
    expect(count('st-cnn', 'projective', 'p')).toEqual({ total: cnn(28) + loc(28, 8), classifier: cnn(28) });
    expect(count('st-cnn', 'tps', 'tc')).toEqual({ total: cnn(30) + loc(30, 32), classifier: cnn(30) });
    // filters widens the classifier's convolutions only; the localisation net and the fcn stay.
    const wide = (side: number, f: number) => 81 * f + f + 49 * f * f + f + Math.floor(side / 4) ** 2 * f * 10 + 10;
    expect(parameterCount({ model: 'st-cnn', transform: 'affine', dataset: 'rts', filters: 32 })).toEqual({ total: wide(21, 32) + loc(42, 6), classifier: wide(21, 32) });
    expect(wide(21, 16)).toBe(cnn(21));
    const fcn = (side: number) => side * side * 128 + 128 + 128 * 128 + 128 + 1290;
    expect(parameterCount({ model: 'fcn', transform: 'affine', dataset: 'p', filters: 32 }).total).toBe(fcn(28));
    expect(count('fcn', 'affine', 'p').total).toBe(fcn(28));
    expect(count('st-fcn', 'affine', 'rts')).toEqual({ total: fcn(21) + 42 * 42 * 32 + 32 + 32 * 6 + 6, classifier: fcn(21) });
    // Three weight layers in every classifier.
    for (const c of CASES) {
      const model = new PaperModel(c, new Rng(1));
      const weights = [...model.params.keys()].filter((k) => !k.startsWith('loc.') && k.endsWith('.weight'));
      expect(weights, name(c)).toHaveLength(3);
      model.dispose();
    }
  });

  it('map [N, S, S, 1] to log-probabilities [N, 10]; the transformers start at the identity', async () => {
    await setUpBackend('cpu');
    for (const c of CASES) {
      const S = CANVAS[c.dataset];
      const x = tf.randomUniform([2, S, S, 1], 0, 1, 'float32', 5) as tf.Tensor4D;
      const model = new PaperModel(c, new Rng(2));
      const logp = model.forward(x);
      expect(logp.shape, name(c)).toEqual([2, 10]);
      expectClose(await tf.sum(tf.exp(logp), 1).data(), [1, 1], `${name(c)} probabilities`, 1e-5);
      const t = model.transform(x);
      expect(t.shape).toEqual([2, S, S, 1]);
      // The identity grid samples every pixel at its centre.
      expectClose(await t.data(), await x.data(), `${name(c)} identity`, 1e-4);
      tf.dispose([x, logp, t]);
      model.dispose();
    }
  });

  it('take one training step that lowers the loss, on cpu, wasm and webgpu (where an adapter exists)', async () => {
    const results = new Map<string, { before: number }>();
    for (const backend of gpu ? ['cpu', 'wasm', 'webgpu'] as const : ['cpu', 'wasm'] as const) {
      await setUpBackend(backend);
      for (const c of CASES) {
        const split = await distort(mnist.train, c.dataset, 3);
        // Two digits: tfjs-backend-cpu's own convolution gradients are slow.
        const b = makeBatch(split, [0, 1]);
        const x = tf.tensor4d(b.x, [b.size, b.side, b.side, 1]);
        const y = tf.tensor2d(b.oneHot, [b.size, 10]);
        const model = new PaperModel(c, new Rng(4));
        const loss = async () => tf.tidy(() => nllLoss(model.forward(x), y)).data().then((d) => d[0]!);
        const before = await loss();
        const optimizer = tf.train.sgd(0.1);
        paperTrainStep(model, optimizer, x, y).dispose();
        const after = await loss();
        expect(after, `${name(c)} on ${backend}`).toBeLessThan(before);
        for (const v of model.variables) expect(((await v.data()) as Float32Array).every(Number.isFinite)).toBe(true);
        results.set(`${backend} ${name(c)}`, { before });
        tf.dispose([x, y]);
        optimizer.dispose();
        model.dispose();
      }
    }
    for (const c of CASES) {
      // The same model and data; not the steps themselves: max-pooling over the flat background has
      // ties, which the backends' gradients break differently.
      for (const other of gpu ? ['wasm', 'webgpu'] : ['wasm']) {
        expect(results.get(`${other} ${name(c)}`)!.before, `${name(c)} on ${other}`).toBeCloseTo(results.get(`cpu ${name(c)}`)!.before, 4);
      }
    }
  }, 600_000);

  it('read black past the canvas edge (zero padding on the raw pixels, not on the normalised ones)', async () => {
    await setUpBackend('cpu');
    const model = new PaperModel({ model: 'st-cnn', transform: 'affine', dataset: 'p' }, new Rng(3));
    // The identity shifted by a whole canvas: every output point samples past the right edge.
    const values = new Map([...model.params].map(([k, v]) => [k, v.dataSync() as Float32Array]));
    values.set('loc.head.bias', Float32Array.from([1, 0, 2, 0, 1, 0]));
    model.assignValues(values);
    const x = tf.fill([1, 28, 28, 1], 1.5) as tf.Tensor4D;
    const t = model.transform(x);
    expectClose(await t.data(), new Float32Array(28 * 28).fill(-MNIST_MEAN / MNIST_STD), 'past the edge', 1e-5);
    tf.dispose([x, t]);
    model.dispose();
  });

  it("with downsample 'pool', average-pool the transformer's whole-canvas output 2x2 (rts, tc); the same parameters", async () => {
    await setUpBackend('cpu');
    for (const dataset of ['rts', 'tc'] as const) {
      const S = CANVAS[dataset];
      const config: PaperModelConfig = { model: 'st-cnn', transform: 'affine', dataset };
      expect(parameterCount({ ...config, downsample: 'pool' })).toEqual(parameterCount(config));
      const [sampled, pooled] = [new PaperModel(config, new Rng(6)), new PaperModel({ ...config, downsample: 'pool' }, new Rng(6))];
      const x = tf.randomUniform([2, S, S, 1], -0.5, 2.5, 'float32', 7) as tf.Tensor4D;
      // At the identity, sampling at half the side reads between 2x2 pixels: the same as the pool.
      expectClose(await pooled.forward(x).data(), await sampled.forward(x).data(), `${dataset} identity`, 1e-4);
      // Zoomed out 2x, they differ: the pool averages the whole-canvas sampling, which the identity
      // model then classifies as it would any canvas.
      const values = new Map([...pooled.params].map(([k, v]) => [k, v.dataSync() as Float32Array]));
      values.set('loc.head.bias', Float32Array.from([2, 0, 0.1, 0, 2, -0.2]));
      pooled.assignValues(values);
      const viaPool = await pooled.forward(x).data();
      expectClose(viaPool, await sampled.forward(pooled.transform(x)).data(), `${dataset} zoomed out`, 1e-4);
      sampled.assignValues(values);
      const viaSample = await sampled.forward(x).data();
      expect(Math.max(...viaPool.map((v, i) => Math.abs(v - viaSample[i]!))), `${dataset}: pool differs from sample`).toBeGreaterThan(1e-3);
      tf.dispose(x);
      sampled.dispose();
      pooled.dispose();
    }
    // stn-layer/mnist names the choices.
    expect(DOWNSAMPLES).toEqual(['sample', 'pool']);
    expect(() => new PaperModel({ model: 'st-cnn', transform: 'affine', dataset: 'rts', downsample: 'max' as 'pool' }, new Rng(1)))
      .toThrow("PaperModel: 'downsample' must be one of sample, pool; received 'max'");
  });

  it('divide the learning rate by 10 for the last third of the epochs', () => {
    expect([1, 2, 3, 4, 5, 6].map((e) => learningRate(1, e, 6))).toEqual([1, 1, 1, 1, 0.1, 0.1]);
    expect([1, 2].map((e) => learningRate(1, e, 2))).toEqual([1, 1]);
    expect([1, 2, 3].map((e) => learningRate(1, e, 3))).toEqual([1, 1, 0.1]);
  });

  it('continue a run only with the width and downsampling it was trained at', async () => {
    await setUpBackend('cpu');
    const config = { model: 'cnn', transform: 'affine', dataset: 'r', epochs: 1, batchSize: 4, lr: 0.001, seed: 1, backend: 'cpu' } as const;
    const model = new PaperModel({ ...config, filters: 8 }, new Rng(1));
    const state = { epoch: 1, history: [], rngState: new Rng(1).state(), seed: 1, lr: 0.001, batchSize: 4 };
    await expect(trainPaper(mnist, { ...config, epochs: 2 }, {}, { model, state, adam: { iterations: 0, moments: [] } }))
      .rejects.toThrow("trainPaper: the run to resume has filters '8'; received '16'");
    model.dispose();
    const pooled = new PaperModel({ ...config, model: 'st-cnn', dataset: 'rts', downsample: 'pool' }, new Rng(1));
    await expect(trainPaper(mnist, { ...config, model: 'st-cnn', dataset: 'rts', epochs: 2 }, {}, { model: pooled, state, adam: { iterations: 0, moments: [] } }))
      .rejects.toThrow("trainPaper: the run to resume has downsample 'pool'; received 'sample'");
    pooled.dispose();
  });

  it('reject an unknown model or transform, naming it', () => {
    expect(() => new PaperModel({ model: 'tutorial' as 'cnn', transform: 'affine', dataset: 'r' }, new Rng(1)))
      .toThrow("PaperModel: 'model' must be cnn, st-cnn, fcn or st-fcn; received 'tutorial'");
    expect(() => new PaperModel({ model: 'st-cnn', transform: 'flow' as 'tps', dataset: 'r' }, new Rng(1)))
      .toThrow("PaperModel: 'transform' must be one of affine, projective, tps; received 'flow'");
    for (const filters of [0, 2.5, Number.NaN]) {
      expect(() => new PaperModel({ model: 'cnn', transform: 'affine', dataset: 'r', filters }, new Rng(1)))
        .toThrow(`PaperModel: 'filters' must be a positive integer; received ${filters}`);
    }
    expect(() => PaperModel.fromJson({ format: 'stn-mnist' } as never))
      .toThrow("PaperModel.fromJson: not a paper model (format 'stn-mnist', expected 'stn-paper-model')");
  });
});

describe('stn-mnist with the paper models', () => {
  it('trains --dataset rts --model st-cnn --transform affine --json: one JSON line per epoch with testAccuracy', async () => {
    const out = join(tmp, 'cli');
    const t = captureIo();
    const args = ['train', '--dataset', 'rts', '--model', 'st-cnn', '--transform', 'affine', '--epochs', '2',
      '--limit-train', '64', '--limit-test', '32', '--seed', '3', '--json', '--out', out, '--backend', 'wasm'];
    expect(await runCli(args, t.io)).toBe(0);
    const lines = t.out.join('').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => l.epoch)).toEqual([1, 2]);
    for (const l of lines) {
      expect(l).toMatchObject({ total: 32, backend: 'wasm', dataset: 'rts', model: 'st-cnn', transform: 'affine' });
      expect(l.testAccuracy).toBe(l.correct / 32);
    }
    const png = pngjs.PNG.sync.read(readFileSync(join(out, 'stn.png')));
    expect([png.width, png.height]).toEqual([figureSize(32, 42).width, figureSize(32, 42).height]);
    // The saved model evaluates the distorted test set as the last epoch did.
    const saved = PaperModel.fromJson(JSON.parse(readFileSync(join(out, 'paper-model.json'), 'utf8')));
    const test = await distort(loadMnist(undefined, { limitTrain: 1, limitTest: 32 }).test, 'rts', TEST_SEED);
    expect((await evaluate(saved, test)).correct).toBe(lines[1].correct);
    saved.dispose();
  }, 60_000);

  // The same run twice: straight through 3 epochs, and 1 epoch then --resume to 3 (the schedule's
  // last third, at lr / 10, after the resume). tps exercises the largest head.
  const paperArgs = (out: string, epochs: number) => ['--dataset', 'p', '--model', 'st-cnn', '--transform', 'tps',
    '--epochs', String(epochs), '--limit-train', '64', '--limit-test', '32', '--batch-size', '16', '--seed', '5', '--json',
    '--out', out, '--backend', 'wasm'];
  const jsonLines = (t: ReturnType<typeof captureIo>) => t.out.join('').trim().split('\n').map((l) => JSON.parse(l));

  it('resumes a paper model where it stopped: the epochs counted on, the run ending as the uninterrupted one', async () => {
    const [straight, stopped] = [join(tmp, 'straight'), join(tmp, 'stopped')];
    const s = captureIo();
    expect(await runCli(['train', ...paperArgs(straight, 3)], s.io)).toBe(0);
    expect(await runCli(['train', ...paperArgs(stopped, 1)], captureIo().io)).toBe(0);
    const r = captureIo();
    expect(await runCli(['train', ...paperArgs(stopped, 3), '--resume'], r.io)).toBe(0);
    expect(r.err.join('')).toContain(`Resuming from ${stopped} after epoch 1`);
    const [a, b] = [jsonLines(s), jsonLines(r)];
    expect(b.map((l) => l.epoch)).toEqual([2, 3]);
    expect(b.map((l) => l.lr)).toEqual([0.001, 0.0001]);
    // Adam's moments and step count, the generator and the distortions continue: the same numbers.
    expect(b.map((l) => [l.testLoss, l.correct])).toEqual(a.slice(1).map((l) => [l.testLoss, l.correct]));
    const saved = (dir: string) => JSON.parse(readFileSync(join(dir, 'paper-model.json'), 'utf8'));
    expect(saved(stopped).parameters).toEqual(saved(straight).parameters);
    expect(saved(stopped).metadata.history.map((h: { epoch: number }) => h.epoch)).toEqual([1, 2, 3]);
    // One Adam file, the one paper-model.json names.
    expect(readdirSync(stopped).filter((f) => f.startsWith('adam-'))).toEqual([saved(stopped).metadata.training.adamFile]);
  }, 120_000);

  it('evaluates and visualizes a paper model\'s checkpoint: eval matches the last epoch', async () => {
    const out = join(tmp, 'straight');
    const last = JSON.parse(readFileSync(join(out, 'paper-model.json'), 'utf8')).metadata.history.at(-1);
    rmSync(join(out, 'stn.png'));
    const e = captureIo();
    // The dataset and transform come from the checkpoint.
    expect(await runCli(['eval', '--model', 'st-cnn', '--limit-test', '32', '--json', '--out', out, '--backend', 'wasm'], e.io)).toBe(0);
    expect(jsonLines(e)[0]).toEqual({ epoch: 3, testLoss: last.testLoss, testAccuracy: last.testAccuracy, correct: last.correct, total: 32, backend: 'wasm' });
    const v = captureIo();
    expect(await runCli(['visualize', '--model', 'st-cnn', '--dataset', 'p', '--limit-test', '32', '--out', out, '--backend', 'wasm'], v.io)).toBe(0);
    const png = pngjs.PNG.sync.read(readFileSync(join(out, 'stn.png')));
    expect([png.width, png.height]).toEqual([figureSize(32, 28).width, figureSize(32, 28).height]);
    for (const [args, message] of [
      [[], `${out} holds a paper model (paper-model.json, st-cnn on p), not the tutorial's: add --model st-cnn`],
      [['--model', 'cnn'], `the checkpoint in ${out} holds model 'st-cnn' (asked for --model cnn)`],
      [['--model', 'st-cnn', '--dataset', 'rts'], `the checkpoint in ${out} holds dataset 'p' (asked for --dataset rts)`],
      [['--model', 'st-cnn', '--transform', 'affine'], `the checkpoint in ${out} holds transform 'tps' (asked for --transform affine)`],
    ] as const) {
      const f = captureIo();
      expect(await runCli(['eval', ...args, '--limit-test', '8', '--out', out, '--backend', 'wasm'], f.io)).toBe(1);
      expect(f.err.join('')).toContain(message);
    }
  }, 60_000);

  it('refuses combinations it cannot run, with a usage error', async () => {
    for (const [args, message] of [
      [['--dataset', 'rts'], '--dataset rts needs one of the paper\'s models'],
      [['--transform', 'tps'], '--transform applies to --model st-cnn and st-fcn'],
      [['--model', 'cnn', '--api', 'layers'], '--api layers applies to --model tutorial only'],
      [['--model', 'resnet'], "--model must be one of tutorial, cnn, st-cnn, fcn, st-fcn, got 'resnet'"],
      [['--dataset', 'svhn', '--model', 'cnn'], "--dataset must be one of mnist, r, rts, p, e, tc, got 'svhn'"],
      [['--transform', 'flow', '--model', 'st-cnn'], "--transform must be one of affine, projective, tps, got 'flow'"],
    ] as const) {
      const e = captureIo();
      expect(await runCli([...args], e.io)).toBe(2);
      expect(e.err.join('')).toContain(message);
    }
  });
});
