/** Plain-text tables for the terminal and Markdown tables for bench/RESULTS.md. */

/** Columns whose every filled cell is a number are right-aligned. */
function numericColumns(header: readonly string[], rows: readonly (readonly string[])[]): boolean[] {
  return header.map((_, i) => rows.some((r) => r[i]) && rows.every((r) => /^[-+×x0-9.,e ]*$/.test(r[i] ?? '')));
}

export function textTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const numeric = numericColumns(header, rows);
  const line = (cells: readonly string[]) =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const numeric = numericColumns(header, rows);
  return [
    `| ${header.join(' | ')} |`,
    `| ${numeric.map((n) => (n ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

/** Milliseconds with 3 significant digits (0.0123, 1.23, 123). */
export function ms(x: number): string {
  if (x >= 100) return x.toFixed(0);
  return x.toPrecision(3);
}

export const shapeText = (s: readonly number[]): string => `[${s.join(',')}]`;
