/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which 4.22 lacks (without it no convnet trains on
 * wasm). The filter gradient runs in the AssemblyScript module on the tfjs-wasm heap; when the
 * convolution pads, x is first copied into a zero-padded scratch tensor so the module's loops need
 * no bounds checks.
 */
import {
  Conv2DBackpropFilter, type KernelBackend, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type ConvAttrs, checkFloat32, convGeometry, finishFreeingScratch, windowedInput } from './conv_geometry.js';
import { reinstallWasmTrainingKernels } from './replacements.js';
import { wasmHeap } from './wasm_backend.js';

type Attrs = ConvAttrs & { filterShape: [number, number, number, number] };

function conv2DBackpropFilter(x: TensorInfo, dy: TensorInfo, backend: KernelBackend, attrs: Attrs): TensorInfo {
  checkFloat32(Conv2DBackpropFilter, 'x', x, 4);
  checkFloat32(Conv2DBackpropFilter, 'dy', dy, 4);
  const g = convGeometry(Conv2DBackpropFilter, x.shape, attrs.filterShape, dy, attrs);
  const { info } = g;
  const heap = wasmHeap(backend);
  const out = heap.output(attrs.filterShape);
  if (info.filterHeight * info.filterWidth * info.inChannels * info.outChannels > 0) {
    const xs = windowedInput(heap, x, g);
    heap.stn.conv2dBackpropFilter(xs.ptr, xs.imageStride, xs.rowStride, info.inChannels, heap.input(dy),
      info.batchSize, info.outHeight, info.outWidth, info.outChannels, info.filterHeight, info.filterWidth,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, out);
  }
  return finishFreeingScratch(heap, backend);
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  // tfjs-backend-wasm has no kernel of this name, so this one is registered at import; when the
  // backend starts, it also puts the opt-in training kernels back in place (if opted in).
  setupFunc: reinstallWasmTrainingKernels,
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2DBackpropFilter(inputs.x as TensorInfo, inputs.dy as TensorInfo, backend as KernelBackend, attrs as unknown as Attrs),
};
