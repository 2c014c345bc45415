/**
 * The pool's worker, as source text: no file to resolve, so it runs the same from src/ (tests),
 * dist/ (ESM and CJS) and a bundle. Plain JavaScript of its own: it imports nothing from the
 * package. Node runs it with `new Worker(source, { eval: true })`, a browser from a Blob URL; the
 * two differ only in how the worker gets its WorkerInit and says it is ready.
 *
 * Each worker instantiates the shared-memory module on each of the pool's memories, then waits on
 * its slot of the control block: the calling thread writes a memory's and an export's index and
 * the arguments there and bumps GENERATION; the worker calls the export and answers with DONE =
 * that generation. An exception is flagged, its text written to the worker's part of the message
 * buffer (the caller cannot receive a message while it waits, nor a browser's at all
 * synchronously): it comes back as an error, never as a hang.
 */

/** Int32 indices in a worker's slot of the control block. */
export const SLOT = { GENERATION: 0, DONE: 1, EXPORT: 2, FAILED: 3, COUNT: 4, MEMORY: 5, MESSAGE_LENGTH: 6, ARGS: 8 } as const;
/** Int32s per slot (128 bytes: no two workers' slots share a cache line). */
export const SLOT_LENGTH = 32;
/** EXPORT's value that tells a worker to return. */
export const STOP = -1;
/** Bytes of a worker's error message, at most. */
export const MESSAGE_BYTES = 1024;

/** What a worker starts with: Node's workerData, a browser worker's first message. */
export interface WorkerInit {
  module: WebAssembly.Module;
  /** The memories it runs the module on; SLOT.MEMORY indexes them. */
  memories: WebAssembly.Memory[];
  control: SharedArrayBuffer;
  messages: SharedArrayBuffer;
  slot: number;
  exportNames: readonly string[];
}

const SERVE = `
function serve(init, ready) {
  const { module, memories, control, messages, slot, exportNames } = init;
  const S = ${JSON.stringify(SLOT)};
  const ctl = new Int32Array(control, slot * ${SLOT_LENGTH * 4}, ${SLOT_LENGTH});
  const text = new Uint8Array(messages, slot * ${MESSAGE_BYTES}, ${MESSAGE_BYTES});
  const calls = memories.map((memory) => {
    const stn = new WebAssembly.Instance(module, { env: { memory } }).exports;
    return exportNames.map((name) => stn[name]);
  });
  ready();
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, S.GENERATION, seen);
    const generation = Atomics.load(ctl, S.GENERATION);
    if (generation === seen) continue;
    seen = generation;
    const which = ctl[S.EXPORT];
    if (which === ${STOP}) break;
    try {
      calls[ctl[S.MEMORY]][which](...ctl.subarray(S.ARGS, S.ARGS + ctl[S.COUNT]));
    } catch (e) {
      const bytes = new TextEncoder().encode(String((e && e.stack) || e)).subarray(0, ${MESSAGE_BYTES});
      text.set(bytes);
      ctl[S.MESSAGE_LENGTH] = bytes.length;
      Atomics.store(ctl, S.FAILED, 1);
    }
    Atomics.store(ctl, S.DONE, generation);
    Atomics.notify(ctl, S.DONE);
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
