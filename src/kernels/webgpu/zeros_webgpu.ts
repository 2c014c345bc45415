/** Zero-fills a new float32 output: d(input)'s scatter-add starts from it. */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { FlatProgram, type WebGPUBackend, runProgram, sizeOf } from './webgpu_backend.js';

class ZerosProgram extends FlatProgram {
  variableNames: string[] = [];
  size = true;

  constructor(outputShape: number[]) {
    super(outputShape, sizeOf(outputShape), 'stnZeros');
  }
  getUserCode(): string {
    return `
fn main(index: i32) {
  if (index < uniforms.size) { setOutputAtIndex(index, 0.0); }
}`;
  }
}

export function zeros(backend: WebGPUBackend, shape: number[]): TensorInfo {
  return runProgram(backend, new ZerosProgram(shape), []);
}
