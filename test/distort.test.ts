/**
 * The STN paper's distorted MNIST variants: canvas sizes, determinism by seed, and the geometry each
 * generator claims, recovered from the generated digits' ink moments on a few hundred test digits
 * (centroid and second moments against the source digit's): rotation, scale and position per image
 * against what was drawn, and the drawn values spanning the stated ranges.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { setUpBackend } from '../src/mnist/backend.js';
import { IMAGE_SIZE } from '../src/mnist/batch.js';
import { loadMnist } from '../src/mnist/data.js';
import { CANVAS, DATASETS, DISTORTION, type DistortedSplit, distort, homography, trainingSeed } from '../src/mnist/distort.js';

const COUNT = 300;
const mnist = loadMnist(undefined, { limitTrain: 1, limitTest: COUNT });

interface Moments {
  mass: number;
  cx: number;
  cy: number;
  /** Covariance entries. */
  xx: number;
  xy: number;
  yy: number;
}

/** Ink moments of image `i` (side S), in continuous pixel coordinates (pixel centres at k + 0.5). */
function moments(images: Uint8Array, i: number, S: number): Moments {
  let [m, sx, sy, sxx, sxy, syy] = [0, 0, 0, 0, 0, 0];
  for (let r = 0; r < S; r++) {
    for (let c = 0; c < S; c++) {
      const v = images[i * S * S + r * S + c]!;
      const [x, y] = [c + 0.5, r + 0.5];
      m += v; sx += v * x; sy += v * y; sxx += v * x * x; sxy += v * x * y; syy += v * y * y;
    }
  }
  const [cx, cy] = [sx / m, sy / m];
  return { mass: m, cx, cy, xx: sxx / m - cx * cx, xy: sxy / m - cx * cy, yy: syy / m - cy * cy };
}

/** The principal axis's angle (mod pi) and the ratio of the covariance's eigenvalues. */
function axis(m: Moments): { angle: number; elongation: number } {
  const tr = m.xx + m.yy;
  const d = Math.sqrt(((m.xx - m.yy) / 2) ** 2 + m.xy ** 2);
  return { angle: 0.5 * Math.atan2(2 * m.xy, m.xx - m.yy), elongation: (tr / 2 + d) / (tr / 2 - d) };
}

/** The scale from the covariances' determinants (area ratio, square-rooted twice). */
const scaleOf = (a: Moments, b: Moments) => ((b.xx * b.yy - b.xy ** 2) / (a.xx * a.yy - a.xy ** 2)) ** 0.25;

/** a - b wrapped to (-pi/2, pi/2]. */
function angleDiff(a: number, b: number): number {
  let d = (a - b) % Math.PI;
  if (d > Math.PI / 2) d -= Math.PI;
  if (d <= -Math.PI / 2) d += Math.PI;
  return d;
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;

const generated = new Map<string, DistortedSplit>();
beforeAll(async () => {
  await setUpBackend('wasm');
  for (const d of DATASETS) generated.set(d, await distort(mnist.test, d, 7));
}, 60_000);

describe('distorted MNIST', () => {
  it('has each dataset\'s canvas and keeps the labels', () => {
    expect(CANVAS).toEqual({ mnist: 28, r: 28, rts: 42, p: 28, e: 28, tc: 60 });
    for (const d of DATASETS) {
      const g = generated.get(d)!;
      expect(g.size, d).toBe(CANVAS[d]);
      expect(g.count).toBe(COUNT);
      expect(g.images.length).toBe(COUNT * CANVAS[d] ** 2);
      expect(g.labels).toEqual(mnist.test.labels);
    }
  });

  it('is deterministic by seed and differs between seeds', async () => {
    const small = { ...mnist.test, images: mnist.test.images.subarray(0, 20 * 784), labels: mnist.test.labels.subarray(0, 20), count: 20 };
    for (const d of ['rts', 'p', 'e', 'tc'] as const) {
      const [a, b, c] = await Promise.all([distort(small, d, 3), distort(small, d, 3), distort(small, d, 4)]);
      expect(a.images, d).toEqual(b.images);
      expect(a.images, d).not.toEqual(c.images);
    }
    expect(trainingSeed(1, 1)).not.toBe(trainingSeed(1, 2));
    expect(trainingSeed(1, 1)).not.toBe(trainingSeed(2, 1));
  });

  it('r and rts: rotation, scale and position recovered from the moments match the draws, which span the ranges', () => {
    for (const d of ['r', 'rts'] as const) {
      const g = generated.get(d)!;
      const p = g.placement!;
      const S = g.size;
      const angleErrors: number[] = [];
      const scaleErrors: number[] = [];
      const centreErrors: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const src = moments(mnist.test.images, i, IMAGE_SIZE);
        const out = moments(g.images, i, S);
        const [angle, scale] = [p.angle[i]!, p.scale[i]!];
        // Where the source's ink centroid lands: centre + scale·R(angle)·(centroid - 14).
        const [ux, uy] = [src.cx - IMAGE_SIZE / 2, src.cy - IMAGE_SIZE / 2];
        const wx = p.centre[2 * i]! + scale * (Math.cos(angle) * ux - Math.sin(angle) * uy);
        const wy = p.centre[2 * i + 1]! + scale * (Math.sin(angle) * ux + Math.cos(angle) * uy);
        centreErrors.push(Math.hypot(out.cx - wx, out.cy - wy));
        scaleErrors.push(Math.abs(scaleOf(src, out) / scale - 1));
        const a = axis(src);
        if (a.elongation > 3) angleErrors.push(Math.abs(angleDiff(axis(out).angle - a.angle, angle)));
      }
      expect(median(centreErrors), d).toBeLessThan(0.3);
      expect(Math.max(...centreErrors), d).toBeLessThan(1.5);
      expect(median(scaleErrors), d).toBeLessThan(0.03);
      expect(angleErrors.length, d).toBeGreaterThan(30);
      expect(median(angleErrors) * 180 / Math.PI, d).toBeLessThan(3);
      const deg = Array.from(p.angle, (a) => a * 180 / Math.PI);
      const max = DISTORTION[d].maxAngle;
      expect(Math.min(...deg), d).toBeGreaterThan(-max);
      expect(Math.min(...deg), d).toBeLessThan(-0.9 * max);
      expect(Math.max(...deg), d).toBeLessThanOrEqual(max);
      expect(Math.max(...deg), d).toBeGreaterThan(0.9 * max);
    }
    const rts = generated.get('rts')!.placement!;
    expect(Math.min(...rts.scale)).toBeGreaterThanOrEqual(0.7);
    expect(Math.min(...rts.scale)).toBeLessThan(0.72);
    expect(Math.max(...rts.scale)).toBeLessThanOrEqual(1.2);
    expect(Math.max(...rts.scale)).toBeGreaterThan(1.18);
    // r stays centred; rts moves the digit about as far as the 42x42 canvas lets the scaled box go.
    expect(Math.max(...generated.get('r')!.placement!.centre.map((c) => Math.abs(c - 14)))).toBeLessThan(1e-9);
    const offsets = Array.from(rts.centre, (c) => c - 21);
    expect(Math.max(...offsets.map(Math.abs))).toBeLessThanOrEqual(21 - 14 * 0.7);
    expect(Math.max(...offsets)).toBeGreaterThan(9);
    expect(Math.min(...offsets)).toBeLessThan(-9);
  });

  it('tc: the digit is copied unchanged at a whole-pixel position, six 6x6 patches of clutter around it', () => {
    const g = generated.get('tc')!;
    const p = g.placement!;
    const lefts: number[] = [];
    let clutterOutside = 0;
    let lessInk = 0;
    for (let i = 0; i < COUNT; i++) {
      const [x0, y0] = [p.centre[2 * i]! - 14, p.centre[2 * i + 1]! - 14];
      expect(Number.isInteger(x0) && Number.isInteger(y0)).toBe(true);
      lefts.push(x0, y0);
      let inkOutside = 0;
      for (let r = 0; r < 60; r++) {
        for (let c = 0; c < 60; c++) {
          const v = g.images[i * 3600 + r * 60 + c]!;
          const inside = r >= y0 && r < y0 + 28 && c >= x0 && c < x0 + 28;
          // Clutter only adds ink (pixelwise max).
          if (inside) lessInk += v < mnist.test.images[i * 784 + (r - y0) * 28 + c - x0]! ? 1 : 0;
          else if (v > 0) inkOutside++;
        }
      }
      expect(inkOutside).toBeLessThanOrEqual(6 * 36);
      if (inkOutside > 0) clutterOutside++;
    }
    expect(lessInk).toBe(0);
    expect(clutterOutside / COUNT).toBeGreaterThan(0.8);
    expect(Math.min(...lefts)).toBe(0);
    expect(Math.max(...lefts)).toBe(32);
  });

  it('p and e: scaled by about 0.75 about the centre; p moves the digit with its corners, e barely', () => {
    for (const d of ['p', 'e'] as const) {
      const g = generated.get(d)!;
      const scales: number[] = [];
      const shifts: number[] = [];
      for (let i = 0; i < COUNT; i++) {
        const src = moments(mnist.test.images, i, IMAGE_SIZE);
        const out = moments(g.images, i, IMAGE_SIZE);
        // Every digit stays on the canvas, though a strong perspective may shrink it a lot.
        expect(out.mass / src.mass, `${d} ${i}`).toBeGreaterThan(0.03);
        scales.push(scaleOf(src, out));
        shifts.push(Math.hypot(out.cx - 14 - 0.75 * (src.cx - 14), out.cy - 14 - 0.75 * (src.cy - 14)));
      }
      const mean = scales.reduce((s, v) => s + v, 0) / COUNT;
      const spread = Math.sqrt(scales.reduce((s, v) => s + (v - mean) ** 2, 0) / COUNT);
      expect(mean, d).toBeGreaterThan(0.65);
      expect(mean, d).toBeLessThan(0.8);
      if (d === 'p') {
        // Corners moved by N(0, 5 px) change the area noticeably, and move the digit by a few pixels.
        expect(spread).toBeGreaterThan(0.05);
        expect(median(shifts)).toBeGreaterThan(1);
        expect(median(shifts)).toBeLessThan(5);
      } else {
        expect(spread).toBeLessThan(0.15);
        expect(median(shifts)).toBeLessThan(1.5);
      }
    }
  });

  it('homography maps the four points exactly', () => {
    const from = [-1, -1, 1, -1, 1, 1, -1, 1];
    const to = [-0.8, -0.7, 0.75, -0.8, 0.7, 0.8, -0.72, 0.69];
    const h = homography(to, from);
    for (let k = 0; k < 4; k++) {
      const [x, y] = [to[2 * k]!, to[2 * k + 1]!];
      const w = h[6]! * x + h[7]! * y + 1;
      expect((h[0]! * x + h[1]! * y + h[2]!) / w).toBeCloseTo(from[2 * k]!, 10);
      expect((h[3]! * x + h[4]! * y + h[5]!) / w).toBeCloseTo(from[2 * k + 1]!, 10);
    }
  });

  it('rejects a split that is not 28x28 and an unknown dataset', async () => {
    await expect(distort({ ...mnist.test, size: 42 }, 'r', 1)).rejects.toThrow(/distort: 'split' must hold 28x28/);
    await expect(distort(mnist.test, 'x' as 'r', 1)).rejects.toThrow(/'dataset' must be one of mnist, r, rts, p, e, tc; received 'x'/);
  });
});
