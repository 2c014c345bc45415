/**
 * The worker pool for the WebAssembly kernels: threads - 1 workers (worker_threads in Node, Web
 * Workers in a cross-origin-isolated page), each running the shared-memory build of the module
 * (scripts/build-wasm.mjs) on the pool's own shared WebAssembly.Memory (the cpu backend's) and on
 * any other shared memory it was started with (tfjs-wasm's heap in its threaded build), the
 * calling thread working too. A call is synchronous, as a tfjs kernel is: the caller publishes
 * each worker's task in its slot of a control block (a SharedArrayBuffer), wakes it
 * (Atomics.notify), runs its own task, then waits until every worker has answered (Atomics.wait;
 * a browser's main thread may not block, so it spins there, its own task done). Node's workers
 * are unref()ed: they never keep the process alive. Loaded only by useThreads() (a chunk of its own).
 */
import type * as NodeOs from 'node:os';
import type * as WorkerThreads from 'node:worker_threads';
import type { SplitExport } from '../shared/heap.js';
import { type StnExports, compileSharedStnModule, stnExportsFor } from '../shared/stn_module.js';
import { type TaskHooks, type ThreadPool, isNode } from './active.js';
import { BROWSER_WORKER_SOURCE, MESSAGE_BYTES, NODE_WORKER_SOURCE, SLOT, SLOT_LENGTH, STOP, type WorkerInit } from './worker_source.js';

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

interface PoolWorker { spawned: Spawned; control: Int32Array; message: Uint8Array }

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
  /** The pool's own memory, then the others it was started with; SLOT.MEMORY indexes them. */
  private readonly memories: readonly WebAssembly.Memory[];
  private readonly workers: PoolWorker[];
  private readonly canBlock = callerCanBlock();

  private constructor(memories: readonly WebAssembly.Memory[], workers: PoolWorker[]) {
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
    const control = new SharedArrayBuffer(SLOT_LENGTH * 4 * count);
    const messages = new SharedArrayBuffer(MESSAGE_BYTES * count);
    const starting = await Promise.allSettled(Array.from({ length: threads - 1 }, async (_, slot) => ({
      spawned: await spawn({ module, memories, control, messages, slot, exportNames: EXPORTS }),
      control: new Int32Array(control, slot * SLOT_LENGTH * 4, SLOT_LENGTH),
      message: new Uint8Array(messages, slot * MESSAGE_BYTES, MESSAGE_BYTES),
    })));
    const workers = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const pool = new WorkerPool(memories, workers);
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

  run(name: SplitExport, tasks: readonly number[][], memory: WebAssembly.Memory = this.memory, hooks?: TaskHooks): void {
    const which = EXPORTS.indexOf(name);
    const on = this.memories.indexOf(memory);
    if (on < 0) throw new Error('stn-layer: the worker pool does not run on this memory');
    const own = stnExportsFor(memory)[name] as (...args: number[]) => void;
    for (let first = 0; first < tasks.length; first += this.threads) {
      const round = tasks.slice(first, first + this.threads);
      const posted: PoolWorker[] = [];
      let failure: unknown;
      try {
        // The workers' tasks first, so that they work while the calling thread prepares and runs its own.
        for (let i = 1; i < round.length; i++) {
          hooks?.before(first + i);
          post(this.workers[i - 1]!.control, which, on, round[i]!);
          posted.push(this.workers[i - 1]!);
          this.workerTasks++;
        }
        hooks?.before(first);
        own(...round[0]!);
        hooks?.after(first);
      } catch (e) {
        failure = e;
      }
      // Every posted worker is waited for, even when the calling thread failed: they share its buffers.
      for (const [i, w] of posted.entries()) {
        const error = join(w, this.canBlock);
        failure ??= error;
        if (failure !== undefined) continue;
        try {
          hooks?.after(first + i + 1);
        } catch (e) {
          failure = e;
        }
      }
      if (failure !== undefined) throw failure;
    }
  }

  /** Tells each worker to return, then terminates it. */
  async stop(): Promise<void> {
    for (const w of this.workers) post(w.control, STOP, 0, []);
    await Promise.all(this.workers.map((w) => w.spawned.terminate()));
  }
}

function post(control: Int32Array, which: number, memory: number, args: readonly number[]): void {
  if (args.length > SLOT_LENGTH - SLOT.ARGS) throw new Error(`stn-layer: ${args.length} arguments do not fit a worker's slot`);
  control[SLOT.EXPORT] = which;
  control[SLOT.MEMORY] = memory;
  control[SLOT.COUNT] = args.length;
  control.set(args, SLOT.ARGS);
  // Atomics.add orders the stores above before the worker's load of GENERATION.
  Atomics.add(control, SLOT.GENERATION, 1);
  Atomics.notify(control, SLOT.GENERATION);
}

/**
 * Waits for the worker's answer; the error it reported, if any. A worker that dies inside a task
 * (its thread killed, out of memory) never answers: the wait has no end, as a pthread join's.
 */
function join(w: PoolWorker, canBlock: boolean): Error | undefined {
  const generation = Atomics.load(w.control, SLOT.GENERATION);
  for (let done = Atomics.load(w.control, SLOT.DONE); done !== generation; done = Atomics.load(w.control, SLOT.DONE)) {
    if (canBlock) Atomics.wait(w.control, SLOT.DONE, done);
  }
  if (Atomics.exchange(w.control, SLOT.FAILED, 0) === 0) return undefined;
  // TextDecoder takes no view of shared memory: a copy.
  const text = new TextDecoder().decode(w.message.slice(0, Atomics.load(w.control, SLOT.MESSAGE_LENGTH)));
  return new Error(`stn-layer: a kernel worker failed: ${text || 'no message'}`);
}

/** The threads useThreads() takes when given no number: the cores Node says this process may use, or the browser's count. */
export async function availableThreads(): Promise<number> {
  if (!isNode()) return Math.max(1, (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator?.hardwareConcurrency ?? 1);
  const os = await nodeModule<typeof NodeOs>('node:os');
  // availableParallelism is Node 18.14's; cpus() before it.
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length);
}
