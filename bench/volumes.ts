/**
 * npm run bench's volume section: trilinear gridSample (zeros, alignCorners false) on the two
 * registration shapes, [2, 64, 64, 64, 1] -> 64³ and [1, 32, 96, 96, 4] -> 32×96×96, at a near-identity
 * 3-D affine grid, forward and forward + backward (both gradients, the GridSampleGrad kernel),
 * beside the plain scalar loop (bench/scalar_baseline.ts) and PyTorch 1.13's CPU time with one
 * thread, measured once on the 2-D benchmarks' reference machine (its 3-D CPU kernel is scalar).
 * The targets: at most 0.5x PyTorch's time, at least 3x faster than the scalar loop. Where
 * /usr/bin/python3 has torch, bench/peers/pytorch_volumes.py also times PyTorch here, one thread,
 * on the same shapes (run after the others, not interleaved with them); ONNX Runtime's GridSample
 * (onnxruntime-node, opset 20, one thread, forward only: it has no gradient) is timed with the others.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { GridSampleGrad, gridSample } from '../src/index.js';
import { affineGridReference } from '../src/reference/grid_sample.js';
import { type BackendName, activateBackend } from './lib/backends.js';
import { checkAgreement, seededRandom, sizeOf } from './lib/data.js';
import { type MeasureOptions, type Outcome, type Timed, measureInterleaved } from './lib/measure.js';
import { ms, shapeText, textTable } from './lib/table.js';
import { gridSampleOnnxModel } from './peers/onnx_model.js';
import { ortNodeSession } from './peers/ort.js';
import { scalarGridSample3d } from './scalar_baseline.js';

/** The shapes and PyTorch 1.13's ms (one thread, CPU; forward, forward + backward). */
const SHAPES: { input: number[]; pytorch: [number, number] | null }[] = [
  { input: [2, 64, 64, 64, 1], pytorch: [25.8, 52.6] },
  { input: [1, 32, 96, 96, 4], pytorch: [25.2, 65.9] },
];
const QUICK_SHAPES: typeof SHAPES = [{ input: [1, 8, 12, 10, 2], pytorch: null }];
const ATTRS = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;
const OPS = ['forward', 'forward + backward'] as const;

export interface VolumeRow {
  inputShape: number[];
  backend: string;
  op: (typeof OPS)[number];
  msMedian: number | null;
  scalarMsMedian: number | null;
  timesFasterThanScalar: number | null;
  pytorchMs: number | null;
  /** ms / PyTorch's ms: the target is at most 0.5. */
  vsPytorch: number | null;
  /** PyTorch 1.13 on this machine, one thread (wall-clock median), where it is installed. */
  pytorchHereMs: number | null;
  /** onnxruntime-node's GridSample, one thread (forward only). */
  ortMs: number | null;
}

/** [N, D, H, W, C] -> [N, C, D, H, W], outside the timed calls. */
function toChannelsFirst(x: Float32Array, [N, D, H, W, C]: readonly number[]): Float32Array {
  const out = new Float32Array(x.length);
  const voxels = D! * H! * W!;
  for (let n = 0; n < N!; n++) {
    for (let v = 0; v < voxels; v++) for (let c = 0; c < C!; c++) out[(n * C! + c) * voxels + v] = x[(n * voxels + v) * C! + c]!;
  }
  return out;
}

/** ONNX Runtime's forward on the case, checked against the scalar loop; undefined where it cannot run it. */
async function ortContender(input: Float32Array, inputShape: number[], grid: Float32Array, gridShape: number[], want: Float32Array) {
  const [N, D, H, W, C] = inputShape as [number, number, number, number, number];
  try {
    const model = gridSampleOnnxModel([N, C, D, H, W], gridShape, ATTRS);
    const session = await ortNodeSession(model, 1, toChannelsFirst(input, inputShape), [N, C, D, H, W], grid, gridShape);
    // Its output is channels-first: compare it with the scalar loop's, made channels-first too.
    checkAgreement('onnxruntime-node volume output against the scalar loop', session.output,
      toChannelsFirst(want, [...gridShape.slice(0, -1), C]));
    return session;
  } catch (e) {
    process.stderr.write(`volumes: ONNX Runtime not timed (${(e as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}

/** PyTorch's ms here per input shape ([forward, forward + backward]), or an empty map without torch. */
function pytorchHere(quick: boolean): Map<string, [number, number]> {
  const script = join(import.meta.dirname, 'peers', 'pytorch_volumes.py');
  const run = spawnSync('/usr/bin/python3', [script, ...(quick ? ['--quick'] : [])], { encoding: 'utf8', timeout: 600_000 });
  const times = new Map<string, [number, number]>();
  if (run.status !== 0) {
    process.stderr.write(`volumes: PyTorch not timed here (${(run.stderr || run.error?.message || 'no python3').trim().split('\n').pop()})\n`);
    return times;
  }
  for (const line of run.stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { input: number[]; forwardMs: number; forwardBackwardMs: number };
    times.set(r.input.join(','), [r.forwardMs, r.forwardBackwardMs]);
  }
  return times;
}

/** Rotation within ±0.2 rad about a random axis, scale 0.9..1.1, shift within ±0.1. */
function volumeCase(inputShape: number[]) {
  const random = seededRandom(5);
  const [N] = inputShape as [number];
  const theta = new Float32Array(N * 12);
  for (let n = 0; n < N; n++) {
    const [a, b, c] = [0, 1, 2].map(() => (random() - 0.5) * 0.4) as [number, number, number];
    const s = 0.9 + random() * 0.2;
    // A small rotation to first order (I + skew), scaled: near-identity, as registration starts.
    theta.set([s, -c * s, b * s, (random() - 0.5) * 0.2, c * s, s, -a * s, (random() - 0.5) * 0.2,
      -b * s, a * s, s, (random() - 0.5) * 0.2], n * 12);
  }
  const input = new Float32Array(sizeOf(inputShape)).map(() => random());
  const grid = Float32Array.from(affineGridReference(theta, inputShape, false));
  const dy = new Float32Array(input.length).map(() => random() - 0.5);
  return { input, grid, dy, gridShape: [...inputShape.slice(0, -1), 3] };
}

const statsAt = (outcomes: Outcome[], i: number) => ('stats' in outcomes[i]! ? outcomes[i]!.stats : undefined);

export async function volumeRows(backends: readonly { name: BackendName; label: string }[], measure: MeasureOptions, quick: boolean): Promise<VolumeRow[]> {
  const rows: VolumeRow[] = [];
  const here = pytorchHere(quick);
  for (const shape of quick ? QUICK_SHAPES : SHAPES) {
    const c = volumeCase(shape.input);
    const points = sizeOf(c.gridShape.slice(1, -1)); // per batch item
    const [out, dInput, dGrid] = [new Float32Array(c.dy.length), new Float32Array(c.input.length), new Float32Array(c.grid.length)];
    const scalar: Timed[] = [
      { run: async () => scalarGridSample3d(c.input, shape.input, c.grid, points, { out }) },
      { run: async () => {
        scalarGridSample3d(c.input, shape.input, c.grid, points, { out });
        scalarGridSample3d(c.input, shape.input, c.grid, points, { dy: c.dy, dInput, dGrid });
      } },
    ];
    await scalar[1]!.run();
    const kernels: { label: string; list: Timed[]; release: () => void }[] = [];
    for (const b of backends.filter((b) => b.name !== 'webgpu')) {
      await activateBackend(b.name);
      const x = tf.tensor(c.input, shape.input);
      const g = tf.tensor(c.grid, c.gridShape);
      const dy = tf.tensor(c.dy, shape.input);
      const grads = () => tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid: g }, { ...ATTRS }) as tf.Tensor[];
      const [dIn, dG] = grads();
      const y = gridSample(x, g, ATTRS);
      checkAgreement(`${b.label} volume output against the scalar loop`, await y.data(), out);
      checkAgreement(`${b.label} volume dInput against the scalar loop`, await dIn!.data(), dInput);
      checkAgreement(`${b.label} volume dGrid against the scalar loop`, await dG!.data(), dGrid);
      tf.dispose([dIn!, dG!, y]);
      const activate = () => activateBackend(b.name);
      kernels.push({
        label: b.label,
        list: [
          { run: async () => gridSample(x, g, ATTRS).dispose(), activate },
          { run: async () => { gridSample(x, g, ATTRS).dispose(); tf.dispose(grads()); }, activate },
        ],
        release: () => tf.dispose([x, g, dy]),
      });
    }
    const ort = await ortContender(c.input, shape.input, c.grid, c.gridShape, out);
    const ortTimed: Timed[] = ort ? [{ run: ort.run }] : [];
    const outcomes = await measureInterleaved([...scalar, ...kernels.flatMap((k) => k.list), ...ortTimed], measure);
    const ortStats = ort ? statsAt(outcomes, outcomes.length - 1) : undefined;
    await ort?.release();
    const statsOf = (i: number) => statsAt(outcomes, i);
    for (const [k, kernel] of kernels.entries()) {
      for (const [j, op] of OPS.entries()) {
        const s = statsOf(2 + 2 * k + j);
        const base = statsOf(j);
        const pytorchMs = shape.pytorch?.[j] ?? null;
        rows.push({
          inputShape: shape.input, backend: kernel.label, op, msMedian: s?.msMedian ?? null, scalarMsMedian: base?.msMedian ?? null,
          timesFasterThanScalar: s && base ? base.msMedian / s.msMedian : null,
          pytorchMs, vsPytorch: s && pytorchMs ? s.msMedian / pytorchMs : null,
          pytorchHereMs: here.get(shape.input.join(','))?.[j] ?? null,
          ortMs: op === 'forward' ? ortStats?.msMedian ?? null : null,
        });
      }
      kernel.release();
    }
  }
  return rows;
}

export function volumeText(rows: readonly VolumeRow[]): string {
  const fmt = (x: number | null, f: (v: number) => string = ms) => (x === null ? '-' : f(x));
  return `Volumes: gridSample trilinear/zeros at a near-identity 3-D affine grid, ms per call (median)\n${textTable(
    ['input -> same-size grid', 'backend', 'op', 'stn-layer ms', 'scalar JS ms', '× scalar', 'PyTorch 1.13 ms', '/ PyTorch',
      'PyTorch here ms', '/ PyTorch here', 'ONNX Runtime ms'],
    rows.map((r) => [shapeText(r.inputShape), r.backend, r.op, fmt(r.msMedian), fmt(r.scalarMsMedian),
      fmt(r.timesFasterThanScalar, (v) => v.toPrecision(2)), fmt(r.pytorchMs), fmt(r.vsPytorch, (v) => v.toFixed(2)),
      fmt(r.pytorchHereMs), r.msMedian !== null && r.pytorchHereMs ? (r.msMedian / r.pytorchHereMs).toFixed(2) : '-', fmt(r.ortMs)]),
  )}\nforward + backward = gridSample, then GridSampleGrad (d(input) and d(grid)). Targets: / PyTorch <= 0.5 (PyTorch 1.13,\n` +
    'one CPU thread, measured once on the reference machine), × scalar >= 3. PyTorch here: the same shapes timed on this\n' +
    'machine by bench/peers/pytorch_volumes.py, one thread, after the others (a shared machine makes the two runs differ).\n' +
    'ONNX Runtime: onnxruntime-node GridSample (opset 20), one thread, forward only, timed with the others.';
}
