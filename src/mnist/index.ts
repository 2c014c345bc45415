/**
 * stn-layer/mnist: the PyTorch spatial transformer tutorial in TypeScript. The network, its data,
 * training loop, checkpoints and pictures; the `stn-mnist` command is built on these. Node only
 * (it reads files); needs @tensorflow/tfjs (for the gradients of tfjs's own ops) and a backend.
 */
export { BACKENDS, type BackendName, setUpBackend } from './backend.js';
export {
  type Checkpoint, type EpochRecord, type TrainingState, hasCheckpoint, loadCheckpoint, saveCheckpoint,
} from './checkpoint.js';
export {
  type Batch, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, type MnistSplit, NUM_CLASSES, batchCount, batches, makeBatch,
} from './batch.js';
export { type Mnist, bundledMnistDir, decodeIdx, encodeIdx, loadMnist, readSplit } from './data.js';
export { type ForwardOptions, PARAMETERS, PARAMETER_COUNT, StnModel, nllLoss } from './model.js';
export { Rng } from './random.js';
export { DEFAULTS, type Evaluation, evaluate, formatEvaluation, trainEpoch, trainStep, transformFirst } from './steps.js';
export { type TrainCallbacks, type TrainConfig, train } from './train.js';
export { figurePng, figureSize, historySvg, writePictures } from './visualize.js';
export { HELP, runCli } from './cli.js';
