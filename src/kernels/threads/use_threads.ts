/**
 * useThreads(): the public switch for the kernels' worker threads. Off by default: a library that
 * starts threads in its user's process unasked would surprise; one call turns them on.
 */
import { sharedWasmHeap } from '../wasm/wasm_backend.js';
import { activePool, isNode, setActivePool } from './active.js';

/** The most threads useThreads() takes. */
const MAX_THREADS = 256;
let stopping: (() => Promise<void>) | undefined;
let pending: Promise<unknown> = Promise.resolve();

/**
 * Splits gridSample calls (images and volumes, and their gradients) over `threads` threads: the
 * calling thread and threads - 1 workers running the WebAssembly kernels on shared memory. The cpu
 * backend's calls, in Node and in a cross-origin-isolated page; the wasm backend's in such a page,
 * where tfjs-wasm runs its threaded build on a shared heap: start the wasm backend first (await
 * tf.setBackend('wasm'), or tf.ready()), then call this (tfjs-wasm in Node has no shared heap: one
 * thread there). Without an argument, as many as the platform says the process may use
 * (os.availableParallelism(), navigator.hardwareConcurrency), or 1 in a page that is not
 * cross-origin-isolated; 1 turns threads off and ends the workers. Results are the same bits for
 * any number of threads. Small calls stay on the calling thread. The workers never keep the
 * process alive. Resolves to the number of threads now used.
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
  // Workers share memory through SharedArrayBuffer, which a browser gives a cross-origin-isolated page only.
  const shareable = isNode() || (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (threads === 1 || (threads === undefined && !shareable)) {
    await stopPool();
    return 1;
  }
  if (!shareable) {
    throw new Error('stn-layer: useThreads: the kernels\' worker threads share memory (SharedArrayBuffer), which a browser gives only to a cross-origin-isolated page (served with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)');
  }
  const { WorkerPool, availableThreads } = await import('./pool.js');
  const wanted = threads ?? (await availableThreads());
  const heap = sharedWasmHeap();
  const pool = activePool();
  if (pool?.threads === wanted && (!heap || pool.serves(heap))) return wanted;
  await stopPool();
  if (wanted === 1) return 1;
  const started = await WorkerPool.start(wanted, heap ? [heap] : []);
  setActivePool(started);
  stopping = () => started.stop();
  return wanted;
}
async function stopPool(): Promise<void> {
  const stop = stopping;
  setActivePool(undefined);
  stopping = undefined;
  await stop?.();
}
