/**
 * Conv2D for tfjs-backend-wasm, replacing its own (XNNPACK, which re-packs the filter whenever
 * the filter tensor changes, i.e. at every training step, and is slow for one input channel). When
 * the convolution pads, x is first copied into a zero-padded scratch tensor.
 */
import { Conv2D, type KernelBackend, type KernelConfig, type TensorInfo } from '@tensorflow/tfjs-core';
import { type ConvAttrs, checkFloat32, convGeometry, finishFreeingScratch, windowedInput } from './conv_geometry.js';
import { wasmHeap } from './wasm_backend.js';

/** x convolved with filter, plus `bias` [Co] along the channels when given (FusedConv2D's case). */
export function conv2D(x: TensorInfo, filter: TensorInfo, backend: KernelBackend, attrs: ConvAttrs, bias?: TensorInfo, kernel = Conv2D): TensorInfo {
  checkFloat32(kernel, 'x', x, 4);
  checkFloat32(kernel, 'filter', filter, 4);
  const g = convGeometry(kernel, x.shape, filter.shape, undefined, attrs);
  const { info } = g;
  const heap = wasmHeap(backend);
  const out = heap.output(info.outShape);
  if (info.outShape.every((d) => d > 0)) {
    const xs = windowedInput(heap, x, g);
    heap.stn.conv2d(xs.ptr, xs.imageStride, xs.rowStride, info.inChannels, heap.input(filter),
      info.filterHeight, info.filterWidth, info.outChannels, info.batchSize, info.outHeight, info.outWidth,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, out);
    // In place: the bias Add's loop reads and writes each element at the same index.
    if (bias) heap.stn.biasAdd(out, info.batchSize * info.outHeight * info.outWidth, info.outChannels, heap.input(bias), out);
  }
  return finishFreeingScratch(heap, backend);
}

export const conv2DConfig: KernelConfig = {
  kernelName: Conv2D,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2D(inputs.x as TensorInfo, inputs.filter as TensorInfo, backend as KernelBackend, attrs as unknown as ConvAttrs),
};
