/**
 * The worker pool for the WebAssembly kernels: threads - 1 workers (worker_threads in Node, Web
 * Workers in a cross-origin-isolated page), each running the shared-memory build of the module
 * (scripts/build-wasm.mjs) on the pool's own shared WebAssembly.Memory (the cpu backend's) and on
 * any other shared memory it was started with (tfjs-wasm's heap in its threaded build), the
 * calling thread working too. A call is synchronous, as a tfjs kernel is: the caller writes the
 * tasks into a control block (a SharedArrayBuffer), wakes the workers (Atomics.notify), makes the
 * tasks ready one by one (the cpu heap copies each one's inputs in first), then takes tasks itself;
 * each thread takes the next ready task when it is free (the first few are the workers' own, one
 * each, so that a split call is split), and the caller hands each finished one to the heap (to
 * copy it out) between its own, then waits for the last (Atomics.wait; a browser's main thread
 * may not block, so it spins there). Node's workers are unref()ed: they never keep the process
 * alive. Loaded only by useThreads() (a chunk of its own).
 */
import type * as NodeOs from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import type { SplitExport } from '../shared/heap.js';
import { MAX_TASKS } from '../shared/split.js';
import { type StnExports, compileSharedStnModule, stnExportsFor } from '../shared/stn_module.js';
import { type TaskHooks, type ThreadPool, isNode } from './active.js';
import {
  ARGS_AT, BROWSER_WORKER_SOURCE, FAILED_BY_AT, GENERATION_MASK, HEADER, MAX_ARGS, MESSAGE_BYTES, MESSAGE_LENGTHS_AT,
  NODE_WORKER_SOURCE, STATE, STATES_AT, STOP, type WorkerInit, controlLength,
} from './worker_source.js';

/**
 * A Node module, by a specifier that bundlers leave alone: a browser bundle of stn-layer carries
 * this chunk (useThreads imports it lazily) but never a node: import.
 */
function nodeModule<T>(name: string): Promise<T> {
  return import(/* @vite-ignore */ name) as Promise<T>;
}

const EXPORTS: readonly SplitExport[] = ['gridSample', 'gridSample3d', 'addStripe'];
/** 4 GiB, as the shared build declares: a shared memory cannot grow past its maximum. */
const MAXIMUM_PAGES = 65536;

/** A started worker, as either platform's: it ends with terminate(). */
interface Spawned { terminate(): unknown }
type Spawn = (init: WorkerInit) => Promise<Spawned>;

interface PoolWorker { spawned: Spawned; message: Uint8Array }

/** Node: a worker_threads Worker on NODE_WORKER_SOURCE, ready at its first message. */
async function nodeSpawn(): Promise<Spawn> {
  const { Worker } = await nodeModule<typeof WorkerThreads>('node:worker_threads');
  return (init) => new Promise((resolve, reject) => {
    // Plain JavaScript: none of the parent's flags (a TypeScript loader, --input-type) apply.
    const worker = new Worker(NODE_WORKER_SOURCE, { eval: true, execArgv: [], workerData: init });
    worker.unref();
    worker.once('message', () => {
      worker.removeAllListeners();
      resolve(worker);
    });
    worker.once('error', (e) => {
      void worker.terminate();
      reject(e);
    });
    worker.once('exit', (code) => reject(new Error(`stn-layer: a kernel worker exited (code ${code}) before it was ready`)));
  });
}

/** A browser: a Web Worker on BROWSER_WORKER_SOURCE (a Blob URL), sent its WorkerInit, ready at its first message. */
function browserSpawn(): Spawn {
  return (init) => new Promise((resolve, reject) => {
    const url = URL.createObjectURL(new Blob([BROWSER_WORKER_SOURCE], { type: 'text/javascript' }));
    const worker = new Worker(url);
    // Both listeners go at the first event, and the URL (not at once: some browsers' fetch of it would lose to that).
    const settle = () => {
      URL.revokeObjectURL(url);
      worker.removeEventListener('message', ready);
      worker.removeEventListener('error', failed);
    };
    const ready = () => {
      settle();
      resolve(worker);
    };
    const failed = (e: ErrorEvent) => {
      settle();
      worker.terminate();
      reject(new Error(`stn-layer: a kernel worker failed to start: ${e.message || 'no message (a Content-Security-Policy without worker-src blob:?)'}`));
    };
    worker.addEventListener('message', ready);
    worker.addEventListener('error', failed);
    worker.postMessage(init);
  });
}

/** Whether this thread may block in Atomics.wait (not a browser's main thread). */
function callerCanBlock(): boolean {
  try {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

export class WorkerPool implements ThreadPool {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  readonly stn: StnExports;
  workerTasks = 0;
  /** The pool's own memory, then the others it was started with; HEADER.MEMORY indexes them. */
  private readonly memories: readonly WebAssembly.Memory[];
  private readonly workers: PoolWorker[];
  private readonly canBlock = callerCanBlock();
  private readonly control: Int32Array;
  private readonly states: Int32Array;
  private generation = 0;

  private constructor(memories: readonly WebAssembly.Memory[], workers: PoolWorker[], control: Int32Array) {
    this.control = control;
    this.states = control.subarray(STATES_AT, STATES_AT + MAX_TASKS);
    this.memories = memories;
    this.memory = memories[0]!;
    this.stn = stnExportsFor(this.memory);
    this.workers = workers;
    this.threads = workers.length + 1;
  }

  /**
   * Starts threads - 1 workers; resolves when each has its instances of the module, on a shared
   * memory of the pool's own and on each of `others` (shared memories: tfjs-wasm's threaded heap).
   */
  static async start(threads: number, others: readonly WebAssembly.Memory[] = []): Promise<WorkerPool> {
    const spawn = isNode() ? await nodeSpawn() : browserSpawn();
    const module = await compileSharedStnModule();
    const memories = [new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true }), ...others];
    const count = Math.max(1, threads - 1);
    const control = new SharedArrayBuffer(controlLength(count) * 4);
    const messages = new SharedArrayBuffer(MESSAGE_BYTES * count);
    const starting = await Promise.allSettled(Array.from({ length: threads - 1 }, async (_, slot) => ({
      spawned: await spawn({ module, memories, control, messages, slot, exportNames: EXPORTS }),
      message: new Uint8Array(messages, slot * MESSAGE_BYTES, MESSAGE_BYTES),
    })));
    const workers = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const pool = new WorkerPool(memories, workers, new Int32Array(control));
    const failed = starting.find((s) => s.status === 'rejected');
    if (failed) {
      // No pool with fewer threads than asked: end the ones that started.
      await pool.stop();
      throw failed.reason;
    }
    return pool;
  }

  serves(memory: WebAssembly.Memory): boolean {
    return this.memories.includes(memory);
  }

  run(name: SplitExport, tasks: readonly number[][], memory: WebAssembly.Memory = this.memory, hooks?: TaskHooks, threads = this.threads): void {
    const which = EXPORTS.indexOf(name);
    const on = this.memories.indexOf(memory);
    if (on < 0) throw new Error('stn-layer: the worker pool does not run on this memory');
    const own = stnExportsFor(memory)[name] as (...args: number[]) => void;
    for (let first = 0; first < tasks.length; first += MAX_TASKS) {
      const part = tasks.slice(first, first + MAX_TASKS);
      const workers = Math.min(this.workers.length, threads - 1);
      if (part.length === 1 || workers <= 0) {
        for (const [i, task] of part.entries()) {
          hooks?.before(first + i);
          own(...task);
          hooks?.after(first + i);
        }
      } else {
        this.runShared(which, on, own, part, first, workers, hooks);
      }
    }
  }

  /** One run of the control block: 2 to MAX_TASKS tasks, numbered from `first` for the hooks, on the caller and `workers` workers. */
  private runShared(
    which: number, on: number, own: (...args: number[]) => void, tasks: readonly number[][], first: number, workers: number, hooks?: TaskHooks,
  ): void {
    const { control: q, states } = this;
    const total = tasks.length;
    const count = tasks[0]!.length;
    if (count > MAX_ARGS || tasks.some((t) => t.length !== count)) {
      throw new Error(`stn-layer: internal error: a run's tasks must have the same number of arguments, at most ${MAX_ARGS}`);
    }
    // Each worker one task of its own, the caller at least one.
    const reserved = Math.min(workers, total - 1);
    this.generation = (this.generation + 1) & GENERATION_MASK;
    const tag = this.generation * 8;
    q[HEADER.EXPORT] = which;
    q[HEADER.MEMORY] = on;
    q[HEADER.COUNT] = count;
    q[HEADER.TOTAL] = total;
    q[HEADER.RESERVED] = reserved;
    q[HEADER.THREADS] = workers + 1;
    for (const [i, task] of tasks.entries()) {
      q.set(task, ARGS_AT + i * MAX_ARGS);
      q[FAILED_BY_AT + i] = 0;
      states[i] = tag + STATE.NOT_READY;
    }
    // Atomics.store orders the stores above before the workers' loads that follow their wait.
    Atomics.store(q, HEADER.GENERATION, this.generation);
    Atomics.notify(q, HEADER.GENERATION);
    const collected: boolean[] = new Array<boolean>(total).fill(false);
    let failure: unknown;
    let ownTasks = 0;
    // Hands the finished tasks not yet handed to hooks.after (the caller copies them out between its
    // own); with `wait`, until every task is: whichever ends next, not the next in order, so that
    // with several workers a task done early is copied out while a slower one still runs.
    const collect = (wait: boolean) => {
      for (;;) {
        // Read before the scan: a task that ends after it changes the count, and the wait returns at once.
        const finished = Atomics.load(q, HEADER.FINISHED);
        let running = false;
        for (let i = 0; i < total; i++) {
          if (collected[i]) continue;
          const s = Atomics.load(states, i);
          if (s === tag + STATE.READY || s === tag + STATE.CLAIMED) {
            running = true;
            continue;
          }
          collected[i] = true;
          if (s === tag + STATE.FAILED) failure ??= this.workerError(q[FAILED_BY_AT + i]! - 1);
          else if (s === tag + STATE.DONE && failure === undefined) {
            try {
              hooks?.after(first + i);
            } catch (e) {
              failure = e;
            }
          }
        }
        if (!wait || !running) return;
        if (this.canBlock) Atomics.wait(q, HEADER.FINISHED, finished);
      }
    };
    try {
      // Every task READY in order (a worker may start one while the caller prepares the next), then the caller claims its own.
      for (let i = 0; i < total; i++) {
        hooks?.before(first + i);
        Atomics.store(states, i, tag + STATE.READY);
        Atomics.notify(states, i);
      }
      for (let i = reserved; i < total && failure === undefined; i++) {
        if (Atomics.compareExchange(states, i, tag + STATE.READY, tag + STATE.CLAIMED) !== tag + STATE.READY) continue;
        try {
          own(...tasks[i]!);
        } catch (e) {
          failure = e;
        }
        Atomics.store(states, i, tag + (failure === undefined ? STATE.DONE : STATE.CANCELLED));
        if (failure === undefined) ownTasks++;
        collect(false);
      }
    } catch (e) {
      failure ??= e;
    }
    if (failure !== undefined) {
      // No task starts after a failure; the claimed ones are waited for: they share the caller's buffers.
      for (let i = 0; i < total; i++) {
        for (const from of [STATE.NOT_READY, STATE.READY]) Atomics.compareExchange(states, i, tag + from, tag + STATE.CANCELLED);
        Atomics.notify(states, i);
      }
    }
    collect(true);
    this.workerTasks += states.subarray(0, total).filter((s) => s === tag + STATE.DONE || s === tag + STATE.FAILED).length - ownTasks;
    if (failure !== undefined) throw failure;
  }

  /** The error worker `slot` reported. */
  private workerError(slot: number): Error {
    const w = this.workers[slot]!;
    // TextDecoder takes no view of shared memory: a copy.
    const text = new TextDecoder().decode(w.message.slice(0, Atomics.load(this.control, MESSAGE_LENGTHS_AT + slot)));
    return new Error(`stn-layer: a kernel worker failed: ${text || 'no message'}`);
  }

  /** Tells each worker to return, then terminates it. */
  async stop(): Promise<void> {
    this.control[HEADER.EXPORT] = STOP;
    this.generation = (this.generation + 1) & GENERATION_MASK;
    Atomics.store(this.control, HEADER.GENERATION, this.generation);
    Atomics.notify(this.control, HEADER.GENERATION);
    await Promise.all(this.workers.map((w) => w.spawned.terminate()));
  }
}

/** The threads useThreads() takes when given no number: the cores Node says this process may use, or the browser's count. */
export async function availableThreads(): Promise<number> {
  if (!isNode()) return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
  const os = await nodeModule<typeof NodeOs>('node:os');
  // availableParallelism is Node 18.14's; cpus() before it.
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length);
}
