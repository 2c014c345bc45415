/**
 * The contenders of `npm run bench:peers`. Each one prepares its inputs for a case on its own
 * backend, checks its result against stn-layer's (so the benchmark compares the same work), and
 * then offers single timed calls. Everything a call needs is made in prepare(), outside the timing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gridSample, useThreads } from '../../src/index.js';
import type { Mode, PaddingMode } from '../../src/kernels/names.js';
import { type BackendName, type StartedBackend, activateBackend } from '../lib/backends.js';
import {
  type BenchCase, type Shape4, type Shape5, channelsFirstShape, checkAgreement, toChannelsFirst, toChannelsLast,
} from '../lib/data.js';
import type { Timed } from '../lib/measure.js';
import { thetaToImageTransform } from './image_transform.js';
import { gridSampleOnnxModel } from './onnx_model.js';
import { type OrtWebWorker, ortNodeSession } from './ort.js';
import type { PytorchWorker } from './pytorch.js';
import { gridSampleTfOps } from './tfjs_ops_grid_sample.js';

/** forward; forward + both gradients; forward + d(grid) alone (an STN's step: the image is data). */
export type Op = 'forward' | 'forward+backward' | 'forward+d(grid)';
export type Impl = 'stn-layer' | 'tf.image.transform' | 'tfjs-ops gather' | 'onnxruntime-node' | 'onnxruntime-web' | 'pytorch';

/**
 * What a contender's figures are (see "How it was measured" in report.ts):
 * - 'separate': the op alone (until the op returned: tfjs's cpu and wasm kernels are synchronous)
 *   and with the read-back (`await data()`), timed in the same calls;
 * - 'needed': the op's end is seen only by reading back (webgpu): the with-read-back figure only;
 * - 'none': the call leaves its results in CPU memory the caller reads directly (ONNX Runtime's
 *   session.run returns JS arrays; PyTorch's CPU tensors): one figure, both op alone and with read-back.
 */
export type ReadBack = 'separate' | 'needed' | 'none';

export interface CaseSpec {
  /** Channels-last: an image [N, H, W, C] or a volume [N, D, H, W, C]. */
  inputShape: Shape4 | Shape5;
  /** The grid's spatial size: [H, W] or [D, H, W]. */
  outSize: number[];
  mode: Mode;
  paddingMode: PaddingMode;
}

export type AnyCase = BenchCase<Shape4> | BenchCase<Shape5>;
const isVolume = (spec: CaseSpec) => spec.inputShape.length === 5;

/** stn-layer's results for a case: what every contender must reproduce. */
export interface Want {
  output: Float32Array;
  dInput: Float32Array;
  dGrid: Float32Array;
}

export interface Prepared extends Timed {
  release(): Promise<void>;
  /** Said next to the row, e.g. how the contender had to be called. */
  note?: string;
}

export interface Contender {
  impl: Impl;
  /** For tables: 'cpu', 'wasm', 'webgpu (adapter)', 'native' (onnxruntime-node, PyTorch). */
  backend: string;
  /** The tfjs backend it runs on; undefined for ONNX Runtime and PyTorch. */
  tfjsBackend?: BackendName;
  op: Op;
  /** CPU threads it may use; null where that is not a CPU thread count (webgpu). */
  threads: number | null;
  readBack: ReadBack;
  /** Why this contender cannot do the case, or undefined if it can. */
  unsupported(spec: CaseSpec): string | undefined;
  prepare(c: AnyCase, spec: CaseSpec, want: Want): Promise<Prepared>;
}

const optionsOf = (spec: CaseSpec) => ({ mode: spec.mode, paddingMode: spec.paddingMode, alignCorners: false });
/** The output's (and dy's) shape, channels-last. */
export const outShape = (c: AnyCase): number[] => [...c.gridShape.slice(0, -1), c.inputShape[c.inputShape.length - 1]!];

async function dataOf(ts: tf.Tensor[]): Promise<Float32Array[]> {
  return (await Promise.all(ts.map((t) => t.data()))) as Float32Array[];
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** The results an op must reproduce, in the order its call returns them. */
const wantOf = (op: Op, want: Want): [string, Float32Array][] =>
  op === 'forward' ? [['output', want.output]] : op === 'forward+backward' ? [['dInput', want.dInput], ['dGrid', want.dGrid]] : [['dGrid', want.dGrid]];

function checkOp(what: string, op: Op, got: Float32Array[], want: Want): void {
  for (const [i, [name, w]] of wantOf(op, want).entries()) checkAgreement(`${what}: ${name}`, got[i]!, w);
}

/** The threads stn-layer's cpu kernels use now (useThreads, set only here in bench:peers). */
let threadsNow = 1;

/**
 * A contender made of tfjs calls: `build` returns the call (made once per timed call; it returns
 * the tensors to read back) and what its results must equal. Calls are timed until their results
 * were read back; on cpu and wasm, whose kernels are synchronous, also the op alone, in calls made
 * back to back without read-back (timeOpAlone), as PyTorch's are; on webgpu only the read-back
 * means the work is done.
 */
function tfjsContender(
  impl: Impl, backend: StartedBackend, op: Op, unsupported: (spec: CaseSpec) => string | undefined,
  build: (t: { x: tf.Tensor; g: tf.Tensor; dy: tf.Tensor }, c: AnyCase, spec: CaseSpec, want: Want) =>
    { call(): tf.Tensor[]; check(results: Float32Array[]): void; keep?: tf.Tensor[]; note?: string },
  threads = 1,
): Contender {
  const readBack: ReadBack = backend.name === 'webgpu' ? 'needed' : 'separate';
  // Every turn sets stn-layer's threads (only the cpu backend has them): a 1-thread row runs with
  // the workers ended, whatever contender ran before it. True where the count changed.
  const setThreads = async () => {
    await activateBackend(backend.name);
    if (threadsNow === threads) return false;
    threadsNow = await useThreads(threads);
    return true;
  };
  return {
    impl, backend: backend.label, tfjsBackend: backend.name, op, threads: backend.name === 'webgpu' ? null : threads, readBack, unsupported,
    async prepare(c, spec, want) {
      await setThreads();
      const t = { x: tf.tensor(c.input, c.inputShape), g: tf.tensor(c.grid, c.gridShape), dy: tf.tensor(c.dy, outShape(c)) };
      const { call, check, keep = [], note } = build(t, c, spec, want);
      const release = async () => tf.dispose([t.x, t.g, t.dy, ...keep]);
      const run = async (): Promise<Float32Array[]> => {
        const outs = call();
        const data = await dataOf(outs);
        tf.dispose(outs);
        return data;
      };
      try {
        check(await run());
      } catch (e) {
        await release();
        throw e;
      }
      return {
        run: async () => void (await run()),
        ...(readBack === 'separate' ? {
          timeOpAlone: (calls: number, warmCall: boolean) => {
            if (warmCall) tf.dispose(call());
            const ms: number[] = [];
            for (let k = 0; k < calls; k++) {
              const start = performance.now();
              const outs = call();
              ms.push(performance.now() - start);
              tf.dispose(outs);
            }
            return ms;
          },
        } : {}),
        // A pool just started has a fresh memory to grow and fault in: one untimed call first.
        activate: async () => void ((await setThreads()) && threads > 1 && (await run())),
        release, ...(note ? { note } : {}),
      };
    },
  };
}

/** stn-layer's output and gradients for a case, on the first CPU backend: what every contender must match. */
export async function stnLayerWant(backend: BackendName, c: AnyCase, spec: CaseSpec): Promise<Want> {
  await activateBackend(backend);
  const options = { mode: spec.mode, paddingMode: spec.paddingMode, alignCorners: false };
  const x = tf.tensor(c.input, c.inputShape);
  const g = tf.tensor(c.grid, c.gridShape);
  const dy = tf.tensor(c.dy, outShape(c));
  const out = gridSample(x as tf.Tensor4D, g as tf.Tensor4D, options);
  const [dIn, dG] = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, options))([x, g], dy);
  const [output, dInput, dGrid] = (await Promise.all([out.data(), dIn!.data(), dG!.data()])) as Float32Array[];
  tf.dispose([x, g, dy, out, dIn!, dG!]);
  return { output: output!, dInput: dInput!, dGrid: dGrid! };
}

const imagesOnly = (what: string) => (spec: CaseSpec) => (isVolume(spec) ? `n/a: ${what} takes images only` : undefined);
const onlyBilinearZeros = (what: string) => (spec: CaseSpec) =>
  imagesOnly(what)(spec) ?? (spec.mode === 'bilinear' && spec.paddingMode === 'zeros' ? undefined : `n/a: ${what} is bilinear/zeros only`);

/**
 * stn-layer's thread counts on the cpu backend (useThreads, issue 17): 1, 2 (the target)
 * and the cores here where there are more. tfjs's wasm backend runs one thread in Node.
 */
export const stnLayerThreads = (cores: number): number[] => [...new Set([1, 2, cores])];

export function stnLayerContenders(backend: StartedBackend, threads: readonly number[] = [1]): Contender[] {
  const all = () => undefined;
  const what = `stn-layer on ${backend.name}`;
  return (backend.name === 'cpu' ? threads : [1]).flatMap((n) => [
    tfjsContender('stn-layer', backend, 'forward', all, ({ x, g }, _c, spec, want) => ({
      call: () => [gridSample(x as tf.Tensor4D, g as tf.Tensor4D, optionsOf(spec))],
      check: (got) => checkOp(what, 'forward', got, want),
    }), n),
    tfjsContender('stn-layer', backend, 'forward+backward', all, ({ x, g, dy }, _c, spec, want) => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, optionsOf(spec)));
      return { call: () => grads([x, g], dy), check: (got) => checkOp(what, 'forward+backward', got, want) };
    }, n),
    // The gradient with respect to the grid alone: stn-layer's gradient asks GridSampleGrad for
    // d(grid) only (outputMask [false, true]), as in an STN's training step.
    tfjsContender('stn-layer', backend, 'forward+d(grid)', all, ({ x, g, dy }, _c, spec, want) => {
      const grad = tf.grad((b: tf.Tensor) => gridSample(x as tf.Tensor4D, b as tf.Tensor4D, optionsOf(spec)));
      return { call: () => [grad(g, dy)], check: (got) => checkOp(what, 'forward+d(grid)', got, want) };
    }, n),
  ]);
}

/**
 * tf.image.transform: bilinear or nearest, with fill modes matching three padding modes
 * (constant = zeros; nearest clamps the coordinate, which is border padding; reflect mirrors about
 * the outer pixel edges, which is reflection with alignCorners=false). No bicubic, no gradient.
 */
const FILL_MODE: Record<PaddingMode, 'constant' | 'nearest' | 'reflect'> = { zeros: 'constant', border: 'nearest', reflection: 'reflect' };

export function imageTransformContender(backend: StartedBackend): Contender {
  const unsupported = (spec: CaseSpec) =>
    imagesOnly('tf.image.transform')(spec) ?? (spec.mode === 'bicubic' ? 'n/a: tf.image.transform has no bicubic' : undefined);
  return tfjsContender('tf.image.transform', backend, 'forward', unsupported, ({ x }, c, spec, want) => {
    const [N, H, W] = c.inputShape;
    const outHW = spec.outSize as [number, number];
    const transforms = thetaToImageTransform(c.theta, [H, W], outHW);
    const interpolation = spec.mode as 'bilinear' | 'nearest';
    const fill = FILL_MODE[spec.paddingMode];
    const check = (outs: Float32Array[]) => {
      try {
        checkAgreement(`tf.image.transform on ${backend.name}`, concat(outs), want.output);
      } catch (e) {
        // Its C++ (Transform.cc, map_coord_reflect) compares with -len where len is a size_t,
        // so every negative coordinate takes the far branch.
        const why = backend.name === 'wasm' && fill === 'reflect' ? ' (tfjs-backend-wasm 4.22 reflects negative coordinates wrongly: -len of an unsigned size)' : '';
        throw new Error(`${(e as Error).message}${why}`);
      }
    };
    const images4d = x as tf.Tensor4D;
    if (backend.name === 'cpu' && N > 1) {
      // tfjs-backend-cpu 4.22's Transform returns after the first image of a batch (its return
      // sits inside the batch loop), leaving the others at the fill value. One call per image
      // gives the full result at the cost a user would pay for it.
      const images = tf.split(images4d, N, 0) as tf.Tensor4D[];
      const perImage = images.map((_, b) => tf.tensor2d(transforms.subarray(b * 8, b * 8 + 8), [1, 8]));
      return {
        call: () => images.map((img, b) => tf.image.transform(img, perImage[b]!, interpolation, fill, 0, outHW)),
        check, keep: [...images, ...perImage],
        note: 'one call per image: tfjs-backend-cpu 4.22 Transform computes only the first image of a batch',
      };
    }
    const all = tf.tensor2d(transforms, [N, 8]);
    return { call: () => [tf.image.transform(images4d, all, interpolation, fill, 0, outHW)], check, keep: [all] };
  });
}

export function tfjsOpsContenders(backend: StartedBackend): Contender[] {
  const unsupported = onlyBilinearZeros('the gather workaround');
  const what = `tfjs-ops gather on ${backend.name}`;
  return [
    tfjsContender('tfjs-ops gather', backend, 'forward', unsupported, ({ x, g }, _c, _s, want) => ({
      call: () => [gridSampleTfOps(x as tf.Tensor4D, g as tf.Tensor4D)],
      check: (got) => checkOp(what, 'forward', got, want),
    })),
    tfjsContender('tfjs-ops gather', backend, 'forward+backward', unsupported, ({ x, g, dy }, _c, _s, want) => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSampleTfOps(a as tf.Tensor4D, b as tf.Tensor4D));
      return { call: () => grads([x, g], dy), check: (got) => checkOp(what, 'forward+backward', got, want) };
    }),
  ];
}

const CHANNELS_FIRST_NOTE = 'channels-first: inputs transposed before timing';

/** A case channels-first, as ONNX Runtime and PyTorch take it, and the way back for their outputs. */
function channelsFirstCase(c: AnyCase) {
  const outFirst = channelsFirstShape(outShape(c));
  return {
    x: toChannelsFirst(c.input, c.inputShape),
    xDims: channelsFirstShape(c.inputShape),
    dy: toChannelsFirst(c.dy, outShape(c)),
    dyDims: outFirst,
    outputToChannelsLast: (out: Float32Array) => toChannelsLast(out, outFirst),
  };
}

/** ONNX Runtime's GridSample, forward only (it has no gradient), images and volumes (opset 20 allows 5-D). */
export function ortNodeContender(threads: number): Contender {
  return {
    impl: 'onnxruntime-node', backend: 'native', op: 'forward', threads, readBack: 'none', unsupported: () => undefined,
    async prepare(c, spec, want) {
      const f = channelsFirstCase(c);
      const session = await ortNodeSession(gridSampleOnnxModel(f.xDims, c.gridShape, optionsOf(spec)), threads, f.x, f.xDims, c.grid, [...c.gridShape]);
      try {
        checkOp(`onnxruntime-node (${threads} threads)`, 'forward', [f.outputToChannelsLast(session.output)], want);
      } catch (e) {
        await session.release();
        throw e;
      }
      return { run: session.run, release: session.release, note: `${CHANNELS_FIRST_NOTE}; session.run returns the output in JS memory` };
    },
  };
}

export function ortWebContender(worker: OrtWebWorker): Contender {
  return {
    impl: 'onnxruntime-web', backend: 'wasm', op: 'forward', threads: worker.numThreads, readBack: 'none', unsupported: () => undefined,
    async prepare(c, spec, want) {
      const f = channelsFirstCase(c);
      const session = await worker.session(gridSampleOnnxModel(f.xDims, c.gridShape, optionsOf(spec)), f.x, f.xDims, c.grid, [...c.gridShape]);
      try {
        checkOp(`onnxruntime-web (${worker.numThreads} threads)`, 'forward', [f.outputToChannelsLast(session.output)], want);
      } catch (e) {
        await session.release();
        throw e;
      }
      return {
        run: async () => void (await session.time(1)),
        timeCalls: session.time,
        release: session.release,
        note: `${CHANNELS_FIRST_NOTE}; timed inside its worker thread; session.run returns the output in JS memory`,
      };
    },
  };
}

const OPS: readonly Op[] = ['forward', 'forward+backward', 'forward+d(grid)'];

/** PyTorch's F.grid_sample on CPU, each op, in a worker process with the worker's thread count. */
export function pytorchContenders(worker: PytorchWorker, torchVersion: string): Contender[] {
  return OPS.map((op): Contender => ({
    impl: 'pytorch', backend: 'native', op, threads: worker.threads, readBack: 'none', unsupported: () => undefined,
    async prepare(c, spec, want) {
      const f = channelsFirstCase(c);
      const session = await worker.session({
        x: f.x, xShape: f.xDims, grid: c.grid, gridShape: [...c.gridShape], dy: f.dy, dyShape: f.dyDims, ...optionsOf(spec),
      });
      const r = session.results;
      const got = op === 'forward' ? [f.outputToChannelsLast(r.output)]
        : op === 'forward+backward' ? [toChannelsLast(r.dInput, f.xDims), r.dGrid] : [r.dGridAlone];
      try {
        checkOp(`PyTorch ${torchVersion} (${worker.threads} threads) ${op}`, op, got, want);
      } catch (e) {
        await session.release();
        throw e;
      }
      return {
        run: async () => void (await session.time(op, 1)),
        timeCalls: (calls) => session.time(op, calls),
        release: session.release,
        note: `torch ${torchVersion}; ${CHANNELS_FIRST_NOTE}; timed inside its worker process; CPU tensors: nothing to read back`,
      };
    },
  }));
}
