/**
 * Volume registration in tfjs with stn-layer, the way a registration user knows it: a synthetic
 * 3-D scan (a head-like phantom in a 32³ volume) is aligned
 *   1. to an affinely warped copy, by gradient descent (Adam) on theta [1, 3, 4] of affineGrid,
 *      the loss the mean squared difference after gridSample (trilinear); and
 *   2. to a non-rigidly warped copy, through a smoothed flow: a coarse 5×5×5 displacement field
 *      (voxels), upsampled to full size by gridSample itself (trilinear, alignCorners) and applied
 *      by flowGrid, VoxelMorph style, with a small smoothness penalty on the coarse field.
 * It prints the recovered transform and the errors, and writes docs/volume-registration.png:
 * the middle axial slice (and a coronal one) of the moving scan, each fixed scan, each result, and
 * the differences before and after. Runs on tfjs-backend-wasm (the SIMD kernels):
 *
 *   node --import tsx scripts/register_volumes.ts [--steps 150] [--no-picture]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import pngjs from 'pngjs';
import { affineGrid, flowGrid, gridSample, ready } from '../src/index.js';

const S = 32; // the volume is S×S×S, one channel
const COARSE = 5; // the flow's control lattice per axis
const argv = process.argv.slice(2);
const stepsAt = argv.indexOf('--steps');
const STEPS = stepsAt >= 0 ? Number(argv[stepsAt + 1]) : 150;
const SIZE: [number, number, number, number, number] = [1, S, S, S, 1];

/**
 * A head-like phantom: an ellipsoidal shell, a softer interior, two dark "ventricles" and two bright
 * spots, each a super-Gaussian (crisp enough to see, smooth enough to register), without symmetry.
 */
function phantom(): tf.Tensor5D {
  const parts = [
    { c: [0.5, 0.5, 0.5], r: [0.4, 0.36, 0.34], v: 0.9 }, // the shell (minus the interior below)
    { c: [0.5, 0.5, 0.5], r: [0.34, 0.3, 0.28], v: -0.5 }, // the interior
    { c: [0.42, 0.45, 0.52], r: [0.05, 0.14, 0.08], v: -0.35 }, // ventricles
    { c: [0.58, 0.43, 0.5], r: [0.05, 0.11, 0.08], v: -0.35 },
    { c: [0.38, 0.66, 0.45], r: [0.06, 0.06, 0.07], v: 0.5 }, // bright spots
    { c: [0.64, 0.62, 0.6], r: [0.04, 0.05, 0.05], v: 0.45 },
  ];
  const v = new Float32Array(S * S * S);
  for (let z = 0; z < S; z++) {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        let s = 0;
        for (const b of parts) {
          const d2 = [x / S - b.c[0]!, y / S - b.c[1]!, z / S - b.c[2]!].reduce((a, u, i) => a + (u / b.r[i]!) ** 2, 0);
          s += b.v * Math.exp(-(d2 ** 3));
        }
        v[(z * S + y) * S + x] = s;
      }
    }
  }
  return tf.tensor5d(v, SIZE);
}

const mse = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.mean(tf.squaredDifference(a, b)).dataSync()[0]!);

/** The smooth full-size flow [1, S, S, S, 3] (voxels) from the coarse one [1, COARSE, COARSE, COARSE, 3]. */
function upsample(coarse: tf.Tensor): tf.Tensor5D {
  const identity = affineGrid(tf.tensor3d([[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]]), [1, S, S, S, 3], true);
  return gridSample(coarse as tf.Tensor5D, identity, { alignCorners: true });
}

async function registerAffine(moving: tf.Tensor5D) {
  const a = 0.15; // radians about z, plus a little about x
  const thetaTrue = tf.tensor3d([[
    [1.05 * Math.cos(a), -Math.sin(a), 0, 0.08],
    [Math.sin(a), 1.05 * Math.cos(a), -0.05, -0.06],
    [0, 0.05, 0.95, 0.04],
  ]]);
  const fixed = gridSample(moving, affineGrid(thetaTrue, SIZE));
  const theta = tf.variable(tf.tensor3d([[[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]]]));
  const optimizer = tf.train.adam(0.01);
  const before = mse(moving, fixed);
  for (let step = 0; step < STEPS; step++) {
    optimizer.minimize(() => tf.mean(tf.squaredDifference(gridSample(moving, affineGrid(theta as tf.Tensor3D, SIZE)), fixed)) as tf.Scalar);
  }
  const warped = gridSample(moving, affineGrid(theta as tf.Tensor3D, SIZE));
  const after = mse(warped, fixed);
  const thetaError = tf.tidy(() => tf.max(tf.abs(tf.sub(theta, thetaTrue))).dataSync()[0]!);
  const fmt = (t: tf.Tensor) => (t.arraySync() as number[][][])[0]!.map((r) => r.map((v) => v.toFixed(3).padStart(7)).join(' ')).join('\n  ');
  console.log(`affine: MSE ${before.toExponential(2)} -> ${after.toExponential(2)} in ${STEPS} Adam steps; max |theta - true| ${thetaError.toFixed(4)}`);
  console.log(`  recovered theta:\n  ${fmt(theta)}\n  true theta:\n  ${fmt(thetaTrue)}`);
  return { fixed, warped, before, after, thetaError };
}

async function registerFlow(moving: tf.Tensor5D) {
  // A smooth non-rigid warp: a coarse random field (up to ~2 voxels), upsampled.
  const random = (i: number) => Math.sin(12.9898 * i + 4.1414) * 43758.5453 % 1;
  const trueCoarse = tf.tensor5d(Float32Array.from({ length: COARSE ** 3 * 3 }, (_, i) => 2.2 * random(i)), [1, COARSE, COARSE, COARSE, 3]);
  const trueFlow = upsample(trueCoarse);
  const fixed = gridSample(moving, flowGrid(trueFlow, [S, S, S]));
  const coarse = tf.variable(tf.zeros([1, COARSE, COARSE, COARSE, 3]));
  const optimizer = tf.train.adam(0.1);
  const before = mse(moving, fixed);
  // The smoothness penalty: squared differences of neighbouring coarse displacements, per axis.
  const smoothness = (f: tf.Tensor) => tf.addN([1, 2, 3].map((axis) => {
    const n = COARSE - 1;
    const begin = [0, 0, 0, 0, 0];
    const size = [1, COARSE, COARSE, COARSE, 3];
    size[axis] = n;
    const shifted = [...begin];
    shifted[axis] = 1;
    return tf.mean(tf.squaredDifference(tf.slice(f, begin, size), tf.slice(f, shifted, size)));
  }));
  for (let step = 0; step < STEPS; step++) {
    optimizer.minimize(() => {
      const warped = gridSample(moving, flowGrid(upsample(coarse), [S, S, S]));
      return tf.add(tf.mean(tf.squaredDifference(warped, fixed)), tf.mul(1e-4, smoothness(coarse))) as tf.Scalar;
    });
  }
  const flow = upsample(coarse);
  const warped = gridSample(moving, flowGrid(flow, [S, S, S]));
  const after = mse(warped, fixed);
  // The flow's error where it matters: inside the object (where the moving scan is not ~0).
  const flowError = tf.tidy(() => {
    const mask = tf.cast(tf.greater(tf.abs(moving), 0.02), 'float32');
    const err = tf.sqrt(tf.sum(tf.squaredDifference(flow, trueFlow), -1, true));
    return tf.div(tf.sum(tf.mul(err, mask)), tf.sum(mask)).dataSync()[0]!;
  });
  const trueMagnitude = tf.tidy(() => tf.mean(tf.sqrt(tf.sum(tf.square(trueFlow), -1))).dataSync()[0]!);
  console.log(`flow: MSE ${before.toExponential(2)} -> ${after.toExponential(2)} in ${STEPS} Adam steps; ` +
    `mean |flow - true| inside the object ${flowError.toFixed(3)} voxels (true flow: mean ${trueMagnitude.toFixed(2)} voxels)`);
  return { fixed, warped, before, after, flowError };
}

/** Slices [S, S] of a volume: axial (z = S/2) and coronal (y = S/2). */
function slices(v: Float32Array): Float32Array[] {
  const axial = v.slice((S / 2) * S * S, (S / 2 + 1) * S * S);
  const coronal = new Float32Array(S * S);
  for (let z = 0; z < S; z++) for (let x = 0; x < S; x++) coronal[(S - 1 - z) * S + x] = v[(z * S + S / 2) * S + x]!;
  return [axial, coronal];
}

function writePicture(columns: Float32Array[][], file: string): void {
  const scale = 4;
  const gap = 6;
  const cell = S * scale;
  const rows = columns[0]!.length;
  const width = columns.length * cell + (columns.length + 1) * gap;
  const height = rows * cell + (rows + 1) * gap;
  const png = new pngjs.PNG({ width, height });
  png.data.fill(255);
  columns.forEach((column, c) => column.forEach((img, r) => {
    for (let y = 0; y < cell; y++) {
      for (let x = 0; x < cell; x++) {
        const v = img[Math.floor(y / scale) * S + Math.floor(x / scale)]!;
        const g = Math.max(0, Math.min(255, Math.round((v + 0.5) / 1.5 * 255)));
        const at = ((gap + r * (cell + gap) + y) * width + gap + c * (cell + gap) + x) * 4;
        png.data[at] = g;
        png.data[at + 1] = g;
        png.data[at + 2] = g;
        png.data[at + 3] = 255;
      }
    }
  }));
  writeFileSync(file, pngjs.PNG.sync.write(png));
}

async function main(): Promise<void> {
  await ready();
  await tf.setBackend('wasm');
  const moving = phantom();
  const affine = await registerAffine(moving);
  const flow = await registerFlow(moving);
  if (argv.includes('--no-picture')) return;
  const diff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.sub(a, b).dataSync() as Float32Array);
  const data = (t: tf.Tensor) => t.dataSync() as Float32Array;
  // Columns: moving; affine fixed, result, |difference| before and after; flow fixed, result, differences.
  const columns = [
    data(moving), data(affine.fixed), data(affine.warped), diff(moving, affine.fixed), diff(affine.warped, affine.fixed),
    data(flow.fixed), data(flow.warped), diff(moving, flow.fixed), diff(flow.warped, flow.fixed),
  ].map(slices);
  mkdirSync(join(import.meta.dirname, '..', 'docs'), { recursive: true });
  const file = join(import.meta.dirname, '..', 'docs', 'volume-registration.png');
  writePicture(columns, file);
  console.log(`wrote ${file}`);
}

main().catch((e: unknown) => {
  process.stderr.write(`register_volumes failed: ${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
