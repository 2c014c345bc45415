/** The affineGrid programs: theta [N,2,3] -> grid [N,H,W,2] (and [N,3,4] -> [N,D,H,W,3]), one invocation per output value. */
import { FlatProgram, sizeOf } from './webgpu_backend.js';

const BASE_COORDINATE_WGSL = /* wgsl */ `
// PyTorch's linspace_from_neg_one, as assembly/affine_grid.ts. That computes it in f64; here the
// same value (2i - (steps-1)) / steps, or / (steps-1) with alignCorners, is one f32 division.
fn baseCoordinate(i: i32, steps: i32, alignCorners: bool) -> f32 {
  if (steps <= 1) { return 0.0; }
  return f32(2 * i - (steps - 1)) / select(f32(steps), f32(steps - 1), alignCorners);
}
`;

/**
 * affineGrid: theta [N,2,3] -> grid [N,H,W,2], or on volumes theta [N,3,4] -> grid [N,D,H,W,3]
 * (x, y, z); the number of spatial axes is the last entry of outputShape. One invocation per value.
 */
export class AffineGridProgram extends FlatProgram {
  variableNames = ['theta'];
  size = true;
  private readonly dims: 2 | 3;

  constructor(outputShape: number[], private readonly alignCorners: boolean) {
    const dims = outputShape[outputShape.length - 1] as 2 | 3;
    super(outputShape, sizeOf(outputShape), `stnAffineGrid${dims === 3 ? '3d' : ''}_${alignCorners}`);
    this.dims = dims;
  }
  getUserCode(): string {
    const body = this.dims === 2 ? `
  let H = uniforms.outShape.y;
  let W = uniforms.outShape.z;
  let point = index / 2;
  let k = index - point * 2; // 0: x, 1: y
  let w = point % W;
  let h = (point / W) % H;
  let n = point / (W * H);
  let x = baseCoordinate(w, W, ALIGN_CORNERS);
  let y = baseCoordinate(h, H, ALIGN_CORNERS);
  let t = n * 6 + k * 3;
  setOutputAtIndex(index, theta[t] * x + (theta[t + 1] * y + theta[t + 2]));` : `
  let D = uniforms.outShape.y;
  let H = uniforms.outShape.z;
  let W = uniforms.outShape.w;
  let point = index / 3;
  let k = index - point * 3; // 0: x, 1: y, 2: z
  let w = point % W;
  let h = (point / W) % H;
  let d = (point / (W * H)) % D;
  let n = point / (W * H * D);
  let x = baseCoordinate(w, W, ALIGN_CORNERS);
  let y = baseCoordinate(h, H, ALIGN_CORNERS);
  let z = baseCoordinate(d, D, ALIGN_CORNERS);
  let t = n * 12 + k * 4;
  setOutputAtIndex(index, theta[t] * x + (theta[t + 1] * y + (theta[t + 2] * z + theta[t + 3])));`;
    return `
const ALIGN_CORNERS: bool = ${this.alignCorners};
${BASE_COORDINATE_WGSL}
fn main(index: i32) {
  if (index >= uniforms.size) { return; }${body}
}`;
  }
}
