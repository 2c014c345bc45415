/**
 * d(input) of gridSample on webgl (images and volumes), a scatter: grid points that share a tap
 * add into the same input pixel, and WebGL2 has no atomics. So it is drawn: one point primitive per (grid point,
 * tap, channel), placed by its vertex shader on the texel of d(input) it adds to, with additive
 * blending (ONE, ONE) into the float32 texture of a zero-filled d(input) (EXT_float_blend). The
 * blending order is the GPU's. A vertex whose tap is outside the input, or whose grid point is
 * NaN, is placed outside the viewport and draws nothing.
 *
 * tfjs compiles only fragment shaders, so this one program is compiled here, once per context and
 * mode / padding / alignCorners, and reads its two inputs with texelFetch from flat (unpacked,
 * unsliced) textures: a packed or sliced input is first copied by a tfjs program. It draws into
 * the texture through the backend's own framebuffer (setOutputMatrixTexture, which also sets the
 * viewport and scissor to it), and leaves the GL state as tfjs expects it (blending off, the
 * previous vertex array bound; tfjs binds its program, vertex array and textures before each of
 * its draws).
 */
import { type TensorInfo, env, util } from '@tensorflow/tfjs-core';
import type { GridSampleAttrs } from '../names.js';
import { CopyProgram, ZerosProgram, spatialDims } from './grid_sample_webgl.js';
import { samplingGlsl, tapCount } from './sample_glsl.js';
import { type FlatTexture, type WebGLBackend, flatTexture, requireFloatBlend, runProgram } from './webgl_backend.js';

function vertexSource(attrs: GridSampleAttrs, dims: 2 | 3): string {
  return `#version 300 es
precision highp float;
precision highp int;
precision highp sampler2D;
${samplingGlsl(attrs, dims)}
uniform sampler2D grid;
uniform ivec2 gridTexShape;
uniform sampler2D dy;
uniform ivec2 dyTexShape;
uniform ivec2 outTexShape;
uniform ivec4 imageShape; // N, H, W, C
uniform int imageDepth; // D of a volume, 1 for an image
uniform int points; // grid points per image: Ho * Wo (volumes: Do * Ho * Wo)
flat out float value;

float fetchFlat(sampler2D s, ivec2 texShape, int i) {
  int row = i / texShape.y;
  return texelFetch(s, ivec2(i - row * texShape.y, row), 0).r;
}

void main() {
  int D = imageDepth;
  int H = imageShape.y;
  int W = imageShape.z;
  int C = imageShape.w;
  int c = gl_VertexID % C;
  int rest = gl_VertexID / C;
  int t = rest % TAP_COUNT;
  int point = rest / TAP_COUNT;
  int n = point / points;
  gl_PointSize = 1.0;
  gl_Position = vec4(2.0, 2.0, 0.0, 1.0); // outside the viewport: nothing drawn
  value = 0.0;
  int g = point * SAMPLE_DIMS;
  float gz = SAMPLE_DIMS == 3 ? fetchFlat(grid, gridTexShape, g + 2) : 0.0;
  SourcePoint p = sourcePoint(fetchFlat(grid, gridTexShape, g), fetchFlat(grid, gridTexShape, g + 1), gz, W, H, D);
  if (!p.valid) return;
  Tap tap = sampleTap(p, W, H, D, t);
  if (tap.x < 0) return;
  value = tap.weight * fetchFlat(dy, dyTexShape, point * C + c);
  int index = (((n * D + tap.z) * H + tap.y) * W + tap.x) * C + c;
  int row = index / outTexShape.y;
  int col = index - row * outTexShape.y;
  gl_Position = vec4((float(col) + 0.5) / float(outTexShape.y) * 2.0 - 1.0, (float(row) + 0.5) / float(outTexShape.x) * 2.0 - 1.0, 0.0, 1.0);
}`;
}

const FRAGMENT_SOURCE = `#version 300 es
precision highp float;
flat in float value;
out vec4 outputColor;
void main() { outputColor = vec4(value, 0.0, 0.0, 0.0); }`;

interface ScatterProgram {
  program: WebGLProgram;
  vao: WebGLVertexArrayObject;
  uniform: Record<'grid' | 'gridTexShape' | 'dy' | 'dyTexShape' | 'outTexShape' | 'imageShape' | 'imageDepth' | 'points', WebGLUniformLocation | null>;
}

const programs = new WeakMap<WebGL2RenderingContext, Map<string, ScatterProgram>>();

function compileShader(gl: WebGL2RenderingContext, type: number, source: string): WebGLShader {
  const shader = gl.createShader(type)!;
  gl.shaderSource(shader, source);
  gl.compileShader(shader);
  if (!gl.getShaderParameter(shader, gl.COMPILE_STATUS)) {
    throw new Error(`stn-layer: the webgl d(input) shader did not compile: ${gl.getShaderInfoLog(shader)}`);
  }
  return shader;
}

function scatterProgram(gl: WebGL2RenderingContext, attrs: GridSampleAttrs, dims: 2 | 3): ScatterProgram {
  let cache = programs.get(gl);
  if (!cache) programs.set(gl, (cache = new Map()));
  const key = `${attrs.mode}_${attrs.paddingMode}_${attrs.alignCorners}_${dims}`;
  let s = cache.get(key);
  if (!s) {
    const program = gl.createProgram()!;
    gl.attachShader(program, compileShader(gl, gl.VERTEX_SHADER, vertexSource(attrs, dims)));
    gl.attachShader(program, compileShader(gl, gl.FRAGMENT_SHADER, FRAGMENT_SOURCE));
    gl.linkProgram(program);
    if (!gl.getProgramParameter(program, gl.LINK_STATUS)) {
      throw new Error(`stn-layer: the webgl d(input) program did not link: ${gl.getProgramInfoLog(program)}`);
    }
    const names = ['grid', 'gridTexShape', 'dy', 'dyTexShape', 'outTexShape', 'imageShape', 'imageDepth', 'points'] as const;
    const uniform = Object.fromEntries(names.map((name) => [name, gl.getUniformLocation(program, name)])) as ScatterProgram['uniform'];
    s = { program, vao: gl.createVertexArray()!, uniform };
    cache.set(key, s);
  }
  return s;
}

/**
 * grid [N,Ho,Wo,2], dy [N,Ho,Wo,C] -> dInput of `inputShape` [N,H,W,C] (volumes: grid
 * [N,Do,Ho,Wo,3], dy [N,Do,Ho,Wo,C] -> [N,D,H,W,C]), none of them empty.
 */
export function scatterGradInput(b: WebGLBackend, grid: TensorInfo, dy: TensorInfo, inputShape: number[], attrs: GridSampleAttrs): TensorInfo {
  const gl = b.gpgpu.gl;
  requireFloatBlend(gl);
  const dims = spatialDims(inputShape);
  const [N, H, W, C] = [inputShape[0]!, ...inputShape.slice(-3)] as [number, number, number, number];
  const D = dims === 3 ? inputShape[1]! : 1;
  const vertices = util.sizeFromShape(dy.shape) * tapCount(attrs, dims);
  if (vertices > 2 ** 31 - 1) {
    throw new RangeError(`stn-layer: gridSample's d(input) on webgl draws one point per grid point, tap and channel, at most 2^31 - 1; this call needs ${vertices}`);
  }
  const temporaries: TensorInfo[] = [];
  const flat = (t: TensorInfo): FlatTexture => {
    const texture = flatTexture(b, t);
    if (texture) return texture;
    const copy = runProgram(b, new CopyProgram(t.shape), [t]);
    temporaries.push(copy);
    return flatTexture(b, copy)!;
  };
  const gridTexture = flat(grid);
  const dyTexture = flat(dy);
  const dInput = runProgram(b, new ZerosProgram(inputShape), []);
  const out = flatTexture(b, dInput)!;
  const s = scatterProgram(gl, attrs, dims);
  // tfjs's warm-up mode compiles programs without running them (and leaves inputs unuploaded).
  if (env().getBool('ENGINE_COMPILE_ONLY')) {
    for (const t of temporaries) b.disposeIntermediateTensorInfo(t);
    return dInput;
  }

  b.gpgpu.setOutputMatrixTexture(out.texture, out.texShape[0], out.texShape[1]);
  const previousVao = gl.getParameter(gl.VERTEX_ARRAY_BINDING) as WebGLVertexArrayObject | null;
  gl.useProgram(s.program);
  gl.bindVertexArray(s.vao);
  gl.activeTexture(gl.TEXTURE0);
  gl.bindTexture(gl.TEXTURE_2D, gridTexture.texture);
  gl.uniform1i(s.uniform.grid, 0);
  gl.activeTexture(gl.TEXTURE1);
  gl.bindTexture(gl.TEXTURE_2D, dyTexture.texture);
  gl.uniform1i(s.uniform.dy, 1);
  gl.uniform2i(s.uniform.gridTexShape, ...gridTexture.texShape);
  gl.uniform2i(s.uniform.dyTexShape, ...dyTexture.texShape);
  gl.uniform2i(s.uniform.outTexShape, ...out.texShape);
  gl.uniform4i(s.uniform.imageShape, N, H, W, C);
  gl.uniform1i(s.uniform.imageDepth, D);
  gl.uniform1i(s.uniform.points, util.sizeFromShape(grid.shape.slice(1, -1)));
  gl.enable(gl.BLEND);
  gl.blendEquation(gl.FUNC_ADD);
  gl.blendFunc(gl.ONE, gl.ONE);
  gl.drawArrays(gl.POINTS, 0, vertices);
  gl.disable(gl.BLEND);
  gl.bindVertexArray(previousVao);
  for (const t of temporaries) b.disposeIntermediateTensorInfo(t);
  return dInput;
}
