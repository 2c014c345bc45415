/**
 * BatchMatMul for tfjs-backend-wasm, replacing its own (slow with transposed operands, which every
 * dense layer's gradient has). Same shapes, transposes and batch broadcasting as tfjs's kernels;
 * a transposed operand is first rearranged into a scratch tensor.
 */
import {
  BatchMatMul, type BatchMatMulAttrs, type KernelBackend, type KernelConfig, type TensorInfo, broadcast_util, util,
} from '@tensorflow/tfjs-core';
import { finishFreeingScratch } from './conv_geometry.js';
import { wasmHeap } from './wasm_backend.js';

/** The flat index into `shape` (right-aligned with `outShape`, size-1 dimensions broadcast) of output index i. */
function broadcastIndex(i: number, outShape: number[], shape: number[]): number {
  let index = 0;
  let stride = 1;
  for (let d = outShape.length - 1, s = shape.length - 1; s >= 0; d--, s--) {
    const coord = Math.floor(i / util.sizeFromShape(outShape.slice(d + 1))) % outShape[d]!;
    index += (shape[s] === 1 ? 0 : coord) * stride;
    stride *= shape[s]!;
  }
  return index;
}

function batchMatMul(a: TensorInfo, b: TensorInfo, backend: KernelBackend, { transposeA, transposeB }: BatchMatMulAttrs): TensorInfo {
  for (const [name, t] of [['a', a], ['b', b]] as const) {
    if (t.dtype !== 'float32') throw new Error(`stn-layer ${BatchMatMul} (wasm): ${name} must be float32, got ${t.dtype}`);
    if (t.shape.length < 2) throw new Error(`stn-layer ${BatchMatMul} (wasm): ${name} must have rank >= 2, got shape [${t.shape}]`);
  }
  const [ra, ca] = a.shape.slice(-2) as [number, number];
  const [rb, cb] = b.shape.slice(-2) as [number, number];
  const [M, K] = transposeA ? [ca, ra] : [ra, ca];
  const [Kb, N] = transposeB ? [cb, rb] : [rb, cb];
  if (K !== Kb) {
    throw new Error(`stn-layer ${BatchMatMul} (wasm): inner dimensions of a [${a.shape}] and b [${b.shape}] ` +
      `(transposeA ${transposeA}, transposeB ${transposeB}) must match, got ${K} and ${Kb}`);
  }
  const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batchA = util.sizeFromShape(a.shape.slice(0, -2));
  const batchB = util.sizeFromShape(b.shape.slice(0, -2));
  const batch = util.sizeFromShape(outer);
  const heap = wasmHeap(backend);
  const out = heap.output([...outer, M, N]);
  if (batch * M * N > 0) {
    let aPtr = heap.input(a);
    let bPtr = heap.input(b);
    if (transposeA && M * K > 0) {
      const t = heap.output([batchA, M, K]);
      heap.stn.transpose2D(aPtr, batchA, K, M, t);
      aPtr = t;
    }
    if (transposeB && K * N > 0) {
      const t = heap.output([batchB, K, N]);
      heap.stn.transpose2D(bPtr, batchB, N, K, t);
      bPtr = t;
    }
    if ((batchA === 1 || batchA === batch) && (batchB === 1 || batchB === batch)) {
      heap.stn.batchMatMul(aPtr, batchA, M, K, bPtr, batchB, N, batch, out);
    } else {
      // Both operands broadcast along different outer dimensions: one product per output matrix.
      const [outerA, outerB] = [a.shape.slice(0, -2), b.shape.slice(0, -2)];
      for (let i = 0; i < batch; i++) {
        const ia = broadcastIndex(i, outer, outerA);
        const ib = broadcastIndex(i, outer, outerB);
        heap.stn.batchMatMul(aPtr + ia * M * K * 4, 1, M, K, bPtr + ib * K * N * 4, 1, N, 1, out + i * M * N * 4);
      }
    }
  }
  return finishFreeingScratch(heap, backend);
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: BatchMatMul,
  backendName: 'wasm',
  kernelFunc: ({ inputs, backend, attrs }) =>
    batchMatMul(inputs.a as TensorInfo, inputs.b as TensorInfo, backend as KernelBackend, attrs as unknown as BatchMatMulAttrs),
};
