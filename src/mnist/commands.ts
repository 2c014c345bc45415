/**
 * The work of the `stn-mnist` commands: load the data, start the backend, train, evaluate or draw.
 * cli.ts imports this module only once the arguments are parsed and the packages it needs are
 * known to be installed (it imports tfjs, the backend and the data).
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { setUpBackend } from './backend.js';
import { type EpochRecord, hasCheckpoint, loadCheckpoint, writeFileAtomically } from './checkpoint.js';
import type { CliIo, Options } from './cli.js';
import { type Mnist, loadMnist } from './data.js';
import { layersNetwork } from './layers_model.js';
import { StnModel } from './model.js';
import { evaluate, formatEvaluation, transformFirst } from './steps.js';
import { train } from './train.js';
import { LAYERS_FORMAT, checkpointFormat, loadLayersCheckpoint, trainLayers } from './train_layers.js';
import { figurePng, historySvg, writePictures } from './visualize.js';
import { trainPaper } from './paper_train.js';

const pictures = (out: string) => ({ figure: join(out, 'stn.png'), history: join(out, 'history.svg') });

/** Progress: a bar on a terminal; the tutorial's every-500-batches lines otherwise; nothing with --json. */
function progress(o: Options, io: CliIo, trainCount: number) {
  let bar: cliProgress.SingleBar | undefined;
  let epoch = 0;
  let loss = NaN;
  return {
    onEpochStart(e: number, total: number) {
      epoch = e;
      if (o.json || !io.stdout.isTTY) return;
      bar = new cliProgress.SingleBar({
        format: `Train Epoch: ${e} [{bar}] {percentage}% | {value}/{total} batches | loss {loss} | ETA {eta}s`,
        stream: io.stdout as NodeJS.WritableStream, hideCursor: true, clearOnComplete: true,
      }, cliProgress.Presets.shades_classic);
      bar.start(total, 0, { loss: '-' });
    },
    onBatch(done: number, total: number, value: number | undefined) {
      if (value !== undefined) loss = value;
      if (bar) bar.update(done, { loss: Number.isNaN(loss) ? '-' : loss.toFixed(4) });
      else if (!o.json && value !== undefined && (done % 500 === 0 || done === total)) {
        const seen = Math.min(done * o.config.batchSize, trainCount);
        io.stdout.write(`Train Epoch: ${epoch} [${seen}/${trainCount} (${Math.round((100 * done) / total)}%)]\tLoss: ${value.toFixed(6)}\n`);
      }
    },
    onEpochEnd(record: EpochRecord) {
      bar?.stop();
      bar = undefined;
      if (o.json) io.stdout.write(`${JSON.stringify(record)}\n`);
      else {
        io.stdout.write(`\n${formatEvaluation({ loss: record.testLoss, correct: record.correct, total: record.total })}` +
          `  [epoch ${record.epoch}, ${record.trainSeconds.toFixed(1)} s training, ${record.backend}]\n\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}

/** Runs one parsed command; a failure is thrown as an Error whose message runCli prints. */
export async function run(o: Options, io: CliIo): Promise<void> {
  const log = (s: string) => (o.json ? io.stderr : io.stdout).write(`${s}\n`);
  const data: Mnist = loadMnist(o.data, { limitTrain: o.limitTrain, limitTest: o.limitTest });
  await setUpBackend(o.backend);
  const { out } = o.config;
  if (o.model !== 'tutorial') {
    await trainPaperModel(o, io, data, log);
    return;
  }
  if (o.command === 'train') {
    if (o.config.resume && !hasCheckpoint(out)) log(`No checkpoint in ${out} to resume: training from scratch`);
    const p = progress(o, io, data.train.count);
    const trainer = o.api === 'layers' ? trainLayers : train;
    let result;
    try {
      result = await trainer(data, { ...o.config, backend: o.backend }, {
        ...p,
        onResume: (s) => log(`Resuming from ${out} after epoch ${s.epoch}${s.epoch >= o.config.epochs ? ` (nothing left to do for --epochs ${o.config.epochs})` : ''}`),
      });
    } finally {
      p.stop();
    }
    const network = result.model instanceof StnModel ? result.model : layersNetwork(result.model);
    const written = await writePictures(network, data.test, result.state.history, pictures(out));
    result.model.dispose();
    log(`Checkpoint: ${join(out, 'model.json')}\nPictures: ${written.join(', ')}`);
    return;
  }
  // Either trainer's checkpoint, whatever --api says.
  const { network, state } = checkpointFormat(out) === LAYERS_FORMAT
    ? await loadLayersCheckpoint(out).then(({ model, state }) => ({ network: layersNetwork(model), state }))
    : (({ values, state }) => ({ network: StnModel.fromValues(values), state }))(loadCheckpoint(out));
  try {
    if (o.command === 'eval') {
      const e = await evaluate(network, data.test);
      if (o.json) {
        io.stdout.write(`${JSON.stringify({ epoch: state.epoch, testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total, backend: o.backend })}\n`);
      } else {
        log(`${formatEvaluation(e)}  [checkpoint after epoch ${state.epoch}, ${o.backend}]`);
      }
    } else {
      const written = await writePictures(network, data.test, state.history, pictures(out));
      log(`Pictures: ${written.join(', ')}`);
    }
  } finally {
    network.dispose();
  }
}

/** Where `train --model cnn|...` saves the trained model (PaperModel.toJson). */
export const PAPER_MODEL_FILE = 'paper-model.json';

/** `train --model cnn|st-cnn|fcn|st-fcn`: the STN paper's models; the trained model and the pictures (no resumable checkpoint). */
async function trainPaperModel(o: Options, io: CliIo, data: Mnist, log: (s: string) => void): Promise<void> {
  if (o.model === 'tutorial') throw new Error('trainPaperModel: not for the tutorial');
  const p = progress(o, io, data.train.count);
  let result;
  try {
    result = await trainPaper(data, {
      model: o.model, transform: o.transform, dataset: o.dataset, epochs: o.config.epochs, batchSize: o.config.batchSize,
      lr: o.config.lr, seed: o.config.seed, backend: o.backend,
    }, p);
  } finally {
    p.stop();
  }
  const { model, test, history } = result;
  try {
    const { figure, history: historyPath } = pictures(o.config.out);
    mkdirSync(o.config.out, { recursive: true });
    const { original, transformed, count } = await transformFirst(model, test);
    writeFileAtomically(figure, figurePng(original, transformed, count));
    writeFileAtomically(historyPath, historySvg(history));
    const saved = join(o.config.out, PAPER_MODEL_FILE);
    writeFileAtomically(saved, JSON.stringify(await model.toJson({ history })));
    log(`Model: ${saved}\nPictures: ${figure}, ${historyPath}`);
  } finally {
    model.dispose();
  }
}
