/**
 * The affineGrid program: theta [N,2,3] -> grid [N,H,W,2], or theta [N,3,4] -> grid [N,D,H,W,3]
 * for a volume, one fragment per output value.
 */
import { type GPGPUProgram, useShapeUniforms } from './webgl_backend.js';

export class AffineGridProgram implements GPGPUProgram {
  variableNames = ['theta'];
  userCode: string;
  enableShapeUniforms: boolean;
  /** The grid's (D, H, W); D is 1 for an image. */
  customUniforms: GPGPUProgram['customUniforms'] = [{ name: 'gridSize', type: 'ivec3' }];

  /** `outputShape` [N,H,W,2] or [N,D,H,W,3]. */
  constructor(public outputShape: number[], alignCorners: boolean) {
    this.enableShapeUniforms = useShapeUniforms(outputShape);
    const volume = outputShape.length === 5;
    // The same sums, in the same order, as assembly/affine_grid.ts and affine_grid_3d.ts.
    const value = volume
      ? 'getTheta(n, k, 0) * x + (getTheta(n, k, 1) * y + (getTheta(n, k, 2) * z + getTheta(n, k, 3)))'
      : 'getTheta(n, k, 0) * x + (getTheta(n, k, 1) * y + getTheta(n, k, 2))';
    this.userCode = `
// PyTorch's linspace_from_neg_one, as assembly/affine_grid.ts. That computes it in f64; here the
// same value (2i - (steps-1)) / steps, or / (steps-1) with alignCorners, is one f32 division.
float baseCoordinate(int i, int steps, bool alignCorners) {
  if (steps <= 1) return 0.0;
  return float(2 * i - (steps - 1)) / (alignCorners ? float(steps - 1) : float(steps));
}

void main() {
  ${volume ? 'ivec5' : 'ivec4'} coords = getOutputCoords(); // n, [d,] h, w, k (0: x, 1: y, 2: z)
  float x = baseCoordinate(${volume ? 'coords.w' : 'coords.z'}, gridSize.z, ${alignCorners});
  float y = baseCoordinate(${volume ? 'coords.z' : 'coords.y'}, gridSize.y, ${alignCorners});
  float z = baseCoordinate(${volume ? 'coords.y' : '0'}, gridSize.x, ${alignCorners});
  int n = coords.x;
  int k = ${volume ? 'coords.u' : 'coords.w'};
  setOutput(${value});
}`;
  }
}
