/**
 * The pool's worker, as source text: no file to resolve, so it runs the same from src/ (tests),
 * dist/ (ESM and CJS) and a bundle. Plain JavaScript of its own: it imports nothing from the
 * package. Node runs it with `new Worker(source, { eval: true })`, a browser from a Blob URL; the
 * two differ only in how the worker gets its WorkerInit and says it is ready.
 *
 * Each worker instantiates the shared-memory module on each of the pool's memories, then waits on
 * the control block's GENERATION for a run: a memory's and an export's index and a list of tasks
 * (their arguments), which it claims one at a time with the other threads (below). An exception
 * is flagged on its task, its text written to the worker's part of the message buffer (the caller
 * cannot receive a message while it waits, nor a browser's at all synchronously): it comes back
 * as an error, never as a hang.
 */

import { MAX_TASKS } from '../shared/split.js';

/**
 * The control block, Int32s: a header, then per task of the current run its state, the worker
 * that failed it (slot + 1), and its arguments; then each worker's message length.
 */
export const HEADER = { GENERATION: 0, EXPORT: 1, MEMORY: 2, COUNT: 3, TOTAL: 4, RESERVED: 5, THREADS: 6, FINISHED: 7 } as const;
/** Int32s of the header (128 bytes: the tasks' states start on a cache line of their own). */
export const HEADER_LENGTH = 32;
/** Int32 arguments of a task, at most. */
export const MAX_ARGS = 24;
export const STATES_AT = HEADER_LENGTH;
export const FAILED_BY_AT = STATES_AT + MAX_TASKS;
export const ARGS_AT = FAILED_BY_AT + MAX_TASKS;
export const MESSAGE_LENGTHS_AT = ARGS_AT + MAX_TASKS * MAX_ARGS;
/** Int32s of the control block for `workers` workers. */
export const controlLength = (workers: number): number => MESSAGE_LENGTHS_AT + workers;

/**
 * A task's state is its run's generation (modulo 2^27) times 8 plus one of these: a worker that
 * wakes late, when its run is over and another begun, sees another generation and claims nothing.
 */
export const STATE = { NOT_READY: 0, READY: 1, CLAIMED: 2, DONE: 3, FAILED: 4, CANCELLED: 5 } as const;
export const GENERATION_MASK = (1 << 27) - 1;
/** EXPORT's value that tells a worker to return. */
export const STOP = -1;
/** Bytes of a worker's error message, at most. */
export const MESSAGE_BYTES = 1024;

/** What a worker starts with: Node's workerData, a browser worker's first message. */
export interface WorkerInit {
  module: WebAssembly.Module;
  /** The memories it runs the module on; HEADER.MEMORY indexes them. */
  memories: WebAssembly.Memory[];
  control: SharedArrayBuffer;
  messages: SharedArrayBuffer;
  slot: number;
  exportNames: readonly string[];
}

/*
 * A run: the caller writes the header, every task's arguments and state NOT_READY, then bumps
 * GENERATION and wakes the workers; it makes each task READY in order (the cpu heap copies the
 * task's inputs in first). Only workers 0 .. THREADS - 2 take part. Tasks [0, RESERVED) are worker
 * `slot`'s alone, one each; the others go to whichever thread claims them first (READY -> CLAIMED,
 * compareExchange), the caller too once every task is READY. A worker waits on a task's state
 * while it is NOT_READY, runs it, stores DONE (or FAILED, its text in its part of the message
 * buffer, after which it takes no other task of the run), then counts it in FINISHED and wakes
 * the caller, which waits on that count for whichever task ends next.
 */
const SERVE = `
function serve(init, ready) {
  const { module, memories, control, messages, slot, exportNames } = init;
  const H = ${JSON.stringify(HEADER)};
  const S = ${JSON.stringify(STATE)};
  const q = new Int32Array(control);
  const states = q.subarray(${STATES_AT}, ${STATES_AT + MAX_TASKS});
  const text = new Uint8Array(messages, slot * ${MESSAGE_BYTES}, ${MESSAGE_BYTES});
  const calls = memories.map((memory) => {
    const stn = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return exportNames.map((name) => stn[name]);
  });
  // Task i of the run tagged tag: true once claimed, false when another thread has it; null when the run is over.
  const claim = (i, tag) => {
    for (;;) {
      const s = Atomics.load(states, i);
      if ((s & ~7) !== tag) return null;
      if (s === tag + S.READY) {
        if (Atomics.compareExchange(states, i, s, tag + S.CLAIMED) === s) return true;
      } else if (s === tag + S.NOT_READY) {
        Atomics.wait(states, i, s);
      } else {
        return false;
      }
    }
  };
  // Runs task i; false if it failed.
  const run = (i, tag) => {
    // The header is this run's while the task is claimed: the run cannot end before it is done.
    const count = q[H.COUNT];
    const at = ${ARGS_AT} + i * ${MAX_ARGS};
    let state = S.DONE;
    try {
      calls[q[H.MEMORY]][q[H.EXPORT]](...q.subarray(at, at + count));
    } catch (e) {
      const bytes = new TextEncoder().encode(String((e && e.stack) || e)).subarray(0, ${MESSAGE_BYTES});
      text.set(bytes);
      q[${MESSAGE_LENGTHS_AT} + slot] = bytes.length;
      q[${FAILED_BY_AT} + i] = slot + 1;
      state = S.FAILED;
    }
    Atomics.store(states, i, tag + state);
    // The caller waits on this count, not on the task: it hands any finished task on at once.
    Atomics.add(q, H.FINISHED, 1);
    Atomics.notify(q, H.FINISHED);
    return state === S.DONE;
  };
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(q, H.GENERATION, seen);
    const generation = Atomics.load(q, H.GENERATION);
    if (generation === seen) continue;
    seen = generation;
    if (q[H.EXPORT] === ${STOP}) break;
    const tag = (generation & ${GENERATION_MASK}) * 8;
    if (slot >= q[H.THREADS] - 1) continue;
    const reserved = q[H.RESERVED];
    if (slot < reserved && claim(slot, tag) && !run(slot, tag)) continue;
    for (let i = reserved, total = q[H.TOTAL]; i < total; i++) {
      const mine = claim(i, tag);
      if (mine === null || (mine && !run(i, tag))) break;
    }
  }
}
`;

// import(), not require: an eval worker is CommonJS or, under --input-type=module, ESM.
export const NODE_WORKER_SOURCE = `${SERVE}
import('node:worker_threads').then(({ workerData, parentPort }) => serve(workerData, () => parentPort.postMessage('ready')));
`;

export const BROWSER_WORKER_SOURCE = `${SERVE}
self.onmessage = (e) => {
  self.onmessage = null;
  serve(e.data, () => self.postMessage('ready'));
};
`;
