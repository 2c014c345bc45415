/**
 * The worker pool for the cpu kernels in Node: threads - 1 worker_threads, each running the
 * shared-memory build of the module (scripts/build-wasm.mjs) on one shared WebAssembly.Memory, the
 * calling thread working too. A call is synchronous, as a tfjs kernel is: the caller publishes each
 * worker's task in its slot of a control block (a SharedArrayBuffer), wakes it (Atomics.notify),
 * runs its own task, then waits (Atomics.wait) until every worker has answered. Workers are
 * unref()ed: they never keep the process alive. Loaded only by useThreads() (a chunk of its own).
 */
import type * as NodeOs from 'node:os';
import type { MessagePort, Worker } from 'node:worker_threads';
import type * as WorkerThreads from 'node:worker_threads';
import type { SplitExport } from '../shared/heap.js';
import { type StnExports, compileSharedStnModule, stnExportsFor } from '../shared/stn_module.js';
import type { ThreadPool } from './active.js';
import { SLOT, SLOT_LENGTH, STOP, WORKER_SOURCE } from './worker_source.js';

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

interface PoolWorker { worker: Worker; port: MessagePort; control: Int32Array }

export class WorkerPool implements ThreadPool {
  readonly threads: number;
  readonly memory: WebAssembly.Memory;
  readonly stn: StnExports;
  workerTasks = 0;
  private readonly workers: PoolWorker[];
  private readonly receive: typeof WorkerThreads.receiveMessageOnPort;

  private constructor(memory: WebAssembly.Memory, stn: StnExports, workers: PoolWorker[], receive: typeof WorkerThreads.receiveMessageOnPort) {
    this.receive = receive;
    this.memory = memory;
    this.stn = stn;
    this.workers = workers;
    this.threads = workers.length + 1;
  }

  /** Starts threads - 1 workers; resolves when each has its instance of the module. */
  static async start(threads: number): Promise<WorkerPool> {
    const { MessageChannel, Worker, receiveMessageOnPort } = await nodeModule<typeof WorkerThreads>('node:worker_threads');
    const module = await compileSharedStnModule();
    const memory = new WebAssembly.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
    const stn = stnExportsFor(memory);
    const control = new SharedArrayBuffer(SLOT_LENGTH * 4 * Math.max(1, threads - 1));
    const starting = await Promise.allSettled(Array.from({ length: threads - 1 }, async (_, slot) => {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(WORKER_SOURCE, {
        eval: true,
        // Plain JavaScript: none of the parent's flags (a TypeScript loader, --input-type) apply.
        execArgv: [],
        workerData: { module, memory, control, slot, exportNames: EXPORTS, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      try {
        await new Promise<void>((resolve, reject) => {
          port1.once('message', () => resolve());
          worker.once('error', reject);
          worker.once('exit', (code) => reject(new Error(`stn-layer: a kernel worker exited (code ${code}) before it was ready`)));
        });
      } catch (e) {
        await worker.terminate();
        throw e;
      }
      worker.removeAllListeners();
      port1.removeAllListeners();
      port1.unref();
      return { worker, port: port1, control: new Int32Array(control, slot * SLOT_LENGTH * 4, SLOT_LENGTH) };
    }));
    const workers = starting.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const pool = new WorkerPool(memory, stn, workers, receiveMessageOnPort);
    const failed = starting.find((s) => s.status === 'rejected');
    if (failed) {
      // No pool with fewer threads than asked: end the ones that started.
      await pool.stop();
      throw failed.reason;
    }
    return pool;
  }

  run(name: SplitExport, tasks: readonly number[][]): void {
    const which = EXPORTS.indexOf(name);
    for (let first = 0; first < tasks.length; first += this.threads) {
      const round = tasks.slice(first, first + this.threads);
      const busy = this.workers.slice(0, round.length - 1);
      busy.forEach((w, i) => post(w.control, which, round[i + 1]!));
      this.workerTasks += busy.length;
      let failure: unknown;
      try {
        (this.stn[name] as (...args: number[]) => void)(...round[0]!);
      } catch (e) {
        failure = e;
      }
      // Every worker is waited for, even when the calling thread failed: they share its buffers.
      for (const w of busy) {
        const error = join(w, this.receive);
        failure ??= error;
      }
      if (failure !== undefined) throw failure;
    }
  }

  /** Tells each worker to return, then terminates it. */
  async stop(): Promise<void> {
    for (const w of this.workers) post(w.control, STOP, []);
    await Promise.all(this.workers.map(async (w) => {
      w.port.close();
      await w.worker.terminate();
    }));
  }
}

function post(control: Int32Array, which: number, args: readonly number[]): void {
  if (args.length > SLOT_LENGTH - SLOT.ARGS) throw new Error(`stn-layer: ${args.length} arguments do not fit a worker's slot`);
  control[SLOT.EXPORT] = which;
  control[SLOT.COUNT] = args.length;
  control.set(args, SLOT.ARGS);
  // Atomics.add orders the stores above before the worker's load of GENERATION.
  Atomics.add(control, SLOT.GENERATION, 1);
  Atomics.notify(control, SLOT.GENERATION);
}

/** Waits for the worker's answer; the error it reported, if any. */
function join(w: PoolWorker, receive: typeof WorkerThreads.receiveMessageOnPort): Error | undefined {
  const generation = Atomics.load(w.control, SLOT.GENERATION);
  for (let done = Atomics.load(w.control, SLOT.DONE); done !== generation; done = Atomics.load(w.control, SLOT.DONE)) {
    Atomics.wait(w.control, SLOT.DONE, done);
  }
  if (Atomics.exchange(w.control, SLOT.FAILED, 0) === 0) return undefined;
  const message = receive(w.port)?.message as string | undefined;
  return new Error(`stn-layer: a kernel worker failed: ${message ?? 'no message'}`);
}

/** The threads useThreads() takes when given no number: the cores Node says this process may use. */
export async function availableThreads(): Promise<number> {
  const os = await nodeModule<typeof NodeOs>('node:os');
  // availableParallelism is Node 18.14's; cpus() before it.
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : Math.max(1, os.cpus().length);
}
