/**
 * ONNX Runtime's GridSample as a peer: onnxruntime-node (native CPU) in this process, and
 * onnxruntime-web (its WebAssembly CPU build) in worker threads, one per thread count.
 * Both run the one-node model of onnx_model.ts on NCHW data: the NHWC <-> NCHW transposes happen
 * outside the timed calls.
 */
import { Worker } from 'node:worker_threads';
import * as ortNode from 'onnxruntime-node';
import { ORT_SESSION_OPTIONS, type OrtWebRequest, type OrtWebResponse } from './ort_protocol.js';

/** A session on onnxruntime-node: run() is one timed call. */
export async function ortNodeSession(
  model: Uint8Array, threads: number, x: Float32Array, xDims: number[], grid: Float32Array, gridDims: number[],
): Promise<{ output: Float32Array; run(): Promise<void>; release(): Promise<void> }> {
  const session = await ortNode.InferenceSession.create(model, { ...ORT_SESSION_OPTIONS, intraOpNumThreads: threads, interOpNumThreads: 1 });
  const feeds = { X: new ortNode.Tensor('float32', x, xDims), grid: new ortNode.Tensor('float32', grid, gridDims) };
  const first = await session.run(feeds);
  return {
    output: first.Y!.data as Float32Array,
    run: async () => void (await session.run(feeds)),
    release: () => session.release(),
  };
}

/** One onnxruntime-web worker with a fixed thread count. */
export class OrtWebWorker {
  private readonly worker: Worker;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(r: OrtWebResponse): void; reject(e: Error): void }>();
  /** Set when the worker has died: later requests fail at once instead of waiting forever. */
  private dead: Error | undefined;

  constructor(readonly numThreads: number) {
    // Node 20 workers do not get tsx's loader from `--import tsx`, so a small bootstrap loads the
    // TypeScript worker through tsx's API.
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./ort_web_worker.ts', import.meta.url).href;
    const bootstrap = `import(${JSON.stringify(tsx)}).then(({ tsImport }) => tsImport(${JSON.stringify(entry)}, ${JSON.stringify(entry)}))`;
    this.worker = new Worker(bootstrap, { eval: true, workerData: { numThreads } });
    this.worker.on('message', (res: OrtWebResponse) => {
      const p = this.pending.get(res.id);
      this.pending.delete(res.id);
      if (res.error !== undefined) p?.reject(new Error(`onnxruntime-web: ${res.error}`));
      else p?.resolve(res);
    });
    const die = (e: Error) => {
      this.dead ??= e;
      for (const p of this.pending.values()) p.reject(this.dead);
      this.pending.clear();
    };
    this.worker.on('error', die);
    this.worker.on('exit', (code) => die(new Error(`onnxruntime-web worker exited (code ${code})`)));
  }

  private request(req: OrtWebRequest): Promise<OrtWebResponse> {
    if (this.dead) return Promise.reject(this.dead);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.postMessage(req);
    });
  }

  /**
   * A session in the worker. Its timed calls run in the worker, `calls` at a time; the caller
   * gets their individual times.
   */
  async session(model: Uint8Array, x: Float32Array, xDims: number[], grid: Float32Array, gridDims: number[]):
    Promise<{ output: Float32Array; time(calls: number): Promise<number[]>; release(): Promise<void> }> {
    const id = this.nextId++;
    const created = await this.request({ type: 'create', id, model, x, xDims, grid, gridDims });
    return {
      output: created.output!,
      time: async (calls) => (await this.request({ type: 'time', id, calls })).ms!,
      release: async () => void (await this.request({ type: 'release', id })),
    };
  }

  terminate(): Promise<number> {
    return this.worker.terminate();
  }
}
