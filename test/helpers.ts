/** Shared test setup: backends, fixtures, and the parity tolerance. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import '@tensorflow/tfjs-backend-wasm';
import { expect } from 'vitest';
import { ready } from '../src/index.js';
import type { Mode, PaddingMode } from '../src/kernels/names.js';

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
