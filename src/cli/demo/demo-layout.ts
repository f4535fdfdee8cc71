import wrapAnsi from 'wrap-ansi';
import { textWidth } from '../progress/index.js';

/** One measure of the comparison: its name and one value per contender. */
export interface ComparisonRow {
  label: string;
  values: readonly string[];
}

const indent = '  ';
const gap = '  ';

/**
 * The demo's comparison as rows no wider than `columns`: a table (labels left, one right-aligned
 * column per contender) where it fits, else one row per measure (`wall time: 4.76 s / 2.74 s`)
 * under a row naming the contenders in that order. Rows that still do not fit are word-wrapped:
 * a terminal never wraps one in the middle of a column.
 */
export function comparisonRows(
  contenders: readonly string[],
  rows: readonly ComparisonRow[],
  columns = Number.POSITIVE_INFINITY,
): string[] {
  const labelWidth = Math.max(0, ...rows.map((r) => textWidth(r.label)));
  const widths = contenders.map((name, i) =>
    Math.max(textWidth(name), ...rows.map((r) => textWidth(r.values[i] ?? ''))),
  );
  const line = (label: string, cells: readonly string[]) =>
    indent +
    label.padEnd(labelWidth) +
    cells.map((cell, i) => gap + cell.padStart(widths[i] ?? 0)).join('');
  const table = [
    line(
      '',
      contenders.map((name) => name),
    ).trimEnd(),
    ...rows.map((r) =>
      line(
        r.label,
        contenders.map((_, i) => r.values[i] ?? ''),
      ),
    ),
  ];
  if (table.every((row) => textWidth(row) <= columns)) return table;
  const stacked = [
    `${indent}(${contenders.join(' / ')})`,
    ...rows.map(
      (r) => `${indent}${r.label}: ${contenders.map((_, i) => r.values[i] ?? '').join(' / ')}`,
    ),
  ];
  return stacked.flatMap((row) => wrapProse(row, columns));
}

/**
 * A line of prose as rows no wider than `columns`, broken between words; rows after the first
 * keep the first one's indent. A word wider than a row (a long path) is kept whole, so it can
 * still be copied: the terminal wraps it.
 */
export function wrapProse(text: string, columns = Number.POSITIVE_INFINITY): string[] {
  if (!Number.isFinite(columns) || textWidth(text) <= columns) return [text];
  const lead = /^ */.exec(text)?.[0] ?? '';
  const room = Math.max(10, Math.floor(columns) - lead.length);
  return wrapAnsi(text.slice(lead.length), room, { hard: false, trim: true })
    .split('\n')
    .map((row) => lead + row);
}
