import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { StnExports } from './stn_module.js';

/**
 * What a kernel needs from a backend to run the AssemblyScript module: the module on some memory,
 * the byte offsets of its inputs there, and outputs to write. tfjs-wasm gives its heap directly
 * (zero copy); the cpu backend copies into and out of the module's own memory. The calls have no
 * hidden order: input() and output() may come in any order, before or after reading `stn`. An
 * output's contents are undefined until the module writes it (the module writes every element of
 * its outputs; a kernel skips the module only when all its outputs are empty).
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
