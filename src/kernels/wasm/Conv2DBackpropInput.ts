/**
 * Conv2DBackpropInput for tfjs-backend-wasm, replacing its own (a scalar loop that dominated a
 * training step). The filter is rearranged into a scratch tensor, dx is accumulated in the
 * AssemblyScript module (into a padded scratch that is then cropped, when the convolution pads).
 */
import {
  Conv2DBackpropInput, type KernelBackend, type KernelConfig, type TensorInfo,
} from '@tensorflow/tfjs-core';
import { type ConvAttrs, checkFloat32, convGeometry, finishFreeingScratch } from './conv_geometry.js';
import { wasmHeap } from './wasm_backend.js';

type Attrs = ConvAttrs & { inputShape: [number, number, number, number] };

function conv2DBackpropInput(dy: TensorInfo, filter: TensorInfo, backend: KernelBackend, attrs: Attrs): TensorInfo {
  checkFloat32(Conv2DBackpropInput, 'dy', dy, 4);
  checkFloat32(Conv2DBackpropInput, 'filter', filter, 4);
  const { info, Hp, Wp, padded } = convGeometry(Conv2DBackpropInput, attrs.inputShape, filter.shape, dy, attrs);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co } = info;
  const { filterHeight: Kh, filterWidth: Kw } = info;
  const heap = wasmHeap(backend);
  const dx = heap.output([N, H, W, Ci]);
  if (N * H * W * Ci === 0) return heap.finish()[0]!;
  // With dw = 1 a filter row's taps and channels are one contiguous run of dx.
  const wholeRows = info.dilationWidth === 1;
  const runs = wholeRows ? Kh : Kh * Kw;
  const runLength = Math.ceil((wholeRows ? Kw * Ci : Ci) / 4) * 4;
  const wt = heap.output([Math.max(runs * Co * runLength, 1)]);
  const target = padded ? heap.output([N, Hp, Wp, Ci]) : dx;
  const rowStride = (padded ? Wp : W) * Ci;
  const imageStride = rowStride * (padded ? Hp : H);
  if (runs * runLength > 0) {
    heap.stn.transposeFilter(heap.input(filter), Kh, Kw, Ci, Co, wholeRows, wt);
    heap.stn.conv2dBackpropInput(heap.input(dy), N, Ho, Wo, Co, wt, Kh, Kw, Ci, wholeRows,
      info.strideHeight, info.strideWidth, info.dilationHeight, info.dilationWidth, target, imageStride, rowStride);
    if (padded) heap.stn.placeNHWC(target, N, Hp, Wp, Ci, dx, H, W, -info.padInfo.top, -info.padInfo.left);
  } else {
    // An empty filter touches nothing: dx is zeros (placing an empty image only zero-fills).
    heap.stn.placeNHWC(0, N, 0, 0, Ci, dx, H, W, 0, 0);
  }
  return finishFreeingScratch(heap, backend);
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2DBackpropInput(inputs.dy as TensorInfo, inputs.filter as TensorInfo, backend as KernelBackend, attrs as unknown as Attrs),
};
