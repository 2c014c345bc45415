/**
 * useThreads(): the public switch for the cpu kernels' worker threads (Node). Off by default: a
 * library that starts threads in its user's process unasked would surprise; one call turns them on.
 */
import { activePool, setActivePool } from './active.js';

/** The most threads useThreads() takes. */
const MAX_THREADS = 256;
let stopping: (() => Promise<void>) | undefined;
let pending: Promise<unknown> = Promise.resolve();

/**
 * Splits the cpu backend's gridSample calls (images and volumes, and their gradients) over `threads` threads: the
 * calling thread and threads - 1 worker_threads sharing the kernels' WebAssembly memory. Without an
 * argument, as many as Node says the process may use (os.availableParallelism()); 1 turns threads
 * off and ends the workers. Results are the same bits for any number of threads. Small calls stay
 * on the calling thread. Node only (a browser, or the wasm backend, runs one thread). The workers
 * never keep the process alive. Resolves to the number of threads now used.
 */
export function useThreads(threads?: number): Promise<number> {
  if (threads !== undefined && !(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    return Promise.reject(new RangeError(`stn-layer: useThreads: threads must be an integer from 1 to ${MAX_THREADS}, got ${String(threads)}`));
  }
  // One change at a time, in call order.
  const change = pending.then(() => switchTo(threads));
  pending = change.catch(() => undefined);
  return change;
}

async function switchTo(threads: number | undefined): Promise<number> {
  const isNode = typeof process !== 'undefined' && typeof process.versions?.node === 'string';
  if (threads === 1 || (threads === undefined && !isNode)) {
    await stopPool();
    return 1;
  }
  if (!isNode) throw new Error('stn-layer: useThreads: the kernels\' worker threads need Node (worker_threads); in a browser they run on one thread');
  const { WorkerPool, availableThreads } = await import('./pool.js');
  const wanted = threads ?? (await availableThreads());
  if (activePool()?.threads === wanted) return wanted;
  await stopPool();
  if (wanted === 1) return 1;
  const pool = await WorkerPool.start(wanted);
  setActivePool(pool);
  stopping = () => pool.stop();
  return wanted;
}

async function stopPool(): Promise<void> {
  const stop = stopping;
  setActivePool(undefined);
  stopping = undefined;
  await stop?.();
}
