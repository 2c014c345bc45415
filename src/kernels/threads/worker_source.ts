/**
 * The pool's worker, as source text for `new Worker(source, { eval: true })`: no file to resolve,
 * so it runs the same from src/ (tests), dist/ (ESM and CJS) and a bundle. Plain JavaScript of
 * its own: it imports nothing from the package.
 *
 * Each worker instantiates the shared-memory module on the pool's memory, then waits on its slot
 * of the control block: the calling thread writes an export's index and arguments there and bumps
 * GENERATION; the worker calls the export and answers with DONE = that generation. An error is
 * posted on `port` (read synchronously by the caller) and flagged, never left as a hang.
 */

/** Int32 indices in a worker's slot of the control block. */
export const SLOT = { GENERATION: 0, DONE: 1, EXPORT: 2, FAILED: 3, COUNT: 4, ARGS: 8 } as const;
/** Int32s per slot (a multiple of 16: 64 bytes, one cache line per worker). */
export const SLOT_LENGTH = 32;
/** EXPORT's value that tells a worker to return. */
export const STOP = -1;

// import(), not require: an eval worker is CommonJS or, under --input-type=module, ESM.
export const WORKER_SOURCE = `
import('node:worker_threads').then(({ workerData }) => {
const { module, memory, control, slot, exportNames, port } = workerData;
const S = ${JSON.stringify(SLOT)};
const ctl = new Int32Array(control, slot * ${SLOT_LENGTH * 4}, ${SLOT_LENGTH});
const stn = new WebAssembly.Instance(module, { env: { memory } }).exports;
const calls = exportNames.map((name) => stn[name]);
port.postMessage('ready');
let seen = 0;
for (;;) {
  Atomics.wait(ctl, S.GENERATION, seen);
  const generation = Atomics.load(ctl, S.GENERATION);
  if (generation === seen) continue;
  seen = generation;
  const which = ctl[S.EXPORT];
  if (which === ${STOP}) break;
  try {
    calls[which](...ctl.subarray(S.ARGS, S.ARGS + ctl[S.COUNT]));
  } catch (e) {
    port.postMessage(String((e && e.stack) || e));
    Atomics.store(ctl, S.FAILED, 1);
  }
  Atomics.store(ctl, S.DONE, generation);
  Atomics.notify(ctl, S.DONE);
}
port.close();
});
`;
