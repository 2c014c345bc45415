/**
 * Writes docs/grid-generators.png, the README's picture of the grid generators: one synthetic
 * photo-like image (made here: sky, sun, a checkered floor and a lattice of lines, so that every
 * warp shows) warped by each transform with gridSample: left to right the original, affineGrid
 * (rotation and zoom), projectiveGrid (a perspective tilt), tpsGrid (a 4×4 lattice of control
 * points, pulled about) and flowGrid (a swirl, in pixels). Run with
 * `node --import tsx scripts/make_grid_generators_picture.ts`; the output is committed.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import pngjs from 'pngjs';
import { affineGrid, flowGrid, gridSample, projectiveGrid, tpsGrid } from '../src/index.js';

const S = 160; // each panel is S×S
const GAP = 8;

/** An RGB image in [0, 1], [S, S, 3]. */
function photoLike(): Float32Array {
  const img = new Float32Array(S * S * 3);
  for (let y = 0; y < S; y++) {
    for (let x = 0; x < S; x++) {
      const t = y / S;
      let rgb = [0.35 + 0.3 * t, 0.55 + 0.25 * t, 0.95 - 0.1 * t]; // sky
      if (Math.hypot(x - 0.7 * S, y - 0.28 * S) < 0.12 * S) rgb = [1, 0.8, 0.2]; // sun
      if (y > 0.6 * S) {
        // a checkered floor
        const c = (Math.floor(x / (S / 10)) + Math.floor(y / (S / 10))) % 2;
        rgb = c ? [0.85, 0.85, 0.8] : [0.25, 0.45, 0.25];
      }
      if (x % (S / 8) === 0 || y % (S / 8) === 0) rgb = [0.1, 0.1, 0.15]; // lines
      img.set(rgb, (y * S + x) * 3);
    }
  }
  return img;
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const size: [number, number, number, number] = [1, S, S, 3];
  const image = tf.tensor4d(photoLike(), size);
  const [c, s] = [Math.cos(0.35) * 0.85, Math.sin(0.35) * 0.85];
  const lattice = Array.from({ length: 16 }, (_, k) => [-1 + (2 * (k % 4)) / 3, -1 + (2 * Math.floor(k / 4)) / 3]);
  // Inner control points pulled towards the centre and round it; the corners stay.
  const pulled = lattice.map(([x, y]) => (Math.abs(x!) < 1 && Math.abs(y!) < 1 ? [x! * 0.55 + 0.12 * y!, y! * 0.55 - 0.12 * x!] : [x!, y!]));
  const swirl = Array.from({ length: S * S }, (_, p) => {
    const [i, j] = [Math.floor(p / S), p % S];
    return [8 * Math.sin((2 * Math.PI * i) / S * 2), 8 * Math.cos((2 * Math.PI * j) / S * 2)];
  });
  const grids = [
    affineGrid([[[1, 0, 0], [0, 1, 0]]], size),
    affineGrid([[[c, -s, 0.1], [s, c, 0]]], size),
    projectiveGrid([[[1, 0.15, 0], [0, 1, 0.05], [0, 0.45, 1]]], size),
    tpsGrid([pulled], size),
    flowGrid(tf.tensor4d(swirl.flat(), [1, S, S, 2]), [S, S]),
  ];
  const panels = await Promise.all(grids.map((g) => gridSample(image, g, { paddingMode: 'zeros' }).data()));
  const width = panels.length * S + (panels.length + 1) * GAP;
  const height = S + 2 * GAP;
  const png = new pngjs.PNG({ width, height });
  png.data.fill(255);
  panels.forEach((panel, k) => {
    for (let y = 0; y < S; y++) {
      for (let x = 0; x < S; x++) {
        const o = ((y + GAP) * width + GAP + k * (S + GAP) + x) * 4;
        for (let ch = 0; ch < 3; ch++) png.data[o + ch] = Math.round(255 * Math.min(1, Math.max(0, panel[(y * S + x) * 3 + ch]!)));
      }
    }
  });
  const out = join(import.meta.dirname, '..', 'docs');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'grid-generators.png'), pngjs.PNG.sync.write(png));
  console.log(`wrote docs/grid-generators.png (${width}x${height})`);
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exit(1);
});
