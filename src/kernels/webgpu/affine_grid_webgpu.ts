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

export class AffineGridProgram extends FlatProgram {
  variableNames = ['theta'];
  size = true;

  constructor(outputShape: number[], private readonly alignCorners: boolean) {
    super(outputShape, sizeOf(outputShape), `stnAffineGrid_${alignCorners}`);
  }
  getUserCode(): string {
    return `
const ALIGN_CORNERS: bool = ${this.alignCorners};
${BASE_COORDINATE_WGSL}
fn main(index: i32) {
  if (index >= uniforms.size) { return; }
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
  setOutputAtIndex(index, theta[t] * x + (theta[t + 1] * y + theta[t + 2]));
}`;
  }
}

/** affineGrid on volumes: theta [N,3,4] -> grid [N,D,H,W,3] (x, y, z), one invocation per output value. */
export class AffineGrid3dProgram extends FlatProgram {
  variableNames = ['theta'];
  size = true;

  constructor(outputShape: number[], private readonly alignCorners: boolean) {
    super(outputShape, sizeOf(outputShape), `stnAffineGrid3d_${alignCorners}`);
  }
  getUserCode(): string {
    return `
const ALIGN_CORNERS: bool = ${this.alignCorners};
${BASE_COORDINATE_WGSL}
fn main(index: i32) {
  if (index >= uniforms.size) { return; }
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
  setOutputAtIndex(index, theta[t] * x + (theta[t + 1] * y + (theta[t + 2] * z + theta[t + 3])));
}`;
  }
}
