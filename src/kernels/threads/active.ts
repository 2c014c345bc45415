/**
 * The worker pool the kernels split calls over, when useThreads() has started one. This module
 * imports nothing from Node, so a backend can ask for the pool synchronously in any environment;
 * the pool itself (pool.ts) is loaded by useThreads() alone.
 */
import type { SplitExport } from '../shared/heap.js';
import type { StnExports } from '../shared/stn_module.js';

/** Called around each task of ThreadPool.run, on the calling thread: before it is ready, after it is done (not once a task has failed). */
export interface TaskHooks {
  before(task: number): void;
  after(task: number): void;
}

export interface ThreadPool {
  /** The calling thread and the workers. */
  readonly threads: number;
  /** The shared memory every thread's instance of the module runs on. */
  readonly memory: WebAssembly.Memory;
  /** The calling thread's instance on that memory. */
  readonly stn: StnExports;
  /** Tasks the workers have run so far: tests check which calls were split. */
  readonly workerTasks: number;
  /** Whether the threads run the module on `memory` (the pool's own, or one it was started with). */
  serves(memory: WebAssembly.Memory): boolean;
  /**
   * KernelHeap.run on `memory` (the pool's own by default): the tasks spread over the threads, the
   * calling thread working too. hooks.before(i) runs for every task in order before the caller
   * takes any; a task is ready once its before() returns, and goes to the first thread free (tasks
   * 0 .. threads - 2 to the workers, one each); hooks.after(i) runs once it is done. At most
   * `threads` threads take part (the calling thread and the first workers): all by default.
   */
  run(name: SplitExport, tasks: readonly number[][], memory?: WebAssembly.Memory, hooks?: TaskHooks, threads?: number): void;
}

export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

let active: ThreadPool | undefined;

export function activePool(): ThreadPool | undefined {
  return active;
}

export function setActivePool(pool: ThreadPool | undefined): void {
  active = pool;
}
