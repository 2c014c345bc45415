/**
 * Reads a checkpoint that `stn-mnist` wrote (tfjs's weights-manifest format: model.json naming
 * .bin weights files) from files the person picked or from a URL, through tfjs's own io, and
 * checks it holds every parameter of the network with its shape. Both kinds: the ops trainer's
 * (weights under PyTorch's names) and `--api layers`'s LayersModel directory (conv1/kernel, ...).
 */
import * as tf from '@tensorflow/tfjs-core';
import { PARAMETERS, layersWeightName } from 'stn-layer/mnist';

export interface LoadedCheckpoint {
  values: Map<string, Float32Array>;
  /** What the file says about its training (stn-mnist's userDefinedMetadata.training). */
  epoch: number | undefined;
  testAccuracy: number | undefined;
}

/** From picked files: one .json (the manifest) and the .bin files it names. */
export async function checkpointFromFiles(files: readonly File[]): Promise<LoadedCheckpoint> {
  const json = files.find((f) => f.name.endsWith('.json'));
  if (!json) throw new Error(`choose the checkpoint's model.json together with its .bin weights file; got ${files.map((f) => f.name).join(', ') || 'no file'}`);
  let modelJson: tf.io.ModelJSON;
  try {
    modelJson = JSON.parse(await json.text()) as tf.io.ModelJSON;
  } catch (e) {
    throw new Error(`${json.name}: not valid JSON (${(e as Error).message})`);
  }
  if (!Array.isArray(modelJson.weightsManifest)) throw new Error(`${json.name}: no weightsManifest; is it a checkpoint from stn-mnist?`);
  const artifacts = await tf.io.getModelArtifactsForJSON(modelJson, async (manifest) => {
    const buffers = await Promise.all(manifest.flatMap((group) => group.paths).map((path) => {
      const name = path.split('/').pop()!;
      const file = files.find((f) => f.name === name);
      if (!file) throw new Error(`${json.name} names the weights file ${name}: choose it together with ${json.name}`);
      return file.arrayBuffer();
    }));
    return [manifest.flatMap((group) => group.weights), tf.io.concatenateArrayBuffers(buffers)];
  });
  return fromArtifacts(artifacts, json.name);
}

/** From the URL of a model.json (its weights files are fetched relative to it). */
export async function checkpointFromUrl(url: string): Promise<LoadedCheckpoint> {
  const handler = tf.io.http(url);
  return fromArtifacts(await handler.load!(), url);
}

async function fromArtifacts(artifacts: tf.io.ModelArtifacts, source: string): Promise<LoadedCheckpoint> {
  if (!artifacts.weightSpecs || !artifacts.weightData) throw new Error(`${source}: no weights; is it a checkpoint from stn-mnist?`);
  const tensors = tf.io.decodeWeights(artifacts.weightData, artifacts.weightSpecs);
  try {
    const values = new Map<string, Float32Array>();
    for (const spec of PARAMETERS) {
      const t = tensors[spec.name] ?? tensors[layersWeightName(spec.name)];
      if (!t) throw new Error(`${source}: missing weight '${spec.name}'`);
      if (t.shape.join() !== spec.shape.join()) throw new Error(`${source}: weight '${spec.name}' has shape [${t.shape}], expected [${spec.shape}]`);
      if (t.dtype !== 'float32') throw new Error(`${source}: weight '${spec.name}' is ${t.dtype}, expected float32`);
      values.set(spec.name, (await t.data()) as Float32Array);
    }
    const training = (artifacts.userDefinedMetadata as { training?: { epoch?: number; history?: { testAccuracy?: number }[] } } | undefined)?.training;
    return { values, epoch: training?.epoch, testAccuracy: training?.history?.at(-1)?.testAccuracy };
  } finally {
    tf.dispose(Object.values(tensors));
  }
}
