/**
 * npm run bench:threads: the cpu backend's gridSample on 1 and 2 threads (useThreads), beside
 * PyTorch 1.13 on 1 and 2 threads timed on the same data right after (bench:peers'
 * PytorchWorker, checked against stn-layer first). Bilinear, zeros, an STN-like affine grid the
 * size of the input (bench/lib/data.ts). With --browser: the wasm backend in headless Chromium,
 * on a cross-origin-isolated page (tfjs-wasm's threaded build, its heap shared), on 1 and 2
 * threads (a Web Worker on that heap; no copies: the op is the kernels), bench/threads_page.
 *
 *   npm run bench:threads -- [--quick] [--json] [--browser] [--collect-each-turn] [--runs N] [--write-results]
 *
 * Per shape: forward (the op), forward + backward (the op, then GridSampleGrad for d(input) and
 * d(grid)), forward + d(grid) (GridSampleGrad for d(grid) alone: an STN's step), each the median
 * of single calls, the thread counts interleaved, then PyTorch's (both pools stay up; each turn
 * activates one). The op includes the cpu backend's copies in and out of the kernels' memory, which one thread
 * makes; "kernels" times the same kernel functions on operands already in the module's memory. Then: the one-thread cost of d(input)'s fixed stripes (module calls on one image, one
 * pass against two stripes and their sum), and the cost of one round trip to a worker (an empty
 * task), which sets shared/split.ts's MIN_WORK_PER_THREAD (MIN_WORK_PER_THREAD_COPIED: the op's own measurements). On a shared machine, read the load
 * average printed with the tables: two threads gain only where a second core is free.
 *
 * V8's collector needs a core too (bench/lib/gc.ts), and how often it collects decides what a
 * second thread gains on a 2-core machine: `npm run bench:threads` runs Node with the young
 * generation README Threads advises (`--min-semi-space-size=32 --max-semi-space-size=32`; run
 * `node --expose-gc --import tsx bench/threads.ts` for V8's default), no contender's turn starts
 * with a forced collection (bench:peers forces one, its contenders' garbage differing), PyTorch is
 * timed in rounds of its own right after stn-layer's (its turns leave this process idle, which
 * on V8's default young generation lets V8 shrink it again), and the table shows the full
 * collections V8 made during each row's timed rounds. --collect-each-turn forces one before each turn and times
 * PyTorch in the same rounds.
 *
 * A 2-core VM's speed drifts from minute to minute (the same kernels 3.6 and 8.6 ms an hour apart;
 * a second core slow for a run): --runs N makes N whole runs, each in a process of its own, and
 * gives each figure's median over them; issue 17's target is judged on the median of the runs'
 * ratios, each run's beside it (--runs 5 --write-results writes bench/THREADS.md so).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { STRIPES } from '../src/kernels/shared/split.js';
import { type KernelHeap, runSerially } from '../src/kernels/shared/heap.js';
import { gridSampleGradKernel, gridSampleKernel } from '../src/kernels/shared/kernels.js';
import { type StnExports, stnExportsFor } from '../src/kernels/shared/stn_module.js';
import { forgetResidentInputs } from '../src/kernels/cpu/cpu_backend.js';
import { setActivePool } from '../src/kernels/threads/active.js';
import { WorkerPool } from '../src/kernels/threads/pool.js';
import { checkArgs } from './lib/args.js';
import { ATTRS, DIRECTIONS, type Direction, directionCalls } from './lib/directions.js';
import { type Shape4, makeCase, sizeOf } from './lib/data.js';
import { fullCollections } from './lib/gc.js';
import { type MeasureOptions, type Outcome, type Timed, median as medianOfSamples, measureInterleaved, progress } from './lib/measure.js';
import { markdownTable, ms, shapeText, textTable } from './lib/table.js';
import { type Target, machineInfo, targetCells } from './peers/report.js';
import { type CaseSpec, type Prepared, pytorchContenders, stnLayerWant } from './peers/contenders.js';
import { PytorchWorker, pytorchMissing } from './peers/pytorch.js';
import type { ThreadsBenchResult } from './threads_page/page.js';

const USAGE = `npm run bench:threads: the cpu backend's gridSample on 1 and 2 threads, beside PyTorch on 1 and 2 threads
(the same data, timed right after).

  npm run bench:threads -- [--quick] [--json] [--browser] [--collect-each-turn] [--runs N] [--write-results]

  --quick    small shapes, few calls: a smoke test of the whole run
  --runs N   N whole runs, one process each, one after another; the table gives each figure's median
             over the runs and the target each run's ratio (the VM's speed drifts from minute to minute)
  --json     the measurements as one JSON object on stdout
  --browser  the wasm backend in headless Chromium (tfjs-wasm's threaded build) instead
  --collect-each-turn  a full garbage collection before each contender's turn (as bench:peers makes),
             PyTorch in the same rounds (not with --browser)
  --write-results  also write bench/THREADS.md (not with --browser or --json)
  --help   print this and exit
`;
const argv = process.argv.slice(2);
checkArgs(argv, USAGE, ['--quick', '--json', '--browser', '--collect-each-turn', '--runs', '--write-results']);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');
const collectBeforeTurn = argv.includes('--collect-each-turn');
const writeResults = argv.includes('--write-results');
const runsAt = argv.indexOf('--runs');
const runs = runsAt < 0 ? 1 : Number(argv[runsAt + 1]);
const refuse = (why: string) => {
  process.stderr.write(`bench:threads: ${why}\n\n${USAGE}`);
  process.exit(2);
};
if (!Number.isInteger(runs) || runs < 1) refuse(`--runs takes a whole number of runs, at least 1; got ${argv[runsAt + 1] ?? 'nothing'}`);
if (argv.includes('--browser') && (writeResults || collectBeforeTurn || runsAt >= 0)) refuse('--write-results, --collect-each-turn and --runs are for the Node run; not with --browser');
if (asJson && (writeResults || runsAt >= 0)) refuse('--write-results and --runs give the text run\'s tables; not with --json');

const SHAPES: Shape4[] = quick ? [[2, 64, 64, 3], [1, 128, 128, 3]] : [[64, 28, 28, 1], [8, 128, 128, 16], [1, 512, 512, 3]];
const MEASURE: MeasureOptions = quick
  ? { rounds: 5, roundMs: 20, maxCallsPerRound: 2, tooSlowMs: 20_000, warmup: 1, warmupMs: 0, collectBeforeTurn }
  : { rounds: 15, roundMs: 150, maxCallsPerRound: 8, tooSlowMs: 20_000, warmup: 3, warmupMs: 300, collectBeforeTurn };

const median = (outcome: Outcome) => ('stats' in outcome ? outcome.stats.msMedian : NaN);
const load = () => (process.platform === 'linux' ? spawnSync('cat', ['/proc/loadavg'], { encoding: 'utf8' }).stdout.trim() : 'n/a');

/** One row of a run: a shape and call, each contender's median ms, and the full collections in its timed rounds. */
interface Row {
  shape: Shape4; direction: Direction; oneMs: number; twoMs: number; kernelOneMs: number; kernelTwoMs: number; torchOneMs: number; torchTwoMs: number;
  fullCollections: number;
}

/** A whole run's measurements (what --json prints). */
interface Run {
  rows: Row[]; stripes: { shape: Shape4; onePassMs: number; stripesMs: number }; roundTripUs: number; torchVersion: string;
  collectBeforeTurn: boolean; youngGenerationMB: number; loadBefore: string; loadAfter: string;
}

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  if (asJson) {
    process.stdout.write(`${JSON.stringify(await measure())}\n`);
    return;
  }
  report(runs > 1 ? runsInChildren(runs) : [await measure()], loadAtStart);
}

/**
 * `count` runs, each in a process of its own (this script with --json, the same node flags and
 * environment), one after another: a run's figures move with the VM's speed, which drifts.
 */
function runsInChildren(count: number): Run[] {
  const passed = argv.filter((a, i) => a !== '--write-results' && i !== runsAt && i !== runsAt + 1);
  return Array.from({ length: count }, (_, k) => {
    progress(`run ${k + 1} of ${count}`);
    const child = spawnSync(process.execPath, [...process.execArgv, process.argv[1]!, ...passed, '--json'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 1 << 24 });
    if (child.status !== 0) throw new Error(`bench:threads: run ${k + 1} of ${count} failed (exit ${child.status ?? child.signal})`);
    return JSON.parse(child.stdout.trim().split('\n').at(-1)!) as Run;
  });
}

async function measure(): Promise<Run> {
  await tf.setBackend('cpu');
  const pool = await WorkerPool.start(2);
  const loadBefore = load();
  const noTorch = pytorchMissing();
  if (noTorch) progress(`PyTorch: not timed here (${noTorch})`);
  const torchWorkers = noTorch ? [] : [1, 2].map((n) => new PytorchWorker(n));
  const torchVersion = torchWorkers.length ? await torchWorkers[0]!.ready : '';
  const torchContenders = torchWorkers.flatMap((w) => pytorchContenders(w, torchVersion));
  const rows: Row[] = [];
  const own = new WebAssembly.Memory({ initial: 1 });
  for (const shape of SHAPES) {
    const spec: CaseSpec = { inputShape: shape, outSize: [shape[1], shape[2]], ...ATTRS };
    const c = makeCase(shape, [shape[1], shape[2]]);
    const want = await stnLayerWant('cpu', c, spec);
    const x = tf.tensor4d(c.input, c.inputShape);
    const g = tf.tensor4d(c.grid, c.gridShape);
    const dy = tf.tensor4d(c.dy, [...c.gridShape.slice(0, 3), shape[3]] as Shape4);
    const calls = directionCalls(x, g, dy);
    // The kernels alone: the same kernel functions on operands already in the module's memory.
    const resident = [residentKernels(own, stnExportsFor(own), [x, g, dy]), residentKernels(pool.memory, pool.stn, [x, g, dy], pool)];
    for (const direction of DIRECTIONS) {
      progress(`${shapeText(shape)} ${direction}`);
      const op = (threads: WorkerPool | undefined): Timed => ({
        activate: async () => setActivePool(threads),
        run: async () => tf.dispose(calls[direction]()),
      });
      const kernel = (k: (typeof resident)[number]): Timed => ({ activate: async () => setActivePool(undefined), run: async () => k(direction) });
      // PyTorch on 1 and 2 threads, each checked against stn-layer's results before it is timed.
      const torch: (Prepared | undefined)[] = [];
      for (const k of torchContenders.filter((t) => t.op === direction)) {
        torch.push(await k.prepare(c, spec, want).catch((e: unknown) => {
          progress(`  PyTorch ${k.threads} threads: ${(e as Error).message}`);
          return undefined;
        }));
      }
      const timedTorch = torch.filter((t) => t !== undefined);
      let collections: ReturnType<typeof fullCollections> | undefined;
      const [one, two, kernelOne, kernelTwo, ...interleavedTorch] = await measureInterleaved(
        [op(undefined), op(pool), kernel(resident[0]!), kernel(resident[1]!), ...(collectBeforeTurn ? timedTorch : [])],
        { ...MEASURE, atRoundsStart: () => (collections = fullCollections()) });
      const fullCollectionsSeen = collections?.stop() ?? NaN;
      // PyTorch's turns leave this process idle, and an idle V8 lowers its limits again (bench/lib/gc.ts): in rounds of their own, after.
      const torchOutcomes = collectBeforeTurn ? interleavedTorch : await measureInterleaved(timedTorch, MEASURE);
      const torchMs = (i: number) => (torch[i] ? median(torchOutcomes[timedTorch.indexOf(torch[i])]!) : NaN);
      rows.push({
        shape, direction, oneMs: median(one!), twoMs: median(two!), kernelOneMs: median(kernelOne!), kernelTwoMs: median(kernelTwo!),
        torchOneMs: torchMs(0), torchTwoMs: torchMs(1), fullCollections: fullCollectionsSeen,
      });
      await Promise.all(timedTorch.map((t) => t.release()));
    }
    tf.dispose([x, g, dy]);
  }
  setActivePool(undefined);
  const stripes = await stripeCost();
  const roundTripUs = workerRoundTrip(pool);
  await pool.stop();
  for (const w of torchWorkers) w.terminate();
  const loadAfter = load();
  return { rows, stripes, roundTripUs, torchVersion, collectBeforeTurn, youngGenerationMB: youngGenerationMB(), loadBefore, loadAfter };
}

/** The median of the measured ones (a run's --json has null for NaN: PyTorch not timed, say). */
const medianOf = (xs: readonly (number | null)[]) => {
  const measured = xs.filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  return measured.length > 0 ? medianOfSamples(measured) : NaN;
};

/** The runs' tables on stdout (each figure the median over the runs, a ratio the median of the runs' ratios), and bench/THREADS.md with --write-results. */
function report(results: readonly Run[], loadAtStart: readonly number[]): void {
  const n = results.length;
  const first = results[0]!;
  // Row i of every run: the same shape and call (the runs time the same list).
  const across = (i: number, f: (r: Row) => number) => medianOf(results.map((run) => f(run.rows[i]!)));
  const orBlank = (x: number) => (Number.isNaN(x) ? '' : ms(x));
  const header = ['input', 'call', '1 thread', '2 threads', '2 / 1', 'kernels 1', 'kernels 2', '2 / 1', 'PyTorch 1', 'PyTorch 2', 'full GCs'];
  const cells = first.rows.map((r, i) => [shapeText(r.shape), r.direction, ms(across(i, (x) => x.oneMs)), ms(across(i, (x) => x.twoMs)),
    across(i, (x) => x.twoMs / x.oneMs).toFixed(2), ms(across(i, (x) => x.kernelOneMs)), ms(across(i, (x) => x.kernelTwoMs)),
    across(i, (x) => x.kernelTwoMs / x.kernelOneMs).toFixed(2), orBlank(across(i, (x) => x.torchOneMs)), orBlank(across(i, (x) => x.torchTwoMs)),
    gcCounts(results, i)]);
  const torchVersion = first.torchVersion;
  const legend = `${n > 1 ? `each figure: the median over ${n} runs (a ratio: the median of the runs' ratios);\n` : ''}1 thread, 2 threads: the op, with the cpu backend's copies in and out, made by one thread; kernels: the same
kernel functions on operands already in the module's memory, outputs left there; PyTorch${torchVersion ? ` ${torchVersion}` : ''}: the
same data channels-first, timed inside its worker process, one per thread count; full GCs${n > 1 ? ' (each run\'s)' : ''}: V8's full collections
during the row's timed rounds (the four stn-layer contenders' turns), ${collectBeforeTurn ? 'the one forced before each turn included (--collect-each-turn)' : 'none forced'}.`;
  const stripes = { shape: first.stripes.shape, onePassMs: medianOf(results.map((r) => r.stripes.onePassMs)), stripesMs: medianOf(results.map((r) => r.stripes.stripesMs)) };
  const footer = [
    `d(input) in ${STRIPES} stripes on one thread, ${shapeText(stripes.shape)}, module calls: one pass ${ms(stripes.onePassMs)} ms, stripes ${ms(stripes.stripesMs)} ms (${(stripes.stripesMs / stripes.onePassMs).toFixed(2)}x)`,
    `a worker's round trip (an empty task): ${medianOf(results.map((r) => r.roundTripUs)).toFixed(1)} µs`,
    `V8's new space (both semi-spaces) at a run's end: ${[...new Set(results.map((r) => r.youngGenerationMB))].join(', ')} MB (node's --min-semi-space-size and --max-semi-space-size set a semi-space's limits)`,
    ...results.map((r, k) => `${n > 1 ? `run ${k + 1}: ` : ''}/proc/loadavg before: ${r.loadBefore}; after: ${r.loadAfter}`),
  ];
  const targets = targetRows(results);
  const targetHeader = ['target (the op: 2 threads ms / 1 thread ms)', 'shape', n > 1 ? `median of ${n} runs' ratios` : 'ratio of medians', 'wanted', '', 'each run', 'full GCs in the timed rounds'];
  process.stdout.write(`gridSample on the cpu backend, bilinear zeros, ms (median of single calls)\n\n${textTable(header, cells)}\n(${legend})\n\n${footer.join('\n')}\n`);
  if (targets.length) process.stdout.write(`\ntarget (issue 17)\n${textTable(targetHeader, targets)}\n`);
  if (writeResults) {
    writeFileSync('bench/THREADS.md', threadsMarkdown(n, targetHeader, targets, header, cells, legend, footer, machineInfo(loadAtStart)));
    progress('wrote bench/THREADS.md');
  }
}

/** Issue 17's two-thread target, judged on the op (the cpu backend's copies included): forward+backward on two shapes. */
const TWO_THREAD_SHAPES = ['8,128,128,16', '1,512,512,3'];

/** Row i's full collections, run by run ('?' where a run could not count them). */
const gcCounts = (results: readonly Run[], i: number) =>
  results.map((run) => (Number.isFinite(run.rows[i]!.fullCollections) ? String(run.rows[i]!.fullCollections) : '?')).join(', ');

/** Issue 17's target rows: each run's ratio of the op's medians, judged on their median. */
function targetRows(results: readonly Run[]): string[][] {
  return results[0]!.rows.flatMap((r, i) => {
    if (r.direction !== 'forward+backward' || !TWO_THREAD_SHAPES.includes(r.shape.join())) return [];
    const ratios = results.map((run) => run.rows[i]!.twoMs / run.rows[i]!.oneMs);
    const ratio = medianOf(ratios);
    const target: Target = {
      what: 'cpu op forward+backward, 2 threads / 1', shape: shapeText(r.shape), ratio: Number.isFinite(ratio) ? ratio : null,
      minRatio: null, want: 0.6, atMost: true,
    };
    // bench:peers' first five cells (no ratio of the minimums here), then each run's ratio and full collections.
    return [[...targetCells(target).slice(0, 5), ratios.map((x) => x.toFixed(2)).join(', '), gcCounts(results, i)]];
  });
}

/** bench/THREADS.md: the conditions, the target rows, the table. */
function threadsMarkdown(
  runCount: number, targetHeader: string[], targets: string[][], header: string[], cells: string[][], legend: string, footer: string[],
  info: Record<string, string>,
): string {
  return [
    '# stn-layer on 1 and 2 threads (the cpu backend in Node)',
    '',
    `Written by \`npm run bench:threads -- ${argv.join(' ')}\`; regenerate with the same command. The page's figures (the wasm backend in`,
    'headless Chromium, `npm run bench:threads -- --browser`) are in README.md, Threads.',
    '',
    ...(quick ? ['**A --quick smoke run: small shapes and the fewest calls. Not the figures to quote.**', ''] : []),
    markdownTable(['', ''], [
      ...Object.entries(info),
      ['node flags', process.execArgv.filter((a) => a.startsWith('--') && a !== '--import').join(' ') || '(none)'],
      ['GLIBC_TUNABLES', process.env.GLIBC_TUNABLES ?? '(not set)'],
    ]),
    '',
    '## Target (issue 17)',
    '',
    targets.length ? markdownTable(targetHeader, targets) : '(not measured: not its shapes)',
    '',
    `## All rows (ms, median of single calls${runCount > 1 ? `; each figure the median over ${runCount} runs` : ''})`,
    '',
    markdownTable(header, cells),
    '',
    legend.replace(/\n/g, ' '),
    '',
    ...footer.map((f) => `- ${f}`),
    '',
  ].join('\n');
}

/** The size of V8's new space (its young generation), MB. */
function youngGenerationMB(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? space.space_size / 2 ** 20 : NaN;
}

/**
 * gridSample's kernel functions (shared/kernels.ts) on a heap whose inputs are already in
 * `memory` (copied once here) and whose outputs stay there: the kernels' time without the cpu
 * backend's copies. With `pool`, split over its threads as the cpu backend's heap does.
 */
function residentKernels(memory: WebAssembly.Memory, stn: StnExports, inputs: tf.Tensor[], pool?: WorkerPool) {
  const offsets = new Map<TensorInfo, number>();
  let top = 16;
  const reserve = (length: number) => {
    const at = top;
    top += Math.ceil(length / 4) * 16;
    return at;
  };
  for (const t of inputs) offsets.set(t, reserve(t.size));
  const inputsEnd = top;
  // Room for every output of a backward call, and its stripe.
  const need = inputsEnd + 16 * inputs.reduce((a, t) => a + t.size, 0);
  if (need > memory.buffer.byteLength) memory.grow(Math.ceil((need - memory.buffer.byteLength) / 65536));
  for (const t of inputs) new Float32Array(memory.buffer).set(t.dataSync(), offsets.get(t)! / 4);
  // The op's calls on this memory must not take these writes for their own inputs.
  forgetResidentInputs();
  const heap = (): KernelHeap => {
    top = inputsEnd;
    const outputs: TensorInfo[] = [];
    return {
      input: (t) => offsets.get(t as tf.Tensor)!,
      output: (shape) => {
        outputs.push({ dataId: {}, shape, dtype: 'float32' });
        return reserve(sizeOf(shape));
      },
      scratch: reserve,
      place: () => stn,
      threads: pool?.threads ?? 1,
      // In place: the kernels' split, without the copies' higher threshold.
      copies: false,
      run: (name, tasks, _spans, threads) => (pool ? pool.run(name, tasks, undefined, undefined, threads) : runSerially(stn, name, tasks)),
      finish: () => outputs,
    };
  };
  const [x, g, dy] = inputs as [tf.Tensor, tf.Tensor, tf.Tensor];
  return (direction: Direction) => {
    forgetResidentInputs();
    gridSampleKernel(heap(), x, g, ATTRS);
    if (direction !== 'forward') gridSampleGradKernel(heap(), dy, x, g, { ...ATTRS, outputMask: direction === 'forward+backward' ? [true, true] : [false, true] });
  };
}

/**
 * The one-thread cost of the fixed stripes: GridSampleGrad's module calls on one image, as one
 * pass (what a single call did before) and as STRIPES stripes plus their sum (what every thread
 * count now runs), interleaved.
 */
async function stripeCost() {
  const shape: Shape4 = quick ? [1, 256, 256, 3] : [1, 512, 512, 3];
  const [N, H, W, C] = shape;
  const c = makeCase(shape, [H, W]);
  const memory = new WebAssembly.Memory({ initial: 1 });
  const stn = stnExportsFor(memory);
  const image = sizeOf(shape) * 4;
  const points = H * W;
  const [inputAt, gridAt, dyAt, dInputAt, dGridAt, scratchAt] = [16, 16 + image, 16 + image + points * 8,
    16 + 2 * image + points * 8, 16 + 3 * image + points * 8, 16 + 3 * image + points * 16];
  memory.grow(Math.ceil((scratchAt + image) / 65536));
  const heap = new Float32Array(memory.buffer);
  heap.set(c.input, inputAt / 4);
  heap.set(c.grid, gridAt / 4);
  heap.set(c.dy, dyAt / 4);
  const call = (dInput: number, range: [number, number]) =>
    stn.gridSample(inputAt, N, H, W, C, gridAt, points, 0, 0, false, true, 0, dyAt, dInput, dGridAt, 0, 1, ...range);
  const half = Math.ceil(points / 8) * 4;
  const [onePass, striped] = await measureInterleaved([
    { run: async () => call(dInputAt, [0, points]) },
    {
      run: async () => {
        call(dInputAt, [0, half]);
        call(scratchAt, [half, points]);
        stn.addStripe(dInputAt, scratchAt, 0, image / 4);
      },
    },
  ], MEASURE);
  return { shape, onePassMs: median(onePass!), stripesMs: median(striped!) };
}

/** µs for the calling thread to hand a worker an empty task and see it done (median of many). */
function workerRoundTrip(pool: WorkerPool): number {
  const empty = [16, 1, 1, 1, 1, 16, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0];
  const times: number[] = [];
  for (let i = 0; i < (quick ? 200 : 2000); i++) {
    const start = performance.now();
    pool.run('gridSample', [empty, empty]);
    times.push((performance.now() - start) * 1000);
  }
  return times.sort((a, b) => a - b)[times.length >> 1]!;
}

await (argv.includes('--browser') ? browser() : main());

/**
 * --browser: bench/threads_page in headless Chromium (Debian's, driven by playwright-core as the
 * browser tests do), served cross-origin-isolated with tfjs-wasm's .wasm files beside it.
 */
async function browser(): Promise<void> {
  const { WASM_THREADED_HEADERS, buildPage, closeServer, copyTfjsWasmFiles, launchChromium, removeAll, serve, tempDir } = await import('../test/browser_support.js');
  const temp: string[] = [];
  const outDir = tempDir('stn-bench-threads-', temp);
  await buildPage(join(import.meta.dirname, 'threads_page'), outDir, 'stn-layer threads benchmark');
  copyTfjsWasmFiles(outDir);
  const { server, url } = await serve(outDir, WASM_THREADED_HEADERS);
  const { context, page, errors } = await launchChromium(tempDir('stn-chromium-', temp));
  try {
    const loadBefore = load();
    await page.goto(url);
    await page.waitForFunction(() => 'stnThreads' in window);
    const [rounds, calls] = quick ? [3, 2] : [9, 5];
    progress(`headless Chromium, ${SHAPES.map(shapeText).join(', ')}: ${rounds} rounds of ${calls} calls per thread count`);
    const result = await page.evaluate(([shapes, r, k]) =>
      (window as unknown as { stnThreads: { run(...a: unknown[]): Promise<ThreadsBenchResult> } }).stnThreads.run(shapes, r, k), [SHAPES, rounds, calls] as const);
    if (errors.length) throw new Error(`page errors: ${errors.join('\n')}`);
    if (!result.threadedBuild) throw new Error('tfjs-wasm did not run its threaded build: the page is not cross-origin-isolated?');
    const loadAfter = load();
    if (asJson) {
      process.stdout.write(`${JSON.stringify({ browser: result, loadBefore, loadAfter })}\n`);
      return;
    }
    process.stdout.write(`gridSample on the wasm backend in headless Chromium (tfjs-wasm threaded build, ${result.cores} cores), bilinear zeros, ms (median of single calls)\n\n${textTable(
      ['input', 'call', '1 thread', '2 threads', '2 / 1'],
      result.rows.map((r) => [shapeText(r.shape), r.direction, ms(r.oneMs), ms(r.twoMs), (r.twoMs / r.oneMs).toFixed(2)]),
    )}\n(the op alone: the wasm kernels work on tfjs-wasm's heap in place, so there are no copies; 2 threads: the page's\nthread and a Web Worker, the page spinning while it waits)\nload average before: ${loadBefore}; after: ${loadAfter}\n`);
  } finally {
    await context.close();
    await closeServer(server);
    removeAll(temp);
  }
}
