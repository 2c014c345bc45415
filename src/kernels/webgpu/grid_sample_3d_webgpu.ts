/**
 * The gridSample programs on volumes: grid_sample_webgpu.ts's three with a z axis (tfjs gives a
 * rank-5 shape as a vec5 uniform: x, y, z, w, u). Forward and d(input) one invocation per (grid
 * point, channel), d(input) scattered with the same compare-and-swap adds; d(grid) one per grid
 * point. Every tap is checked against the input's bounds, so nothing is read or written outside
 * the buffers.
 */
import type { GridSampleAttrs } from '../names.js';
import { ATOMIC_ADD_FLOAT_WGSL } from './grid_sample_webgpu.js';
import { samplingKey, samplingWgsl } from './sample_wgsl.js';
import { FlatProgram, sizeOf } from './webgpu_backend.js';

/** image [N,D,H,W,C], grid [N,Do,Ho,Wo,3] -> output [N,Do,Ho,Wo,C]. */
export class GridSample3dProgram extends FlatProgram {
  variableNames = ['image', 'grid'];
  size = true;

  constructor(outputShape: number[], private readonly attrs: GridSampleAttrs) {
    super(outputShape, sizeOf(outputShape), `stnGridSample3d_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs, 3)}
fn main(index: i32) {
  if (index >= uniforms.size) { return; }
  let D = uniforms.imageShape.y;
  let H = uniforms.imageShape.z;
  let W = uniforms.imageShape.w;
  let C = uniforms.imageShape.u;
  let point = index / C;
  let c = index - point * C;
  let n = point / (uniforms.outShape.y * uniforms.outShape.z * uniforms.outShape.w);
  let p = sourcePoint(grid[point * 3], grid[point * 3 + 1], grid[point * 3 + 2], W, H, D);
  var acc = 0.0;
  if (p.valid) {
    let base = n * D * H * W;
    for (var t = 0; t < TAP_COUNT; t++) {
      let tap = sampleTap(p, W, H, D, t);
      if (tap.pixel >= 0) { acc += tap.weight * image[(base + tap.pixel) * C + c]; }
    }
  }
  setOutputAtIndex(index, acc);
}`;
  }
}

/** d(input) on volumes: grid [N,Do,Ho,Wo,3], dy [N,Do,Ho,Wo,C] -> dInput [N,D,H,W,C] (zero-filled beforehand). */
export class GridSample3dGradInputProgram extends FlatProgram {
  variableNames = ['grid', 'dy'];
  atomic = true;

  constructor(inputShape: number[], dyShape: number[], private readonly attrs: GridSampleAttrs) {
    super(inputShape, sizeOf(dyShape), `stnGridSample3dGradInput_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs, 3)}
${ATOMIC_ADD_FLOAT_WGSL}
fn main(index: i32) {
  let points = uniforms.dyShape.y * uniforms.dyShape.z * uniforms.dyShape.w;
  let C = uniforms.dyShape.u;
  if (index >= uniforms.dyShape.x * points * C) { return; }
  let D = uniforms.outShape.y;
  let H = uniforms.outShape.z;
  let W = uniforms.outShape.w;
  let point = index / C;
  let c = index - point * C;
  let n = point / points;
  let p = sourcePoint(grid[point * 3], grid[point * 3 + 1], grid[point * 3 + 2], W, H, D);
  if (!p.valid) { return; }
  let d = dy[index];
  let base = n * D * H * W;
  for (var t = 0; t < TAP_COUNT; t++) {
    let tap = sampleTap(p, W, H, D, t);
    if (tap.pixel >= 0) { atomicAddFloat((base + tap.pixel) * C + c, tap.weight * d); }
  }
}`;
  }
}

/** d(grid) on volumes: image [N,D,H,W,C], grid [N,Do,Ho,Wo,3], dy [N,Do,Ho,Wo,C] -> dGrid [N,Do,Ho,Wo,3]. */
export class GridSample3dGradGridProgram extends FlatProgram {
  variableNames = ['image', 'grid', 'dy'];

  constructor(gridShape: number[], private readonly attrs: GridSampleAttrs) {
    super(gridShape, sizeOf(gridShape) / 3, `stnGridSample3dGradGrid_${samplingKey(attrs)}`);
  }

  getUserCode(): string {
    return `${samplingWgsl(this.attrs, 3)}
fn main(index: i32) {
  let points = uniforms.outShape.y * uniforms.outShape.z * uniforms.outShape.w;
  if (index >= uniforms.outShape.x * points) { return; }
  let D = uniforms.imageShape.y;
  let H = uniforms.imageShape.z;
  let W = uniforms.imageShape.w;
  let C = uniforms.imageShape.u;
  let n = index / points;
  let p = sourcePoint(grid[index * 3], grid[index * 3 + 1], grid[index * 3 + 2], W, H, D);
  var acc = vec3<f32>(0.0);
  if (p.valid) {
    let base = n * D * H * W;
    let row = index * C;
    for (var t = 0; t < TAP_COUNT; t++) {
      let tap = sampleTap(p, W, H, D, t);
      if (tap.pixel >= 0) {
        let src = (base + tap.pixel) * C;
        var dot = 0.0;
        for (var c = 0; c < C; c++) { dot += dy[row + c] * image[src + c]; }
        acc += dot * vec3<f32>(tap.dWeightDx, tap.dWeightDy, tap.dWeightDz);
      }
    }
  }
  // A clamped (infinite) coordinate has gradient 0, whatever was accumulated.
  setOutputAtIndex(index * 3, select(acc.x * p.gxMult, 0.0, p.gxMult == 0.0));
  setOutputAtIndex(index * 3 + 1, select(acc.y * p.gyMult, 0.0, p.gyMult == 0.0));
  setOutputAtIndex(index * 3 + 2, select(acc.z * p.gzMult, 0.0, p.gzMult == 0.0));
}`;
  }
}
