/**
 * The paper models' checkpoint in --out: `paper-model.json` (PaperModel.toJson, with the epochs'
 * records as metadata.history and the rest of the training state as metadata.training) and Adam's
 * state in an `adam-epoch<N>.json` that metadata.training names. As checkpoint.ts does for the
 * tutorial: each save writes Adam's file under a name the current paper-model.json does not use,
 * then replaces paper-model.json by rename, then removes the old Adam file, so at every moment
 * paper-model.json names a complete Adam file from its own epoch.
 */
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { removeStaleTemporaries, writeFileAtomically } from './checkpoint.js';
import { PaperModel, type PaperModelJson } from './paper_models.js';
import type { AdamState, PaperResume, PaperTrainingState } from './paper_train.js';

/** Where `train --model cnn|st-cnn|fcn|st-fcn` saves the model (PaperModel.toJson) after each epoch. */
export const PAPER_MODEL_FILE = 'paper-model.json';

const ADAM_FILE = /^adam-epoch\d+(-b)?\.json$/;

/** paper-model.json's metadata: the records (the demo reads them) and the rest of the training state. */
interface PaperMetadata {
  history: PaperTrainingState['history'];
  training: Omit<PaperTrainingState, 'history'> & { adamFile: string };
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

export function hasPaperCheckpoint(dir: string): boolean {
  return existsSync(join(dir, PAPER_MODEL_FILE));
}

/** Saves a run after an epoch into `dir` (created if needed). */
export async function savePaperCheckpoint(dir: string, { model, state, adam }: PaperResume): Promise<void> {
  removeStaleTemporaries(dir);
  const { history, ...training } = state;
  // Never overwrite the Adam file the current paper-model.json names (saving the same epoch again).
  const plain = `adam-epoch${state.epoch}.json`;
  const current = hasPaperCheckpoint(dir) ? (readJson<PaperModelJson>(join(dir, PAPER_MODEL_FILE)).metadata as PaperMetadata | undefined)?.training?.adamFile : undefined;
  const adamFile = current === plain ? `adam-epoch${state.epoch}-b.json` : plain;
  writeFileAtomically(join(dir, adamFile), JSON.stringify(adam));
  const metadata: PaperMetadata = { history, training: { ...training, adamFile } };
  writeFileAtomically(join(dir, PAPER_MODEL_FILE), JSON.stringify(await model.toJson(metadata)));
  for (const f of readdirSync(dir)) if (ADAM_FILE.test(f) && f !== adamFile) rmSync(join(dir, f), { force: true });
}

/** The model and its records in `dir` (for eval and visualize). */
export function loadPaperModel(dir: string): { model: PaperModel; history: PaperTrainingState['history']; json: PaperModelJson } {
  const path = join(dir, PAPER_MODEL_FILE);
  if (!existsSync(path)) throw new Error(`no paper model in ${dir}: ${path} does not exist`);
  const json = readJson<PaperModelJson>(path);
  const model = PaperModel.fromJson(json);
  return { model, history: (json.metadata as Partial<PaperMetadata> | undefined)?.history ?? [], json };
}

/** Everything --resume needs from `dir`. */
export function loadPaperCheckpoint(dir: string): PaperResume {
  const { model, history, json } = loadPaperModel(dir);
  try {
    const training = (json.metadata as Partial<PaperMetadata> | undefined)?.training;
    const path = join(dir, PAPER_MODEL_FILE);
    if (!training || typeof training.epoch !== 'number' || !Array.isArray(training.rngState) || typeof training.adamFile !== 'string') {
      throw new Error(`${path}: no training state (metadata.training); was it written by stn-mnist train --model?`);
    }
    const adamPath = join(dir, training.adamFile);
    if (!existsSync(adamPath)) throw new Error(`${path} names Adam's state ${training.adamFile}, which does not exist`);
    const { adamFile: _, ...rest } = training;
    return { model, state: { ...rest, history }, adam: readJson<AdamState>(adamPath) };
  } catch (e) {
    model.dispose();
    throw e;
  }
}
