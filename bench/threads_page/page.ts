/**
 * The page of `npm run bench:threads -- --browser`, served cross-origin-isolated: tfjs-wasm runs
 * its threaded build on a shared heap, and useThreads(2) splits stn-layer's wasm kernels over a Web
 * Worker on that heap. window.stnThreads.run times forward, forward + backward and forward +
 * d(grid) (the op, then GridSampleGrad, as bench/threads.ts does in Node) with the pool on and
 * off in turn: medians of single calls, the op alone (the wasm kernels are synchronous: the work
 * is done when the call returns), each turn after one untimed call.
 */
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { ready, useThreads } from '../../src/index.js';
import { activePool, setActivePool } from '../../src/kernels/threads/active.js';
import { type Shape4, makeCase } from '../lib/data.js';
import { DIRECTIONS, type Direction, directionCalls } from '../lib/directions.js';

setWasmPaths('/');


export interface ThreadsBenchRow { shape: Shape4; direction: Direction; oneMs: number; twoMs: number }
export interface ThreadsBenchResult { threadedBuild: boolean; cores: number; rows: ThreadsBenchRow[] }

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

async function run(shapes: Shape4[], rounds: number, calls: number): Promise<ThreadsBenchResult> {
  await ready();
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  const threadedBuild = (await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')) as boolean;
  if ((await useThreads(2)) !== 2) throw new Error('useThreads(2) did not start a worker');
  const pool = activePool()!;
  const rows: ThreadsBenchRow[] = [];
  for (const shape of shapes) {
    const c = makeCase(shape, [shape[1], shape[2]]);
    const x = tf.tensor4d(c.input, c.inputShape);
    const g = tf.tensor4d(c.grid, c.gridShape);
    const dy = tf.tensor4d(c.dy, shape);
    const call = directionCalls(x, g, dy);
    for (const direction of DIRECTIONS) {
      const ms: Record<1 | 2, number[]> = { 1: [], 2: [] };
      for (let r = 0; r < rounds; r++) {
        for (const threads of [1, 2] as const) {
          setActivePool(threads === 2 ? pool : undefined);
          tf.dispose(call[direction]());
          for (let k = 0; k < calls; k++) {
            const start = performance.now();
            const outs = call[direction]();
            ms[threads].push(performance.now() - start);
            tf.dispose(outs);
          }
        }
      }
      rows.push({ shape, direction, oneMs: median(ms[1]), twoMs: median(ms[2]) });
    }
    tf.dispose([x, g, dy]);
  }
  setActivePool(pool);
  await useThreads(1);
  return { threadedBuild, cores: navigator.hardwareConcurrency, rows };
}

(window as unknown as { stnThreads: { run: typeof run } }).stnThreads = { run };
