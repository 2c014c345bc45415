/**
 * The tutorial's pictures: a test batch as a grid ("Dataset Images") beside the same batch through
 * the learned spatial transformer ("Transformed Images"), as a PNG; and the test loss and accuracy
 * per epoch, as an SVG.
 */
import pngjs from 'pngjs';
import { IMAGE_SIZE, type MnistSplit } from './batch.js';
import { type EpochRecord, writeFileAtomically } from './checkpoint.js';
import type { Transformer } from './model.js';
import { transformFirst } from './steps.js';

// A 5x7 bitmap font with the letters of the two titles (pngjs draws no text).
const GLYPHS: Record<string, string> = {
  ' ': '00000 00000 00000 00000 00000 00000 00000',
  D: '11110 10001 10001 10001 10001 10001 11110',
  I: '01110 00100 00100 00100 00100 00100 01110',
  T: '11111 00100 00100 00100 00100 00100 00100',
  a: '00000 00000 01110 00001 01111 10001 01111',
  d: '00001 00001 01101 10011 10001 10001 01111',
  e: '00000 00000 01110 10001 11111 10000 01110',
  f: '00110 01001 01000 11100 01000 01000 01000',
  g: '00000 00000 01111 10001 01111 00001 01110',
  m: '00000 00000 11010 10101 10101 10101 10101',
  n: '00000 00000 10110 11001 10001 10001 10001',
  o: '00000 00000 01110 10001 10001 10001 01110',
  r: '00000 00000 10110 11001 10000 10000 10000',
  s: '00000 00000 01111 10000 01110 00001 11110',
  t: '01000 01000 11100 01000 01000 01001 00110',
};

/** A grey image being drawn: 0 black .. 255 white. */
class Canvas {
  readonly pixels: Uint8Array;
  constructor(readonly width: number, readonly height: number) {
    this.pixels = new Uint8Array(width * height).fill(255);
  }

  fill(x: number, y: number, w: number, h: number, value: number): void {
    for (let r = y; r < y + h; r++) this.pixels.fill(value, r * this.width + x, r * this.width + x + w);
  }

  /** Text in the 5x7 font, each font pixel `scale` pixels wide, centred on cx. */
  text(s: string, cx: number, y: number, scale: number): void {
    const advance = 6 * scale;
    let x = Math.round(cx - (s.length * advance - scale) / 2);
    for (const ch of s) {
      const glyph = GLYPHS[ch];
      if (!glyph) throw new Error(`visualize: the built-in font has no glyph for '${ch}'`);
      glyph.split(' ').forEach((row, r) => {
        for (let c = 0; c < 5; c++) if (row[c] === '1') this.fill(x + c * scale, y + r * scale, scale, scale, 0);
      });
      x += advance;
    }
  }

  png(): Uint8Array {
    const png = new pngjs.PNG({ width: this.width, height: this.height });
    for (let i = 0; i < this.pixels.length; i++) {
      png.data[4 * i] = png.data[4 * i + 1] = png.data[4 * i + 2] = this.pixels[i]!;
      png.data[4 * i + 3] = 255;
    }
    return new Uint8Array(pngjs.PNG.sync.write(png));
  }
}

const GRID_COLUMNS = 8;
const GRID_PADDING = 2; // torchvision's make_grid default
const SCALE = 2;
const MARGIN = 24;
const TITLE_SCALE = 3;
const TITLE_BAND = 7 * TITLE_SCALE + 2 * MARGIN;

/** The grid's size in pixels (before scaling), as torchvision's make_grid lays out `count` images. */
function gridSize(count: number, side: number): { cols: number; rows: number; width: number; height: number } {
  const cols = Math.min(GRID_COLUMNS, count);
  const rows = Math.ceil(count / GRID_COLUMNS);
  const cell = side + GRID_PADDING;
  return { cols, rows, width: cols * cell + GRID_PADDING, height: rows * cell + GRID_PADDING };
}

/** Draws images (values in [0, 1], count x side x side) as a grid at (x0, y0), black between cells. */
function drawGrid(canvas: Canvas, images: Float32Array, count: number, side: number, x0: number, y0: number): void {
  const { cols, width, height } = gridSize(count, side);
  canvas.fill(x0, y0, width * SCALE, height * SCALE, 0);
  const cell = side + GRID_PADDING;
  for (let i = 0; i < count; i++) {
    const gx = x0 + (GRID_PADDING + (i % cols) * cell) * SCALE;
    const gy = y0 + (GRID_PADDING + Math.floor(i / cols) * cell) * SCALE;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = Math.round(Math.min(1, Math.max(0, images[(i * side + r) * side + c]!)) * 255);
        canvas.fill(gx + c * SCALE, gy + r * SCALE, SCALE, SCALE, v);
      }
    }
  }
}

/** The figure's size for `count` images of `side` pixels: two scaled grids side by side under a title band. */
export function figureSize(count: number, side: number = IMAGE_SIZE): { width: number; height: number } {
  const { width, height } = gridSize(count, side);
  return { width: 2 * width * SCALE + 3 * MARGIN, height: TITLE_BAND + height * SCALE + MARGIN };
}

/** The tutorial's figure as PNG bytes, from the original and transformed images (values in [0, 1], square, of one side). */
export function figurePng(original: Float32Array, transformed: Float32Array, count: number): Uint8Array {
  const side = Math.round(Math.sqrt(original.length / count));
  const { width, height } = figureSize(count, side);
  const panel = gridSize(count, side).width * SCALE;
  const canvas = new Canvas(width, height);
  canvas.text('Dataset Images', MARGIN + panel / 2, MARGIN, TITLE_SCALE);
  canvas.text('Transformed Images', 2 * MARGIN + panel * 1.5, MARGIN, TITLE_SCALE);
  drawGrid(canvas, original, count, side, MARGIN, TITLE_BAND);
  drawGrid(canvas, transformed, count, side, 2 * MARGIN + panel, TITLE_BAND);
  return canvas.png();
}

/** The test loss and accuracy per epoch, two charts side by side, as SVG text. */
export function historySvg(history: readonly EpochRecord[]): string {
  const chartW = 380;
  const chartH = 260;
  const pad = { left: 56, right: 16, top: 36, bottom: 44 };
  const chart = (x0: number, title: string, values: number[], format: (v: number) => string) => {
    const epochs = history.map((h) => h.epoch);
    const minE = Math.min(...epochs, 1);
    const maxE = Math.max(...epochs, minE + 1);
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    if (!(hi > lo)) {
      lo -= 0.5 * (Math.abs(lo) || 1);
      hi += 0.5 * (Math.abs(hi) || 1);
    }
    const w = chartW - pad.left - pad.right;
    const h = chartH - pad.top - pad.bottom;
    const px = (e: number) => x0 + pad.left + ((e - minE) / (maxE - minE)) * w;
    const py = (v: number) => pad.top + (1 - (v - lo) / (hi - lo)) * h;
    const parts = [
      `<text x="${x0 + chartW / 2}" y="20" text-anchor="middle" font-size="15">${title}</text>`,
      `<rect x="${x0 + pad.left}" y="${pad.top}" width="${w}" height="${h}" fill="none" stroke="#888"/>`,
      `<text x="${x0 + pad.left + w / 2}" y="${chartH - 8}" text-anchor="middle" font-size="12">epoch</text>`,
    ];
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      parts.push(`<line x1="${x0 + pad.left - 4}" x2="${x0 + pad.left}" y1="${py(v)}" y2="${py(v)}" stroke="#888"/>`,
        `<text x="${x0 + pad.left - 6}" y="${py(v) + 4}" text-anchor="end" font-size="11">${format(v)}</text>`);
    }
    const step = Math.max(1, Math.ceil((maxE - minE) / 10));
    for (let e = minE; e <= maxE; e += step) {
      parts.push(`<text x="${px(e)}" y="${pad.top + h + 16}" text-anchor="middle" font-size="11">${e}</text>`);
    }
    const points = history.map((r, i) => `${px(r.epoch).toFixed(1)},${py(values[i]!).toFixed(1)}`);
    parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="#1f77b4" stroke-width="2"/>`);
    for (const p of points) {
      const [cx, cy] = p.split(',');
      parts.push(`<circle cx="${cx}" cy="${cy}" r="3" fill="#1f77b4"/>`);
    }
    return parts.join('\n');
  };
  const body = history.length === 0
    ? `<text x="${chartW}" y="${chartH / 2}" text-anchor="middle" font-size="15">no finished epoch yet</text>`
    : [
      chart(0, 'Test set: average loss', history.map((h) => h.testLoss), (v) => v.toFixed(3)),
      chart(chartW, 'Test set: accuracy (%)', history.map((h) => 100 * h.testAccuracy), (v) => v.toFixed(1)),
    ].join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${2 * chartW}" height="${chartH}" font-family="sans-serif">\n` +
    `<rect width="100%" height="100%" fill="white"/>\n${body}\n</svg>\n`;
}

/** Writes the figure (PNG) and the history plot (SVG); returns their paths. */
export async function writePictures(model: Transformer, test: MnistSplit, history: readonly EpochRecord[], paths: { figure: string; history: string }): Promise<string[]> {
  const { original, transformed, count } = await transformFirst(model, test);
  writeFileAtomically(paths.figure, figurePng(original, transformed, count));
  writeFileAtomically(paths.history, historySvg(history));
  return [paths.figure, paths.history];
}
