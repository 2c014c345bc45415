/**
 * The one place that touches tfjs-backend-webgpu internals: the program shape its
 * runWebGPUProgram takes, and that method itself. Only types are imported from the package, so
 * registering the kernels loads nothing of it; the backend object arrives when a kernel runs.
 * Checked against @tensorflow/tfjs-backend-webgpu 4.22: runWebGPUProgram prepends its own header
 * to getUserCode() (the Uniforms struct with each variable's shape, `result` as the output buffer,
 * setOutputAtIndex, isnan) and calls `fn main(index: i32)` once per invocation of a flat dispatch.
 */
import { type TensorInfo, util } from '@tensorflow/tfjs-core';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';

export type { WebGPUBackend, WebGPUProgram };

/** 64 invocations per workgroup: a multiple of every GPU's SIMD width, small enough for any limit. */
export const WORKGROUP_SIZE: [number, number, number] = [64, 1, 1];

/**
 * The dispatch for `invocations` invocations of a flat program (dispatchLayout x only, main(index)).
 * runWebGPUProgram folds it into 2D or 3D when it exceeds the device's per-dimension limit, and
 * tfjs's getGlobalIndex() unfolds it, so every program still guards `index` against its count.
 * (tfjs's webgpu_util.computeDispatch does the same, but importing it would load the package.)
 */
function flatDispatch(invocations: number): [number, number, number] {
  return [Math.ceil(invocations / WORKGROUP_SIZE[0]), 1, 1];
}

/**
 * A program with a flat dispatch of `invocations` invocations over an output of `outputShape`;
 * subclasses add variableNames, getUserCode and tfjs's flags (size, atomic).
 */
export abstract class FlatProgram implements WebGPUProgram {
  abstract variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize = WORKGROUP_SIZE;

  constructor(outputShape: number[], invocations: number, shaderKey: string) {
    this.outputShape = outputShape;
    this.shaderKey = shaderKey;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    this.dispatch = flatDispatch(invocations);
  }

  abstract getUserCode(): string;
}

export const sizeOf = (shape: readonly number[]): number => util.sizeFromShape(shape as number[]);

export function webgpuBackend(backend: object): WebGPUBackend {
  const b = backend as WebGPUBackend;
  if (typeof b.runWebGPUProgram !== 'function') {
    throw new Error('stn-layer: this tfjs-backend-webgpu has no runWebGPUProgram as 4.22 has');
  }
  return b;
}

/**
 * Runs `program` on float32 `inputs`, writing a new output or, when given, `output` (which
 * runWebGPUProgram does not clear). An output with no elements comes back without a dispatch.
 */
export function runProgram(backend: WebGPUBackend, program: WebGPUProgram, inputs: TensorInfo[], output?: TensorInfo): TensorInfo {
  checkFitsInBuffer(backend, program.outputShape);
  return backend.runWebGPUProgram(program, inputs, 'float32', undefined, output);
}

/**
 * Dawn only prints a validation error for a buffer over the device's limits, and the op would
 * return a tensor that cannot be read: refuse it up front instead.
 */
function checkFitsInBuffer(backend: WebGPUBackend, shape: number[]): void {
  const bytes = sizeOf(shape) * 4;
  const { maxBufferSize, maxStorageBufferBindingSize } = backend.device.limits;
  const limit = Math.min(maxBufferSize, maxStorageBufferBindingSize);
  if (bytes > limit) {
    throw new RangeError(`stn-layer: an output of shape [${shape.join(', ')}] (${bytes} bytes) is larger than this WebGPU device's largest buffer (${limit} bytes)`);
  }
}
