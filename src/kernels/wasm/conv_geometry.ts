/**
 * What the wasm convolution gradients share: tfjs's Conv2DInfo for the attrs tfjs passes, the
 * checks with clear errors, and the padded extent: the rows and columns that the convolution's
 * windows cover, (out - 1) * stride + (k - 1) * dilation + 1, which the AssemblyScript loops use
 * so that they need no bounds checks.
 */
import { type TensorInfo, backend_util } from '@tensorflow/tfjs-core';

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

export function convGeometry(
  kernel: string, xShape: number[], filterShape: number[], dy: TensorInfo, attrs: ConvAttrs,
): ConvGeometry {
  const format = backend_util.convertConv2DDataFormat(attrs.dataFormat ?? 'NHWC');
  if (format !== 'channelsLast') {
    throw new Error(`stn-layer ${kernel} (wasm): dataFormat must be 'NHWC' (as for the wasm backend's Conv2D), got '${attrs.dataFormat}'`);
  }
  const info = backend_util.computeConv2DInfo(
    xShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides, attrs.dilations ?? 1, attrs.pad, attrs.dimRoundingMode, false, format);
  const want = [info.batchSize, info.outHeight, info.outWidth, info.outChannels];
  if (dy.shape.join() !== want.join()) {
    throw new Error(`stn-layer ${kernel} (wasm): dy must have shape [${want}], got [${dy.shape}]`);
  }
  const Hp = Math.max((info.outHeight - 1) * info.strideHeight + (info.filterHeight - 1) * info.dilationHeight + 1, 0);
  const Wp = Math.max((info.outWidth - 1) * info.strideWidth + (info.filterWidth - 1) * info.dilationWidth + 1, 0);
  const { top, left } = info.padInfo;
  return { info, Hp, Wp, padded: top !== 0 || left !== 0 || Hp > info.inHeight || Wp > info.inWidth };
}
