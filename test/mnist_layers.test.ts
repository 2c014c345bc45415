/**
 * The tutorial network as a tf.LayersModel (stn-layer/mnist's stnLayersModel) and `stn-mnist --api
 * layers`: the same parameters (names, shapes, initial values) as StnModel, the same
 * log-probabilities for the same values, a LayersModel directory that tf.loadLayersModel(fileIO(dir))
 * loads bit-identically, and the command line training, resuming and evaluating with it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../src/mnist/cli.js';
import { makeBatch } from '../src/mnist/batch.js';
import { loadMnist } from '../src/mnist/data.js';
import { fileIO } from '../src/mnist/file_io.js';
import { getParameters, layersNetwork, layersWeightName, nllLayersLoss, setParameters, stnLayersModel } from '../src/mnist/layers_model.js';
import { PARAMETERS, PARAMETER_COUNT, StnModel, initialParameters, nllLoss } from '../src/mnist/model.js';
import { Rng } from '../src/mnist/random.js';
import { CPU_BACKENDS, captureIo as io, expectClose, useBackend } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'stn-mnist-layers-test-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const mnist = loadMnist(undefined, { limitTrain: 96, limitTest: 64 });
const batch = makeBatch(mnist.test, Array.from({ length: 16 }, (_, i) => i));
const images = () => tf.tensor4d(batch.x, [16, 28, 28, 1]);

describe('stnLayersModel', () => {
  it("has StnModel's parameters: names (as <layer>/kernel and /bias), shapes and a seed's initial values", async () => {
    await useBackend('cpu');
    const model = stnLayersModel(new Rng(5));
    expect(model.countParams()).toBe(PARAMETER_COUNT);
    const byName = new Map(model.weights.map((w) => [w.originalName, w.shape]));
    expect([...byName.keys()].sort()).toEqual(PARAMETERS.map((p) => layersWeightName(p.name)).sort());
    for (const p of PARAMETERS) expect(byName.get(layersWeightName(p.name)), p.name).toEqual(p.shape);
    expect(layersWeightName('fc_loc.2.weight')).toBe('fc_loc.2/kernel');
    const values = await getParameters(model);
    for (const [name, want] of initialParameters(new Rng(5))) expect(values.get(name), name).toEqual(want);
    model.dispose();
  });

  it.each(CPU_BACKENDS)('gives StnModel.forward\'s log-probabilities and transformed images for the same values on %s', async (backend) => {
    await useBackend(backend);
    const values = initialParameters(new Rng(7));
    // Move the transformer off the identity so that the comparison covers it.
    values.set('fc_loc.2.weight', Float32Array.from(values.get('fc_loc.0.weight')!.subarray(0, 32 * 6), (v) => v * 0.3));
    const ops = StnModel.fromValues(values);
    const model = stnLayersModel(new Rng(1));
    setParameters(model, values);
    const net = layersNetwork(model);
    const x = images();
    expectClose(await net.forward(x).data(), await ops.forward(x).data(), 'log-probabilities', 1e-5);
    expectClose(await net.transform(x).data(), await ops.transform(x).data(), 'transformed images', 1e-5);
    const y = tf.tensor2d(batch.oneHot, [16, 10]);
    const logp = ops.forward(x);
    expect((await nllLayersLoss(y, logp).data())[0]).toBeCloseTo((await nllLoss(logp, y).data())[0]!, 6);
    ops.dispose();
    model.dispose();
  });

  it('saves as a standard LayersModel directory that tf.loadLayersModel(fileIO(dir)) loads bit-identically', async () => {
    await useBackend('wasm');
    const model = stnLayersModel(new Rng(3));
    model.setUserDefinedMetadata({ note: 'kept' });
    const dir = join(tmp, 'saved');
    await model.save(fileIO(dir));
    const json = JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(readFileSync(join(dir, 'weights.bin')).byteLength).toBe(PARAMETER_COUNT * 4);
    // A second save writes the other weights file and removes the first.
    await model.save(fileIO(dir));
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toEqual(['weights-b.bin']);
    const loaded = await tf.loadLayersModel(fileIO(dir));
    expect(loaded.getUserDefinedMetadata()).toEqual({ note: 'kept' });
    const x = images();
    expect(await (loaded.predict(x) as tf.Tensor).data()).toEqual(await (model.predict(x) as tf.Tensor).data());
    await expect(tf.loadLayersModel(fileIO(join(tmp, 'nothing')))).rejects.toThrow(/fileIO: no model in .*nothing/);
  });
});

describe('stn-mnist --api layers', () => {

  it('trains with model.fit, resumes, and evaluates the LayersModel checkpoint', async () => {
    const out = join(tmp, 'cli');
    const common = ['--out', out, '--limit-train', '96', '--limit-test', '64', '--backend', 'wasm'];
    const t = io();
    expect(await runCli(['train', '--api', 'layers', '--epochs', '1', '--batch-size', '32', '--json', ...common], t.io)).toBe(0);
    const first = JSON.parse(t.out.join('').trim());
    expect(first).toMatchObject({ epoch: 1, total: 64, backend: 'wasm' });
    const r = io();
    expect(await runCli(['train', '--api', 'layers', '--epochs', '2', '--batch-size', '32', '--resume', '--json', ...common], r.io)).toBe(0);
    expect(r.err.join('')).toContain('Resuming from');
    const second = JSON.parse(r.out.join('').trim());
    expect(second.epoch).toBe(2);

    const loaded = await tf.loadLayersModel(fileIO(out));
    expect((loaded.getUserDefinedMetadata() as { training: { epoch: number } }).training.epoch).toBe(2);
    const e = io();
    expect(await runCli(['eval', ...common], e.io)).toBe(0);
    expect(e.out.join('')).toContain(`Test set: Average loss: ${second.testLoss.toFixed(4)}, Accuracy: ${second.correct}/64 (`);

    const bad = io();
    expect(await runCli(['--api', 'keras'], bad.io)).toBe(2);
    expect(bad.err.join('')).toContain("--api must be one of ops, layers, got 'keras'");
  });
});
