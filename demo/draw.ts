/** The demo's two kinds of picture, drawn on canvases: digit grids and the training chart. */
const COLUMNS = 8;
const PADDING = 2; // torchvision's make_grid, as in the tutorial's figure

/** Square images (values in [0, 1], count x side x side) as an 8-column grid with black gaps, one canvas pixel per image pixel. */
export function drawDigits(canvas: HTMLCanvasElement, images: Float32Array, count: number): void {
  const side = Math.round(Math.sqrt(images.length / count));
  const cell = side + PADDING;
  const cols = Math.min(COLUMNS, count);
  const rows = Math.ceil(count / COLUMNS);
  canvas.width = cols * cell + PADDING;
  canvas.height = rows * cell + PADDING;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(canvas.width, canvas.height);
  for (let i = 3; i < image.data.length; i += 4) image.data[i] = 255;
  for (let n = 0; n < count; n++) {
    const x0 = PADDING + (n % COLUMNS) * cell;
    const y0 = PADDING + Math.floor(n / COLUMNS) * cell;
    for (let r = 0; r < side; r++) {
      for (let c = 0; c < side; c++) {
        const v = Math.round(Math.min(1, Math.max(0, images[(n * side + r) * side + c]!)) * 255);
        const p = 4 * ((y0 + r) * canvas.width + x0 + c);
        image.data[p] = image.data[p + 1] = image.data[p + 2] = v;
      }
    }
  }
  ctx.putImageData(image, 0, 0);
}

export interface ChartData {
  /** Training loss per step. */
  losses: readonly number[];
  /** Held-out accuracy (0..1) after some steps. */
  accuracies: readonly { step: number; accuracy: number }[];
}

const LOSS_COLOR = '#1f77b4';
const ACCURACY_COLOR = '#ff7f0e';

/** The loss per step on the left axis and the held-out accuracy on the right (0..100%). */
export function drawChart(canvas: HTMLCanvasElement, data: ChartData): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = { left: 44, right: 44, top: 12, bottom: 28 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, width, height);
  ctx.strokeStyle = '#999';
  ctx.strokeRect(pad.left, pad.top, w, h);
  const steps = Math.max(1, data.losses.length, ...data.accuracies.map((a) => a.step));
  const maxLoss = Math.max(0.5, ...data.losses.filter(Number.isFinite)) * 1.05;
  const x = (step: number) => pad.left + (step / steps) * w;
  ctx.font = '11px sans-serif';
  ctx.textBaseline = 'middle';
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + h - (i / 4) * h;
    ctx.fillStyle = LOSS_COLOR;
    ctx.textAlign = 'right';
    ctx.fillText(((maxLoss * i) / 4).toFixed(2), pad.left - 4, y);
    ctx.fillStyle = ACCURACY_COLOR;
    ctx.textAlign = 'left';
    ctx.fillText(`${25 * i}%`, pad.left + w + 4, y);
  }
  ctx.fillStyle = '#444';
  ctx.textAlign = 'center';
  ctx.fillText(`step (${data.losses.length})`, pad.left + w / 2, height - 10);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = LOSS_COLOR;
  ctx.beginPath();
  data.losses.forEach((loss, i) => {
    const y = pad.top + h - (Math.min(loss, maxLoss) / maxLoss) * h;
    if (i === 0) ctx.moveTo(x(i + 1), y);
    else ctx.lineTo(x(i + 1), y);
  });
  ctx.stroke();
  ctx.fillStyle = ACCURACY_COLOR;
  for (const a of data.accuracies) {
    ctx.beginPath();
    ctx.arc(x(a.step), pad.top + h - a.accuracy * h, 3, 0, 2 * Math.PI);
    ctx.fill();
  }
}
