/**
 * The trainer's defaults and backend choices. Free of tfjs imports so that the command line can
 * parse its arguments and print its help before (and without) any tfjs package being installed.
 */
export const DEFAULTS = { epochs: 20, batchSize: 64, lr: 0.01, seed: 1, testBatchSize: 1000 } as const;

/** The paper models' learning rate (Adam's). */
export const PAPER_LR = 0.001;
/** The paper models' batch size: at the budgets trained here, 32 learns more from the same images than 64 (bench/PAPER.md). */
export const PAPER_BATCH_SIZE = 32;

export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

/** The STN paper's distorted MNIST variants (distort.ts makes them), 'mnist' the plain set. */
export const DATASETS = ['mnist', 'r', 'rts', 'p', 'e', 'tc'] as const;
export type DatasetName = (typeof DATASETS)[number];

/** The trainer's models: the tutorial's network, and the STN paper's (paper_models.ts). */
export const MODELS = ['tutorial', 'cnn', 'st-cnn', 'fcn', 'st-fcn'] as const;
export type ModelName = (typeof MODELS)[number];
export type PaperModelName = Exclude<ModelName, 'tutorial'>;

/** The paper models' spatial transforms. */
export const TRANSFORMS = ['affine', 'projective', 'tps'] as const;
export type PaperTransform = (typeof TRANSFORMS)[number];
