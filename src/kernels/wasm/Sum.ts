/**
 * Sum for tfjs-backend-wasm over every axis but the last of a float32 tensor, as the gradient of a
 * bias sums: tfjs-backend-wasm's own transposes the tensor first, which was slow there. Every
 * other Sum goes to tfjs-wasm's own.
 */
import { type KernelConfig, Sum, type SumAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { runReplaced } from './replaced.js';
import { wasmHeap } from './wasm_backend.js';

export const sumConfig: KernelConfig = {
  kernelName: Sum,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const x = args.inputs.x as TensorInfo;
    const { axis, keepDims } = args.attrs as unknown as SumAttrs;
    const rank = x.shape.length;
    const axes = util.parseAxisParam(axis, x.shape).sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return runReplaced(Sum, args);
    const C = x.shape[rank - 1]!;
    const heap = wasmHeap(args.backend);
    const out = heap.output(keepDims ? [...Array(rank - 1).fill(1), C] : [C]);
    const rows = util.sizeFromShape(x.shape.slice(0, -1));
    // No rows: the sums are 0 (summing nothing still zero-fills).
    if (C > 0) heap.stn.sumRows(heap.input(x), rows, C, out);
    return heap.finish()[0]!;
  },
};
