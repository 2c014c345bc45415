/** The outputMask cases and check, shared by test/output_mask.test.ts (cpu, wasm) and test/webgpu.test.ts. */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { SampleOptions } from '../src/reference/grid_sample.js';
import { ALL_OPTIONS, EXTREME_COORDINATES, gridSampleGradMasked } from './helpers.js';

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface MaskCase {
  o: SampleOptions;
  inputShape: number[];
  gridShape: number[];
  input: number[];
  grid: number[];
  dy: number[];
}

/**
 * Random cases: every mode / padding / alignCorners with 1, 2, 3 and 5 channels (the bilinear
 * fast paths split at 1, 3 and 4 channels), 15 points per batch item (a short last block of
 * four), coordinates past the edges and one in 8 extreme.
 */
export function maskCases(seed: number): [string, MaskCase][] {
  return ALL_OPTIONS.flatMap((o, i) => [1, 2, 3, 5].map((C, k): [string, MaskCase] => {
    const rand = random(seed + 4 * i + k);
    const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
    const inputShape = [2, int(1, 7), int(1, 7), C];
    const gridShape = [2, 3, 5, 2];
    const input = Array.from({ length: tf.util.sizeFromShape(inputShape) }, () => rand() * 2 - 1);
    const grid = Array.from({ length: tf.util.sizeFromShape(gridShape) }, () =>
      rand() < 0.125 ? EXTREME_COORDINATES[int(0, EXTREME_COORDINATES.length - 1)]! : rand() * 2.6 - 1.3);
    const dy = Array.from({ length: 2 * 15 * C }, () => rand() * 2 - 1);
    return [`${o.mode}/${o.paddingMode}/alignCorners=${o.alignCorners} [${inputShape}]`, { o, inputShape, gridShape, input, grid, dy }];
  }));
}

export const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

/** Runs the kernel with each mask; checks the shapes, and each computed output against the both-call's bits. */
export async function expectMasksAgree(c: MaskCase, exactDInput = true): Promise<void> {
  const run = (m: [boolean, boolean] | undefined) => gridSampleGradMasked(c.input, c.inputShape, c.grid, c.gridShape, c.dy, c.o, m);
  const both = await run([true, true]);
  expect(both.dInput.shape).toEqual(c.inputShape);
  expect(both.dGrid.shape).toEqual(c.gridShape);
  const sameDInput = (got: Float32Array, what: string) => {
    if (exactDInput) expect(bits(got), what).toEqual(bits(both.dInput.data));
    else expect(Array.from(got).every((v, i) => Math.abs(v - both.dInput.data[i]!) <= 1e-5 + 1e-5 * Math.abs(v)), what).toBe(true);
  };
  const absent = await run(undefined);
  sameDInput(absent.dInput.data, 'no outputMask: dInput');
  expect(bits(absent.dGrid.data), 'no outputMask: dGrid').toEqual(bits(both.dGrid.data));
  const gridOnly = await run([false, true]);
  expect(gridOnly.dInput.shape).toEqual([0]);
  expect(bits(gridOnly.dGrid.data), 'd(grid) alone').toEqual(bits(both.dGrid.data));
  const inputOnly = await run([true, false]);
  expect(inputOnly.dGrid.shape).toEqual([0]);
  sameDInput(inputOnly.dInput.data, 'd(input) alone');
  const none = await run([false, false]);
  expect([none.dInput.shape, none.dGrid.shape]).toEqual([[0], [0]]);
}

