/**
 * The contenders of `npm run bench:peers`. Each one prepares its inputs for a case on its own
 * backend, checks its result against stn-layer's (so the benchmark compares the same work), and
 * then offers single timed calls. Everything a call needs is made in prepare(), outside the timing.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gridSample } from '../../src/index.js';
import type { Mode, PaddingMode } from '../../src/kernels/names.js';
import { type BackendName, type StartedBackend, activateBackend } from '../lib/backends.js';
import { type BenchCase, NCHW_TO_NHWC, NHWC_TO_NCHW, type Shape4, checkAgreement, transpose4 } from '../lib/data.js';
import type { Timed } from '../lib/measure.js';
import { thetaToImageTransform } from './image_transform.js';
import { gridSampleOnnxModel } from './onnx_model.js';
import { type OrtWebWorker, ortNodeSession } from './ort.js';
import { gridSampleTfOps } from './tfjs_ops_grid_sample.js';

export type Op = 'forward' | 'forward+backward';
export type Impl = 'stn-layer' | 'tf.image.transform' | 'tfjs-ops gather' | 'onnxruntime-node' | 'onnxruntime-web';

export interface CaseSpec {
  inputShape: Shape4;
  outHW: [number, number];
  mode: Mode;
  paddingMode: PaddingMode;
}

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
  /** For tables: 'cpu', 'wasm', 'webgpu (adapter)', 'native'. */
  backend: string;
  /** The tfjs backend it runs on; undefined for ONNX Runtime. */
  tfjsBackend?: BackendName;
  op: Op;
  /** CPU threads it may use; null where that is not a CPU thread count (webgpu). */
  threads: number | null;
  /** Why this contender cannot do the case, or undefined if it can. */
  unsupported(spec: CaseSpec): string | undefined;
  prepare(c: BenchCase, spec: CaseSpec, want: Want): Promise<Prepared>;
}

const optionsOf = (spec: CaseSpec) => ({ mode: spec.mode, paddingMode: spec.paddingMode, alignCorners: false });
const dyShape = (c: BenchCase): Shape4 => [c.gridShape[0], c.gridShape[1], c.gridShape[2], c.inputShape[3]];

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

/**
 * A contender made of tfjs calls: `build` returns the call (made once per timed call; it returns
 * the tensors to read back) and what its results must equal.
 */
function tfjsContender(
  impl: Impl, backend: StartedBackend, op: Op, unsupported: (spec: CaseSpec) => string | undefined,
  build: (t: { x: tf.Tensor4D; g: tf.Tensor4D; dy: tf.Tensor4D }, c: BenchCase, spec: CaseSpec, want: Want) =>
    { call(): tf.Tensor[]; check(results: Float32Array[]): void; keep?: tf.Tensor[]; note?: string },
): Contender {
  return {
    impl, backend: backend.label, tfjsBackend: backend.name, op, threads: backend.name === 'webgpu' ? null : 1, unsupported,
    async prepare(c, spec, want) {
      await activateBackend(backend.name);
      const t = { x: tf.tensor4d(c.input, c.inputShape), g: tf.tensor4d(c.grid, c.gridShape), dy: tf.tensor4d(c.dy, dyShape(c)) };
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
      return { run: async () => void (await run()), activate: () => activateBackend(backend.name), release, ...(note ? { note } : {}) };
    },
  };
}

const onlyBilinearZeros = (what: string) => (spec: CaseSpec) =>
  spec.mode === 'bilinear' && spec.paddingMode === 'zeros' ? undefined : `n/a: ${what} is bilinear/zeros only`;

export function stnLayerContenders(backend: StartedBackend): Contender[] {
  const all = () => undefined;
  return [
    tfjsContender('stn-layer', backend, 'forward', all, ({ x, g }, _c, spec, want) => ({
      call: () => [gridSample(x, g, optionsOf(spec))],
      check: ([out]) => checkAgreement(`stn-layer on ${backend.name}: output`, out!, want.output),
    })),
    tfjsContender('stn-layer', backend, 'forward+backward', all, ({ x, g, dy }, _c, spec, want) => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, optionsOf(spec)));
      return {
        call: () => grads([x, g], dy),
        check: ([dIn, dG]) => {
          checkAgreement(`stn-layer on ${backend.name}: dInput`, dIn!, want.dInput);
          checkAgreement(`stn-layer on ${backend.name}: dGrid`, dG!, want.dGrid);
        },
      };
    }),
  ];
}

/**
 * tf.image.transform: bilinear or nearest, with fill modes matching three padding modes
 * (constant = zeros; nearest clamps the coordinate, which is border padding; reflect mirrors about
 * the outer pixel edges, which is reflection with alignCorners=false). No bicubic, no gradient.
 */
const FILL_MODE: Record<PaddingMode, 'constant' | 'nearest' | 'reflect'> = { zeros: 'constant', border: 'nearest', reflection: 'reflect' };

export function imageTransformContender(backend: StartedBackend): Contender {
  const unsupported = (spec: CaseSpec) => (spec.mode === 'bicubic' ? 'n/a: tf.image.transform has no bicubic' : undefined);
  return tfjsContender('tf.image.transform', backend, 'forward', unsupported, ({ x }, c, spec, want) => {
    const [N, H, W] = c.inputShape;
    const transforms = thetaToImageTransform(c.theta, [H, W], spec.outHW);
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
    if (backend.name === 'cpu' && N > 1) {
      // tfjs-backend-cpu 4.22's Transform returns after the first image of a batch (its return
      // sits inside the batch loop), leaving the others at the fill value. One call per image
      // gives the full result at the cost a user would pay for it.
      const images = tf.split(x, N, 0) as tf.Tensor4D[];
      const perImage = images.map((_, b) => tf.tensor2d(transforms.subarray(b * 8, b * 8 + 8), [1, 8]));
      return {
        call: () => images.map((img, b) => tf.image.transform(img, perImage[b]!, interpolation, fill, 0, spec.outHW)),
        check, keep: [...images, ...perImage],
        note: 'one call per image: tfjs-backend-cpu 4.22 Transform computes only the first image of a batch',
      };
    }
    const all = tf.tensor2d(transforms, [N, 8]);
    return { call: () => [tf.image.transform(x, all, interpolation, fill, 0, spec.outHW)], check, keep: [all] };
  });
}

export function tfjsOpsContenders(backend: StartedBackend): Contender[] {
  const unsupported = onlyBilinearZeros('the gather workaround');
  return [
    tfjsContender('tfjs-ops gather', backend, 'forward', unsupported, ({ x, g }, _c, _s, want) => ({
      call: () => [gridSampleTfOps(x, g)],
      check: ([out]) => checkAgreement(`tfjs-ops gather on ${backend.name}: output`, out!, want.output),
    })),
    tfjsContender('tfjs-ops gather', backend, 'forward+backward', unsupported, ({ x, g, dy }, _c, _s, want) => {
      const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSampleTfOps(a as tf.Tensor4D, b as tf.Tensor4D));
      return {
        call: () => grads([x, g], dy),
        check: ([dIn, dG]) => {
          checkAgreement(`tfjs-ops gather on ${backend.name}: dInput`, dIn!, want.dInput);
          checkAgreement(`tfjs-ops gather on ${backend.name}: dGrid`, dG!, want.dGrid);
        },
      };
    }),
  ];
}

const ORT_NOTE = 'NCHW: inputs transposed from NHWC before timing';

/** The ONNX model and NCHW inputs for a case, and the check of an NCHW output against stn-layer's. */
function onnxSetup(c: BenchCase, spec: CaseSpec, want: Want) {
  const [N, H, W, C] = c.inputShape;
  const xDims = [N, C, H, W];
  return {
    model: gridSampleOnnxModel([N, C, H, W], c.gridShape, optionsOf(spec)),
    x: transpose4(c.input, c.inputShape, NHWC_TO_NCHW),
    xDims,
    gridDims: [...c.gridShape],
    check: (what: string, outNCHW: Float32Array) =>
      checkAgreement(what, transpose4(outNCHW, [N, C, spec.outHW[0], spec.outHW[1]], NCHW_TO_NHWC), want.output),
  };
}

export function ortNodeContender(threads: number): Contender {
  return {
    impl: 'onnxruntime-node', backend: 'native', op: 'forward', threads, unsupported: () => undefined,
    async prepare(c, spec, want) {
      const s = onnxSetup(c, spec, want);
      const session = await ortNodeSession(s.model, threads, s.x, s.xDims, c.grid, s.gridDims);
      try {
        s.check(`onnxruntime-node (${threads} threads)`, session.output);
      } catch (e) {
        await session.release();
        throw e;
      }
      return { run: session.run, release: session.release, note: ORT_NOTE };
    },
  };
}

export function ortWebContender(worker: OrtWebWorker): Contender {
  return {
    impl: 'onnxruntime-web', backend: 'wasm', op: 'forward', threads: worker.numThreads, unsupported: () => undefined,
    async prepare(c, spec, want) {
      const s = onnxSetup(c, spec, want);
      const session = await worker.session(s.model, s.x, s.xDims, c.grid, s.gridDims);
      try {
        s.check(`onnxruntime-web (${worker.numThreads} threads)`, session.output);
      } catch (e) {
        await session.release();
        throw e;
      }
      return {
        run: async () => void (await session.time(1)),
        timeCalls: session.time,
        release: session.release,
        note: `${ORT_NOTE}; timed inside its worker thread`,
      };
    },
  };
}
