/**
 * npm run bench's volume section: trilinear gridSample (zeros, alignCorners false) on the two
 * registration shapes, [2, 64, 64, 64, 1] -> 64³ and [1, 32, 96, 96, 4] -> 32×96×96, at a near-identity
 * 3-D affine grid, forward and forward + backward (both gradients, the GridSampleGrad kernel),
 * beside the plain scalar loop (bench/scalar_baseline.ts) and PyTorch 1.13's CPU time with one
 * thread, measured once on the 2-D benchmarks' reference machine (its 3-D CPU kernel is scalar).
 * The targets: at most 0.5x PyTorch's time, at least 3x faster than the scalar loop. Where
 * /usr/bin/python3 has torch, PyTorch is also timed here, one thread, on the same data, interleaved
 * with the others (bench/peers/pytorch.ts, its worker process); ONNX Runtime's GridSample
 * (onnxruntime-node, opset 20, one thread, forward only: it has no gradient) is timed with them too.
 */
import * as tf from '@tensorflow/tfjs-core';
import { GridSampleGrad, gridSample } from '../src/index.js';
import { type BackendName, activateBackend } from './lib/backends.js';
import { type Shape5, channelsFirstShape, checkAgreement, makeVolumeCase, sizeOf, toChannelsFirst, toChannelsLast } from './lib/data.js';
import { type MeasureOptions, type Outcome, type Timed, measureInterleaved, progress } from './lib/measure.js';
import { ms, shapeText, textTable } from './lib/table.js';
import { gridSampleOnnxModel } from './peers/onnx_model.js';
import { ortNodeSession } from './peers/ort.js';
import { PytorchWorker, pytorchMissing } from './peers/pytorch.js';
import { scalarGridSample3d } from './scalar_baseline.js';

/** The shapes and PyTorch 1.13's ms (one thread, CPU; forward, forward + backward). */
const SHAPES: { input: Shape5; pytorch: [number, number] | null }[] = [
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
  /** PyTorch on this machine, one thread (median, timed in its worker, interleaved with the others), where it is installed. */
  pytorchHereMs: number | null;
  /** onnxruntime-node's GridSample, one thread (forward only). */
  ortMs: number | null;
}

/** ONNX Runtime's forward on the case, checked against the scalar loop; undefined where it cannot run it. */
async function ortContender(input: Float32Array, inputShape: Shape5, grid: Float32Array, gridShape: number[], want: Float32Array) {
  const [N, D, H, W, C] = inputShape as [number, number, number, number, number];
  try {
    const model = gridSampleOnnxModel([N, C, D, H, W], gridShape, ATTRS);
    const session = await ortNodeSession(model, 1, toChannelsFirst(input, inputShape), [N, C, D, H, W], grid, gridShape);
    checkAgreement('onnxruntime-node volume output against the scalar loop', toChannelsLast(session.output, [N, C, D, H, W]), want);
    return session;
  } catch (e) {
    process.stderr.write(`volumes: ONNX Runtime not timed (${(e as Error).message.split('\n')[0]})\n`);
    return undefined;
  }
}

/** PyTorch's forward and forward + backward on the case (one thread), checked against the scalar loop; undefined where it fails. */
async function pytorchSession(worker: PytorchWorker, c: ReturnType<typeof makeVolumeCase>, want: { out: Float32Array; dInput: Float32Array; dGrid: Float32Array }) {
  const xShape = channelsFirstShape(c.inputShape);
  try {
    const s = await worker.session({
      x: toChannelsFirst(c.input, c.inputShape), xShape, grid: c.grid, gridShape: c.gridShape,
      dy: toChannelsFirst(c.dy, c.inputShape), dyShape: xShape, ...ATTRS,
    });
    checkAgreement('PyTorch volume output against the scalar loop', toChannelsLast(s.results.output, xShape), want.out);
    checkAgreement('PyTorch volume dInput against the scalar loop', toChannelsLast(s.results.dInput, xShape), want.dInput);
    checkAgreement('PyTorch volume dGrid against the scalar loop', s.results.dGrid, want.dGrid);
    const timed = (['forward', 'forward+backward'] as const).map((op): Timed => ({
      run: async () => void (await s.time(op, 1)), timeCalls: (calls) => s.time(op, calls),
    }));
    return { timed, release: s.release };
  } catch (e) {
    progress(`volumes: PyTorch not timed (${(e as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

const statsAt = (outcomes: Outcome[], i: number) => ('stats' in outcomes[i]! ? outcomes[i]!.stats : undefined);

export async function volumeRows(backends: readonly { name: BackendName; label: string }[], measure: MeasureOptions, quick: boolean): Promise<VolumeRow[]> {
  const rows: VolumeRow[] = [];
  const noTorch = pytorchMissing();
  if (noTorch) progress(`volumes: PyTorch not timed here (${noTorch})`);
  const torch = noTorch ? undefined : new PytorchWorker(1);
  for (const shape of quick ? QUICK_SHAPES : SHAPES) {
    const c = makeVolumeCase(shape.input);
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
    const here = torch ? await pytorchSession(torch, c, { out, dInput, dGrid }) : undefined;
    const hereTimed: Timed[] = here ? OPS.map((_, j) => here.timed[j]!) : [];
    const outcomes = await measureInterleaved([...scalar, ...kernels.flatMap((k) => k.list), ...ortTimed, ...hereTimed], measure);
    const ortStats = ort ? statsAt(outcomes, 2 + 2 * kernels.length) : undefined;
    const hereStats = OPS.map((_, j) => (here ? statsAt(outcomes, outcomes.length - OPS.length + j) : undefined));
    await ort?.release();
    await here?.release();
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
          pytorchHereMs: hereStats[j]?.msMedian ?? null,
          ortMs: op === 'forward' ? ortStats?.msMedian ?? null : null,
        });
      }
      kernel.release();
    }
  }
  torch?.terminate();
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
    'one CPU thread, measured once on the reference machine), × scalar >= 3. PyTorch here: the same data timed on this\n' +
    'machine by PyTorch (its CPU grid_sample, one thread, in a worker process: bench/peers/pytorch.ts), interleaved with the others.\n' +
    'ONNX Runtime: onnxruntime-node GridSample (opset 20), one thread, forward only, timed with the others.';
}
