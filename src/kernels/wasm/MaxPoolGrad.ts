/**
 * MaxPoolGrad for tfjs-backend-wasm, replacing its own (slow enough to matter in a training step):
 * dy goes to the first maximum of each window, as tfjs's cpu backend picks it.
 */
import {
  type KernelBackend, type KernelConfig, MaxPoolGrad, type MaxPoolGradAttrs, type TensorInfo, backend_util,
} from '@tensorflow/tfjs-core';
import { checkFloat32 } from './conv_geometry.js';
import { wasmHeap } from './wasm_backend.js';

function maxPoolGrad(dy: TensorInfo, input: TensorInfo, backend: KernelBackend, attrs: MaxPoolGradAttrs): TensorInfo {
  checkFloat32(MaxPoolGrad, 'dy', dy, 4);
  checkFloat32(MaxPoolGrad, 'input', input, 4);
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number], attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  if (dy.shape.join() !== info.outShape.join()) {
    throw new Error(`stn-layer ${MaxPoolGrad} (wasm): dy must have shape [${info.outShape}], got [${dy.shape}]`);
  }
  const heap = wasmHeap(backend);
  const dx = heap.output(input.shape);
  heap.stn.maxPoolGrad(heap.input(input), heap.input(dy), dx, info.batchSize, info.inHeight, info.inWidth, info.inChannels,
    info.outHeight, info.outWidth, info.effectiveFilterHeight, info.effectiveFilterWidth,
    info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, info.padInfo.top, info.padInfo.left);
  return heap.finish()[0]!;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    maxPoolGrad(inputs.dy as TensorInfo, inputs.input as TensorInfo, backend as KernelBackend, attrs as unknown as MaxPoolGradAttrs),
};
