/**
 * stn-layer/mnist in a browser (the "browser" condition of the package's exports): the network,
 * the in-memory data, the training step and evaluation, without the parts that read and write
 * files (IDX loading, checkpoints on disk, PNG pictures, the command line). Needs
 * @tensorflow/tfjs (for the gradients of tfjs's own ops) and a backend, as the Node entry does.
 */
export {
  type Batch, IMAGE_SIZE, MNIST_MEAN, MNIST_STD, type MnistSplit, NUM_CLASSES, batchCount, batches, makeBatch,
} from './batch.js';
export {
  type Classifier, type ForwardOptions, PARAMETERS, PARAMETER_COUNT, StnModel, type Transformer, initialParameters, nllLoss,
} from './model.js';
export {
  TRANSFORMER_LAYER, getParameters, layersNetwork, layersWeightName, nllLayersLoss, setParameters, stnLayersModel,
} from './layers_model.js';
export { Rng } from './random.js';
export { DEFAULTS, type Evaluation, evaluate, formatEvaluation, trainEpoch, trainStep, transformFirst } from './steps.js';
export {
  CANVAS, DATASETS, DISTORTION, type DatasetName, type DistortedSplit, type Placement, TEST_SEED, distort, homography,
  similarityTheta, trainingSeed,
} from './distort.js';
export {
  DOWNSAMPLES, type Downsample, MODELS, type ModelName, PAPER_MODEL_FORMAT, PaperModel, type PaperModelConfig, type PaperModelJson, type PaperModelName, type PaperTransform, TRANSFORMS, parameterCount,
} from './paper_models.js';
export { type PaperCallbacks, type PaperEpochRecord, type PaperTrainConfig, learningRate, paperTrainStep, trainPaper } from './paper_train.js';
export { PAPER_LR } from './defaults.js';
