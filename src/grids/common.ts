/**
 * What the grid generators share: the base grid (the points affineGrid samples), a small cache for
 * arrays that depend only on sizes and options, and the checks of their size arguments.
 */
import {
  type GradSaveFunc, type Tensor, type Tensor3D, customGrad, engine, getBackend, getKernel, matMul, tensor3d, util, zeros, zerosLike,
} from '@tensorflow/tfjs-core';
import { StnMatMul } from '../kernels/names.js';
import { linspaceFromNegOne } from '../ops/base_grid.js';
import { describe } from '../ops/checks.js';

/** A bounded memo: the generators compute a few arrays per (size, options) and reuse them. */
export class Memo<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly limit: number) {}

  get(key: string, make: () => V): V {
    let value = this.map.get(key);
    if (value === undefined) {
      value = make();
      if (this.map.size >= this.limit) this.map.delete(this.map.keys().next().value as string);
    } else this.map.delete(key); // re-inserted below: the most recently used key is the last one
    this.map.set(key, value);
    return value;
  }
}

const bases = new Memo<Float64Array>(8);
const bases32 = new Memo<Float32Array>(8);

/**
 * The base points of a grid of spatial size `sizes` (outer first: [H, W] or [D, H, W]), in float64,
 * point after point in row-major order, each point (x, y[, z]) followed by a 1 when `homogeneous`.
 * The values are those of affineGrid's identity grid (PyTorch's linspace_from_neg_one per axis).
 */
export function baseGrid(sizes: readonly number[], alignCorners: boolean, homogeneous: boolean): Float64Array {
  return bases.get(`${sizes.join(',')}|${alignCorners}|${homogeneous}`, () => {
    const axes = sizes.map((s) => linspaceFromNegOne(s, alignCorners)).reverse(); // x first
    const stride = axes.length + (homogeneous ? 1 : 0);
    const count = util.sizeFromShape(sizes as number[]);
    const out = new Float64Array(count * stride);
    for (let p = 0; p < count; p++) {
      let rest = p;
      for (let a = 0; a < axes.length; a++) {
        const n = axes[a]!.length;
        out[p * stride + a] = axes[a]![rest % n]!;
        rest = Math.floor(rest / n);
      }
      if (homogeneous) out[p * stride + axes.length] = 1;
    }
    return out;
  });
}

/** baseGrid in float32, as a tensor [1, points, coordinates] to broadcast over the batch. */
export function baseGridTensor(sizes: readonly number[], alignCorners: boolean, homogeneous: boolean): Tensor3D {
  const values = bases32.get(`${sizes.join(',')}|${alignCorners}|${homogeneous}`,
    () => Float32Array.from(baseGrid(sizes, alignCorners, homogeneous)));
  const points = util.sizeFromShape(sizes as number[]);
  return tensor3d(values, [1, points, sizes.length + (homogeneous ? 1 : 0)]);
}

/** outputSize [N, H, W, C]: four non-negative integers. */
export function checkOutputSize4(outputSize: unknown, op: string): [number, number, number, number] {
  if (!Array.isArray(outputSize) || outputSize.length !== 4 || !outputSize.every((d) => Number.isInteger(d) && d >= 0)) {
    throw new RangeError(`${op}: 'outputSize' must be 4 non-negative integers [N, H, W, C]; received ${describe(outputSize)}`);
  }
  return [...outputSize] as [number, number, number, number];
}

/** The batch of the parameters must be the batch outputSize names. */
export function checkBatch(outputSize: readonly number[], batch: number, op: string, arg: string): void {
  if (outputSize[0] !== batch) {
    throw new RangeError(`${op}: 'outputSize' batch must equal '${arg}' batch ${batch}; received ${describe(outputSize)}`);
  }
}

/**
 * a [batchA, M, K] · b [batchB, K, N] with batch broadcasting: stn-layer's kernel where it has one
 * (cpu, whose own BatchMatMul is a JavaScript loop), tfjs's matMul elsewhere.
 */
export function batchedMatMul(a: Tensor, b: Tensor): Tensor {
  return getKernel(StnMatMul, getBackend()) ? engine().runKernel(StnMatMul, { a, b }) as Tensor : matMul(a, b);
}

/**
 * A grid generator as one differentiable op on `params`: `forward` makes the grid (and the tensors
 * `backward` needs), `backward` d(params) from d(grid). tfjs-core registers no gradients for its
 * own ops, so the gradient is given here, in ops whose own gradients are never needed. An empty
 * grid is zeros, with zero gradients, without running either (tfjs-wasm's kernels fail on empty
 * tensors).
 */
export function generatorOp(
  params: Tensor, gridShape: number[],
  forward: (params: Tensor) => { grid: Tensor; saved?: Tensor[] },
  backward: (dGrid: Tensor, saved: Tensor[], params: Tensor) => Tensor,
): Tensor {
  const empty = util.sizeFromShape(gridShape) === 0;
  const op = customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const [p, save] = args as [Tensor, GradSaveFunc];
    const { grid, saved = [] } = empty ? { grid: zeros(gridShape) } : forward(p);
    save(saved);
    return { value: grid, gradFunc: (dy: Tensor, kept: Tensor[]) => (empty ? zerosLike(p) : backward(dy, kept, p)) };
  });
  return op(params);
}
