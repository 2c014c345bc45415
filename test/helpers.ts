/** Shared test setup: backends, fixtures, and the parity tolerance. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { GridSampleGrad, affineGrid, gridSample, ready } from '../src/index.js';
import { MODES, type Mode, PADDING_MODES, type PaddingMode } from '../src/kernels/names.js';
import type { SampleOptions } from '../src/reference/grid_sample.js';

export const CPU_BACKENDS = ['cpu', 'wasm'] as const;

export async function useBackend(name: string): Promise<void> {
  await ready();
  if (!(await tf.setBackend(name))) throw new Error(`backend ${name} did not start`);
  await tf.ready();
}

export interface GridSampleFixture {
  name: string;
  mode: Mode;
  paddingMode: PaddingMode;
  alignCorners: boolean;
  inputShape: [number, number, number, number];
  gridShape: [number, number, number, number];
  input: number[];
  grid: number[];
  dy: number[];
  output: number[];
  dInput: number[];
  dGrid: number[];
}

export interface AffineGridFixture {
  name: string;
  alignCorners: boolean;
  theta: number[];
  size: [number, number, number, number];
  grid: number[];
  dGrid: number[];
  dTheta: number[];
}

const fixtureDir = join(__dirname, 'fixtures');
export function loadFixtures<T>(file: string): T[] {
  return (JSON.parse(readFileSync(join(fixtureDir, file), 'utf8')) as { cases: T[] }).cases;
}

/** The parity rule: |got - want| <= 1e-4 + 1e-4 * |want|, element by element. */
export function expectClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, tol = 1e-4): void {
  expect(got.length, `${what}: length`).toBe(want.length);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < want.length; i++) {
    const g = got[i]!;
    const w = want[i]!;
    const excess = Math.abs(g - w) - (tol + tol * Math.abs(w));
    if (!(excess <= 0) && (worst < 0 || !(excess <= worstExcess))) {
      worst = i;
      worstExcess = excess;
    }
  }
  if (worst >= 0) {
    expect.fail(`${what}: element ${worst} is ${got[worst]}, want ${want[worst]} (tolerance ${tol} + ${tol}·|want|)`);
  }
}

/** All 18 mode / padding / alignCorners combinations. */
export const ALL_OPTIONS: SampleOptions[] = MODES.flatMap((mode) => PADDING_MODES.flatMap((paddingMode) =>
  [false, true].map((alignCorners) => ({ mode, paddingMode, alignCorners }))));

/** Grid coordinates the extreme-coordinate rules cover (ARCHITECTURE.md): non-finite, huge, and just outside ±1. */
export const EXTREME_COORDINATES = [NaN, Infinity, -Infinity, 1e30, -1e30, 3e38, -3e38, 1.0001, -1.0001, 1e7, -1e7, 0];

export interface Sampled {
  output: Float32Array;
  dInput: Float32Array;
  dGrid: Float32Array;
}

/** input, grid and dy (of the output's shape) as float32 tensors. */
function sampleTensors(
  input: ArrayLike<number>, inputShape: readonly number[], grid: ArrayLike<number>, gridShape: readonly number[], dy: ArrayLike<number>,
): [tf.Tensor4D, tf.Tensor4D, tf.Tensor4D] {
  const [N, , , C] = inputShape as [number, number, number, number];
  const [, Ho, Wo] = gridShape as [number, number, number, number];
  return [
    tf.tensor4d(Float32Array.from(input), inputShape as [number, number, number, number]),
    tf.tensor4d(Float32Array.from(grid), gridShape as [number, number, number, number]),
    tf.tensor4d(Float32Array.from(dy), [N, Ho, Wo, C]),
  ];
}

/** gridSample's output and both gradients (of sum(output * dy)) on the current backend. */
export async function sampleWithGrads(
  input: ArrayLike<number>, inputShape: readonly number[], grid: ArrayLike<number>, gridShape: readonly number[],
  dy: ArrayLike<number>, o: SampleOptions,
): Promise<Sampled> {
  const [x, g, d] = sampleTensors(input, inputShape, grid, gridShape, dy);
  const out = gridSample(x, g, o);
  const [dInput, dGrid] = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, b as tf.Tensor4D, o))([x, g], d);
  const result = {
    output: (await out.data()) as Float32Array,
    dInput: (await dInput!.data()) as Float32Array,
    dGrid: (await dGrid!.data()) as Float32Array,
  };
  tf.dispose([x, g, d, out, dInput!, dGrid!]);
  return result;
}

/** Runs one gridSample fixture (forward and both gradients) on the current backend and checks it. */
export async function expectGridSampleFixture(c: GridSampleFixture): Promise<void> {
  const o = { mode: c.mode, paddingMode: c.paddingMode, alignCorners: c.alignCorners };
  const r = await sampleWithGrads(c.input, c.inputShape, c.grid, c.gridShape, c.dy, o);
  expectClose(r.output, c.output, 'output');
  expectClose(r.dInput, c.dInput, 'dInput');
  expectClose(r.dGrid, c.dGrid, 'dGrid');
}

/** Runs one affineGrid fixture (grid and d(theta)) on the current backend and checks it. */
export async function expectAffineGridFixture(c: AffineGridFixture): Promise<void> {
  const theta = tf.tensor3d(c.theta, [c.size[0], 2, 3]);
  const dGrid = tf.tensor4d(c.dGrid, [c.size[0], c.size[1], c.size[2], 2]);
  const grid = affineGrid(theta, c.size, c.alignCorners);
  expectClose(await grid.data(), c.grid, 'grid');
  const dTheta = tf.grad((t: tf.Tensor) => affineGrid(t as tf.Tensor3D, c.size, c.alignCorners))(theta, dGrid);
  expectClose(await dTheta.data(), c.dTheta, 'dTheta');
  tf.dispose([theta, dGrid, grid, dTheta]);
}

/** A CliIo (stdout not a terminal) that keeps what runCli writes. */
export function captureIo() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: { write: (s: string) => out.push(s), isTTY: false }, stderr: { write: (s: string) => err.push(s) } } };
}

export interface MaskedGrads {
  dInput: { shape: number[]; data: Float32Array };
  dGrid: { shape: number[]; data: Float32Array };
}

/**
 * One GridSampleGrad kernel call with `outputMask` ([d(input), d(grid)]; undefined leaves the
 * attr out) on the current backend: both outputs' shapes and values.
 */
export async function gridSampleGradMasked(
  input: ArrayLike<number>, inputShape: readonly number[], grid: ArrayLike<number>, gridShape: readonly number[],
  dy: ArrayLike<number>, o: SampleOptions, outputMask: [boolean, boolean] | undefined,
): Promise<MaskedGrads> {
  const [x, g, d] = sampleTensors(input, inputShape, grid, gridShape, dy);
  const attrs = outputMask ? { ...o, outputMask } : { ...o };
  const [dInput, dGrid] = tf.engine().runKernel(GridSampleGrad, { dy: d, input: x, grid: g }, attrs) as [tf.Tensor, tf.Tensor];
  const result = {
    dInput: { shape: dInput.shape, data: (await dInput.data()) as Float32Array },
    dGrid: { shape: dGrid.shape, data: (await dGrid.data()) as Float32Array },
  };
  tf.dispose([x, g, d, dInput, dGrid]);
  return result;
}
