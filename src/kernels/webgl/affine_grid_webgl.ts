/** The affineGrid program: theta [N,2,3] -> grid [N,H,W,2], one fragment per output value. */
import { type GPGPUProgram, useShapeUniforms } from './webgl_backend.js';

export class AffineGridProgram implements GPGPUProgram {
  variableNames = ['theta'];
  userCode: string;
  enableShapeUniforms = useShapeUniforms();
  /** The grid's (H, W). */
  customUniforms: GPGPUProgram['customUniforms'] = [{ name: 'gridSize', type: 'ivec2' }];

  constructor(public outputShape: number[], alignCorners: boolean) {
    this.userCode = `
// PyTorch's linspace_from_neg_one, as assembly/affine_grid.ts. That computes it in f64; here the
// same value (2i - (steps-1)) / steps, or / (steps-1) with alignCorners, is one f32 division.
float baseCoordinate(int i, int steps, bool alignCorners) {
  if (steps <= 1) return 0.0;
  return float(2 * i - (steps - 1)) / (alignCorners ? float(steps - 1) : float(steps));
}

void main() {
  ivec4 coords = getOutputCoords(); // n, h, w, k (0: x, 1: y)
  float x = baseCoordinate(coords.z, gridSize.y, ${alignCorners});
  float y = baseCoordinate(coords.y, gridSize.x, ${alignCorners});
  int n = coords.x;
  int k = coords.w;
  setOutput(getTheta(n, k, 0) * x + (getTheta(n, k, 1) * y + getTheta(n, k, 2)));
}`;
  }
}
