/**
 * stn-layer/mnist: the PyTorch spatial transformer tutorial in TypeScript. The network, its data,
 * training loop, checkpoints and pictures; the `stn-mnist` command is built on these. Node only
 * (it reads files); needs @tensorflow/tfjs (for the gradients of tfjs's own ops) and a backend.
 * Everything of the browser entry, plus what reads and writes files.
 */
export * from './browser.js';
export { BACKENDS, type BackendName, setUpBackend } from './backend.js';
export {
  type Checkpoint, type EpochRecord, type TrainingState, hasCheckpoint, loadCheckpoint, saveCheckpoint,
} from './checkpoint.js';
export { type Mnist, bundledMnistDir, decodeIdx, encodeIdx, loadMnist, readSplit } from './data.js';
export { type TrainCallbacks, type TrainConfig, train } from './train.js';
export { checkpointFormat, compileForTraining, fitEpoch, loadLayersCheckpoint, trainLayers } from './train_layers.js';
export { fileIO } from './file_io.js';
export { figurePng, figureSize, historySvg, writePictures } from './visualize.js';
export { HELP, runCli } from './cli.js';
