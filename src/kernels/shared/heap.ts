import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { StnExports } from './stn_module.js';

/**
 * What a kernel needs from a backend to run the AssemblyScript module: the module on some memory,
 * the byte offsets of its inputs there, and outputs to write. tfjs-wasm gives its heap directly
 * (zero copy); the cpu backend copies into and out of the module's own memory.
 */
export interface KernelHeap {
  readonly stn: StnExports;
  /** Byte offset of a float32 input's data. */
  input(t: TensorInfo): number;
  /** Allocates a float32 output of `shape`; returns its byte offset. */
  output(shape: number[]): number;
  /** The outputs, in the order they were allocated. */
  finish(): TensorInfo[];
}
