/**
 * npm run bench: stn-layer's gridSample kernels (forward, and the GridSampleGrad kernel that gives
 * d(input) and d(grid) in one pass) against a plain scalar JavaScript loop of the same math
 * (bench/scalar_baseline.ts), bilinear / zeros, on each tfjs backend. Also GridSampleGrad asked
 * for one gradient (its outputMask), and forward + d(grid) alone beside forward + both: an STN's
 * training step, where the image is data and tfjs asks for d(grid) alone.
 *
 *   npm run bench -- [--backends cpu,wasm,webgpu] [--quick] [--json]
 *
 * ms per call is the median over interleaved single calls after warm-up. On cpu and wasm a kernel
 * has finished when the op returns, so the timed call is the op alone, as the scalar loop writes
 * into an array it already has; on webgpu the timed call includes reading the outputs back
 * (`await t.data()`), the only way to wait for the GPU. "× scalar" is how many times faster than
 * the loop. (bench:peers gives each contender's op alone beside its time with the read-back.)
 * A second table times the grid generators (tpsGrid, projectiveGrid, affineGrid, flowGrid) forward
 * and backward beside the gridSample call they feed, on the STN-MNIST shape (bench/generators.ts);
 * a third, volumes: trilinear on the registration shapes against the scalar loop and PyTorch 1.13
 * (bench/volumes.ts).
 */
import * as tf from '@tensorflow/tfjs-core';
import { GridSampleGrad, gridSample } from '../src/index.js';
import { checkArgs } from './lib/args.js';
import { type BackendName, type StartedBackend, activateBackend, parseBackends, startBackend } from './lib/backends.js';
import { type BenchCase, type Shape4, checkAgreement, makeCase, sizeOf } from './lib/data.js';
import { type MeasureOptions, type Timed, measureInterleaved, progress } from './lib/measure.js';
import { ms, shapeText, textTable } from './lib/table.js';
import { generatorRows, generatorText } from './generators.js';
import { volumeRows, volumeText } from './volumes.js';
import { scalarGridSample } from './scalar_baseline.js';

const USAGE = `npm run bench: stn-layer's gridSample kernels against a scalar JavaScript loop of the same math;
then the grid generators' forward+backward beside the gridSample they feed (STN-MNIST shape, cpu and wasm).

  npm run bench -- [--backends cpu,wasm,webgpu] [--quick] [--json]

  --backends LIST  comma-separated tfjs backends (default cpu,wasm)
  --quick          small shapes, few calls: a smoke test of the whole run
  --json           the measurements as one JSON object on stdout ({ gridSample, generators })
  --help           print this and exit
`;
const argv = process.argv.slice(2);
checkArgs(argv, USAGE, ['--backends', '--quick', '--json']);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');

const SHAPES: { input: Shape4; out: [number, number] }[] = [
  { input: [64, 28, 28, 1], out: [28, 28] }, // the STN-MNIST call
  { input: [8, 128, 128, 16], out: [128, 128] },
  // bench:peers' mid shape, so the two benchmarks' figures can be set side by side.
  // and four channels (RGBA, as a canvas's ImageData), which have a kernel path of their own.
  ...(quick ? [] : [{ input: [32, 64, 64, 3] as Shape4, out: [64, 64] as [number, number] }, { input: [32, 64, 64, 4] as Shape4, out: [64, 64] as [number, number] }]),
];
const MEASURE: MeasureOptions = quick
  ? { rounds: 7, roundMs: 20, maxCallsPerRound: 2, tooSlowMs: 20_000, warmup: 1, warmupMs: 0 }
  : { rounds: 9, roundMs: 150, maxCallsPerRound: 10, tooSlowMs: 20_000, warmup: 3, warmupMs: 300 };
const ATTRS = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false } as const;

interface Row {
  inputShape: Shape4;
  gridShape: Shape4;
  backend: string;
  op: Op;
  msMedian: number | null;
  msMin: number | null;
  msMax: number | null;
  scalarMsMedian: number | null;
  timesFasterThanScalar: number | null;
  note?: string;
}

const OPS = ['forward', 'backward', 'backward d(grid)', 'backward d(input)', 'forward + d(grid)', 'forward + both'] as const;
type Op = (typeof OPS)[number];
/** The scalar loop's op that an op's "× scalar" compares with (the scalar loop computes both gradients at once). */
const SCALAR_OP: Partial<Record<Op, 0 | 1>> = { forward: 0, backward: 1 };

function scalarContenders(c: BenchCase): { forward: Timed; backward: Timed } {
  const points = c.gridShape[1] * c.gridShape[2];
  const out = new Float32Array(sizeOf(c.inputShape) / (c.inputShape[1] * c.inputShape[2]) * points);
  const dInput = new Float32Array(c.input.length);
  const dGrid = new Float32Array(c.grid.length);
  return {
    forward: { run: async () => scalarGridSample(c.input, c.inputShape, c.grid, points, { out }) },
    backward: { run: async () => scalarGridSample(c.input, c.inputShape, c.grid, points, { dy: c.dy, dInput, dGrid }) },
  };
}

/** stn-layer forward and GridSampleGrad (each outputMask) on one backend; checks them against the scalar loop first. */
async function kernelContenders(c: BenchCase, backend: BackendName): Promise<Record<Op, Timed>> {
  await activateBackend(backend);
  const input = tf.tensor4d(c.input, c.inputShape);
  const grid = tf.tensor4d(c.grid, c.gridShape);
  const dy = tf.tensor4d(c.dy, [c.gridShape[0], c.gridShape[1], c.gridShape[2], c.inputShape[3]]);
  const forward = async () => {
    const out = gridSample(input, grid, ATTRS);
    const data = await out.data();
    out.dispose();
    return data;
  };
  const grads = (outputMask: [boolean, boolean]) => tf.engine().runKernel(GridSampleGrad, { dy, input, grid }, { ...ATTRS, outputMask }) as tf.Tensor[];
  const backward = async (outputMask: [boolean, boolean] = [true, true]) => {
    const [dIn, dG] = grads(outputMask);
    const data = await Promise.all([dIn!.data(), dG!.data()]);
    tf.dispose([dIn!, dG!]);
    return data;
  };
  const points = c.gridShape[1] * c.gridShape[2];
  const want = new Float32Array(c.dy.length);
  const wantDIn = new Float32Array(c.input.length);
  const wantDGrid = new Float32Array(c.grid.length);
  scalarGridSample(c.input, c.inputShape, c.grid, points, { out: want });
  scalarGridSample(c.input, c.inputShape, c.grid, points, { dy: c.dy, dInput: wantDIn, dGrid: wantDGrid });
  const [dIn, dG] = await backward();
  checkAgreement(`${backend} output against the scalar loop`, await forward(), want);
  checkAgreement(`${backend} dInput against the scalar loop`, dIn!, wantDIn);
  checkAgreement(`${backend} dGrid against the scalar loop`, dG!, wantDGrid);
  checkAgreement(`${backend} dGrid alone against the scalar loop`, (await backward([false, true]))[1]!, wantDGrid);
  checkAgreement(`${backend} dInput alone against the scalar loop`, (await backward([true, false]))[0]!, wantDIn);
  const activate = () => activateBackend(backend);
  const timed = (run: () => Promise<unknown>): Timed => ({ run: async () => void (await run()), activate });
  if (backend === 'webgpu') {
    return {
      forward: timed(forward), backward: timed(() => backward()), 'backward d(grid)': timed(() => backward([false, true])),
      'backward d(input)': timed(() => backward([true, false])),
      'forward + d(grid)': timed(() => Promise.all([forward(), backward([false, true])])),
      'forward + both': timed(() => Promise.all([forward(), backward()])),
    };
  }
  // Synchronous backends: the op's return is the end of the work.
  const forwardOnly = () => gridSample(input, grid, ATTRS).dispose();
  const gradsOnly = (outputMask: [boolean, boolean]) => tf.dispose(grads(outputMask));
  return {
    forward: timed(async () => forwardOnly()), backward: timed(async () => gradsOnly([true, true])),
    'backward d(grid)': timed(async () => gradsOnly([false, true])), 'backward d(input)': timed(async () => gradsOnly([true, false])),
    'forward + d(grid)': timed(async () => { forwardOnly(); gradsOnly([false, true]); }),
    'forward + both': timed(async () => { forwardOnly(); gradsOnly([true, true]); }),
  };
}

async function main(): Promise<void> {
  const backends: StartedBackend[] = [];
  for (const name of parseBackends(argv, ['cpu', 'wasm'])) {
    const b = await startBackend(name);
    if (b) backends.push(b);
  }
  const rows: Row[] = [];
  for (const shape of SHAPES) {
    const c = makeCase(shape.input, shape.out);
    progress(`input ${shapeText(c.inputShape)} grid ${shapeText(c.gridShape)}: checking and timing`);
    const scalar = scalarContenders(c);
    const kernels = [];
    for (const b of backends) kernels.push({ b, ops: await kernelContenders(c, b.name) });
    const list: Timed[] = [scalar.forward, scalar.backward, ...kernels.flatMap((k) => OPS.map((op) => k.ops[op]))];
    const outcomes = await measureInterleaved(list, MEASURE);
    const statsOf = (i: number) => ('stats' in outcomes[i]! ? outcomes[i]!.stats : undefined);
    for (const [k, kernel] of kernels.entries()) {
      for (const [j, op] of OPS.entries()) {
        const at = 2 + OPS.length * k + j;
        const s = statsOf(at);
        const scalarOp = SCALAR_OP[op];
        const base = scalarOp === undefined ? undefined : statsOf(scalarOp);
        rows.push({
          inputShape: c.inputShape, gridShape: c.gridShape, backend: kernel.b.label, op,
          msMedian: s?.msMedian ?? null, msMin: s?.msMin ?? null, msMax: s?.msMax ?? null,
          scalarMsMedian: base?.msMedian ?? null,
          timesFasterThanScalar: s && base ? base.msMedian / s.msMedian : null,
          ...(s ? {} : { note: (outcomes[at] as { skipped: string }).skipped }),
        });
      }
    }
  }
  const generators = await generatorRows(backends, MEASURE);
  const volumes = await volumeRows(backends, MEASURE, quick);
  if (asJson) {
    process.stdout.write(`${JSON.stringify({ gridSample: rows, generators, volumes }, null, 1)}\n`);
    return;
  }
  const fmt = (x: number | null) => (x === null ? '-' : ms(x));
  console.log(`gridSample bilinear/zeros, ms per call (median of interleaved calls)${quick ? ' [--quick: few calls]' : ''}`);
  console.log(textTable(
    ['input', 'grid', 'backend', 'op', 'stn-layer ms', 'min', 'max', 'scalar JS ms', '× scalar'],
    rows.map((r) => [shapeText(r.inputShape), shapeText(r.gridShape), r.backend, r.op, fmt(r.msMedian), fmt(r.msMin),
      fmt(r.msMax), fmt(r.scalarMsMedian), r.timesFasterThanScalar === null ? r.note ?? '-' : r.timesFasterThanScalar.toPrecision(2)]),
  ));
  console.log('backward = the GridSampleGrad kernel: d(input) and d(grid) in one pass; d(grid) / d(input) = asked for that one alone');
  console.log('(outputMask). × scalar = scalar loop ms / stn-layer ms.');
  for (const r of rows.filter((row) => row.op === 'forward + d(grid)')) {
    const both = rows.find((b) => b.op === 'forward + both' && b.backend === r.backend && b.inputShape === r.inputShape);
    const a = r.msMedian;
    const b = both?.msMedian ?? null;
    if (a !== null && b !== null) {
      console.log(`${shapeText(r.inputShape)} ${r.backend}: forward + d(grid) alone = ${(a / b).toFixed(2)} x forward + both gradients`);
    }
  }
  console.log(`\n${generatorText(generators)}`);
  console.log(`\n${volumeText(volumes)}`);
}

main().catch((e: unknown) => {
  // tfjs-backend-wasm rethrows unhandled rejections with its whole source; say it plainly instead.
  process.stderr.write(`bench failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
