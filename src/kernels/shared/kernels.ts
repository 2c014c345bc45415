/**
 * The three kernels, written once against KernelHeap; src/kernels/cpu and src/kernels/wasm bind
 * them to their backend's memory. Empty tensors need no special case in the module: it zero-fills
 * its outputs and a sample of an empty image has no taps. Only a call whose every output is empty
 * skips the module.
 */
import type { TensorInfo } from '@tensorflow/tfjs-core';
import { type AffineGridAttrs, type GridSampleAttrs, type GridSampleGradAttrs, gradOutputMask, modeCode, paddingCode } from '../names.js';
import type { KernelHeap } from './heap.js';

const isEmpty = (shape: number[]) => shape.some((d) => d === 0);

export function gridSampleKernel(heap: KernelHeap, input: TensorInfo, grid: TensorInfo, attrs: GridSampleAttrs): TensorInfo {
  const [N, H, W, C] = input.shape as [number, number, number, number];
  const [, Ho, Wo] = grid.shape as [number, number, number, number];
  const outShape = [N, Ho, Wo, C];
  const inputPtr = heap.input(input);
  const gridPtr = heap.input(grid);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) {
    heap.stn.gridSample(inputPtr, N, H, W, C, gridPtr, Ho * Wo,
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
    heap.stn.gridSample(inputPtr, N, H, W, C, gridPtr, Ho * Wo,
      modeCode(attrs.mode), paddingCode(attrs.paddingMode), attrs.alignCorners, true, 0, dyPtr,
      wantDInput ? dInputPtr : 0, wantDGrid ? dGridPtr : 0);
  }
  return heap.finish();
}

export function affineGridKernel(heap: KernelHeap, theta: TensorInfo, attrs: AffineGridAttrs): TensorInfo {
  const [N, H, W] = attrs.outputSize;
  const outShape = [N, H, W, 2];
  const thetaPtr = heap.input(theta);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) heap.stn.affineGrid(thetaPtr, N, H, W, attrs.alignCorners, outPtr);
  return heap.finish()[0]!;
}
