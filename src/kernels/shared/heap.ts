import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { StnExports } from './stn_module.js';

/** The module's exports a kernel may split over threads: each call of a task list is independent. */
export type SplitExport = 'gridSample' | 'gridSample3d' | 'addStripe';

/**
 * What a kernel needs from a backend to run the AssemblyScript module: the byte offsets of its
 * inputs, outputs to write, and the module on the memory they are in. tfjs-wasm gives its heap
 * directly (zero copy); the cpu backend copies into and out of the module's own memory.
 *
 * The one rule of order: place() comes after the input(), output() and scratch() calls whose
 * operands the module will use (it is where the cpu backend grows its memory, once for the whole
 * call, and copies the inputs in; a call too large is refused there, before anything grows or is
 * copied).
 */
export interface KernelHeap {
  /** Byte offset of a float32 input's data. */
  input(t: TensorInfo): number;
  /** Allocates a float32 output of `shape`; returns its byte offset. */
  output(shape: number[]): number;
  /** A float32 buffer of `length` for this call only (not an output); returns its byte offset. */
  scratch(length: number): number;
  /** Puts every operand so far in place and returns the module running on their memory. */
  place(): StnExports;
  /** How many threads run() splits over (1 but on the cpu backend with useThreads()). */
  readonly threads: number;
  /**
   * After place(): calls `name` once per task (its arguments), the tasks spread over the threads;
   * returns when all are done. The tasks must not write the same bytes.
   */
  run(name: SplitExport, tasks: readonly number[][]): void;
  /** The outputs, in the order they were allocated (zeros where the module never ran). */
  finish(): TensorInfo[];
}

/** run() on one thread, the tasks in order. */
export function runSerially(stn: StnExports, name: SplitExport, tasks: readonly number[][]): void {
  const f = stn[name] as (...args: number[]) => void;
  for (const task of tasks) f(...task);
}
