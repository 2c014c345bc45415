/**
 * The gridSample fragment programs for tfjs's runWebGLProgram, for images and volumes (one class
 * each, the rank's indexing from rankGlsl): the forward pass draws one fragment per output value
 * (grid point, channel) and d(grid) one per grid-gradient value, each gathering over its taps. d(input) is a scatter: scatter_webgl.ts. Every tap is checked against
 * the input's bounds (x = -1 when outside), so nothing is read outside the textures. The input's
 * (D, H, W, C) is a uniform of our own, imageSize (D 1 for an image); tfjs's index arithmetic takes the shapes as
 * uniforms or compiled in, as for its own programs (useShapeUniforms).
 */
import type { GridSampleAttrs } from '../names.js';
import { samplingGlsl, tapCount } from './sample_glsl.js';
import { type GPGPUProgram, useShapeUniforms } from './webgl_backend.js';

/** The programs' uniforms beyond tfjs's own: the input's D, H, W and C (D is 1 for an image). */
export const IMAGE_SIZE_UNIFORM: GPGPUProgram['customUniforms'] = [{ name: 'imageSize', type: 'ivec4' }];
export const imageSize = (imageShape: number[]): number[][] => [imageShape.length === 5 ? imageShape.slice(1, 5) : [1, ...imageShape.slice(1, 4)]];

/** Spatial axes of an input (or grid) of rank 4 (an image) or 5 (a volume). */
export const spatialDims = (shape: readonly number[]): 2 | 3 => (shape.length === 5 ? 3 : 2);

/**
 * What differs between the ranks in the programs' GLSL: tfjs's output coordinates (ivec4 n, ho,
 * wo, ·; ivec5 n, do, ho, wo, ·), the indices of their grid point (n first) and of their last
 * axis (channel or grid coordinate), and a tap's pixel indices for getImage (after n).
 */
function rankGlsl(dims: 2 | 3) {
  return dims === 2
    ? { coords: 'ivec4', point: 'coords.x, coords.y, coords.z', last: 'coords.w', pixel: 'tap.y, tap.x' }
    : { coords: 'ivec5', point: 'coords.x, coords.y, coords.z, coords.w', last: 'coords.u', pixel: 'tap.z, tap.y, tap.x' };
}

/**
 * The tap loop written out, one block per tap with its index a literal: GLSL compilers need not
 * unroll a loop (SwiftShader's does not), and with a literal index each tap's code folds to its
 * own few lines.
 */
export function unrollTaps(attrs: GridSampleAttrs, dims: 2 | 3, body: (t: number) => string): string {
  return Array.from({ length: tapCount(attrs, dims) }, (_, t) => body(t)).join('\n');
}

/** The sampling GLSL, and the grid point of an output's coordinates (n, [do,] ho, wo, ·) in the input's pixels. */
function pointGlsl(attrs: GridSampleAttrs, dims: 2 | 3): string {
  const r = rankGlsl(dims);
  return `${samplingGlsl(attrs, dims)}
SourcePoint gridPoint(${r.coords} coords) {
  float gz = ${dims === 3 ? `getGrid(${r.point}, 2)` : '0.0'};
  return sourcePoint(getGrid(${r.point}, 0), getGrid(${r.point}, 1), gz, imageSize.z, imageSize.y, imageSize.x);
}`;
}

/** image [N,H,W,C], grid [N,Ho,Wo,2] -> output [N,Ho,Wo,C]; or a volume [N,D,H,W,C], grid [N,Do,Ho,Wo,3] -> [N,Do,Ho,Wo,C]. */
export class GridSampleProgram implements GPGPUProgram {
  variableNames = ['image', 'grid'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms: boolean;
  customUniforms = IMAGE_SIZE_UNIFORM;

  constructor(imageShape: number[], gridShape: number[], attrs: GridSampleAttrs) {
    this.enableShapeUniforms = useShapeUniforms(imageShape, gridShape);
    const dims = spatialDims(imageShape);
    const r = rankGlsl(dims);
    this.outputShape = [...gridShape.slice(0, -1), imageShape.at(-1)!];
    this.userCode = `${pointGlsl(attrs, dims)}
void main() {
  int D = imageSize.x;
  int H = imageSize.y;
  int W = imageSize.z;
  ${r.coords} coords = getOutputCoords(); // n, [do,] ho, wo, c
  int n = coords.x;
  SourcePoint p = gridPoint(coords);
  float acc = 0.0;
  if (p.valid) {
${unrollTaps(attrs, dims, (t) => `    {
      Tap tap = sampleTap(p, W, H, D, ${t});
      if (tap.x >= 0) acc += tap.weight * getImage(n, ${r.pixel}, ${r.last});
    }`)}
  }
  setOutput(acc);
}`;
  }
}

/**
 * d(grid) of gridSample: image [N,H,W,C], grid [N,Ho,Wo,2], dy [N,Ho,Wo,C] -> dGrid [N,Ho,Wo,2]
 * (volumes: [N,D,H,W,C], [N,Do,Ho,Wo,3], ... -> [N,Do,Ho,Wo,3]). A fragment computes its point's
 * derivatives and keeps the one its coordinate k asks for.
 */
export class GridSampleGradGridProgram implements GPGPUProgram {
  variableNames = ['image', 'grid', 'dy'];
  outputShape: number[];
  userCode: string;
  enableShapeUniforms: boolean;
  customUniforms = IMAGE_SIZE_UNIFORM;

  constructor(gridShape: number[], attrs: GridSampleAttrs) {
    // image, grid and dy have the grid's rank
    this.enableShapeUniforms = useShapeUniforms(gridShape);
    const dims = spatialDims(gridShape);
    const r = rankGlsl(dims);
    this.outputShape = gridShape;
    this.userCode = `${pointGlsl(attrs, dims)}
void main() {
  int D = imageSize.x;
  int H = imageSize.y;
  int W = imageSize.z;
  int C = imageSize.w;
  ${r.coords} coords = getOutputCoords(); // n, [do,] ho, wo, k
  int n = coords.x;
  SourcePoint p = gridPoint(coords);
  vec3 acc = vec3(0.0);
  if (p.valid) {
${unrollTaps(attrs, dims, (t) => `    {
      Tap tap = sampleTap(p, W, H, D, ${t});
      if (tap.x >= 0) {
        float dyDotIn = 0.0;
        for (int c = 0; c < C; c++) dyDotIn += getDy(${r.point}, c) * getImage(n, ${r.pixel}, c);
        acc += dyDotIn * vec3(tap.dWeightDx, tap.dWeightDy, tap.dWeightDz);
      }
    }`)}
  }
  // A clamped (infinite) coordinate has gradient 0, whatever was accumulated.
  int k = ${r.last};
  float mult = k == 0 ? p.x.gMult : k == 1 ? p.y.gMult : p.z.gMult;
  float value = k == 0 ? acc.x : k == 1 ? acc.y : acc.z;
  setOutput(mult == 0.0 ? 0.0 : value * mult);
}`;
  }
}

/** A float32 output of zeros: d(input)'s scatter adds into it. */
export class ZerosProgram implements GPGPUProgram {
  variableNames: string[] = [];
  enableShapeUniforms: boolean;
  userCode = 'void main() { setOutput(0.0); }';
  constructor(public outputShape: number[]) {
    this.enableShapeUniforms = useShapeUniforms(outputShape);
  }
}

/** A flat, unpacked copy of x, for the scatter's vertex shader to read with texelFetch. */
export class CopyProgram implements GPGPUProgram {
  variableNames = ['x'];
  enableShapeUniforms: boolean;
  userCode = 'void main() { setOutput(getXAtOutCoords()); }';
  /** x has the output's shape. */
  constructor(public outputShape: number[]) {
    this.enableShapeUniforms = useShapeUniforms(outputShape);
  }
}
