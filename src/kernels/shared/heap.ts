import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { StnExports } from './stn_module.js';

/** The module's exports a kernel may split over threads: each call of a task list is independent. */
export type SplitExport = 'gridSample' | 'gridSample3d' | 'addStripe';

/** Part of an operand: its byte offset (as input() or output() returned it), then floats [start, end). */
export type Span = readonly [operand: number, start: number, end: number];

/**
 * What one task of run() reads of the inputs and leaves final of the outputs. For each input a
 * task list names, the tasks' reads are disjoint and cover all of it; an input named by none is
 * read whole by any task. Likewise for the outputs the run finishes (no later run writes them).
 */
export interface TaskSpans {
  readonly reads: readonly Span[];
  readonly writes: readonly Span[];
}

/**
 * What a kernel needs from a backend to run the AssemblyScript module: the byte offsets of its
 * inputs, outputs to write, and the module on the memory they are in. tfjs-wasm gives its heap
 * directly (zero copy); the cpu backend copies into and out of the module's own memory.
 *
 * The one rule of order: place(), or the first run(), comes after the input(), output() and
 * scratch() calls whose operands the module will use (it is where the cpu backend grows its
 * memory, once for the whole call, and copies the inputs in; a call too large is refused there,
 * before anything grows or is copied).
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
  /** Whether the calling thread copies the operands in and out (the cpu backend), which a split does not share. */
  readonly copies: boolean;
  /**
   * Calls `name` once per task (its arguments), the tasks spread over the threads; returns when
   * all are done. The tasks must not write the same bytes. Places the operands if place() has not.
   * With `spans` (one per task), a heap that copies may copy in only what a task reads before it
   * starts and copy out what it finished as soon as it ends: the cpu backend with threads so
   * overlaps its copies, made by the calling thread, with the workers' tasks. At most `threads`
   * threads (the calling thread included) take the tasks: all of the heap's by default.
   */
  run(name: SplitExport, tasks: readonly number[][], spans?: readonly TaskSpans[], threads?: number): void;
  /** The outputs, in the order they were allocated (zeros where the module never ran). */
  finish(): TensorInfo[];
}

/** run() on one thread, the tasks in order. */
export function runSerially(stn: StnExports, name: SplitExport, tasks: readonly number[][]): void {
  const f = stn[name] as (...args: number[]) => void;
  for (const task of tasks) f(...task);
}
