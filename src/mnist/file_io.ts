/**
 * A tfjs IOHandler for a directory in Node: `model.save(fileIO(dir))` writes a standard LayersModel
 * directory (model.json and one weights file) and `tf.loadLayersModel(fileIO(dir))` reads one back.
 * tfjs has this only in tfjs-node (file://); this one needs nothing native. A save writes the
 * weights under a name the current model.json does not use, then replaces model.json by rename,
 * then removes the old weights: at every moment model.json names a complete weights file of its own.
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { io } from '@tensorflow/tfjs-core';
import { writeFileAtomically } from './checkpoint.js';

const MODEL_JSON = 'model.json';
const WEIGHTS = ['weights.bin', 'weights-b.bin'];

function readModelJson(dir: string): io.ModelJSON {
  const path = join(dir, MODEL_JSON);
  if (!existsSync(path)) throw new Error(`fileIO: no model in ${dir}: ${path} does not exist`);
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as io.ModelJSON;
  } catch (e) {
    throw new Error(`fileIO: ${path} is not valid JSON (${(e as Error).message})`);
  }
}

/** The weights file the model.json in `dir` names now, if it has a readable one. */
function currentWeightsFile(dir: string): string | undefined {
  try {
    return readModelJson(dir).weightsManifest?.[0]?.paths[0];
  } catch {
    return undefined;
  }
}

export function fileIO(dir: string): io.IOHandler {
  return {
    async save(artifacts: io.ModelArtifacts): Promise<io.SaveResult> {
      if (artifacts.modelTopology instanceof ArrayBuffer) throw new Error('fileIO: saves JSON model topologies only (tf.LayersModel)');
      const weightsFile = currentWeightsFile(dir) === WEIGHTS[0] ? WEIGHTS[1]! : WEIGHTS[0]!;
      const weights = artifacts.weightData === undefined ? new ArrayBuffer(0) : io.CompositeArrayBuffer.join(artifacts.weightData);
      writeFileAtomically(join(dir, weightsFile), new Uint8Array(weights));
      const { modelTopology, format, generatedBy, convertedBy, trainingConfig, signature, userDefinedMetadata, modelInitializer } = artifacts;
      const json: io.ModelJSON = {
        modelTopology: modelTopology!, format, generatedBy, convertedBy, trainingConfig, signature, userDefinedMetadata, modelInitializer,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileAtomically(join(dir, MODEL_JSON), JSON.stringify(json));
      for (const f of WEIGHTS) if (f !== weightsFile) rmSync(join(dir, f), { force: true });
      return { modelArtifactsInfo: io.getModelArtifactsInfoForJSON({ ...artifacts, weightData: weights }) };
    },
    async load(): Promise<io.ModelArtifacts> {
      const json = readModelJson(dir);
      return io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs = io.getWeightSpecs(manifest);
        const buffers = manifest.flatMap((group) => group.paths.map((p) => {
          const path = join(dir, p);
          if (!existsSync(path)) throw new Error(`fileIO: ${join(dir, MODEL_JSON)} names weights file ${p}, which does not exist`);
          const b = readFileSync(path);
          return b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer;
        }));
        return [specs, io.CompositeArrayBuffer.join(buffers)];
      });
    },
  };
}
