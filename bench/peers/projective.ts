/**
 * bench:peers' projective section: projectiveGrid + gridSample against tf.image.transform with the
 * same projective map (its pixel-space 8-parameter form, converted by homographyToImageTransform),
 * forward, bilinear / zeros (fill 'constant'), on the CPU backends; stn-layer's forward+backward
 * (d(input) and d(h)) beside it, which tf.image.transform cannot do. Every call reads its result back.
 */
import * as tf from '@tensorflow/tfjs-core';
import { gridSample, projectiveGrid } from '../../src/index.js';
import { type StartedBackend, activateBackend } from '../lib/backends.js';
import { type Shape4, checkAgreement, seededRandom, sizeOf, stnTheta } from '../lib/data.js';
import { type MeasureOptions, type Timed, measureInterleaved, progress } from '../lib/measure.js';
import { ms, shapeText, textTable } from '../lib/table.js';
import { homographyToImageTransform } from './image_transform.js';

export interface ProjectiveRow {
  inputShape: Shape4;
  backend: string;
  stnLayerMs: number | null;
  stnLayerFwdBwdMs: number | null;
  imageTransformMs: number | null;
  timesFaster: number | null;
  note?: string;
}

/** STN-like affine maps with a perspective row (c0, c1 within ±0.15, so w stays above 0.7). */
function homographies(n: number, random: () => number): Float32Array {
  const theta = stnTheta(n, random);
  const h = new Float32Array(n * 9);
  for (let b = 0; b < n; b++) {
    h.set([...theta.subarray(b * 6, b * 6 + 6), (random() - 0.5) * 0.3, (random() - 0.5) * 0.3, 1], b * 9);
  }
  return h;
}

async function contenders(backend: StartedBackend, shape: Shape4): Promise<{ list: Timed[]; release: () => void; note?: string }> {
  await activateBackend(backend.name);
  const random = seededRandom(7);
  const [N, H, W] = shape;
  const x = tf.tensor4d(new Float32Array(sizeOf(shape)).map(() => random()), shape);
  const hValues = homographies(N, random);
  const h = tf.tensor3d(hValues, [N, 3, 3]);
  const ours = () => gridSample(x, projectiveGrid(h, shape));
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) => gridSample(a as tf.Tensor4D, projectiveGrid(b as tf.Tensor3D, shape)));
  const transforms = homographyToImageTransform(hValues, [H, W], [H, W]);
  // tfjs-backend-cpu 4.22's Transform computes only the first image of a batch: one call per image there.
  const perImage = backend.name === 'cpu' && N > 1;
  const images = perImage ? (tf.split(x, N, 0) as tf.Tensor4D[]) : [x];
  const params = images.map((_, b) => tf.tensor2d(perImage ? transforms.subarray(b * 8, b * 8 + 8) : transforms, [images.length === 1 ? N : 1, 8]));
  const theirs = () => images.map((img, b) => tf.image.transform(img, params[b]!, 'bilinear', 'constant', 0, [H, W]));
  const read = async (ts: tf.Tensor[]) => {
    const data = await Promise.all(ts.map((t) => t.data()));
    tf.dispose(ts);
    return data as Float32Array[];
  };
  const want = (await read([ours()]))[0]!;
  const got = await read(theirs());
  const joined = new Float32Array(want.length);
  got.reduce((at, part) => (joined.set(part, at), at + part.length), 0);
  checkAgreement(`tf.image.transform on ${backend.name} against projectiveGrid + gridSample`, joined, want);
  const activate = () => activateBackend(backend.name);
  return {
    list: [
      { run: async () => void (await read([ours()])), activate },
      { run: async () => void (await read(grads([x, h]))), activate },
      { run: async () => void (await read(theirs())), activate },
    ],
    release: () => tf.dispose([x, h, ...(perImage ? images : []), ...params]),
    ...(perImage ? { note: 'tf.image.transform: one call per image (tfjs-backend-cpu 4.22 computes only the first of a batch)' } : {}),
  };
}

export async function runProjective(backends: readonly StartedBackend[], shapes: readonly Shape4[], measure: MeasureOptions): Promise<ProjectiveRow[]> {
  const rows: ProjectiveRow[] = [];
  for (const shape of shapes) {
    for (const b of backends.filter((b) => b.name !== 'webgpu')) {
      progress(`projective: input ${shapeText(shape)} on ${b.label}: checking and timing`);
      const c = await contenders(b, shape);
      const outcomes = await measureInterleaved(c.list, measure);
      c.release();
      const msOf = (i: number) => ('stats' in outcomes[i]! ? outcomes[i]!.stats.msMedian : null);
      const [stn, stnFwdBwd, theirs] = [msOf(0), msOf(1), msOf(2)];
      rows.push({
        inputShape: shape, backend: b.label, stnLayerMs: stn, stnLayerFwdBwdMs: stnFwdBwd, imageTransformMs: theirs,
        timesFaster: stn && theirs ? theirs / stn : null, ...(c.note ? { note: c.note } : {}),
      });
    }
  }
  return rows;
}

export function projectiveText(rows: readonly ProjectiveRow[]): string {
  const fmt = (x: number | null) => (x === null ? '-' : ms(x));
  const table = textTable(
    ['input = output', 'backend', 'stn-layer fwd', 'tf.image.transform fwd', '× faster (target >= 2)', 'stn-layer fwd+bwd'],
    rows.map((r) => [shapeText(r.inputShape), r.backend, fmt(r.stnLayerMs), fmt(r.imageTransformMs),
      r.timesFaster === null ? '-' : r.timesFaster.toFixed(1), fmt(r.stnLayerFwdBwdMs)]),
  );
  const notes = [...new Set(rows.flatMap((r) => (r.note ? [r.note] : [])))];
  return `projectiveGrid + gridSample against tf.image.transform (same projective map), bilinear/zeros, ms per call\n${table}\n` +
    'stn-layer fwd+bwd: d(input) and d(h) as well, which tf.image.transform has no gradient for.' +
    (notes.length ? `\n${notes.join('\n')}` : '');
}
