/**
 * onnxruntime-web in a worker thread. Its WebAssembly thread pool is sized once per process
 * (ort.env.wasm.numThreads, read at the first session), so each thread count the benchmark wants
 * gets a worker of its own. Calls are timed inside the worker; messages stay out of the timings.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as ort from 'onnxruntime-web';
import { settleBeforeTiming } from '../lib/measure.js';
import { ORT_SESSION_OPTIONS, type OrtWebRequest, type OrtWebResponse } from './ort_protocol.js';

ort.env.wasm.numThreads = (workerData as { numThreads: number }).numThreads;
const sessions = new Map<number, { session: ort.InferenceSession; feeds: Record<string, ort.Tensor> }>();

async function handle(req: OrtWebRequest): Promise<OrtWebResponse> {
  switch (req.type) {
    case 'create': {
      const session = await ort.InferenceSession.create(req.model, ORT_SESSION_OPTIONS);
      const feeds = {
        X: new ort.Tensor('float32', req.x, req.xDims),
        grid: new ort.Tensor('float32', req.grid, req.gridDims),
      };
      sessions.set(req.id, { session, feeds });
      const out = await session.run(feeds);
      return { id: req.id, output: out.Y!.data as Float32Array };
    }
    case 'time': {
      const { session, feeds } = sessions.get(req.id)!;
      const ms: number[] = [];
      await settleBeforeTiming(() => session.run(feeds), req.calls > 1); // as for every other contender
      for (let i = 0; i < req.calls; i++) {
        const start = performance.now();
        await session.run(feeds);
        ms.push(performance.now() - start);
      }
      return { id: req.id, ms };
    }
    case 'release': {
      await sessions.get(req.id)?.session.release();
      sessions.delete(req.id);
      return { id: req.id };
    }
  }
}

parentPort!.on('message', (req: OrtWebRequest) => {
  handle(req).then(
    (res) => parentPort!.postMessage(res),
    (e: unknown) => parentPort!.postMessage({ id: req.id, error: (e as Error).message ?? String(e) }),
  );
});
