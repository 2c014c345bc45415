/**
 * The kernels, written once against KernelHeap; src/kernels/cpu and src/kernels/wasm bind
 * them to their backend's memory. Empty tensors need no special case in the module: it zero-fills
 * its outputs and a sample of an empty image has no taps. Only a call whose every output is empty
 * skips the module.
 */
import { type TensorInfo, util } from '@tensorflow/tfjs-core';
import {
  type AffineGridAttrs, type GridSampleAttrs, type GridSampleGradAttrs, type GridSampleSlopesGradAttrs, type ProjectiveGridAttrs,
  gradOutputMask, modeCode, paddingCode,
} from '../names.js';
import type { KernelHeap, Span, TaskSpans } from './heap.js';
import { MAX_TASKS, POINT_TASKS_PER_THREAD, TASKS_PER_THREAD, dInputStripes, splitRange, threadsFor } from './split.js';
import { isEmpty } from './shapes.js';

export function gridSampleKernel(heap: KernelHeap, input: TensorInfo, grid: TensorInfo, attrs: GridSampleAttrs): TensorInfo {
  return forwardKernel(heap, input, grid, attrs, false)[0]!;
}

/**
 * GridSampleSlopes: one-channel bilinear gridSample, [output, slopes]: the forward with the
 * slopes' pointer at dGrid (unused forward), split as any forward, so the output has gridSample's
 * bits on any number of threads.
 */
export function gridSampleSlopesKernel(heap: KernelHeap, input: TensorInfo, grid: TensorInfo, attrs: GridSampleAttrs): TensorInfo[] {
  return forwardKernel(heap, input, grid, attrs, true);
}

/** The forward: [output], or [output, slopes] where `slopes` (one-channel bilinear only). */
function forwardKernel(heap: KernelHeap, input: TensorInfo, grid: TensorInfo, attrs: GridSampleAttrs, slopes: boolean): TensorInfo[] {
  const outShape = [...grid.shape.slice(0, -1), input.shape[input.shape.length - 1]!];
  const operands = {
    input: heap.input(input), grid: heap.input(grid), output: heap.output(outShape), dy: 0, dInput: 0,
    dGrid: slopes ? heap.output([...grid.shape]) : 0,
  };
  if (!isEmpty(outShape)) runGridSample(heap, input.shape, grid.shape, attrs, false, operands);
  return heap.finish();
}

/**
 * Returns [dInput, dGrid]. A gradient that outputMask leaves out comes back with shape [0], and
 * the module gets pointer 0 for it, which it reads as "not asked for": it skips that half.
 */
export function gridSampleGradKernel(
  heap: KernelHeap, dy: TensorInfo, input: TensorInfo, grid: TensorInfo, attrs: GridSampleGradAttrs,
): TensorInfo[] {
  return gradKernel(heap, dy, input.shape, heap.input(input), grid, attrs, 0);
}

/**
 * GridSampleSlopesGrad: GridSampleGrad with d(grid) from the forward's slopes (the module takes
 * them at its output pointer, unused backward), with the same bits. Neither the scatter into
 * d(input) nor the slopes read the input: it is not an input, only its shape an attr.
 */
export function gridSampleSlopesGradKernel(
  heap: KernelHeap, dy: TensorInfo, grid: TensorInfo, slopes: TensorInfo, attrs: GridSampleSlopesGradAttrs,
): TensorInfo[] {
  return gradKernel(heap, dy, attrs.inputShape, 0, grid, attrs, gradOutputMask(attrs)[1] ? heap.input(slopes) : 0);
}

function gradKernel(
  heap: KernelHeap, dy: TensorInfo, inputShape: readonly number[], inputPtr: number, grid: TensorInfo, attrs: GridSampleGradAttrs,
  slopesPtr: number,
): TensorInfo[] {
  const [wantDInput, wantDGrid] = gradOutputMask(attrs);
  const operands = { input: inputPtr, grid: heap.input(grid), output: slopesPtr, dy: heap.input(dy), dInput: 0, dGrid: 0 };
  const dInputPtr = heap.output(wantDInput ? [...inputShape] : [0]);
  const dGridPtr = heap.output(wantDGrid ? grid.shape : [0]);
  if ((wantDInput && !isEmpty(inputShape)) || (wantDGrid && !isEmpty(grid.shape))) {
    runGridSample(heap, inputShape, grid.shape, attrs, true,
      { ...operands, dInput: wantDInput ? dInputPtr : 0, dGrid: wantDGrid ? dGridPtr : 0 });
  }
  return heap.finish();
}

/** Byte offsets of gridSample's operands in the module's memory (0: none). */
interface GridSampleOperands { input: number; grid: number; output: number; dy: number; dInput: number; dGrid: number }

/**
 * The module's gridSample for an image (input rank 4) or gridSample3d for a volume (rank 5: the
 * same arguments and the depth), split into tasks over the heap's threads (shared/split.ts), each
 * with the spans of the operands it reads and finishes.
 */
function runGridSample(
  heap: KernelHeap, inputShape: readonly number[], gridShape: readonly number[], attrs: GridSampleAttrs, backward: boolean,
  p: GridSampleOperands,
): void {
  const points = util.sizeFromShape(gridShape.slice(1, -1));
  const coords = gridShape[gridShape.length - 1]!;
  const [mode, padding, ac] = [modeCode(attrs.mode), paddingCode(attrs.paddingMode), attrs.alignCorners];
  const N = inputShape[0]!;
  const C = inputShape[inputShape.length - 1]!;
  const spatial = inputShape.slice(1, -1); // [H, W] or [D, H, W]
  const pixels = util.sizeFromShape(spatial);
  const stripes = p.dInput !== 0 ? dInputStripes(N, pixels, points) : 1;
  // Stripe 0 scatters into dInput itself, the others into buffers of their own.
  const stripeBuffers = [p.dInput, ...Array.from({ length: stripes - 1 }, () => heap.scratch(pixels * C))];
  const threads = threadsFor(heap.threads, N * points * C, heap.copies, p.dInput !== 0);
  const name = inputShape.length === 5 ? 'gridSample3d' : 'gridSample';
  const call = (dInput: number, items: [number, number], pointRange: [number, number]) =>
    [p.input, N, ...spatial, C, p.grid, points, mode, padding, +ac, +backward, p.output, p.dy, dInput, p.dGrid, ...items, ...pointRange];
  // A task's part of an operand of `width` floats a grid point (one span for whole items, else one an item).
  const pointSpans = (operand: number, width: number, [i0, i1]: [number, number], [p0, p1]: [number, number]): Span[] => {
    if (operand === 0) return [];
    if (p0 === 0 && p1 === points) return [[operand, i0 * points * width, i1 * points * width]];
    return Array.from({ length: i1 - i0 }, (_, k) => [operand, ((i0 + k) * points + p0) * width, ((i0 + k) * points + p1) * width] as const);
  };
  const imageSpans = (operand: number, [i0, i1]: [number, number]): Span[] => (operand === 0 ? [] : [[operand, i0 * pixels * C, i1 * pixels * C]]);
  // Reads: the grid, and backward dy and the slopes (at output); a task over whole items, its
  // items' images. Finished: the forward's output and slopes (at dGrid), d(grid); d(input) where
  // a task has whole items (a stripe has part of the points: the stripes are summed after).
  const spans = (items: [number, number], range: [number, number]): TaskSpans => {
    const wholeItems = range[0] === 0 && range[1] === points;
    return {
      reads: [
        ...pointSpans(p.grid, coords, items, range),
        ...(backward ? [...pointSpans(p.dy, C, items, range), ...pointSpans(p.output, coords, items, range)] : []),
        ...(wholeItems ? imageSpans(p.input, items) : []),
      ],
      writes: [
        ...(backward ? [] : pointSpans(p.output, C, items, range)),
        ...pointSpans(p.dGrid, coords, items, range),
        ...(wholeItems ? imageSpans(p.dInput, items) : []),
      ],
    };
  };
  const run = (parts: { dInput: number; items: [number, number]; range: [number, number] }[]) =>
    heap.run(name, parts.map((t) => call(t.dInput, t.items, t.range)), parts.map((t) => spans(t.items, t.range)), threads);
  // More tasks than threads: whichever thread is free takes the next (the cpu heap's copies, made
  // by the calling thread, then overlap the workers' tasks, and a slower thread takes fewer).
  const tasksOf = (perThread: number) => (threads > 1 ? Math.min(threads * perThread, MAX_TASKS) : 1);
  const tasks = tasksOf(TASKS_PER_THREAD);
  if (stripes > 1) {
    // The stripes are fixed (the same bits on any thread count); on one thread, in turn.
    run(splitRange(points, stripes, 4).map((range, i) => ({ dInput: stripeBuffers[i]!, items: [0, 1] as [number, number], range })));
    const ranges = splitRange(pixels * C, tasksOf(POINT_TASKS_PER_THREAD), 4);
    stripeBuffers.slice(1).forEach((stripe, i, sums) => {
      // The last sum finishes d(input).
      const writes = (range: [number, number]): Span[] => (i === sums.length - 1 ? [[p.dInput, ...range]] : []);
      heap.run('addStripe', ranges.map(([start, end]) => [p.dInput, stripe, start, end]), ranges.map((range) => ({ reads: [], writes: writes(range) })), threads);
    });
  } else if (p.dInput !== 0 || N >= tasks) {
    // d(input) by item; the forward and d(grid) too where there are items enough: a task then
    // reads only its items' images, which a heap that copies places while the other threads work.
    run(splitRange(N, tasks, 1).map((items) => ({ dInput: p.dInput, items, range: [0, points] })));
  } else {
    // Else by point, on the module's blocks of four.
    run(splitRange(points, tasksOf(POINT_TASKS_PER_THREAD), 4).map((range) => ({ dInput: 0, items: [0, N], range })));
  }
}

/** AffineGrid (theta [N, 2, 3]) and ProjectiveGrid (h [N, 3, 3]): parameters to a grid [N, H, W, 2]. */
function gridKernel(heap: KernelHeap, params: TensorInfo, attrs: ProjectiveGridAttrs, which: 'affineGrid' | 'projectiveGrid'): TensorInfo {
  const [N, H, W] = attrs.outputSize;
  const outShape = [N, H, W, 2];
  const paramsPtr = heap.input(params);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) heap.place()[which](paramsPtr, N, H, W, attrs.alignCorners, outPtr);
  return heap.finish()[0]!;
}

/** AffineGrid: theta [N, 2, 3] to [N, H, W, 2], or for a volume theta [N, 3, 4] to [N, D, H, W, 3]. */
export function affineGridKernel(heap: KernelHeap, theta: TensorInfo, attrs: AffineGridAttrs): TensorInfo {
  if (attrs.outputSize.length === 4) return gridKernel(heap, theta, attrs as ProjectiveGridAttrs, 'affineGrid');
  const [N, D, H, W] = attrs.outputSize;
  const outShape = [N, D, H, W, 3];
  const thetaPtr = heap.input(theta);
  const outPtr = heap.output(outShape);
  if (!isEmpty(outShape)) heap.place().affineGrid3d(thetaPtr, N, D, H, W, attrs.alignCorners, outPtr);
  return heap.finish()[0]!;
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
