/**
 * What the wasm convolution kernels share: tfjs's Conv2DInfo for the attrs tfjs passes, the
 * checks with clear errors, and the padded extent: the rows and columns that the convolution's
 * windows cover, (out - 1) * stride + (k - 1) * dilation + 1, which the AssemblyScript loops use
 * so that they need no bounds checks.
 */
import { type KernelBackend, type TensorInfo, backend_util } from '@tensorflow/tfjs-core';
import type { KernelHeap } from '../shared/heap.js';
import type { WasmHeap } from './wasm_backend.js';

export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  /** tfjs's conv2d gradient only allows 1 and does not pass it; a direct runKernel call may. */
  dilations?: number | [number, number];
}

export interface ConvGeometry {
  info: backend_util.Conv2DInfo;
  /** Rows and columns the windows cover, starting padInfo.top / left rows above / left of x. */
  Hp: number;
  Wp: number;
  /** Whether the covered area differs from x itself (padding, or windows past its end). */
  padded: boolean;
}

export function checkFloat32(kernel: string, name: string, t: TensorInfo, rank: number): void {
  if (t.dtype !== 'float32') throw new Error(`stn-layer ${kernel} (wasm): ${name} must be float32, got ${t.dtype}`);
  if (t.shape.length !== rank) throw new Error(`stn-layer ${kernel} (wasm): ${name} must be rank ${rank}, got shape [${t.shape}]`);
}

/** The geometry of a convolution of x with a filter; when given, dy is checked against the output shape. */
export function convGeometry(
  kernel: string, xShape: number[], filterShape: number[], dy: TensorInfo | undefined, attrs: ConvAttrs,
): ConvGeometry {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  if (format !== 'channelsLast') {
    throw new Error(`stn-layer ${kernel} (wasm): dataFormat must be 'NHWC' (as for the wasm backend's Conv2D), got '${attrs.dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, format);
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy && dy.shape.join() !== want.join()) {
    throw new Error(`stn-layer ${kernel} (wasm): dy must have shape [${want}], got [${dy.shape}]`);
  }
  const Hp = Math.max((info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1, 0);
  const Wp = Math.max((info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1, 0);
  const { top, left } = info.padInfo;
  return { info, Hp, Wp, padded: top !== 0 || left !== 0 || Hp > info.inHeight || Wp > info.inWidth };
}

/** x as the module's loops read it: x itself, or a zero-padded scratch copy when the convolution pads. */
export function windowedInput(heap: WasmHeap, x: TensorInfo, g: ConvGeometry): { ptr: number; imageStride: number; rowStride: number } {
  const { batchSize: N, inHeight: H, inWidth: W, inChannels: Ci, padInfo } = g.info;
  if (!g.padded) return { ptr: heap.input(x), imageStride: H * W * Ci, rowStride: W * Ci };
  const ptr = heap.output([N, g.Hp, g.Wp, Ci]);
  heap.stn.placeNHWC(heap.input(x), N, H, W, Ci, ptr, g.Hp, g.Wp, padInfo.top, padInfo.left);
  return { ptr, imageStride: g.Hp * g.Wp * Ci, rowStride: g.Wp * Ci };
}

/** The kernel's result (the heap's first output); the scratch outputs after it are freed. */
export function finishFreeingScratch(heap: KernelHeap, backend: KernelBackend): TensorInfo {
  const [result, ...scratch] = heap.finish();
  for (const s of scratch) backend.disposeData(s.dataId);
  return result!;
}
