/**
 * The grid generators in plain float64 TypeScript, written from their formulas independently of
 * src/grids/ (which precomputes a matrix per control-point set): the tests' oracle, e.g. for
 * central differences of the gradients.
 */
import { linspaceFromNegOne } from '../ops/base_grid.js';

/** The identity grid's points at spatial size [H, W] or [D, H, W], (x, y[, z]) each, row-major. */
function identityPoints(spatial: readonly number[], alignCorners: boolean): number[][] {
  const axes = spatial.map((s) => Array.from(linspaceFromNegOne(s, alignCorners)));
  if (axes.length === 2) {
    const [ys, xs] = axes as [number[], number[]];
    return ys.flatMap((y) => xs.map((x) => [x, y]));
  }
  const [zs, ys, xs] = axes as [number[], number[], number[]];
  return zs.flatMap((z) => ys.flatMap((y) => xs.map((x) => [x, y, z])));
}

/** projectiveGrid: h [N, 9] (or [N, 8] with h33 = 1, when `eight`), size [N, H, W, C]. */
export function projectiveGridReference(h: ArrayLike<number>, size: readonly number[], alignCorners: boolean, eight: boolean): Float64Array {
  const [N, H, W] = size as [number, number, number];
  const points = identityPoints([H, W], alignCorners);
  const out = new Float64Array(N * H * W * 2);
  const per = eight ? 8 : 9;
  for (let n = 0; n < N; n++) {
    const m = (i: number) => (i === 8 && eight ? 1 : h[n * per + i]!);
    points.forEach(([x, y], p) => {
      const u = m(0) * x! + m(1) * y! + m(2);
      const v = m(3) * x! + m(4) * y! + m(5);
      const w = m(6) * x! + m(7) * y! + m(8);
      out[(n * H * W + p) * 2] = u / w;
      out[(n * H * W + p) * 2 + 1] = v / w;
    });
  }
  return out;
}

/** The default control points: a g×g lattice on [-1, 1]², y outer, x inner, each (x, y). */
export function tpsLatticeReference(g: number): number[] {
  return linspaceYX(g).flat();
}
function linspaceYX(g: number): number[][] {
  const l = Array.from({ length: g }, (_, i) => -1 + (2 * i) / (g - 1));
  return l.flatMap((y) => l.map((x) => [x, y]));
}

function thinPlateU(r2: number): number {
  return r2 === 0 ? 0 : r2 * Math.log(r2);
}

/** Gauss-Jordan elimination with partial pivoting on a dense system [A | b]. */
function solve(a: number[][], b: number[][]): number[][] {
  const n = a.length;
  const m = a.map((row, i) => [...row, ...b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = m[r]![c]! / m[c]![c]!;
      m[r] = m[r]!.map((v, k) => v - f * m[c]![k]!);
    }
  }
  return m.map((row, i) => row.slice(n).map((v) => v / row[i]!));
}

/** tpsGrid: targets [N, K, 2], control points [K, 2], size [N, H, W, C]. */
export function tpsGridReference(
  targets: ArrayLike<number>, controlPoints: ArrayLike<number>, size: readonly number[], alignCorners: boolean,
): Float64Array {
  const [N, H, W] = size as [number, number, number];
  const K = controlPoints.length / 2;
  const cp = Array.from({ length: K }, (_, k) => [controlPoints[2 * k]!, controlPoints[2 * k + 1]!] as const);
  const L = Array.from({ length: K + 3 }, () => new Array<number>(K + 3).fill(0));
  cp.forEach(([xi, yi], i) => {
    cp.forEach(([xj, yj], j) => (L[i]![j] = thinPlateU((xi - xj) ** 2 + (yi - yj) ** 2)));
    [1, xi, yi].forEach((v, k) => {
      L[i]![K + k] = v;
      L[K + k]![i] = v;
    });
  });
  const points = identityPoints([H, W], alignCorners);
  const out = new Float64Array(N * H * W * 2);
  for (let n = 0; n < N; n++) {
    const rhs = [...cp.map((_, k) => [targets[(n * K + k) * 2]!, targets[(n * K + k) * 2 + 1]!]), [0, 0], [0, 0], [0, 0]];
    const wa = solve(L, rhs);
    points.forEach(([x, y], p) => {
      for (let c = 0; c < 2; c++) {
        let f = wa[K]![c]! + wa[K + 1]![c]! * x! + wa[K + 2]![c]! * y!;
        cp.forEach(([px, py], k) => (f += wa[k]![c]! * thinPlateU((x! - px) ** 2 + (y! - py) ** 2)));
        out[(n * H * W + p) * 2 + c] = f;
      }
    });
  }
  return out;
}

/** flowGrid: flow [N, ...spatial, d], inputSize [H, W] or [D, H, W]. */
export function flowGridReference(
  flow: ArrayLike<number>, flowShape: readonly number[], inputSize: readonly number[], alignCorners: boolean,
): Float64Array {
  const d = inputSize.length;
  const points = identityPoints(flowShape.slice(1, -1), alignCorners);
  const scale = [...inputSize].reverse().map((s) => (alignCorners ? (s > 1 ? 2 / (s - 1) : 0) : 2 / s));
  const out = new Float64Array(flow.length);
  for (let i = 0; i < flow.length; i++) out[i] = points[Math.floor(i / d) % points.length]![i % d]! + flow[i]! * scale[i % d]!;
  return out;
}
