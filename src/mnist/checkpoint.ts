/**
 * Checkpoints in the tfjs weights-manifest format: `model.json` (a weightsManifest plus the
 * training state in userDefinedMetadata) and one weights file of float32 values. Each save writes a
 * new weights file under a name the current model.json does not use, then replaces model.json by
 * rename, then removes the old weights file: at every moment model.json names a complete weights
 * file that matches it.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type io, util } from '@tensorflow/tfjs-core';
import { PARAMETERS, type StnModel } from './model.js';

/** One finished epoch, as --json prints it. */
export interface EpochRecord {
  epoch: number;
  trainSeconds: number;
  testLoss: number;
  testAccuracy: number;
  correct: number;
  total: number;
  backend: string;
}

/** What --resume needs to continue as if never stopped. */
export interface TrainingState {
  /** Epochs finished. */
  epoch: number;
  history: EpochRecord[];
  /** The random generator's state after the last finished epoch. */
  rngState: number[];
  seed: number;
  lr: number;
  batchSize: number;
}

export interface Checkpoint {
  values: Map<string, Float32Array>;
  state: TrainingState;
}

const MODEL_JSON = 'model.json';
const FORMAT = 'stn-mnist';

interface CheckpointJson {
  format: string;
  generatedBy: string;
  weightsManifest: io.WeightsManifestConfig;
  userDefinedMetadata: { training: TrainingState };
}

/** Writes to a temporary name beside `path`, then renames: readers see the old file or the new one. */
export function writeFileAtomically(path: string, data: string | Uint8Array): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

/** Whether a process with this id is running (signal 0 tests without sending anything). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary files that saves killed mid-write left (their process is gone). */
export function removeStaleTemporaries(dir: string): void {
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const pid = /\.tmp-(\d+)$/.exec(f)?.[1];
    if (pid && Number(pid) !== process.pid && !isRunning(Number(pid))) rmSync(join(dir, f), { force: true });
  }
}

/** Saves the model's weights and the training state into `dir` (created if needed). */
export async function saveCheckpoint(dir: string, model: StnModel, state: TrainingState): Promise<void> {
  removeStaleTemporaries(dir);
  const weights: io.WeightsManifestEntry[] = [];
  const chunks: Float32Array[] = [];
  for (const spec of PARAMETERS) {
    const v = model.params.get(spec.name)!;
    chunks.push((await v.data()) as Float32Array);
    weights.push({ name: spec.name, shape: [...v.shape], dtype: 'float32' });
  }
  const bytes = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let offset = 0;
  for (const c of chunks) {
    bytes.set(new Uint8Array(c.buffer, c.byteOffset, c.byteLength), offset);
    offset += c.byteLength;
  }
  // Never overwrite the weights file the current model.json names (saving the same epoch again):
  // a kill between the two renames would pair the old state with the new weights.
  const plain = `weights-epoch${state.epoch}.bin`;
  const weightsFile = currentWeightsFile(dir) === plain ? `weights-epoch${state.epoch}-b.bin` : plain;
  writeFileAtomically(join(dir, weightsFile), bytes);
  const json: CheckpointJson = {
    format: FORMAT,
    generatedBy: 'stn-layer/mnist',
    weightsManifest: [{ paths: [weightsFile], weights }],
    userDefinedMetadata: { training: state },
  };
  writeFileAtomically(join(dir, MODEL_JSON), JSON.stringify(json));
  for (const f of readdirSync(dir)) {
    if (WEIGHTS_FILE.test(f) && f !== weightsFile) rmSync(join(dir, f), { force: true });
  }
}

const WEIGHTS_FILE = /^weights-epoch\d+(-b)?\.bin$/;

/** The weights file the checkpoint in `dir` names now, if it has a readable one. */
function currentWeightsFile(dir: string): string | undefined {
  try {
    const json = JSON.parse(readFileSync(join(dir, MODEL_JSON), 'utf8')) as Partial<CheckpointJson>;
    return json.weightsManifest?.[0]?.paths[0];
  } catch {
    return undefined;
  }
}

export function hasCheckpoint(dir: string): boolean {
  return existsSync(join(dir, MODEL_JSON));
}

/** Reads a checkpoint, checking that it holds every parameter of the network with its shape. */
export function loadCheckpoint(dir: string): Checkpoint {
  const jsonPath = join(dir, MODEL_JSON);
  if (!existsSync(jsonPath)) throw new Error(`no checkpoint in ${dir}: ${jsonPath} does not exist`);
  let json: CheckpointJson;
  try {
    json = JSON.parse(readFileSync(jsonPath, 'utf8')) as CheckpointJson;
  } catch (e) {
    throw new Error(`${jsonPath}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(json.weightsManifest)) throw new Error(`${jsonPath}: no weightsManifest`);
  const entries: { name: string; shape: number[]; values: Float32Array }[] = [];
  for (const group of json.weightsManifest) {
    const buffers = group.paths.map((p) => {
      const path = join(dir, p);
      if (!existsSync(path)) throw new Error(`${jsonPath} names weights file ${p}, which does not exist`);
      return readFileSync(path);
    });
    const data = Buffer.concat(buffers);
    let offset = 0;
    for (const w of group.weights) {
      if (w.dtype !== 'float32' || w.quantization) {
        throw new Error(`${jsonPath}: weight '${w.name}' is ${w.quantization ? 'quantized' : w.dtype}; expected unquantized float32`);
      }
      const bytes = util.sizeFromShape(w.shape) * 4;
      if (offset + bytes > data.length) {
        throw new Error(`${jsonPath}: weights file ${group.paths.join(', ')} is truncated: ${data.length} bytes, weight '${w.name}' needs up to ${offset + bytes}`);
      }
      const values = new Float32Array(bytes / 4);
      new Uint8Array(values.buffer).set(data.subarray(offset, offset + bytes));
      entries.push({ name: w.name, shape: w.shape, values });
      offset += bytes;
    }
  }
  const values = new Map<string, Float32Array>();
  for (const spec of PARAMETERS) {
    const e = entries.find((x) => x.name === spec.name);
    if (!e) throw new Error(`${jsonPath}: missing weight '${spec.name}'`);
    if (e.shape.join() !== spec.shape.join()) {
      throw new Error(`${jsonPath}: weight '${spec.name}' has shape [${e.shape}], expected [${spec.shape}]`);
    }
    values.set(spec.name, e.values);
  }
  const state = json.userDefinedMetadata?.training;
  if (!state || typeof state.epoch !== 'number' || !Array.isArray(state.rngState)) {
    throw new Error(`${jsonPath}: no training state (userDefinedMetadata.training)`);
  }
  return { values, state };
}
