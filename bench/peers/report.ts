/**
 * What `npm run bench:peers` reports: the measurement records (the --json objects), the tables
 * for people, the issue's targets, and with --write-results bench/RESULTS.md plus two SVG charts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Mode, PaddingMode } from '../../src/kernels/names.js';
import { type BarGroup, type Series, barChartSvg, lineChartSvg } from '../lib/svg.js';
import { markdownTable, ms, shapeText, textTable } from '../lib/table.js';
import type { Impl, Op, ReadBack } from './contenders.js';

export interface Measurement {
  impl: Impl;
  backend: string;
  op: Op;
  mode: Mode;
  paddingMode: PaddingMode;
  /** Channels-last: [N, H, W, C] or a volume's [N, D, H, W, C]. */
  inputShape: number[];
  gridShape: number[];
  threads: number | null;
  /** What the two figures are: see ReadBack and READ_BACK_TEXT. */
  readBack: ReadBack;
  /** The op alone: until it returned ('separate'), or the one figure ('none'); null where it needs the read-back ('needed'). */
  opAloneMsMedian: number | null;
  opAloneMsMin: number | null;
  opAloneMsMax: number | null;
  /** With the results read back into JS memory ('none': the same figure as the op alone). */
  msMedian: number | null;
  msMin: number | null;
  msMax: number | null;
  /** opAloneMsMedian / stn-layer's, for the same case and op (see VS_STN_LAYER). */
  vsStnLayerOpAlone: number | null;
  /** msMedian / stn-layer's msMedian for the same case and op (see VS_STN_LAYER). */
  vsStnLayer: number | null;
  /** Timed calls behind the statistics. */
  calls: number;
  /** 'shapes': the issue's shapes and modes; 'volumes': issue 16's volumes; 'scaling': output size from 1e3 to 1e7 elements. */
  series: 'shapes' | 'volumes' | 'scaling';
  note?: string;
  /** Why there is no time: 'n/a: …', 'skipped: too slow …', 'error: …'. */
  skipped?: string;
}

export const VS_STN_LAYER =
  'vs stn-layer = this row\'s median / stn-layer\'s median for the same shape, mode and op, on the same tfjs backend ' +
  '(ONNX Runtime and PyTorch rows: against stn-layer on wasm; tf.image.transform: against stn-layer forward), op alone ' +
  'against op alone and with read-back against with read-back. Above 1: stn-layer is faster.';

/** What each row's two figures include, by its readBack. */
export const READ_BACK_TEXT: Record<ReadBack, string> = {
  separate: 'both timed',
  none: 'one figure (no read-back)',
  needed: 'read-back needed',
};

const isPeerOutsideTfjs = (impl: Impl) => impl.startsWith('onnxruntime') || impl === 'pytorch';

/** Fills vsStnLayer and vsStnLayerOpAlone for a case's measurements. */
export function compareWithStnLayer(rows: Measurement[]): void {
  const ratio = (a: number | null, b: number | null | undefined) => (a !== null && b ? a / b : null);
  for (const r of rows) {
    const backend = isPeerOutsideTfjs(r.impl) ? 'wasm' : r.backend;
    const ref = rows.find((s) => s.impl === 'stn-layer' && s.op === r.op && s.backend === backend && s.threads === 1);
    r.vsStnLayer = ratio(r.msMedian, ref?.msMedian);
    r.vsStnLayerOpAlone = ratio(r.opAloneMsMedian, ref?.opAloneMsMedian);
  }
}

const caseKey = (m: Measurement) => `${shapeText(m.inputShape)}|${shapeText(m.gridShape)}|${m.mode}|${m.paddingMode}`;
function byCase(rows: readonly Measurement[]): Measurement[][] {
  const groups = new Map<string, Measurement[]>();
  for (const r of rows) groups.set(caseKey(r), [...(groups.get(caseKey(r)) ?? []), r]);
  return [...groups.values()];
}

const caseTitle = (m: Measurement) => `input ${shapeText(m.inputShape)} → grid ${shapeText(m.gridShape)}, ${m.mode}/${m.paddingMode}`;
const fmt = (x: number | null) => (x === null ? '' : ms(x));
const times = (x: number | null) => (x === null ? '' : x.toFixed(2));
const rowCells = (r: Measurement) => [
  r.impl, r.backend, r.op, r.threads === null ? '-' : String(r.threads), r.skipped ? '' : READ_BACK_TEXT[r.readBack],
  fmt(r.opAloneMsMedian), fmt(r.opAloneMsMin), fmt(r.msMedian), fmt(r.msMin), times(r.vsStnLayerOpAlone), times(r.vsStnLayer), r.skipped ?? '',
];
const HEADER = ['impl', 'backend', 'op', 'threads', 'figures', 'op alone ms', 'min', 'with read-back ms', 'min',
  'vs stn-layer (op alone)', 'vs stn-layer (read-back)', 'not timed because'];

/** Notes of a case's rows, numbered once per distinct text. */
function notes(rows: readonly Measurement[]): string[] {
  return [...new Set(rows.flatMap((r) => (r.note ? [`${r.impl} (${r.backend}): ${r.note}`] : [])))];
}

export function caseTablesText(rows: readonly Measurement[], series: 'shapes' | 'volumes'): string {
  return byCase(rows.filter((r) => r.series === series))
    .map((g) => [caseTitle(g[0]!), textTable(HEADER, g.map(rowCells)), ...notes(g).map((n) => `  note: ${n}`)].join('\n'))
    .join('\n\n');
}

/** The contenders of the scaling series, as columns: "impl backend op threads". */
const OP_SHORT: Record<Op, string> = { forward: 'fwd', 'forward+backward': 'fwd+bwd', 'forward+d(grid)': 'fwd+d(grid)' };
const seriesName = (r: Measurement) => `${r.impl} ${r.backend} ${OP_SHORT[r.op]}${r.threads && r.threads > 1 ? ` ${r.threads}t` : ''}`;

function scalingTable(rows: readonly Measurement[]): { header: string[]; cells: string[][] } {
  const scaling = rows.filter((r) => r.series === 'scaling');
  const names = [...new Set(scaling.map(seriesName))];
  const cells = byCase(scaling).map((g) => {
    const [N, H, W, C] = g[0]!.inputShape;
    const outElems = N * g[0]!.gridShape[1] * g[0]!.gridShape[2] * C;
    // Bytes an forward call touches: input, grid and output, float32.
    const mb = (4 * (N * H * W * C + g[0]!.gridShape[1] * g[0]!.gridShape[2] * N * 2 + outElems)) / 2 ** 20;
    return [
      outElems.toExponential(2), shapeText(g[0]!.inputShape), mb.toFixed(2),
      ...names.map((n) => {
        const r = g.find((m) => seriesName(m) === n);
        return r?.opAloneMsMedian ? ((r.opAloneMsMedian * 1e6) / outElems).toFixed(2) : r?.skipped ?? '';
      }),
    ];
  });
  return { header: ['output elements', 'input (grid same H×W)', 'MB touched', ...names.map((n) => `${n} ns/elem`)], cells };
}

export function scalingTableText(rows: readonly Measurement[]): string {
  const t = scalingTable(rows);
  return t.cells.length ? `cost per output element (bilinear/zeros, ns per element, median, op alone)\n${textTable(t.header, t.cells)}` : '';
}

export interface Target {
  what: string;
  shape: string;
  /** ratio = num / den of the medians; null where one side was not measured. */
  ratio: number | null;
  /** The same ratio of the two minimums: less moved by other processes on a shared machine. */
  minRatio: number | null;
  /** null: no target, the two side by side. */
  want: number | null;
  /** true: the ratio must be at most `want` (stn-layer / PyTorch); false: at least (peer / stn-layer). */
  atMost: boolean;
}

/** A row's median and minimum, of the op alone or with read-back. */
interface Figure {
  median: number;
  min: number;
}
type Find = (impl: Impl, backend: string, op: Op, threads?: number, figure?: 'opAlone' | 'readBack') => Figure | null;

function finder(g: readonly Measurement[]): Find {
  return (impl, backend, op, threads = 1, figure = 'readBack') => {
    const r = g.find((m) => m.impl === impl && m.backend === backend && m.op === op && m.threads === threads);
    const [median, min] = figure === 'opAlone' ? [r?.opAloneMsMedian, r?.opAloneMsMin] : [r?.msMedian, r?.msMin];
    return median != null && min != null ? { median, min } : null;
  };
}

/** num / den, of the medians and of the minimums. */
const ratioOf = (num: Figure | null, den: Figure | null) =>
  (num && den ? { ratio: num.median / den.median, minRatio: num.min / den.min } : { ratio: null, minRatio: null });
const shapeOf = (g: readonly Measurement[]) => `${shapeText(g[0]!.inputShape)} → ${g[0]!.gridShape.slice(1, -1).join('×')}`;
const bilinearZeros = (rows: readonly Measurement[], series: Measurement['series']) =>
  byCase(rows.filter((r) => r.series === series && r.mode === 'bilinear' && r.paddingMode === 'zeros'));

/** The peers targets (issue 6): single thread, bilinear/zeros, with read-back, per shape. */
export function targets(rows: readonly Measurement[]): Target[] {
  return bilinearZeros(rows, 'shapes').flatMap((g) => {
    const find = finder(g);
    const stnF = find('stn-layer', 'wasm', 'forward');
    const stnFB = find('stn-layer', 'wasm', 'forward+backward');
    const shape = shapeOf(g);
    return [
      { what: 'wasm forward vs onnxruntime-node (1 thread)', shape, ...ratioOf(find('onnxruntime-node', 'native', 'forward'), stnF), want: 1, atMost: false },
      { what: 'wasm forward vs tf.image.transform on wasm', shape, ...ratioOf(find('tf.image.transform', 'wasm', 'forward'), stnF), want: 2, atMost: false },
      { what: 'wasm forward+backward vs tfjs-ops gather on wasm', shape, ...ratioOf(find('tfjs-ops gather', 'wasm', 'forward+backward'), stnFB), want: 5, atMost: false },
    ];
  });
}

const OPS_AGAINST_PYTORCH: Op[] = ['forward', 'forward+backward', 'forward+d(grid)'];
/** stn-layer's threads run on the cpu backend (useThreads); one thread is compared on wasm, its fastest. */
const stnBackendFor = (threads: number) => (threads > 1 ? 'cpu' : 'wasm');

/**
 * Issue 17: stn-layer op alone at most 0.5× PyTorch's one-thread time, per op and shape
 * (bilinear/zeros), on wasm; with more threads (the cpu backend, useThreads) side by side with
 * PyTorch on as many. stn-layer's own gain from a second thread is bench:threads' (no collection
 * forced before a turn there, which this benchmark needs and which keeps V8 collecting every few
 * calls: bench/lib/gc.ts).
 */
export function pytorchTargets(rows: readonly Measurement[]): Target[] {
  return bilinearZeros(rows, 'shapes').flatMap((g) => {
    const find = finder(g);
    const torchThreads = [...new Set(g.filter((r) => r.impl === 'pytorch').map((r) => r.threads!))].sort((a, b) => a - b);
    return torchThreads.flatMap((t) => OPS_AGAINST_PYTORCH.map((op): Target => ({
      what: `${stnBackendFor(t)} ${op} vs PyTorch (${t} thread${t > 1 ? 's' : ''})`, shape: shapeOf(g), want: t > 1 ? null : 0.5, atMost: true,
      ...ratioOf(find('stn-layer', stnBackendFor(t), op, t, 'opAlone'), find('pytorch', 'native', op, t, 'opAlone')),
    })));
  });
}

/** Issue 16: volumes, stn-layer on cpu and wasm, op alone, at most 0.5× PyTorch's time (one thread). */
export function volumeTargets(rows: readonly Measurement[]): Target[] {
  return bilinearZeros(rows, 'volumes').flatMap((g) => {
    const find = finder(g);
    return ['cpu', 'wasm'].flatMap((backend) => (['forward', 'forward+backward'] as Op[]).map((op): Target => ({
      what: `${backend} ${op} vs PyTorch (1 thread)`, shape: shapeOf(g), want: 0.5, atMost: true,
      ...ratioOf(find('stn-layer', backend, op, 1, 'opAlone'), find('pytorch', 'native', op, 1, 'opAlone')),
    })));
  });
}

const meets = (want: number, atMost: boolean, r: number) => (atMost ? r <= want : r >= want);
/** A target's row: what, shape, ratio of medians, wanted, met, ratio of minimums. */
export const targetCells = (t: Target): string[] => {
  const { want, atMost } = t;
  if (want === null) {
    return [t.what, t.shape, t.ratio === null ? 'not measured' : `${t.ratio.toFixed(2)}×`, 'side by side', '',
      t.minRatio === null ? '' : `${t.minRatio.toFixed(2)}×`];
  }
  return [t.what, t.shape, t.ratio === null ? 'not measured' : `${t.ratio.toFixed(2)}×`,
    `${atMost ? '≤' : '≥'} ${want}×`, t.ratio === null ? '?' : meets(want, atMost, t.ratio) ? 'met' : 'NOT met',
    t.minRatio === null ? '' : `${t.minRatio.toFixed(2)}× (${meets(want, atMost, t.minRatio) ? 'met' : 'not met'})`];
};
const TARGET_HEADER = ['target (peer ms / stn-layer ms, with read-back)', 'shape', 'ratio of medians', 'wanted', '', 'ratio of minimums'];
const PYTORCH_TARGET_HEADER = ['target (stn-layer ms / PyTorch ms, op alone)', ...TARGET_HEADER.slice(1)];

/** The three target tables: [title, header, rows]. */
function targetTables(rows: readonly Measurement[]): [string, string[], Target[]][] {
  return [
    ['Peers (single thread, bilinear/zeros, with read-back)', TARGET_HEADER, targets(rows)],
    ['Issue 17: against PyTorch CPU (bilinear/zeros, op alone)', PYTORCH_TARGET_HEADER, pytorchTargets(rows)],
    ['Issue 16: volumes against PyTorch CPU (trilinear/zeros, op alone, one thread)', PYTORCH_TARGET_HEADER, volumeTargets(rows)],
  ];
}

export function targetsText(rows: readonly Measurement[]): string {
  return targetTables(rows).filter(([, , t]) => t.length)
    .map(([title, header, t]) => `targets: ${title}\n${textTable(header, t.map(targetCells))}`).join('\n\n');
}

const IMPL_COLOR: Record<Impl, string> = {
  'stn-layer': '#d62728', 'tf.image.transform': '#1f77b4', 'tfjs-ops gather': '#9467bd',
  'onnxruntime-node': '#2ca02c', 'onnxruntime-web': '#17becf', pytorch: '#ff7f0e',
};
const PALETTE = ['#d62728', '#ff7f0e', '#8c564b', '#1f77b4', '#2ca02c', '#17becf', '#9467bd', '#7f7f7f'];

/** Bars: bilinear/zeros per shape, every contender's median ms (log scale). */
export function peersChart(rows: readonly Measurement[], subtitle: string): string {
  const groups: BarGroup[] = byCase(rows.filter((r) => r.series === 'shapes' && r.mode === 'bilinear' && r.paddingMode === 'zeros'))
    .map((g) => ({
      label: caseTitle(g[0]!),
      bars: g.filter((r) => !r.skipped?.startsWith('n/a')).map((r) => ({
        // The adapter's name is in the subtitle; in full it would not fit beside the bars.
        label: `${r.impl} ${r.backend.replace(/ \(.*\)$/, '')} ${OP_SHORT[r.op]}${r.threads && r.threads > 1 ? ` (${r.threads} threads)` : ''}`,
        value: r.msMedian, color: IMPL_COLOR[r.impl], ...(r.skipped ? { note: r.skipped } : {}),
      })),
    }));
  return barChartSvg('gridSample and its peers: ms per call with read-back (median, log scale; shorter is faster)', 'ms per call', groups, subtitle);
}

export function scalingChart(rows: readonly Measurement[], subtitle: string): string {
  const scaling = rows.filter((r) => r.series === 'scaling' && r.opAloneMsMedian !== null);
  const names = [...new Set(scaling.map(seriesName))];
  const series: Series[] = names.map((n, i) => ({
    label: n, color: PALETTE[i % PALETTE.length]!,
    points: scaling.filter((r) => seriesName(r) === n).map((r) => {
      const e = r.gridShape[0] * r.gridShape[1] * r.gridShape[2] * r.inputShape[3];
      return [e, (r.opAloneMsMedian! * 1e6) / e] as [number, number];
    }),
  }));
  return lineChartSvg('Cost per output element as the output grows (bilinear/zeros, op alone)', 'output elements', 'ns per output element', series, subtitle);
}

function cacheSizes(): string {
  const dir = '/sys/devices/system/cpu/cpu0/cache';
  if (!existsSync(dir)) return 'unknown';
  return readdirSync(dir).filter((d) => d.startsWith('index')).map((d) => {
    const read = (f: string) => readFileSync(join(dir, d, f), 'utf8').trim();
    return `L${read('level')} ${read('type').replace('Unified', '').replace('Data', 'd').replace('Instruction', 'i')} ${read('size')}`;
  }).join(', ');
}

function version(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(join('node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
  }
}

/** The machine and versions; `loadAtStart` is os.loadavg() when the run began (the load now is the load at the end). */
export function machineInfo(loadAtStart: readonly number[]): Record<string, string> {
  let commit = 'unknown';
  try {
    commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['status', '--porcelain', '--', 'src', 'assembly'], { encoding: 'utf8' }).trim()) commit += ' (src or assembly modified)';
  } catch { /* not a git checkout */ }
  const pkgs = ['@tensorflow/tfjs-core', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-webgpu',
    'onnxruntime-node', 'onnxruntime-web'];
  return {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: String(cpus().length),
    caches: cacheSizes(),
    memory: `${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
    'load average at start (1, 5, 15 min)': loadAtStart.map((l) => l.toFixed(2)).join(', '),
    'load average at end': loadavg().map((l) => l.toFixed(2)).join(', '),
    node: process.version,
    'stn-layer': `${version('../')} ${commit}`.trim(),
    ...Object.fromEntries(pkgs.map((p) => [p, version(p)])),
  };
}

export function resultsMarkdown(
  rows: readonly Measurement[], info: Record<string, string>, command: string, svgNames: [string, string], smoke: boolean,
): string {
  const tables = (series: 'shapes' | 'volumes') => byCase(rows.filter((r) => r.series === series)).map((g) => [
    `### ${caseTitle(g[0]!)}`, '', markdownTable(HEADER, g.map(rowCells)), '',
    ...notes(g).map((n) => `- ${n}`), '',
  ].join('\n'));
  const s = scalingTable(rows);
  return [
    '# stn-layer against its peers',
    '',
    `Written by \`${command}\`; regenerate with the same command. Raw records: \`bench/results.json\` (the \`--json\` objects).`,
    '',
    ...(smoke ? ['**A --quick smoke run: small shapes and the fewest calls. Not the figures to quote.**', ''] : []),
    markdownTable(['', ''], Object.entries(info)),
    '',
    `![gridSample and its peers](${svgNames[0]})`,
    '',
    '## How it was measured',
    '',
    '- One process; for each case every contender is warmed up, then all are timed in interleaved rounds, so drift of the',
    '  machine hits all alike. Median and min are over single calls (at least 7 per contender; max in results.json).',
    '  Tensors and inputs are made before timing. Each contender\'s turn in a round starts, untimed, with a full garbage',
    '  collection (`node --expose-gc`; `gc.collect()` in the PyTorch worker), so no one pays for the megabytes of results',
    '  that others read back, and then (if it gets several calls a round) one call to warm the caches.',
    '- Two figures, in the "figures" column\'s terms:',
    '  - **both timed** (tfjs on cpu and wasm: stn-layer, tf.image.transform, the tfjs-ops workaround): *with read-back* is',
    '    a call until `await tensor.data()` has the results in JS memory (then the tensors are disposed); *op alone* is the',
    '    time until the op call returned (these backends\' kernels are synchronous, so the work is done), in as many calls',
    '    again made back to back in the same turn, each result disposed unread (after one untimed call where the turn has',
    '    several): as PyTorch\'s calls are timed, with no read-back between two of them.',
    '  - **read-back needed** (webgpu): the op returns before the GPU has finished and only reading back shows the end, so',
    '    there is only the with-read-back figure.',
    '  - **one figure (no read-back)**: ONNX Runtime\'s `session.run` returns its output in JS memory, so its op alone and',
    '    with read-back are the same call, shown in both columns. PyTorch\'s CPU tensors are already in CPU memory the',
    '    caller can read (`.numpy()` shares it), so nothing is read back: its one figure, the op timed inside its worker',
    '    process (`time.perf_counter` around each call), is shown in both columns.',
    '- Every contender\'s result is checked against stn-layer\'s before it is timed (1e-3 + 1e-3·|want| on all but 0.01% of',
    '  the elements; stn-layer itself matches PyTorch in the tests). A contender that disagrees is not timed.',
    '- Ops: forward; forward+backward (forward, then both gradients: `tf.grads` for tfjs, `torch.autograd.grad` with both',
    '  inputs requiring grad); forward+d(grid) (only the grid requires a gradient, an STN\'s step: `tf.grad` with respect to',
    '  the grid, for which stn-layer\'s gradient runs GridSampleGrad with outputMask [false, true]; PyTorch with only the',
    '  grid requiring grad, for which its backward skips d(input)). PyTorch\'s forward runs under `torch.no_grad()`.',
    '- Threads: tfjs (cpu, wasm) runs single-threaded in Node (tfjs-backend-wasm has no threads in Node), so stn-layer,',
    '  tf.image.transform and the tfjs-ops workaround are 1 thread. ONNX Runtime runs with 1 thread and with as many as',
    '  the machine has cores: `intraOpNumThreads` for onnxruntime-node, `ort.env.wasm.numThreads` (one worker thread per',
    '  setting, timed inside the worker) for onnxruntime-web. Its thread pool\'s spinning is off',
    '  (`session.intra_op.allow_spinning` 0), so idle ORT threads do not take CPU from the contender timed next. PyTorch',
    '  runs in one worker process per thread count (`torch.set_num_threads`), bench/peers/pytorch_worker.py, driven over',
    '  its stdin/stdout by bench/peers/pytorch.ts. stn-layer\'s own gain from a second thread (issue 17\'s target) is',
    '  measured by `npm run bench:threads -- --write-results` into bench/THREADS.md: no collection forced there.',
    '- ONNX Runtime and PyTorch compute channels-first (NCHW, NCDHW): their inputs are transposed from channels-last before',
    '  timing and their outputs back after. ONNX Runtime\'s model is one GridSample node (opset 20) built in code',
    '  (bench/peers/onnx_model.ts). Neither is checked against the other, only both against stn-layer.',
    '- tf.image.transform gets the 8-parameter transform that reproduces affineGrid(theta) + gridSample',
    '  (bench/peers/image_transform.ts); it has no gradient and no bicubic.',
    '- The tfjs-ops workaround (bench/peers/tfjs_ops_grid_sample.ts) is bilinear/zeros only, differentiated by tfjs.',
    `- ${VS_STN_LAYER}`,
    '- The machine is shared: the load averages at the start and end are in the table above; medians move between runs.',
    '  The targets are judged on the medians; the ratio of the two minimums (the least disturbed calls) is beside them.',
    '',
    '## Targets',
    '',
    ...targetTables(rows).flatMap(([title, header, t]) => [`### ${title}`, '', t.length ? markdownTable(header, t.map(targetCells)) : '(not measured)', '']),
    '## Per shape and mode',
    '',
    ...tables('shapes'),
    '## Volumes (issue 16)',
    '',
    'Trilinear (mode bilinear on 5-D input) / zeros, onto a grid the size of the input made by a near-identity 3-D affine',
    'map (bench/lib/data.ts makeVolumeCase), as registration starts.',
    '',
    ...tables('volumes'),
    '## Cost per output element',
    '',
    'Input [1, S, S, 4] sampled onto an S×S grid (an STN-like affine warp), S chosen for 1e3 … 1e7 output elements; the',
    'op-alone figure. "MB touched" is input + grid + output of a forward call.',
    '',
    s.cells.length ? markdownTable(s.header, s.cells) : '(not measured)',
    '',
    `![cost per output element](${svgNames[1]})`,
    '',
  ].join('\n');
}
