/**
 * The page of `npm run bench:webgl` (bench/webgl.bench.ts): stn-layer's gridSample on tfjs's
 * webgl backend against tf.image.transform on the same backend, on bench/lib/data.ts's cases.
 * A timed round is `calls` calls and one read of the last result (the GPU runs asynchronously,
 * so the read is what waits for the work); the round's time divided by `calls` is one sample.
 */
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-webgl';
import { checkAgreement, makeCase, type Shape4 } from '../lib/data.js';
import { thetaToImageTransform } from '../peers/image_transform.js';
import { GridSampleGrad, gridSample, ready } from '../../src/index.js';

export interface WebGLBenchRow {
  shape: string;
  op: 'forward' | 'forward+backward' | 'd(input) alone' | 'd(grid) alone';
  impl: 'stn-layer' | 'tf.image.transform';
  /** Median ms per call. */
  ms: number;
}

async function timePerCall(call: () => tf.Tensor[], rounds: number, calls: number): Promise<number> {
  const round = async () => {
    const start = performance.now();
    let last: tf.Tensor[] = [];
    for (let i = 0; i < calls; i++) {
      tf.dispose(last);
      last = call();
    }
    await Promise.all(last.map((t) => t.data()));
    tf.dispose(last);
    return (performance.now() - start) / calls;
  };
  await round(); // compiles the shaders, fills the texture pool
  const samples: number[] = [];
  for (let r = 0; r < rounds; r++) samples.push(await round());
  return samples.sort((a, b) => a - b)[Math.floor(samples.length / 2)]!;
}

async function run(cases: [Shape4, [number, number]][], rounds: number, calls: number): Promise<{ renderer: string; rows: WebGLBenchRow[] }> {
  await ready();
  if (!(await tf.setBackend('webgl'))) throw new Error('the webgl backend did not start');
  const gl = (tf.backend() as unknown as { gpgpu: { gl: WebGL2RenderingContext } }).gpgpu.gl;
  const rows: WebGLBenchRow[] = [];
  for (const [inputShape, outHW] of cases) {
    const c = makeCase(inputShape, outHW);
    const shape = `[${inputShape.join(', ')}] -> ${outHW.join('x')}`;
    const x = tf.tensor4d(c.input, c.inputShape);
    const grid = tf.tensor4d(c.grid, c.gridShape);
    const dy = tf.tensor4d(c.dy, [c.gridShape[0], outHW[0], outHW[1], inputShape[3]]);
    const transforms = tf.tensor2d(thetaToImageTransform(c.theta, [inputShape[1], inputShape[2]], outHW), [inputShape[0], 8]);
    const ours = () => [gridSample(x, grid)];
    const theirs = () => [tf.image.transform(x, transforms, 'bilinear', 'constant', 0, outHW)];
    checkAgreement('tf.image.transform on webgl', await theirs()[0]!.data(), await ours()[0]!.data());
    const grads = tf.grads((a: tf.Tensor, g: tf.Tensor) => gridSample(a as tf.Tensor4D, g as tf.Tensor4D));
    rows.push({ shape, op: 'forward', impl: 'stn-layer', ms: await timePerCall(ours, rounds, calls) });
    rows.push({ shape, op: 'forward', impl: 'tf.image.transform', ms: await timePerCall(theirs, rounds, calls) });
    rows.push({ shape, op: 'forward+backward', impl: 'stn-layer', ms: await timePerCall(() => [ours()[0]!, ...grads([x, grid], dy)], rounds, calls) });
    // Each half of the backward kernel alone (outputMask): d(input) is the blended scatter.
    const attrs = { mode: 'bilinear', paddingMode: 'zeros', alignCorners: false };
    const half = (outputMask: [boolean, boolean]) => () => tf.engine().runKernel(GridSampleGrad, { dy, input: x, grid }, { ...attrs, outputMask }) as tf.Tensor[];
    rows.push({ shape, op: 'd(input) alone', impl: 'stn-layer', ms: await timePerCall(half([true, false]), rounds, calls) });
    rows.push({ shape, op: 'd(grid) alone', impl: 'stn-layer', ms: await timePerCall(half([false, true]), rounds, calls) });
    tf.dispose([x, grid, dy, transforms]);
  }
  const debug = gl.getExtension('WEBGL_debug_renderer_info');
  return { renderer: String(gl.getParameter(debug ? debug.UNMASKED_RENDERER_WEBGL : gl.RENDERER)), rows };
}

(window as unknown as { stnBench: { run: typeof run } }).stnBench = { run };
