/**
 * The trainer's defaults and backend choices. Free of tfjs imports so that the command line can
 * parse its arguments and print its help before (and without) any tfjs package being installed.
 */
export const DEFAULTS = { epochs: 20, batchSize: 64, lr: 0.01, seed: 1, testBatchSize: 1000 } as const;

export const BACKENDS = ['cpu', 'wasm', 'webgpu'] as const;
export type BackendName = (typeof BACKENDS)[number];
