import {
  type Tensor2D, type Tensor3D, type Tensor4D, type TensorLike, reshape, tensor3d, tidy,
} from '@tensorflow/tfjs-core';
import { checkBoolean, checkShape, describe, toFloat32Tensor } from '../ops/checks.js';
import { Memo, baseGrid, batchedMatMul, checkBatch, checkOutputSize4, generatorOp } from './common.js';

const OP = 'tpsGrid';

export interface TpsGridOptions {
  /** The K source points p_k [K, 2] (x, y); default: a √K×√K lattice on [-1, 1]², y outer, x inner. */
  controlPoints?: Tensor2D | TensorLike;
  /** As affineGrid's: where the base grid's points lie; default false. */
  alignCorners?: boolean;
}

/** The radial basis of the thin-plate spline, as a function of r²: U = r² log r², U(0) = 0. */
function radialBasis(r2: number): number {
  return r2 === 0 ? 0 : r2 * Math.log(r2);
}

/** The default control points: linspace(-1, 1, g) on each axis, y outer and x inner, each (x, y). */
export function tpsLattice(g: number): Float64Array {
  const out = new Float64Array(g * g * 2);
  for (let i = 0; i < g; i++) {
    for (let j = 0; j < g; j++) out.set([-1 + (2 * j) / (g - 1), -1 + (2 * i) / (g - 1)], (i * g + j) * 2);
  }
  return out;
}

/**
 * Solves A·X = B in place by Gaussian elimination with partial pivoting (A n×n, B n×m, row-major
 * float64); X is left in B. Returns false when A is singular to working precision.
 */
export function solveInPlace(a: Float64Array, b: Float64Array, n: number, m: number): boolean {
  const scale = a.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
  for (let col = 0; col < n; col++) {
    let pivot = col;
    for (let r = col + 1; r < n; r++) if (Math.abs(a[r * n + col]!) > Math.abs(a[pivot * n + col]!)) pivot = r;
    // Duplicate or collinear control points leave a pivot at rounding-error size.
    if (!(Math.abs(a[pivot * n + col]!) > 1e-10 * scale)) return false;
    if (pivot !== col) {
      for (let k = 0; k < n; k++) [a[col * n + k], a[pivot * n + k]] = [a[pivot * n + k]!, a[col * n + k]!];
      for (let k = 0; k < m; k++) [b[col * m + k], b[pivot * m + k]] = [b[pivot * m + k]!, b[col * m + k]!];
    }
    const p = a[col * n + col]!;
    for (let r = 0; r < n; r++) {
      if (r === col) continue;
      const f = a[r * n + col]! / p;
      if (f === 0) continue;
      for (let k = col; k < n; k++) a[r * n + k]! -= f * a[col * n + k]!;
      for (let k = 0; k < m; k++) b[r * m + k]! -= f * b[col * m + k]!;
    }
  }
  for (let r = 0; r < n; r++) {
    const p = a[r * n + r]!;
    for (let k = 0; k < m; k++) b[r * m + k]! /= p;
  }
  return true;
}

/**
 * The [HW, K] matrix M with grid = M·Q for targets Q [K, 2]: M = B·X, where row p of B is
 * (U(|p − p_k|) for each k, 1, x, y) and X [K+3, K] is the first K columns of the inverse of the
 * (K+3)×(K+3) system [[U(P,P), [1 P]], [[1 P]ᵀ, 0]] (its right-hand side is [Q; 0]). Computed in
 * float64, once per control points, size and alignCorners (with Mᵀ for the gradient); each batch
 * item then costs one product.
 */
function tpsMatrix(points: Float64Array, K: number, H: number, W: number, alignCorners: boolean): { m: Float32Array; mT: Float32Array } | undefined {
  const n = K + 3;
  const a = new Float64Array(n * n);
  for (let i = 0; i < K; i++) {
    const [xi, yi] = [points[2 * i]!, points[2 * i + 1]!];
    for (let j = 0; j < K; j++) {
      const dx = xi - points[2 * j]!;
      const dy = yi - points[2 * j + 1]!;
      a[i * n + j] = radialBasis(dx * dx + dy * dy);
    }
    for (const [k, v] of [1, xi, yi].entries()) {
      a[i * n + K + k] = v;
      a[(K + k) * n + i] = v;
    }
  }
  const x = new Float64Array(n * K);
  for (let k = 0; k < K; k++) x[k * K + k] = 1;
  if (!solveInPlace(a, x, n, K)) return undefined;
  const base = baseGrid([H, W], alignCorners, false);
  const m = new Float32Array(H * W * K);
  const mT = new Float32Array(K * H * W);
  const row = new Float64Array(n);
  for (let p = 0; p < H * W; p++) {
    const [px, py] = [base[2 * p]!, base[2 * p + 1]!];
    for (let k = 0; k < K; k++) {
      const dx = px - points[2 * k]!;
      const dy = py - points[2 * k + 1]!;
      row[k] = radialBasis(dx * dx + dy * dy);
    }
    row.set([1, px, py], K);
    for (let k = 0; k < K; k++) {
      let s = 0;
      for (let r = 0; r < n; r++) s += row[r]! * x[r * K + k]!;
      m[p * K + k] = s;
      mT[k * H * W + p] = s;
    }
  }
  return { m, mT };
}

// A few sets: M and Mᵀ of a 512×512 grid with K = 16 take 34 MB.
const matrices = new Memo<{ m: Float32Array; mT: Float32Array } | undefined>(4);

function readOptions(options: unknown): { controlPoints: unknown; alignCorners: boolean } {
  if (options !== undefined && (typeof options !== 'object' || options === null || Array.isArray(options))) {
    throw new TypeError(`${OP}: 'options' must be an object; received ${describe(options)}`);
  }
  const o = (options ?? {}) as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (key !== 'controlPoints' && key !== 'alignCorners') {
      throw new RangeError(`${OP}: unknown option '${key}'; expected controlPoints or alignCorners`);
    }
  }
  return { controlPoints: o.controlPoints, alignCorners: checkBoolean(o.alignCorners ?? false, OP, 'options.alignCorners') };
}

/** The control points as float64 (from their float32 values), checked against K. */
function controlPointsOf(value: unknown, K: number, targetsShape: readonly number[]): Float64Array {
  const arg = 'options.controlPoints';
  if (value === undefined) {
    const g = Math.round(Math.sqrt(K));
    if (g * g !== K || g < 2) {
      throw new RangeError(`${OP}: '${arg}' is needed when K is not a perfect square >= 4 (the default is a g×g lattice); ` +
        `received 'targets' of shape [${targetsShape.join(', ')}]`);
    }
    return tpsLattice(g);
  }
  const t = toFloat32Tensor(value, OP, arg);
  checkShape(t, OP, arg, `[K, 2] with K = ${K} (the K of 'targets')`, t.rank === 2 && t.shape[0] === K && t.shape[1] === 2);
  if (K < 3) throw new RangeError(`${OP}: '${arg}' must hold at least 3 points; received ${K}`);
  let values: Float32Array;
  try {
    values = t.dataSync() as Float32Array;
  } catch (e) {
    // webgpu in Node cannot read a GPU tensor synchronously.
    throw new Error(`${OP}: '${arg}' could not be read synchronously (${(e as Error).message}); pass it as a nested array of numbers`);
  }
  if (!values.every(Number.isFinite)) throw new RangeError(`${OP}: '${arg}' must be finite; received non-finite values`);
  return Float64Array.from(values);
}

/**
 * The sampling grid of the thin-plate splines that map the control points p_k onto `targets` q_k
 * [N, K, 2] (one set per batch item), for an image of `outputSize` [N, H, W, C]: each base point p
 * of affineGrid's identity grid becomes f(p) = a0 + a1·x + a2·y + Σ_k w_k U(|p − p_k|),
 * U(r) = r² log r². Targets equal to the control points give the identity grid.
 * Returns [N, H, W, 2] (x, y). Differentiable with respect to targets.
 */
export function tpsGrid(
  targets: Tensor3D | TensorLike, outputSize: [number, number, number, number], options?: TpsGridOptions,
): Tensor4D {
  const size = checkOutputSize4(outputSize, OP);
  const { controlPoints, alignCorners } = readOptions(options);
  const [N, H, W] = size;
  return tidy(OP, () => {
    const $targets = toFloat32Tensor(targets, OP, 'targets');
    checkShape($targets, OP, 'targets', '[N, K, 2]', $targets.rank === 3 && $targets.shape[2] === 2);
    checkBatch(size, $targets.shape[0]!, OP, 'targets');
    const K = $targets.shape[1]!;
    const points = controlPointsOf(controlPoints, K, $targets.shape);
    const key = `${H},${W},${alignCorners}|${points.join(',')}`;
    const matrix = matrices.get(key, () => tpsMatrix(points, K, H, W, alignCorners));
    if (!matrix) {
      throw new RangeError(`${OP}: 'options.controlPoints' make the spline's system singular (duplicate points, or all ` +
        'points on one line); received points that do');
    }
    const { m, mT } = matrix;
    // grid[n] = M·Q[n], so d(Q)[n] = Mᵀ·d(grid)[n].
    return generatorOp($targets, [N, H, W, 2],
      (q) => ({ grid: reshape(batchedMatMul(tensor3d(m, [1, H * W, K]), q), [N, H, W, 2]) }),
      (dy) => batchedMatMul(tensor3d(mT, [1, K, H * W]), reshape(dy, [N, H * W, 2]))) as Tensor4D;
  });
}
