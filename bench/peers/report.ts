/**
 * What `npm run bench:peers` reports: the measurement records (the --json objects), the tables
 * for people, the issue's targets, and with --write-results bench/RESULTS.md plus two SVG charts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Mode, PaddingMode } from '../../src/kernels/names.js';
import type { Shape4 } from '../lib/data.js';
import { type BarGroup, type Series, barChartSvg, lineChartSvg } from '../lib/svg.js';
import { markdownTable, ms, shapeText, textTable } from '../lib/table.js';
import type { Impl, Op } from './contenders.js';

export interface Measurement {
  impl: Impl;
  backend: string;
  op: Op;
  mode: Mode;
  paddingMode: PaddingMode;
  inputShape: Shape4;
  gridShape: Shape4;
  threads: number | null;
  msMedian: number | null;
  msMin: number | null;
  msMax: number | null;
  /** msMedian / stn-layer's msMedian for the same case and op (see VS_STN_LAYER). */
  vsStnLayer: number | null;
  /** Timed calls behind the statistics. */
  calls: number;
  /** 'shapes': the issue's shapes and modes; 'scaling': output size from 1e3 to 1e7 elements. */
  series: 'shapes' | 'scaling';
  note?: string;
  /** Why there is no time: 'n/a: …', 'skipped: too slow …', 'error: …'. */
  skipped?: string;
}

export const VS_STN_LAYER =
  'vs stn-layer = this row\'s median / stn-layer\'s median for the same shape, mode and op, on the same tfjs backend ' +
  '(ONNX Runtime rows: against stn-layer on wasm; tf.image.transform: against stn-layer forward). Above 1: stn-layer is faster.';

/** Fills vsStnLayer for a case's measurements. */
export function compareWithStnLayer(rows: Measurement[]): void {
  for (const r of rows) {
    const backend = r.impl.startsWith('onnxruntime') ? 'wasm' : r.backend;
    const ref = rows.find((s) => s.impl === 'stn-layer' && s.op === r.op && s.backend === backend);
    r.vsStnLayer = r.msMedian !== null && ref?.msMedian ? r.msMedian / ref.msMedian : null;
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
const rowCells = (r: Measurement) => [
  r.impl, r.backend, r.op, r.threads === null ? '-' : String(r.threads),
  fmt(r.msMedian), fmt(r.msMin), fmt(r.msMax), r.vsStnLayer === null ? '' : r.vsStnLayer.toFixed(2), r.skipped ?? '',
];
const HEADER = ['impl', 'backend', 'op', 'threads', 'median ms', 'min', 'max', 'vs stn-layer', 'not timed because'];

/** Notes of a case's rows, numbered once per distinct text. */
function notes(rows: readonly Measurement[]): string[] {
  return [...new Set(rows.flatMap((r) => (r.note ? [`${r.impl} (${r.backend}): ${r.note}`] : [])))];
}

export function shapeTablesText(rows: readonly Measurement[]): string {
  return byCase(rows.filter((r) => r.series === 'shapes'))
    .map((g) => [caseTitle(g[0]!), textTable(HEADER, g.map(rowCells)), ...notes(g).map((n) => `  note: ${n}`)].join('\n'))
    .join('\n\n');
}

/** The contenders of the scaling series, as columns: "impl backend op threads". */
const seriesName = (r: Measurement) => `${r.impl} ${r.backend} ${r.op === 'forward' ? 'fwd' : 'fwd+bwd'}${r.threads && r.threads > 1 ? ` ${r.threads}t` : ''}`;

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
        return r?.msMedian ? ((r.msMedian * 1e6) / outElems).toFixed(2) : r?.skipped ?? '';
      }),
    ];
  });
  return { header: ['output elements', 'input (grid same H×W)', 'MB touched', ...names.map((n) => `${n} ns/elem`)], cells };
}

export function scalingTableText(rows: readonly Measurement[]): string {
  const t = scalingTable(rows);
  return t.cells.length ? `cost per output element (bilinear/zeros, ns per element, median)\n${textTable(t.header, t.cells)}` : '';
}

interface Target {
  what: string;
  shape: string;
  ratio: number | null;
  want: number;
}

/** The issue's targets, single thread, bilinear/zeros, per shape. */
export function targets(rows: readonly Measurement[]): Target[] {
  const out: Target[] = [];
  for (const g of byCase(rows.filter((r) => r.series === 'shapes' && r.mode === 'bilinear' && r.paddingMode === 'zeros'))) {
    const find = (impl: Impl, backend: string, op: Op, threads = 1) =>
      g.find((r) => r.impl === impl && r.backend === backend && r.op === op && r.threads === threads)?.msMedian ?? null;
    const stnF = find('stn-layer', 'wasm', 'forward');
    const stnFB = find('stn-layer', 'wasm', 'forward+backward');
    const ratio = (peer: number | null, ours: number | null) => (peer !== null && ours !== null ? peer / ours : null);
    const shape = `${shapeText(g[0]!.inputShape)} → ${g[0]!.gridShape[1]}×${g[0]!.gridShape[2]}`;
    out.push({ what: 'wasm forward vs onnxruntime-node (1 thread)', shape, ratio: ratio(find('onnxruntime-node', 'native', 'forward'), stnF), want: 1 });
    out.push({ what: 'wasm forward vs tf.image.transform on wasm', shape, ratio: ratio(find('tf.image.transform', 'wasm', 'forward'), stnF), want: 2 });
    out.push({ what: 'wasm forward+backward vs tfjs-ops gather on wasm', shape, ratio: ratio(find('tfjs-ops gather', 'wasm', 'forward+backward'), stnFB), want: 5 });
  }
  return out;
}

const targetCells = (t: Target) => [t.what, t.shape, t.ratio === null ? 'not measured' : `${t.ratio.toFixed(2)}×`, `≥ ${t.want}×`,
  t.ratio === null ? '?' : t.ratio >= t.want ? 'met' : 'NOT met'];
const TARGET_HEADER = ['target (peer ms / stn-layer ms)', 'shape', 'ratio', 'wanted', ''];

export function targetsText(rows: readonly Measurement[]): string {
  return `targets (single thread, bilinear/zeros)\n${textTable(TARGET_HEADER, targets(rows).map(targetCells))}`;
}

const IMPL_COLOR: Record<Impl, string> = {
  'stn-layer': '#d62728', 'tf.image.transform': '#1f77b4', 'tfjs-ops gather': '#9467bd',
  'onnxruntime-node': '#2ca02c', 'onnxruntime-web': '#17becf',
};
const PALETTE = ['#d62728', '#ff7f0e', '#8c564b', '#1f77b4', '#2ca02c', '#17becf', '#9467bd', '#7f7f7f'];

/** Bars: bilinear/zeros per shape, every contender's median ms (log scale). */
export function peersChart(rows: readonly Measurement[], subtitle: string): string {
  const groups: BarGroup[] = byCase(rows.filter((r) => r.series === 'shapes' && r.mode === 'bilinear' && r.paddingMode === 'zeros'))
    .map((g) => ({
      label: caseTitle(g[0]!),
      bars: g.filter((r) => !r.skipped?.startsWith('n/a')).map((r) => ({
        // The adapter's name is in the subtitle; in full it would not fit beside the bars.
        label: `${r.impl} ${r.backend.replace(/ \(.*\)$/, '')} ${r.op === 'forward' ? 'fwd' : 'fwd+bwd'}${r.threads && r.threads > 1 ? ` (${r.threads} threads)` : ''}`,
        value: r.msMedian, color: IMPL_COLOR[r.impl], ...(r.skipped ? { note: r.skipped } : {}),
      })),
    }));
  return barChartSvg('gridSample and its peers: ms per call (median, log scale; shorter is faster)', 'ms per call', groups, subtitle);
}

export function scalingChart(rows: readonly Measurement[], subtitle: string): string {
  const scaling = rows.filter((r) => r.series === 'scaling' && r.msMedian !== null);
  const names = [...new Set(scaling.map(seriesName))];
  const series: Series[] = names.map((n, i) => ({
    label: n, color: PALETTE[i % PALETTE.length]!,
    points: scaling.filter((r) => seriesName(r) === n).map((r) => {
      const e = r.gridShape[0] * r.gridShape[1] * r.gridShape[2] * r.inputShape[3];
      return [e, (r.msMedian! * 1e6) / e] as [number, number];
    }),
  }));
  return lineChartSvg('Cost per output element as the output grows (bilinear/zeros)', 'output elements', 'ns per output element', series, subtitle);
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

export function machineInfo(): Record<string, string> {
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
    'load average at start (1, 5, 15 min)': loadavg().map((l) => l.toFixed(2)).join(', '),
    node: process.version,
    'stn-layer': `${version('../')} ${commit}`.trim(),
    ...Object.fromEntries(pkgs.map((p) => [p, version(p)])),
  };
}

export function resultsMarkdown(
  rows: readonly Measurement[], info: Record<string, string>, command: string, svgNames: [string, string], smoke: boolean,
): string {
  const shapes = byCase(rows.filter((r) => r.series === 'shapes')).map((g) => [
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
    '  machine hits all alike. Median, min and max are over single calls (at least 7 per contender). A call includes',
    '  reading the result back into JS memory (`await tensor.data()`); tensors are created before timing. Each',
    '  contender\'s turn in a round starts, untimed, with a full garbage collection (`node --expose-gc`), so no one pays for',
    '  the megabytes of results that others read back, and then (if it gets several calls a round) one call to warm the caches.',
    '- Every contender\'s result is checked against stn-layer\'s before it is timed (1e-3 + 1e-3·|want| on all but 0.01% of',
    '  the elements; stn-layer itself matches PyTorch in the tests). A contender that disagrees is not timed.',
    '- Threads: tfjs (cpu, wasm) runs single-threaded in Node (tfjs-backend-wasm has no threads in Node), so stn-layer,',
    '  tf.image.transform and the tfjs-ops workaround are 1 thread. ONNX Runtime runs with 1 thread and with as many as',
    '  the machine has cores: `intraOpNumThreads` for onnxruntime-node, `ort.env.wasm.numThreads` (one worker thread per',
    '  setting, timed inside the worker) for onnxruntime-web. Its thread pool\'s spinning is off',
    '  (`session.intra_op.allow_spinning` 0), so idle ORT threads do not take CPU from the contender timed next.',
    '- ONNX Runtime computes NCHW: its inputs are transposed from NHWC before timing and its output back after.',
    '  Its model is one GridSample node (opset 20) built in code (bench/peers/onnx_model.ts).',
    '- tf.image.transform gets the 8-parameter transform that reproduces affineGrid(theta) + gridSample',
    '  (bench/peers/image_transform.ts); it has no gradient and no bicubic.',
    '- The tfjs-ops workaround (bench/peers/tfjs_ops_grid_sample.ts) is bilinear/zeros only, differentiated by tfjs.',
    `- ${VS_STN_LAYER}`,
    '',
    '## Targets',
    '',
    markdownTable(TARGET_HEADER, targets(rows).map(targetCells)),
    '',
    '## Per shape and mode',
    '',
    ...shapes,
    '## Cost per output element',
    '',
    'Input [1, S, S, 4] sampled onto an S×S grid (an STN-like affine warp), S chosen for 1e3 … 1e7 output elements.',
    '"MB touched" is input + grid + output of a forward call.',
    '',
    s.cells.length ? markdownTable(s.header, s.cells) : '(not measured)',
    '',
    `![cost per output element](${svgNames[1]})`,
    '',
  ].join('\n');
}
