/**
 * The gridSample fragment programs for tfjs's runWebGLProgram: the forward pass draws one
 * fragment per output value (grid point, channel) and d(grid) one per grid-gradient value, each
 * gathering over its taps. d(input) is a scatter: scatter_webgl.ts. Every tap is checked against
 * the input's bounds (x = -1 when outside), so nothing is read outside the textures. The image's
 * (H, W, C) is a uniform of our own, imageSize; tfjs's index arithmetic takes the shapes as
 * uniforms or compiled in, as for its own programs (useShapeUniforms).
 */
import type { GridSampleAttrs } from '../names.js';
import { samplingGlsl, tapCount } from './sample_glsl.js';
import { type GPGPUProgram, useShapeUniforms } from './webgl_backend.js';

/** The programs' uniforms beyond tfjs's own: the image's H, W and C. */
export const IMAGE_SIZE_UNIFORM: GPGPUProgram['customUniforms'] = [{ name: 'imageSize', type: 'ivec3' }];
export const imageSize = (imageShape: number[]): number[][] => [imageShape.slice(1, 4)];

/**
 * The tap loop written out, one block per tap with its index a literal: GLSL compilers need not
 * unroll a loop (SwiftShader's does not), and with a literal index each tap's code folds to its
 * own few lines.
 */
export function unrollTaps(attrs: GridSampleAttrs, body: (t: number) => string): string {
  return Array.from({ length: tapCount(attrs) }, (_, t) => body(t)).join('\n');
}

/** Both programs' outputs are indexed (n, ho, wo, ·): the grid point there, in the image's pixels. */
const GRID_POINT_GLSL = `
SourcePoint gridPoint(ivec4 coords) {
  return sourcePoint(getGrid(coords.x, coords.y, coords.z, 0), getGrid(coords.x, coords.y, coords.z, 1), imageSize.y, imageSize.x);
}`;

/** image [N,H,W,C], grid [N,Ho,Wo,2] -> output [N,Ho,Wo,C]. */
export class GridSampleProgram implements GPGPUProgram {
  variableNames = ['image', 'grid'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = useShapeUniforms();
  customUniforms = IMAGE_SIZE_UNIFORM;

  constructor(imageShape: number[], gridShape: number[], attrs: GridSampleAttrs) {
    this.outputShape = [imageShape[0]!, gridShape[1]!, gridShape[2]!, imageShape[3]!];
    this.userCode = `${samplingGlsl(attrs)}${GRID_POINT_GLSL}
void main() {
  int H = imageSize.x;
  int W = imageSize.y;
  ivec4 coords = getOutputCoords(); // n, ho, wo, c
  int n = coords.x;
  SourcePoint p = gridPoint(coords);
  float acc = 0.0;
  if (p.valid) {
${unrollTaps(attrs, (t) => `    {
      Tap tap = sampleTap(p, W, H, ${t});
      if (tap.x >= 0) acc += tap.weight * getImage(n, tap.y, tap.x, coords.w);
    }`)}
  }
  setOutput(acc);
}`;
  }
}

/**
 * d(grid) of gridSample: image [N,H,W,C], grid [N,Ho,Wo,2], dy [N,Ho,Wo,C] -> dGrid [N,Ho,Wo,2].
 * A fragment computes its point's two derivatives and keeps the one its coordinate k asks for.
 */
export class GridSampleGradGridProgram implements GPGPUProgram {
  variableNames = ['image', 'grid', 'dy'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms = useShapeUniforms();
  customUniforms = IMAGE_SIZE_UNIFORM;

  constructor(gridShape: number[], attrs: GridSampleAttrs) {
    this.outputShape = gridShape;
    this.userCode = `${samplingGlsl(attrs)}${GRID_POINT_GLSL}
void main() {
  int H = imageSize.x;
  int W = imageSize.y;
  int C = imageSize.z;
  ivec4 coords = getOutputCoords(); // n, ho, wo, k
  int n = coords.x;
  SourcePoint p = gridPoint(coords);
  float accDx = 0.0;
  float accDy = 0.0;
  if (p.valid) {
${unrollTaps(attrs, (t) => `    {
      Tap tap = sampleTap(p, W, H, ${t});
      if (tap.x >= 0) {
        float dyDotIn = 0.0;
        for (int c = 0; c < C; c++) dyDotIn += getDy(n, coords.y, coords.z, c) * getImage(n, tap.y, tap.x, c);
        accDx += dyDotIn * tap.dWeightDx;
        accDy += dyDotIn * tap.dWeightDy;
      }
    }`)}
  }
  // A clamped (infinite) coordinate has gradient 0, whatever was accumulated.
  float g = coords.w == 0 ? (p.gxMult == 0.0 ? 0.0 : accDx * p.gxMult) : (p.gyMult == 0.0 ? 0.0 : accDy * p.gyMult);
  setOutput(g);
}`;
  }
}

/** A float32 output of zeros: d(input)'s scatter adds into it. */
export class ZerosProgram implements GPGPUProgram {
  variableNames: string[] = [];
  enableShapeUniforms = useShapeUniforms();
  userCode = 'void main() { setOutput(0.0); }';
  constructor(public outputShape: number[]) {}
}

/** A flat, unpacked copy of x, for the scatter's vertex shader to read with texelFetch. */
export class CopyProgram implements GPGPUProgram {
  variableNames = ['x'];
  enableShapeUniforms = useShapeUniforms();
  userCode = 'void main() { setOutput(getXAtOutCoords()); }';
  constructor(public outputShape: number[]) {}
}
