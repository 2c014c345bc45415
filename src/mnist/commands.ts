/**
 * The work of the `stn-mnist` commands: load the data, start the backend, train, evaluate or draw.
 * cli.ts imports this module only once the arguments are parsed and the packages it needs are
 * known to be installed (it imports tfjs, the backend and the data).
 */
import { join } from 'node:path';
import cliProgress from 'cli-progress';
import { setUpBackend } from './backend.js';
import type { MnistSplit } from './batch.js';
import { type EpochRecord, hasCheckpoint, loadCheckpoint } from './checkpoint.js';
import type { CliIo, Options } from './cli.js';
import { type Mnist, loadMnist } from './data.js';
import { layersNetwork } from './layers_model.js';
import { type Classifier, StnModel, type Transformer } from './model.js';
import { evaluate, formatEvaluation } from './steps.js';
import { train } from './train.js';
import { LAYERS_FORMAT, checkpointFormat, loadLayersCheckpoint, trainLayers } from './train_layers.js';
import { writePictures } from './visualize.js';
import { TEST_SEED, distort } from './distort.js';
import { PAPER_MODEL_FILE, hasPaperCheckpoint, loadPaperCheckpoint, loadPaperModel, savePaperCheckpoint } from './paper_checkpoint.js';
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
  if (o.command === 'train') {
    if (o.config.resume && !(o.model === 'tutorial' ? hasCheckpoint(out) : hasPaperCheckpoint(out))) log(`No checkpoint in ${out} to resume: training from scratch`);
    const onResume = (s: { epoch: number }) => log(`Resuming from ${out} after epoch ${s.epoch}${s.epoch >= o.config.epochs ? ` (nothing left to do for --epochs ${o.config.epochs})` : ''}`);
    const p = progress(o, io, data.train.count);
    let result: { network: Transformer & Classifier; test: MnistSplit; history: readonly EpochRecord[]; dispose(): void };
    try {
      if (o.model === 'tutorial') {
        const trainer = o.api === 'layers' ? trainLayers : train;
        const r = await trainer(data, { ...o.config, backend: o.backend }, { ...p, onResume });
        const network = r.model instanceof StnModel ? r.model : layersNetwork(r.model);
        result = { network, test: data.test, history: r.state.history, dispose: () => r.model.dispose() };
      } else {
        const resume = o.config.resume && hasPaperCheckpoint(out) ? loadPaperCheckpoint(out) : undefined;
        if (resume) onResume(resume.state);
        const r = await trainPaper(data, {
          model: o.model, transform: o.transform, dataset: o.dataset, epochs: o.config.epochs, batchSize: o.config.batchSize,
          lr: o.config.lr, seed: o.config.seed, backend: o.backend,
        }, { ...p, save: (c) => savePaperCheckpoint(out, c) }, resume);
        result = { network: r.model, test: r.test, history: r.history, dispose: () => r.model.dispose() };
      }
    } finally {
      p.stop();
    }
    try {
      const written = await writePictures(result.network, result.test, result.history, pictures(out));
      log(`Checkpoint: ${join(out, o.model === 'tutorial' ? 'model.json' : PAPER_MODEL_FILE)}\nPictures: ${written.join(', ')}`);
    } finally {
      result.dispose();
    }
    return;
  }
  const { network, test, history } = await (o.model === 'tutorial' ? loadTutorial(out, data) : loadPaper(o, data));
  const epoch = history.at(-1)?.epoch ?? 0;
  try {
    if (o.command === 'eval') {
      const e = await evaluate(network, test);
      if (o.json) {
        io.stdout.write(`${JSON.stringify({ epoch, testLoss: e.loss, testAccuracy: e.correct / e.total, correct: e.correct, total: e.total, backend: o.backend })}\n`);
      } else {
        log(`${formatEvaluation(e)}  [checkpoint after epoch ${epoch}, ${o.backend}]`);
      }
    } else {
      const written = await writePictures(network, test, history, pictures(out));
      log(`Pictures: ${written.join(', ')}`);
    }
  } finally {
    network.dispose();
  }
}

interface Loaded {
  network: Transformer & Classifier & { dispose(): void };
  /** The test set the network was trained for. */
  test: MnistSplit;
  history: readonly EpochRecord[];
}

/** The tutorial's checkpoint in `out`: either trainer's, whatever --api says. */
async function loadTutorial(out: string, data: Mnist): Promise<Loaded> {
  if (!hasCheckpoint(out) && hasPaperCheckpoint(out)) {
    const { model } = loadPaperModel(out);
    const { config } = model;
    model.dispose();
    throw new Error(`${out} holds a paper model (${PAPER_MODEL_FILE}, ${config.model} on ${config.dataset}), not the tutorial's: add --model ${config.model}`);
  }
  const { network, state } = checkpointFormat(out) === LAYERS_FORMAT
    ? await loadLayersCheckpoint(out).then(({ model, state }) => ({ network: layersNetwork(model), state }))
    : (({ values, state }) => ({ network: StnModel.fromValues(values), state }))(loadCheckpoint(out));
  return { network, test: data.test, history: state.history };
}

/**
 * The paper model in `out` and its distorted test set. It must be the --model asked for; its dataset
 * and transform are the checkpoint's (--dataset and --transform, when given, must agree).
 */
async function loadPaper(o: Options, data: Mnist): Promise<Loaded> {
  const { model, history } = loadPaperModel(o.config.out);
  try {
    const saved = model.config;
    const mismatch = saved.model !== o.model ? `model '${saved.model}' (asked for --model ${o.model})`
      : o.given.dataset && saved.dataset !== o.dataset ? `dataset '${saved.dataset}' (asked for --dataset ${o.dataset})`
        : o.given.transform && model.hasTransformer && saved.transform !== o.transform ? `transform '${saved.transform}' (asked for --transform ${o.transform})` : undefined;
    if (mismatch) throw new Error(`the checkpoint in ${o.config.out} holds ${mismatch}`);
    return { network: model, test: await distort(data.test, saved.dataset, TEST_SEED), history };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
