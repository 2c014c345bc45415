/**
 * npm run bench's grid-generator section: on the STN-MNIST call (64 images of 28×28×1), each grid
 * generator's forward+backward (tf.grad of the grid with respect to its parameters: tpsGrid with
 * K = 16, the paper's transform) beside the gridSample call the grid feeds, forward and backward
 * (the GridSampleGrad kernel). On cpu and wasm a call has finished when it returns.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GridSampleGrad, affineGrid, flowGrid, gridSample, projectiveGrid, tpsGrid } from '../src/index.js';
import { type BackendName, activateBackend } from './lib/backends.js';
import { type Shape4, seededRandom, sizeOf } from './lib/data.js';
import { type MeasureOptions, type Timed, measureInterleaved } from './lib/measure.js';
import { ms, textTable } from './lib/table.js';

const SHAPE: Shape4 = [64, 28, 28, 1];
const K = 16;

export interface GeneratorRow {
  backend: string;
  call: string;
  msMedian: number | null;
  /** ms of this call / ms of gridSample's forward. */
  vsGridSampleForward: number | null;
  /** ms of this call / ms of gridSample's forward and backward: the gridSample work of a training step. */
  vsGridSampleStep: number | null;
}

function contenders(backend: BackendName): { names: string[]; list: Timed[]; release: () => void } {
  const random = seededRandom(3);
  const [N, H, W] = SHAPE;
  const uniform = (shape: number[], scale: number) => tf.tensor(new Float32Array(sizeOf(shape)).map(() => (random() - 0.5) * scale), shape);
  const x = uniform(SHAPE, 2) as tf.Tensor4D;
  const lattice = Array.from({ length: K }, (_, k) => [-1 + (2 * (k % 4)) / 3, -1 + (2 * Math.floor(k / 4)) / 3]);
  const targets = tf.add(tf.tensor3d(Array.from({ length: N }, () => lattice)), uniform([N, K, 2], 0.2)) as tf.Tensor3D;
  const h = tf.add(tf.tensor3d(Array.from({ length: N }, () => [[1, 0, 0], [0, 1, 0], [0, 0, 1]])), uniform([N, 3, 3], 0.2)) as tf.Tensor3D;
  const theta = tf.add(tf.tensor3d(Array.from({ length: N }, () => [[1, 0, 0], [0, 1, 0]])), uniform([N, 2, 3], 0.2)) as tf.Tensor3D;
  const flow = uniform([N, H, W, 2], 2) as tf.Tensor4D;
  const dGrid = uniform([N, H, W, 2], 1) as tf.Tensor4D;
  const grid = tpsGrid(targets, SHAPE);
  const dy = uniform(SHAPE, 1) as tf.Tensor4D;
  const attrs = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
  const fwdBwd = <T extends tf.Tensor>(make: (p: T) => tf.Tensor, p: T) => () => tf.dispose(tf.grad((q: tf.Tensor) => make(q as T))(p, dGrid));
  const calls: [string, () => void][] = [
    ['gridSample forward', () => gridSample(x, grid, attrs).dispose()],
    ['gridSample backward (GridSampleGrad)', () => tf.dispose(tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid }, { ...attrs }) as tf.Tensor[])],
    [`tpsGrid K=${K} forward+backward`, fwdBwd((t: tf.Tensor3D) => tpsGrid(t, SHAPE), targets)],
    ['projectiveGrid forward+backward', fwdBwd((t: tf.Tensor3D) => projectiveGrid(t, SHAPE), h)],
    ['affineGrid forward+backward', fwdBwd((t: tf.Tensor3D) => affineGrid(t, SHAPE), theta)],
    ['flowGrid forward+backward', fwdBwd((t: tf.Tensor4D) => flowGrid(t, [H, W]), flow)],
  ];
  const activate = () => activateBackend(backend);
  return {
    names: calls.map(([n]) => n),
    list: calls.map(([, run]) => ({ run: async () => run(), activate })),
    release: () => tf.dispose([x, targets, h, theta, flow, dGrid, grid, dy]),
  };
}

export async function generatorRows(backends: readonly { name: BackendName; label: string }[], measure: MeasureOptions): Promise<GeneratorRow[]> {
  const rows: GeneratorRow[] = [];
  for (const b of backends.filter((b) => b.name !== 'webgpu')) {
    await activateBackend(b.name);
    const c = contenders(b.name);
    const outcomes = await measureInterleaved(c.list, measure);
    c.release();
    const msOf = (i: number) => ('stats' in outcomes[i]! ? outcomes[i]!.stats.msMedian : null);
    const [forward, backward] = [msOf(0), msOf(1)];
    const step = forward !== null && backward !== null ? forward + backward : null;
    c.names.forEach((call, i) => {
      const t = msOf(i);
      rows.push({
        backend: b.label, call, msMedian: t, vsGridSampleForward: t !== null && forward ? t / forward : null,
        vsGridSampleStep: t !== null && step ? t / step : null,
      });
    });
  }
  return rows;
}

export function generatorText(rows: readonly GeneratorRow[]): string {
  return `Grid generators on the STN-MNIST call (input [${SHAPE.join(',')}], grid [${SHAPE[0]},${SHAPE[1]},${SHAPE[2]},2]), ms per call\n` +
    textTable(['backend', 'call', 'ms', '÷ gridSample forward', '÷ gridSample forward+backward'], rows.map((r) => [
      r.backend, r.call, r.msMedian === null ? '-' : ms(r.msMedian), r.vsGridSampleForward === null ? '-' : r.vsGridSampleForward.toFixed(2),
      r.vsGridSampleStep === null ? '-' : r.vsGridSampleStep.toFixed(2),
    ])) +
    '\nforward+backward = tf.grad of the grid with respect to its parameters (the grid, then its gradient). ' +
    'Target: tpsGrid forward+backward costs no more than the gridSample it feeds (forward+backward in a training step).';
}
