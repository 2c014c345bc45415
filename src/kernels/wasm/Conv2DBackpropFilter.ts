/**
 * Conv2DBackpropFilter for tfjs-backend-wasm, which 4.22 lacks (without it no convnet trains on
 * wasm). The filter gradient runs in the AssemblyScript module on the tfjs-wasm heap; when the
 * convolution pads, x is first copied into a zero-padded scratch tensor so the module's loops need
 * no bounds checks. Same attrs as tfjs's own kernels, plus the optional `dilations` that a direct
 * runKernel call may pass (tfjs's conv2d gradient only allows 1).
 */
import {
  Conv2DBackpropFilter, type Conv2DBackpropFilterAttrs, type KernelBackend, type KernelConfig, type TensorInfo, backend_util,
} from '@tensorflow/tfjs-core';
import { wasmHeap } from './wasm_backend.js';

type Attrs = Conv2DBackpropFilterAttrs & { dilations?: number | [number, number] };

function conv2DBackpropFilter(x: TensorInfo, dy: TensorInfo, backend: KernelBackend, attrs: Attrs): TensorInfo {
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat ?? 'NHWC');
  if (format !== 'channelsLast') {
    throw new Error(`stn-layer Conv2DBackpropFilter (wasm): dataFormat must be 'NHWC', got '${dataFormat}'`);
  }
  for (const [name, t] of [['x', x], ['dy', dy]] as const) {
    if (t.dtype !== 'float32') throw new Error(`stn-layer Conv2DBackpropFilter (wasm): ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length !== 4) throw new Error(`stn-layer Conv2DBackpropFilter (wasm): ${name} must be rank 4, got shape [${t.shape}]`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, strides, attrs.dilations ?? 1, pad, dimRoundingMode, false, format);
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, outHeight: Ho, outWidth: Wo, outChannels: Co } = info;
  const { filterHeight: Kh, filterWidth: Kw, strideHeight: sh, strideWidth: sw, dilationHeight: dh, dilationWidth: dw } = info;
  if (dy.shape.join() !== [N, Ho, Wo, Co].join()) {
    throw new Error(`stn-layer Conv2DBackpropFilter (wasm): dy must have shape [${[N, Ho, Wo, Co]}], got [${dy.shape}]`);
  }
  const heap = wasmHeap(backend);
  const out = heap.output(filterShape);
  const K = Kh * Kw * Ci * Co;
  if (K === 0) return heap.finish()[0]!;
  // The padded x holds exactly the rows and columns the windows read.
  const { top, left } = info.padInfo;
  const Hp = Math.max((Ho - 1) * sh + (Kh - 1) * dh + 1, 0);
  const Wp = Math.max((Wo - 1) * sw + (Kw - 1) * dw + 1, 0);
  const needsPad = top !== 0 || left !== 0 || Hp > H || Wp > W;
  let xPtr = heap.input(x);
  let rowStride = W * Ci;
  let imageStride = H * W * Ci;
  if (needsPad && N * Ho * Wo > 0) {
    const padded = heap.output([N, Hp, Wp, Ci]);
    heap.stn.padNHWC(xPtr, N, H, W, Ci, padded, Hp, Wp, top, left);
    xPtr = padded;
    rowStride = Wp * Ci;
    imageStride = Hp * Wp * Ci;
  }
  heap.stn.conv2dBackpropFilter(xPtr, imageStride, rowStride, Ci,
    heap.input(dy), N, Ho, Wo, Co, Kh, Kw, sh, sw, dh, dw, out);
  const [dW, scratch] = heap.finish();
  if (scratch) backend.disposeData(scratch.dataId);
  return dW!;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    conv2DBackpropFilter(inputs.x as TensorInfo, inputs.dy as TensorInfo, backend as KernelBackend, attrs as unknown as Attrs),
};
