/**
 * Add for tfjs-backend-wasm when one float32 operand is a bias along the other's last axis
 * ([..., C] + [C] or [1, ..., 1, C]), as every convolution and dense layer adds one: the generic
 * broadcasting Add of tfjs-backend-wasm was slow there. Every other Add goes to tfjs-wasm's own.
 */
import { Add, type KernelConfig, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { runReplaced } from './replaced.js';
import { wasmHeap } from './wasm_backend.js';

/** The operand of shape [..., C] and the bias [C] (or [1, ..., 1, C]), if that is what a and b are. */
function biasOperands(a: TensorInfo, b: TensorInfo): { x: TensorInfo; bias: TensorInfo } | undefined {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') return undefined;
  const isBias = (x: TensorInfo, bias: TensorInfo) => {
    const C = x.shape[x.shape.length - 1];
    return x.shape.length >= 2 && bias.shape.length >= 1 && bias.shape.length <= x.shape.length &&
      bias.shape[bias.shape.length - 1] === C && bias.shape.slice(0, -1).every((d) => d === 1) &&
      x.shape.slice(0, -1).some((d) => d !== 1);
  };
  if (isBias(a, b)) return { x: a, bias: b };
  if (isBias(b, a)) return { x: b, bias: a };
  return undefined;
}

export const addConfig: KernelConfig = {
  kernelName: Add,
  backendName: 'wasm',
  kernelFunc: (args) => {
    const operands = biasOperands(args.inputs.a as TensorInfo, args.inputs.b as TensorInfo);
    if (!operands) return runReplaced(Add, args);
    const { x, bias } = operands;
    const heap = wasmHeap(args.backend);
    const out = heap.output(x.shape);
    const C = x.shape[x.shape.length - 1]!;
    const rows = util.sizeFromShape(x.shape.slice(0, -1));
    if (rows * C > 0) heap.stn.biasAdd(heap.input(x), rows, C, heap.input(bias), out);
    return heap.finish()[0]!;
  },
};
