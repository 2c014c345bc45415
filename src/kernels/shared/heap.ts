import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { StnExports } from './stn_module.js';

/**
 * What a kernel needs from a backend to run the AssemblyScript module: the byte offsets of its
 * inputs, outputs to write, and the module on the memory they are in. tfjs-wasm gives its heap
 * directly (zero copy); the cpu backend copies into and out of the module's own memory.
 *
 * The one rule of order: place() comes after the input() and output() calls whose operands the
 * module will use (it is where the cpu backend grows its memory, once for the whole call, and
 * copies the inputs in; a call too large is refused there, before anything grows or is copied).
 */
export interface KernelHeap {
  /** Byte offset of a float32 input's data. */
  input(t: TensorInfo): number;
  /** Allocates a float32 output of `shape`; returns its byte offset. */
  output(shape: number[]): number;
  /** Puts every operand so far in place and returns the module running on their memory. */
  place(): StnExports;
  /** The outputs, in the order they were allocated (zeros where the module never ran). */
  finish(): TensorInfo[];
}
