/**
 * npm run bench:peers: stn-layer's gridSample against what a user would pick instead, in one
 * process and one run (USAGE below says how to call it).
 */
import '@tensorflow/tfjs'; // registers tfjs's own gradients, which the tfjs-ops workaround needs
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { checkArgs } from './lib/args.js';
import { type StartedBackend, parseBackends, startBackend } from './lib/backends.js';
import { type Shape4, type Shape5, makeCase, makeVolumeCase, sizeOf } from './lib/data.js';
import { type MeasureOptions, measureInterleaved, progress } from './lib/measure.js';
import { shapeText } from './lib/table.js';
import {
  type AnyCase, type CaseSpec, type Contender, type Prepared, imageTransformContender, ortNodeContender, ortWebContender,
  pytorchContenders, stnLayerContenders, stnLayerThreads, stnLayerWant, tfjsOpsContenders,
} from './peers/contenders.js';
import { OrtWebWorker } from './peers/ort.js';
import { PytorchWorker, pytorchMissing } from './peers/pytorch.js';
import { projectiveText, runProjective } from './peers/projective.js';
import {
  type Measurement, compareWithStnLayer, machineInfo, peersChart, resultsMarkdown, scalingChart, scalingTableText,
  caseTablesText, targetsText,
} from './peers/report.js';

const USAGE = `npm run bench:peers: stn-layer's gridSample against what a user would pick instead, in one
process and one run: tf.image.transform, gridSample written with tfjs ops (gather), ONNX Runtime's
GridSample (onnxruntime-node native, onnxruntime-web wasm) and PyTorch's CPU grid_sample (where
/usr/bin/python3 has torch); op alone and with read-back; volumes (trilinear) too; and projectiveGrid +
gridSample against tf.image.transform with the same projective map (cpu, wasm); on the tfjs backends given
(default cpu,wasm,webgpu; webgpu only where test/webgpu_setup.ts finds a hardware adapter: a
software one such as SwiftShader only when --backends names webgpu).

  npm run bench:peers -- [--quick] [--json] [--write-results] [--backends cpu,wasm,webgpu] [--too-slow-s N] [--projective-only]

  --quick          few shapes, small sizes (a tiny volume), the minimum of calls: a smoke test of the whole run
  --json           one JSON object per measurement and line on stdout (progress stays on stderr)
  --write-results  also write bench/RESULTS.md, bench/results.json and the two SVG charts
  --too-slow-s N   skip a contender whose call takes longer than N seconds (default 20)
  --projective-only  only the projectiveGrid + gridSample against tf.image.transform section
  --help           print this and exit
`;
const argv = process.argv.slice(2);
checkArgs(argv, USAGE, ['--quick', '--json', '--write-results', '--backends', '--too-slow-s', '--projective-only']);
const quick = argv.includes('--quick');
const asJson = argv.includes('--json');
const writeResults = argv.includes('--write-results');
const projectiveOnly = argv.includes('--projective-only');
const CORES = cpus().length;
const LOAD_AT_START = loadavg();

const bz = (inputShape: Shape4 | Shape5, outSize: number[]): CaseSpec => ({ inputShape, outSize, mode: 'bilinear', paddingMode: 'zeros' });
const MID: [Shape4, number[]] = quick ? [[2, 16, 14, 3], [15, 13]] : [[32, 64, 64, 3], [64, 64]];
/** The issue's shapes, bilinear/zeros; bicubic/border and nearest/reflection on the mid shape. */
const SHAPE_CASES: CaseSpec[] = [
  bz(quick ? [4, 12, 12, 1] : [64, 28, 28, 1], quick ? [12, 12] : [28, 28]), // the STN-MNIST call
  bz(...MID),
  ...(quick ? [] : [bz([8, 128, 128, 16], [128, 128]), bz([1, 512, 512, 3], [512, 512])]),
  { ...bz(...MID), mode: 'bicubic', paddingMode: 'border' },
  { ...bz(...MID), mode: 'nearest', paddingMode: 'reflection' },
];
/** Issue 16's volumes, trilinear/zeros onto a grid the size of the input (a near-identity affine map). */
const VOLUME_CASES: CaseSpec[] = (quick ? [[1, 8, 12, 10, 2] as Shape5] : [[2, 64, 64, 64, 1], [1, 32, 96, 96, 4]] as Shape5[])
  .map((s) => bz(s, s.slice(1, -1)));
/** Output elements 1e3 … 1e7: input [1, S, S, 4] onto an S×S grid. */
const SCALING_CASES: CaseSpec[] = (quick ? [1e3, 1e4] : [1e3, 1e4, 1e5, 1e6, 1e7]).map((e) => {
  const s = Math.round(Math.sqrt(e / 4));
  return bz([1, s, s, 4], [s, s]);
});
const tooSlowArg = argv.indexOf('--too-slow-s');
const tooSlowMs = tooSlowArg < 0 ? 20_000 : Number(argv[tooSlowArg + 1]) * 1000;
if (!(tooSlowMs > 0)) throw new RangeError(`--too-slow-s: expected a positive number of seconds; received '${argv[tooSlowArg + 1]}'`);
const MEASURE: MeasureOptions = quick
  ? { rounds: 3, roundMs: 10, maxCallsPerRound: 1, tooSlowMs, warmup: 1, warmupMs: 0 }
  : { rounds: 7, roundMs: 100, maxCallsPerRound: 6, tooSlowMs, warmup: 2, warmupMs: 300 };

const TOO_SLOW = `skipped: too slow (> ${MEASURE.tooSlowMs / 1000} s per call)`;
const outputElements = (s: CaseSpec) => s.inputShape[0] * sizeOf(s.outSize) * s.inputShape[s.inputShape.length - 1]!;
const caseOf = (s: CaseSpec): AnyCase => (s.inputShape.length === 5 ? makeVolumeCase(s.inputShape) : makeCase(s.inputShape, s.outSize as [number, number]));
/** Each contender's cost on the last case it was timed on, for predicting the next. */
const nsPerElement = new Map<Contender, number>();

const describe = (k: Pick<Contender, 'impl' | 'backend' | 'op' | 'threads'>) => `${k.impl} ${k.backend} ${k.op}${k.threads !== null ? ` ${k.threads}t` : ''}`;

async function runCase(spec: CaseSpec, contenders: readonly Contender[], wantOn: StartedBackend, series: Measurement['series'], label: string): Promise<Measurement[]> {
  const c = caseOf(spec);
  progress(`${label}: input ${shapeText(c.inputShape)} grid ${shapeText(c.gridShape)} ${spec.mode}/${spec.paddingMode}: checking ${contenders.length} contenders`);
  const want = await stnLayerWant(wantOn.name, c, spec);
  const rows: Measurement[] = [];
  const timed: { row: Measurement; prepared: Prepared; contender: Contender }[] = [];
  for (const k of contenders) {
    const row: Measurement = {
      impl: k.impl, backend: k.backend, op: k.op, mode: spec.mode, paddingMode: spec.paddingMode,
      inputShape: c.inputShape, gridShape: c.gridShape, threads: k.threads, readBack: k.readBack,
      opAloneMsMedian: null, opAloneMsMin: null, opAloneMsMax: null, msMedian: null, msMin: null, msMax: null,
      vsStnLayerOpAlone: null, vsStnLayer: null, calls: 0, series,
    };
    rows.push(row);
    const why = k.unsupported(spec);
    if (why) {
      row.skipped = why;
      continue;
    }
    // A contender that took too long per element on an earlier case is not run on a larger one:
    // even its check would cost more than the limit.
    const predicted = (nsPerElement.get(k) ?? 0) * outputElements(spec) * 1e-6;
    if (predicted > MEASURE.tooSlowMs) {
      row.skipped = `${TOO_SLOW} (about ${(predicted / 1000).toFixed(0)} s predicted from a smaller case)`;
      progress(`  ${describe(k)}: ${row.skipped}`);
      continue;
    }
    try {
      const start = performance.now();
      const prepared = await k.prepare(c, spec, want);
      const firstMs = performance.now() - start; // tensor set-up and the checked call
      if (prepared.note) row.note = prepared.note;
      if (firstMs > MEASURE.tooSlowMs) {
        row.skipped = `${TOO_SLOW} (its first call took ${(firstMs / 1000).toFixed(1)} s)`;
        progress(`  ${describe(k)}: ${row.skipped}`);
        await prepared.release();
        continue;
      }
      prepared.alreadyCalledMs = firstMs;
      timed.push({ row, prepared, contender: k });
    } catch (e) {
      row.skipped = `error: ${(e as Error).message}`;
      progress(`  ${describe(k)}: ${row.skipped}`);
    }
  }
  progress(`${label}: timing ${timed.length} contenders, interleaved`);
  const outcomes = await measureInterleaved(timed.map((t) => t.prepared), MEASURE);
  for (const [i, { row, prepared }] of timed.entries()) {
    const o = outcomes[i]!;
    if ('stats' in o) {
      Object.assign(row, { msMedian: o.stats.msMedian, msMin: o.stats.msMin, msMax: o.stats.msMax, calls: o.stats.calls });
      // A call that leaves its results in CPU memory has one figure, both op alone and with read-back.
      const opAlone = row.readBack === 'none' ? o.stats : o.stats.opAlone;
      if (opAlone) Object.assign(row, { opAloneMsMedian: opAlone.msMedian, opAloneMsMin: opAlone.msMin, opAloneMsMax: opAlone.msMax });
      nsPerElement.set(timed[i]!.contender, (o.stats.msMedian * 1e6) / outputElements(spec));
    } else row.skipped = o.skipped;
    await prepared.release();
  }
  compareWithStnLayer(rows);
  for (const r of rows.filter((r) => r.msMedian !== null)) {
    const opAlone = r.readBack === 'separate' && r.opAloneMsMedian !== null ? `op alone ${r.opAloneMsMedian.toPrecision(3)} ms, ` : '';
    progress(`  ${describe(r)}: ${opAlone}${r.readBack === 'none' ? '' : 'with read-back '}${r.msMedian!.toPrecision(3)} ms`);
  }
  return rows;
}

async function main(): Promise<void> {
  const backends: StartedBackend[] = [];
  const askedFor = argv.includes('--backends');
  for (const name of parseBackends(argv, ['cpu', 'wasm', 'webgpu'])) {
    const b = await startBackend(name);
    // A software adapter (SwiftShader, llvmpipe) emulates a GPU on these same CPU cores: its
    // times say nothing about GPUs and take minutes, so it runs only when asked for by name.
    if (b?.name === 'webgpu' && !askedFor && /swiftshader|llvmpipe|lavapipe/i.test(b.label)) {
      progress(`${b.label}: a software adapter; not benchmarked unless asked for (--backends cpu,wasm,webgpu)`);
      continue;
    }
    if (b) backends.push(b);
  }
  const wantOn = backends.find((b) => b.name === 'wasm') ?? backends.find((b) => b.name === 'cpu');
  if (!wantOn) throw new Error('bench:peers needs the cpu or wasm backend (stn-layer\'s results are what the peers are checked against)');
  const threadCounts = [...new Set([1, CORES])];
  // stn-layer (cpu) and PyTorch also on 2 threads, issue 17's count, side by side.
  const stnThreads = stnLayerThreads(CORES);
  const webWorkers = projectiveOnly ? [] : threadCounts.map((n) => new OrtWebWorker(n));
  const noTorch = projectiveOnly ? 'not asked for' : pytorchMissing();
  if (noTorch) progress(`PyTorch: not a contender (${noTorch})`);
  const torchWorkers = noTorch ? [] : stnThreads.map((n) => new PytorchWorker(n));
  const torchVersion = torchWorkers.length ? await torchWorkers[0]!.ready : '';
  const contenders: Contender[] = [
    ...backends.flatMap((b) => [...stnLayerContenders(b, stnThreads), imageTransformContender(b), ...tfjsOpsContenders(b)]),
    ...threadCounts.map((n) => ortNodeContender(n)),
    ...webWorkers.map((w) => ortWebContender(w)),
    ...torchWorkers.flatMap((w) => pytorchContenders(w, torchVersion)),
  ];
  // The cost curve: stn-layer on the CPU backends and the fast single-thread peers.
  const scalingContenders = contenders.filter((k) =>
    (k.impl === 'stn-layer' && k.threads === 1 && (k.backend === 'wasm' ? k.op !== 'forward+d(grid)' : k.backend === 'cpu' && k.op === 'forward')) ||
    (k.impl === 'tf.image.transform' && k.backend === 'wasm') ||
    (k.impl.startsWith('onnxruntime') && k.threads === 1) ||
    (k.impl === 'pytorch' && k.threads === 1 && k.op !== 'forward+d(grid)'));
  // Volumes (issue 16): stn-layer on cpu and wasm against PyTorch and onnxruntime-node, one thread.
  const volumeContenders = contenders.filter((k) =>
    (k.impl === 'stn-layer' && k.threads === 1 && (k.backend === 'cpu' || k.backend === 'wasm') && k.op !== 'forward+d(grid)') ||
    (k.impl === 'onnxruntime-node' && k.threads === 1) ||
    (k.impl === 'pytorch' && k.threads === 1 && k.op !== 'forward+d(grid)'));
  progress(`backends: ${backends.map((b) => b.label).join(', ')}; ONNX Runtime threads: ${threadCounts.join(' and ')}; ` +
    `stn-layer (cpu)${torchWorkers.length ? ` and PyTorch ${torchVersion}` : ''} threads: ${stnThreads.join(' and ')} (${CORES} cores); load average ${LOAD_AT_START.map((l) => l.toFixed(2)).join(', ')}${quick ? '; --quick: small shapes, minimum calls' : ''}`);

  const rows: Measurement[] = [];
  const cases: [CaseSpec[], readonly Contender[], Measurement['series']][] = projectiveOnly ? [] : [
    [SHAPE_CASES, contenders, 'shapes'], [VOLUME_CASES, volumeContenders, 'volumes'], [SCALING_CASES, scalingContenders, 'scaling'],
  ];
  const total = cases.reduce((t, [specs]) => t + specs.length, 0);
  let n = 0;
  for (const [specs, list, series] of cases) {
    for (const spec of specs) rows.push(...(await runCase(spec, list, wantOn, series, `case ${++n}/${total}`)));
  }
  await Promise.all(webWorkers.map((w) => w.terminate()));
  for (const w of torchWorkers) w.terminate();
  const projectiveShapes: Shape4[] = [SHAPE_CASES[0]!.inputShape as Shape4, MID[0], ...(quick ? [] : [[8, 128, 128, 16] as Shape4])];
  const projective = await runProjective(backends, projectiveShapes, MEASURE);

  const label = quick ? ' [--quick]' : '';
  // JSON Lines: one object per measurement, so runs can be appended to a history and compared.
  if (asJson) process.stdout.write([...rows, ...projective.map((r) => ({ series: 'projective', ...r }))].map((r) => `${JSON.stringify(r)}\n`).join(''));
  else {
    if (!projectiveOnly) {
      console.log(`gridSample and its peers, ms per call${label}\n`);
      console.log(caseTablesText(rows, 'shapes'));
      console.log(`\nVolumes (issue 16), trilinear/zeros onto a grid the size of the input\n\n${caseTablesText(rows, 'volumes')}`);
      console.log(`\n${scalingTableText(rows)}\n\n${targetsText(rows)}\n`);
    }
    console.log(projectiveText(projective));
  }
  if (writeResults) {
    const info = machineInfo(LOAD_AT_START);
    const command = `npm run bench:peers -- ${argv.join(' ')}`.trim();
    const gpu = backends.find((b) => b.name === 'webgpu');
    const subtitle = `${info.date}, ${info.cpu}, ${info.cores} cores, Node ${info.node}${gpu ? `; ${gpu.label}` : ''}${label}`;
    writeFileSync('bench/results.json', `${JSON.stringify(rows, null, 1)}\n`);
    writeFileSync('bench/peers.svg', peersChart(rows, subtitle));
    writeFileSync('bench/scaling.svg', scalingChart(rows, subtitle));
    writeFileSync('bench/RESULTS.md', `${resultsMarkdown(rows, info, command, ['peers.svg', 'scaling.svg'], quick)}\n` +
      `## Projective warps\n\n\`\`\`\n${projectiveText(projective)}\n\`\`\`\n`);
    progress('wrote bench/RESULTS.md, bench/results.json, bench/peers.svg, bench/scaling.svg');
  }
}

let finished = false;
process.on('exit', () => {
  // Node exits quietly with code 0 when it waits on a promise nothing will settle; say so.
  if (!finished) {
    process.stderr.write('bench:peers: stopped before finishing (waiting on something that never answered)\n');
    process.exitCode = 1;
  }
});

main().then(
  () => {
    finished = true;
    process.exit(0);
  }, // the onnxruntime-web workers' thread pools would keep the process alive
  (e: unknown) => {
    finished = true;
    process.stderr.write(`bench:peers failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
