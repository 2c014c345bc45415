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
  type Batch, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, type Mnist, type MnistSplit, NUM_CLASSES,
  batchCount, batches, bundledMnistDir, decodeIdx, encodeIdx, loadMnist, makeBatch, readSplit,
} from './data.js';
export {
  type Classifier, type ForwardOptions, PARAMETERS, PARAMETER_COUNT, StnModel, type Transformer, initialParameters, nllLoss,
} from './model.js';
export {
  TRANSFORMER_LAYER, getParameters, layersNetwork, layersWeightName, nllLayersLoss, setParameters, stnLayersModel,
} from './layers_model.js';
export { Rng } from './random.js';
export {
  DEFAULTS, type Evaluation, type TrainCallbacks, type TrainConfig, evaluate, formatEvaluation, train, trainEpoch, trainStep,
} from './train.js';
export { fileIO } from './file_io.js';
export { figurePng, figureSize, historySvg, transformFirst, writePictures } from './visualize.js';
export { HELP, runCli } from './cli.js';
