/**
 * The one place that touches tfjs-backend-webgl internals: the GPGPUProgram shape its
 * runWebGLProgram takes, that method, and, for the d(input) scatter, the WebGL2 context, the
 * texture behind a tensor and the backend's own framebuffer. Nothing is imported from the package,
 * so registering the kernels loads none of it; the backend object arrives when a kernel runs.
 * Checked against @tensorflow/tfjs-backend-webgl 4.22: runWebGLProgram prepends its header to
 * userCode (a sampler and get<Name>(...) per variable, getOutputCoords(), setOutput()), and an
 * unpacked float32 texture holds one value per texel, flat index i at (row i / cols, col i % cols)
 * of its texShape [rows, cols], as R32F when WEBGL_RENDER_FLOAT32_ENABLED is true.
 */
import { type DataId, type KernelBackend, type TensorInfo, env, util } from '@tensorflow/tfjs-core';

/** What runWebGLProgram takes: unpacked inputs and output, one float per texel. */
export interface GPGPUProgram {
  variableNames: string[];
  outputShape: number[];
  userCode: string;
  /** Shapes as uniforms rather than compiled in: one shader for every shape of a rank. */
  enableShapeUniforms?: boolean;
  customUniforms?: { name: string; type: 'float' | 'int' | 'ivec2' | 'ivec3' | 'ivec4' | 'vec2' | 'vec3' | 'vec4' }[];
  packedInputs?: false;
  packedOutput?: false;
}

interface TextureData {
  shape: number[];
  texture?: { texture: WebGLTexture; texShape: [number, number] } | null;
  texShape?: [number, number];
  isPacked?: boolean;
  slice?: { flatOffset: number };
}

interface GPGPUContext {
  gl: WebGL2RenderingContext;
  /** Attaches a texture to the backend's framebuffer; sets the viewport and scissor to it. */
  setOutputMatrixTexture(texture: WebGLTexture, rows: number, columns: number): void;
}

export interface WebGLBackend extends KernelBackend {
  gpgpu: GPGPUContext;
  texData: { get(dataId: DataId): TextureData };
  runWebGLProgram(program: GPGPUProgram, inputs: TensorInfo[], outputDtype: 'float32', customUniformValues?: number[][]): TensorInfo;
  makeTensorInfo(shape: number[], dtype: 'float32', values?: Float32Array): TensorInfo;
  uploadToGPU(dataId: DataId): void;
  disposeIntermediateTensorInfo(info: TensorInfo): void;
}

/** Why the webgl kernels cannot run in this context, or undefined when they can. */
function unsupported(): string | undefined {
  if (env().getNumber('WEBGL_VERSION') !== 2) return 'WebGL 2 (this context is WebGL 1)';
  // tfjs stores float32 tensors in half-float textures when float32 ones cannot be rendered to:
  // every result would be rounded to 11 bits, far from parity.
  if (!env().getBool('WEBGL_RENDER_FLOAT32_ENABLED')) return 'float32 render targets (tfjs\'s WEBGL_RENDER_FLOAT32_ENABLED is false here)';
  return undefined;
}

function refuse(what: string): never {
  throw new Error(`stn-layer: gridSample and affineGrid on the webgl backend need ${what}. ` +
    'Use another backend for them: tf.setBackend(\'wasm\') (or \'cpu\', or \'webgpu\' where the browser has it)');
}

export function webglBackend(backend: object): WebGLBackend {
  const b = backend as WebGLBackend;
  if (typeof b.runWebGLProgram !== 'function' || typeof b.gpgpu?.setOutputMatrixTexture !== 'function' || typeof b.texData?.get !== 'function') {
    throw new Error('stn-layer: this tfjs-backend-webgl has no runWebGLProgram, gpgpu and texData as 4.22 has');
  }
  const why = unsupported();
  if (why) refuse(why);
  return b;
}

const floatBlend = new WeakMap<WebGL2RenderingContext, boolean>();

/**
 * Enables EXT_float_blend (additive blending into float32 textures, which d(input)'s scatter
 * draws with) or throws the webgl kernels' error. getExtension is asked once per context.
 */
export function requireFloatBlend(gl: WebGL2RenderingContext): void {
  let has = floatBlend.get(gl);
  if (has === undefined) {
    has = gl.getExtension('EXT_float_blend') !== null;
    floatBlend.set(gl, has);
  }
  if (!has) refuse('blending into float32 textures for d(input) (EXT_float_blend is missing here)');
}

/**
 * Whether a program takes its shapes as uniforms (one shader for every shape) or compiled in
 * (faster index arithmetic, one shader per shape): tfjs's own choice for its programs, its
 * WEBGL_USE_SHAPES_UNIFORMS flag (off by default), and as tfjs does, only where every tensor of the
 * program (`shapes`) has rank 4 or less: tfjs's rank-5 samplers and output coordinates compile
 * the shape in even then, while its shader cache leaves the shape out of the key, so a volume
 * would run on a shader compiled for another shape.
 */
export const useShapeUniforms = (...shapes: readonly (readonly number[])[]): boolean =>
  env().getBool('WEBGL_USE_SHAPES_UNIFORMS') && shapes.every((shape) => shape.length <= 4);

/**
 * tfjs keeps a tensor in one 2-D texture, at most WEBGL_MAX_TEXTURE_SIZE² values: a RangeError
 * naming the argument where one does not fit (a large volume, say), before tfjs fails inside a draw.
 */
export function checkFitsTexture(op: string, what: string, shape: readonly number[]): void {
  const side = env().getNumber('WEBGL_MAX_TEXTURE_SIZE');
  const size = util.sizeFromShape(shape as number[]);
  if (size > side * side) {
    throw new RangeError(`${op}: ${what} of shape [${shape.join(', ')}] has ${size} values, more than a webgl texture holds here ` +
      `(${side}² = ${side * side}, WEBGL_MAX_TEXTURE_SIZE ${side}); use the wasm or webgpu backend for it`);
  }
}

/** Runs `program` on float32 `inputs` into a new float32 output (none for an empty output). */
export function runProgram(b: WebGLBackend, program: GPGPUProgram, inputs: TensorInfo[], uniforms?: number[][]): TensorInfo {
  return b.runWebGLProgram(program, inputs, 'float32', uniforms);
}

/** A float32 tensor of shape [0]: the unrequested half of GridSampleGrad's outputs. */
export function emptyTensor(b: WebGLBackend): TensorInfo {
  return b.makeTensorInfo([0], 'float32', new Float32Array(0));
}

/** A texture a raw draw may read with texelFetch: unpacked, one float per texel, no offset. */
export interface FlatTexture {
  texture: WebGLTexture;
  texShape: [number, number];
}

/**
 * The texture behind `t` when tfjs stores it flat (uploading it first if it is on the CPU);
 * undefined when it is packed or a slice of another tensor's texture, which must be copied first.
 */
export function flatTexture(b: WebGLBackend, t: TensorInfo): FlatTexture | undefined {
  let data = b.texData.get(t.dataId);
  if (!data.texture) {
    b.uploadToGPU(t.dataId);
    data = b.texData.get(t.dataId);
  }
  if (!data.texture || data.isPacked || data.slice || !data.texShape) return undefined;
  return { texture: data.texture.texture, texShape: data.texShape };
}
