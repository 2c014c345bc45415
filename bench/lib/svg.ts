/**
 * A tiny dependency-free SVG writer for the benchmark charts: grouped horizontal bars on a log
 * axis, and lines on log-log axes. Plain SVG 1.1 text, so GitHub and npm render it in a README.
 */

export interface Bar {
  label: string;
  /** null: not measured (drawn as a note instead of a bar). */
  value: number | null;
  color: string;
  note?: string;
}
export interface BarGroup {
  label: string;
  bars: Bar[];
}
export interface Series {
  label: string;
  color: string;
  points: [number, number][];
}

const FONT = 'font-family="system-ui, -apple-system, Segoe UI, Helvetica, Arial, sans-serif"';
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const text = (x: number, y: number, s: string, attrs = '') => `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" ${attrs}>${esc(s)}</text>`;

/** Powers of ten covering [lo, hi], and the log-scale position of a value in [0, 1]. */
function logScale(lo: number, hi: number) {
  const a = Math.floor(Math.log10(lo));
  const b = Math.ceil(Math.log10(hi));
  const ticks: number[] = [];
  for (let e = a; e <= b; e++) ticks.push(10 ** e);
  return { ticks, at: (v: number) => (Math.log10(v) - a) / Math.max(b - a, 1) };
}

const tickText = (v: number) => (v >= 1 ? String(v) : v.toPrecision(1));

export function barChartSvg(title: string, axisLabel: string, groups: readonly BarGroup[], footnote = ''): string {
  const labelW = 250;
  const plotW = 520;
  const barH = 13;
  const gap = 3;
  const groupGap = 22;
  const top = 62;
  const values = groups.flatMap((g) => g.bars.map((b) => b.value)).filter((v): v is number => v !== null && v > 0);
  const scale = logScale(Math.min(...values), Math.max(...values));
  const out: string[] = [];
  let y = top;
  for (const g of groups) {
    out.push(text(8, y + 11, g.label, 'font-weight="600" font-size="13"'));
    y += 18;
    for (const b of g.bars) {
      out.push(text(labelW - 6, y + barH - 3, b.label, 'font-size="11" text-anchor="end"'));
      if (b.value !== null && b.value > 0) {
        const w = Math.max(1, scale.at(b.value) * plotW);
        out.push(`<rect x="${labelW}" y="${y}" width="${w.toFixed(1)}" height="${barH}" fill="${b.color}"/>`);
        out.push(text(labelW + w + 4, y + barH - 3, `${b.value >= 100 ? b.value.toFixed(0) : b.value.toPrecision(3)}${b.note ? `  ${b.note}` : ''}`, 'font-size="10"'));
      } else {
        out.push(text(labelW + 4, y + barH - 3, b.note ?? 'not measured', 'font-size="10" fill="#777"'));
      }
      y += barH + gap;
    }
    y += groupGap - gap;
  }
  const bottom = y;
  const axis: string[] = [];
  for (const t of scale.ticks) {
    const x = labelW + scale.at(t) * plotW;
    axis.push(`<line x1="${x.toFixed(1)}" y1="${top - 6}" x2="${x.toFixed(1)}" y2="${bottom - groupGap + 4}" stroke="#ddd"/>`);
    axis.push(text(x, top - 10, tickText(t), 'font-size="10" text-anchor="middle" fill="#555"'));
  }
  const width = labelW + plotW + 150;
  const height = bottom + (footnote ? 24 : 6);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(8, 20, title, 'font-size="15" font-weight="700"'),
    text(labelW + plotW / 2, 38, axisLabel, 'font-size="11" text-anchor="middle" fill="#555"'),
    ...axis, ...out,
    footnote ? text(8, height - 8, footnote, 'font-size="10" fill="#555"') : '',
    '</svg>',
  ].join('\n');
}

export function lineChartSvg(title: string, xLabel: string, yLabel: string, series: readonly Series[], footnote = ''): string {
  const left = 70;
  const top = 40;
  const plotW = 560;
  const plotH = 300;
  const pts = series.flatMap((s) => s.points).filter(([x, y]) => x > 0 && y > 0);
  const xs = logScale(Math.min(...pts.map((p) => p[0])), Math.max(...pts.map((p) => p[0])));
  const ys = logScale(Math.min(...pts.map((p) => p[1])), Math.max(...pts.map((p) => p[1])));
  const X = (v: number) => left + xs.at(v) * plotW;
  const Y = (v: number) => top + plotH - ys.at(v) * plotH;
  const out: string[] = [];
  for (const t of xs.ticks) {
    out.push(`<line x1="${X(t).toFixed(1)}" y1="${top}" x2="${X(t).toFixed(1)}" y2="${top + plotH}" stroke="#e4e4e4"/>`);
    out.push(text(X(t), top + plotH + 14, t.toExponential(0).replace('+', ''), 'font-size="10" text-anchor="middle" fill="#555"'));
  }
  for (const t of ys.ticks) {
    out.push(`<line x1="${left}" y1="${Y(t).toFixed(1)}" x2="${left + plotW}" y2="${Y(t).toFixed(1)}" stroke="#e4e4e4"/>`);
    out.push(text(left - 6, Y(t) + 3, tickText(t), 'font-size="10" text-anchor="end" fill="#555"'));
  }
  series.forEach((s, i) => {
    const p = s.points.filter(([x, y]) => x > 0 && y > 0);
    if (p.length === 0) return;
    out.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2" points="${p.map(([x, y]) => `${X(x).toFixed(1)},${Y(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of p) out.push(`<circle cx="${X(x).toFixed(1)}" cy="${Y(y).toFixed(1)}" r="3" fill="${s.color}"/>`);
    const ly = top + 14 + i * 16;
    out.push(`<rect x="${left + plotW + 14}" y="${ly - 9}" width="12" height="10" fill="${s.color}"/>`);
    out.push(text(left + plotW + 30, ly, s.label, 'font-size="11"'));
  });
  const width = left + plotW + 260;
  const height = top + plotH + 40 + (footnote ? 16 : 0);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" ${FONT}>`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    text(8, 20, title, 'font-size="15" font-weight="700"'),
    `<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="#999"/>`,
    ...out,
    text(left + plotW / 2, top + plotH + 30, xLabel, 'font-size="11" text-anchor="middle" fill="#333"'),
    `<text transform="translate(16 ${top + plotH / 2}) rotate(-90)" font-size="11" text-anchor="middle" fill="#333">${esc(yLabel)}</text>`,
    footnote ? text(8, height - 6, footnote, 'font-size="10" fill="#555"') : '',
    '</svg>',
  ].join('\n');
}
