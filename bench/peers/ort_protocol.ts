/**
 * What bench/peers/ort.ts and the onnxruntime-web worker share: session options and the messages
 * between them. Kept apart so the worker does not load onnxruntime-node.
 */

export type OrtWebRequest =
  | { type: 'create'; id: number; model: Uint8Array; x: Float32Array; xDims: number[]; grid: Float32Array; gridDims: number[] }
  | { type: 'time'; id: number; calls: number }
  | { type: 'release'; id: number };

export interface OrtWebResponse {
  id: number;
  output?: Float32Array;
  ms?: number[];
  error?: string;
}

/**
 * Session options for both runtimes. The thread pool's spinning is off: idle ORT threads would
 * otherwise keep spinning after a call returns and take CPU from the contender timed next.
 */
export const ORT_SESSION_OPTIONS = {
  executionMode: 'sequential', graphOptimizationLevel: 'all', extra: { session: { intra_op: { allow_spinning: '0' } } },
} as const;
