/**
 * The kernels, written once against KernelHeap; src/kernels/cpu and src/kernels/wasm bind
 * them to their backend's memory. Empty tensors need no special case in the module: it zero-fills
 * its outputs and a sample of an empty image has no taps. Only a call whose every output is empty
 * skips the module.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type AffineGridAttrs, type GridSampleAttrs, type GridSampleGradAttrs, type ProjectiveGridAttrs, gradOutputMask, modeCode, paddingCode } from '../names.js';
import type { KernelHeap } from './heap.js';
import { isEmpty } from './shapes.js';

export function gridSampleKernel(heap: KernelHeap, input: TensorInfo, grid: TensorInfo, attrs: GridSampleAttrs): TensorInfo {
  const [N, H, W, C] = input.shape as [number, number, number, number];
  const [, Ho, Wo] = grid.shape as [number, number, number, number];
  const outShape = [N, Ho, Wo, C];
  const inputPtr = heap.input(input);
  const gridPtr = heap.input(grid);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) {
    heap.place().gridSample(inputPtr, N, H, W, C, gridPtr, Ho * Wo,
      modeCode(attrs.mode), paddingCode(attrs.paddingMode), attrs.alignCorners, false, outPtr, 0, 0, 0);
  }
  return heap.finish()[0]!;
}

/**
 * Returns [dInput, dGrid]. A gradient that outputMask leaves out comes back with shape [0], and
 * the module gets pointer 0 for it, which it reads as "not asked for": it skips that half.
 */
export function gridSampleGradKernel(
  heap: KernelHeap, dy: TensorInfo, input: TensorInfo, grid: TensorInfo, attrs: GridSampleGradAttrs,
): TensorInfo[] {
  const [N, H, W, C] = input.shape as [number, number, number, number];
  const [, Ho, Wo] = grid.shape as [number, number, number, number];
  const [wantDInput, wantDGrid] = gradOutputMask(attrs);
  const inputPtr = heap.input(input);
  const gridPtr = heap.input(grid);
  const dyPtr = heap.input(dy);
  const dInputPtr = heap.output(wantDInput ? input.shape : [0]);
  const dGridPtr = heap.output(wantDGrid ? grid.shape : [0]);
  if ((wantDInput && !isEmpty(input.shape)) || (wantDGrid && !isEmpty(grid.shape))) {
    heap.place().gridSample(inputPtr, N, H, W, C, gridPtr, Ho * Wo,
      modeCode(attrs.mode), paddingCode(attrs.paddingMode), attrs.alignCorners, true, 0, dyPtr,
      wantDInput ? dInputPtr : 0, wantDGrid ? dGridPtr : 0);
  }
  return heap.finish();
}

/** AffineGrid (theta [N, 2, 3]) and ProjectiveGrid (h [N, 3, 3]): parameters to a grid [N, H, W, 2]. */
function gridKernel(heap: KernelHeap, params: TensorInfo, attrs: AffineGridAttrs, which: 'affineGrid' | 'projectiveGrid'): TensorInfo {
  const [N, H, W] = attrs.outputSize;
  const outShape = [N, H, W, 2];
  const paramsPtr = heap.input(params);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) heap.place()[which](paramsPtr, N, H, W, attrs.alignCorners, outPtr);
  return heap.finish()[0]!;
}

export function affineGridKernel(heap: KernelHeap, theta: TensorInfo, attrs: AffineGridAttrs): TensorInfo {
  return gridKernel(heap, theta, attrs, 'affineGrid');
}

export function projectiveGridKernel(heap: KernelHeap, h: TensorInfo, attrs: ProjectiveGridAttrs): TensorInfo {
  return gridKernel(heap, h, attrs, 'projectiveGrid');
}

/** d(h) [N, 3, 3] from dy [N, H, W, 2] and h [N, 3, 3]. */
export function projectiveGridGradKernel(heap: KernelHeap, dy: TensorInfo, h: TensorInfo, attrs: ProjectiveGridAttrs): TensorInfo {
  const [N, H, W] = attrs.outputSize;
  const dyPtr = heap.input(dy);
  const hPtr = heap.input(h);
  const dhPtr = heap.output([N, 3, 3]);
  if (N > 0) heap.place().projectiveGridGrad(dyPtr, hPtr, N, H, W, attrs.alignCorners, dhPtr);
  return heap.finish()[0]!;
}

/** a [batchA, M, K] · b [batchB, K, N] -> [batch, M, N]: batchA and batchB are 1 or the batch. */
export function stnMatMulKernel(heap: KernelHeap, a: TensorInfo, b: TensorInfo): TensorInfo {
  const [batchA, M, K] = a.shape as [number, number, number];
  const [batchB, , N] = b.shape as [number, number, number];
  const batch = batchA === 1 ? batchB : batchA;
  const aPtr = heap.input(a);
  const bPtr = heap.input(b);
  const outPtr = heap.output([batch, M, N]);
  if (batch * M * N > 0) heap.place().batchMatMul(aPtr, batchA, M, K, bPtr, batchB, N, batch, outPtr);
  return heap.finish()[0]!;
}
