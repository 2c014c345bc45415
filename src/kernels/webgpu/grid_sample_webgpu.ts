/**
 * The gridSample programs. Forward and d(input) run one invocation per (grid point, channel);
 * d(grid) one per grid point, summing over its taps and channels. Invocations past the end return
 * at once; every tap is checked against the input's bounds (pixel -1 when outside), so nothing is
 * read or written outside the buffers.
 */
import type { GridSampleAttrs } from '../names.js';
import { samplingKey, samplingWgsl } from './sample_wgsl.js';
import { FlatProgram, sizeOf } from './webgpu_backend.js';

/** image [N,H,W,C], grid [N,Ho,Wo,2] -> output [N,Ho,Wo,C]. */
export class GridSampleProgram extends FlatProgram {
  variableNames = ['image', 'grid'];
  size = true;

  constructor(outputShape: number[], private readonly attrs: GridSampleAttrs) {
    super(outputShape, sizeOf(outputShape), `stnGridSample_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs)}
fn main(index: i32) {
  if (index >= uniforms.size) { return; }
  let H = uniforms.imageShape.y;
  let W = uniforms.imageShape.z;
  let C = uniforms.imageShape.w;
  let point = index / C;
  let c = index - point * C;
  let n = point / (uniforms.outShape.y * uniforms.outShape.z);
  let p = sourcePoint(grid[point * 2], grid[point * 2 + 1], W, H);
  var acc = 0.0;
  if (p.valid) {
    let base = n * H * W;
    for (var t = 0; t < TAP_COUNT; t++) {
      let tap = sampleTap(p, W, H, t);
      if (tap.pixel >= 0) { acc += tap.weight * image[(base + tap.pixel) * C + c]; }
    }
  }
  setOutputAtIndex(index, acc);
}`;
  }
}

/** Adds `value` to the f32 whose bits are result[i] (an atomic i32): a compare-and-swap loop. */
export const ATOMIC_ADD_FLOAT_WGSL = /* wgsl */ `
fn atomicAddFloat(i: i32, value: f32) {
  var old = atomicLoad(&result[i]);
  loop {
    let swap = atomicCompareExchangeWeak(&result[i], old, bitcast<i32>(bitcast<f32>(old) + value));
    if (swap.exchanged) { break; }
    old = swap.old_value;
  }
}
`;

/**
 * d(input) of gridSample: grid [N,Ho,Wo,2], dy [N,Ho,Wo,C] -> dInput [N,H,W,C] (the output,
 * zero-filled beforehand). Grid points that share a pixel add into it concurrently: WGSL has no
 * float atomics, so each add is a compare-and-swap loop on the f32's bits in tfjs's atomic
 * (i32) output, as tfjs's own scatter kernel does. The order of the adds is the GPU's.
 */
export class GridSampleGradInputProgram extends FlatProgram {
  variableNames = ['grid', 'dy'];
  atomic = true;

  constructor(inputShape: number[], dyShape: number[], private readonly attrs: GridSampleAttrs) {
    super(inputShape, sizeOf(dyShape), `stnGridSampleGradInput_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs)}
${ATOMIC_ADD_FLOAT_WGSL}
fn main(index: i32) {
  let points = uniforms.dyShape.y * uniforms.dyShape.z;
  let C = uniforms.dyShape.w;
  if (index >= uniforms.dyShape.x * points * C) { return; }
  let H = uniforms.outShape.y;
  let W = uniforms.outShape.z;
  let point = index / C;
  let c = index - point * C;
  let n = point / points;
  let p = sourcePoint(grid[point * 2], grid[point * 2 + 1], W, H);
  if (!p.valid) { return; }
  let d = dy[index];
  let base = n * H * W;
  for (var t = 0; t < TAP_COUNT; t++) {
    let tap = sampleTap(p, W, H, t);
    if (tap.pixel >= 0) { atomicAddFloat((base + tap.pixel) * C + c, tap.weight * d); }
  }
}`;
  }
}

/** d(grid) of gridSample: image [N,H,W,C], grid [N,Ho,Wo,2], dy [N,Ho,Wo,C] -> dGrid [N,Ho,Wo,2]. */
export class GridSampleGradGridProgram extends FlatProgram {
  variableNames = ['image', 'grid', 'dy'];

  constructor(gridShape: number[], private readonly attrs: GridSampleAttrs) {
    super(gridShape, sizeOf(gridShape) / 2, `stnGridSampleGradGrid_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs)}
fn main(index: i32) {
  let points = uniforms.outShape.y * uniforms.outShape.z;
  if (index >= uniforms.outShape.x * points) { return; }
  let H = uniforms.imageShape.y;
  let W = uniforms.imageShape.z;
  let C = uniforms.imageShape.w;
  let n = index / points;
  let p = sourcePoint(grid[index * 2], grid[index * 2 + 1], W, H);
  var accDx = 0.0;
  var accDy = 0.0;
  if (p.valid) {
    let base = n * H * W;
    let row = index * C;
    for (var t = 0; t < TAP_COUNT; t++) {
      let tap = sampleTap(p, W, H, t);
      if (tap.pixel >= 0) {
        let src = (base + tap.pixel) * C;
        var dot = 0.0;
        for (var c = 0; c < C; c++) { dot += dy[row + c] * image[src + c]; }
        accDx += dot * tap.dWeightDx;
        accDy += dot * tap.dWeightDy;
      }
    }
  }
  // A clamped (infinite) coordinate has gradient 0, whatever was accumulated.
  setOutputAtIndex(index * 2, select(accDx * p.gxMult, 0.0, p.gxMult == 0.0));
  setOutputAtIndex(index * 2 + 1, select(accDy * p.gyMult, 0.0, p.gyMult == 0.0));
}`;
  }
}
