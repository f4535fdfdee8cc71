import type { Segment } from '../progress/style.js';
import { cutToWidth, textWidth } from '../progress/text-width.js';
import { displayUnit, type Unit } from './display-unit.js';

export interface LayoutOptions {
  /** Plain text before the first line, e.g. `› `; later lines are indented as wide. */
  prompt: string;
  units: readonly Unit[];
  cursor: number;
  /** The terminal's columns. */
  columns: number;
  /** Rows the whole block may take (the terminal's rows less one, usually). */
  maxRows: number;
  /** Dim lines under the text (`Press Ctrl-C again to exit`). */
  hints?: readonly string[];
}

export interface PromptLayout {
  /** The rows to draw, none wider than the terminal's columns less one. */
  rows: Segment[][];
  /** Columns of each row. */
  widths: number[];
  /** Where the cursor goes, as a row of `rows` and a column. */
  cursor: { row: number; col: number };
}

interface Row {
  segments: Segment[];
  width: number;
}

function append(row: Row, text: string, width: number, style?: Segment['style']): void {
  const last = row.segments[row.segments.length - 1];
  if (last && last.style === style) last.text += text;
  else row.segments.push(style ? { text, style } : { text });
  row.width += width;
}

/**
 * Lays the prompt and its text out in rows: wrapped at the terminal's width less one (the last
 * column stays free, so a full row never wraps by itself and the cursor always has a cell),
 * later rows indented under the text, pastes as their dim labels. When the text needs more rows
 * than `maxRows`, only the rows around the cursor are shown, with a dim line saying how many are
 * hidden above or below.
 */
export function layoutPrompt(options: LayoutOptions): PromptLayout {
  const usable = Math.max(2, options.columns - 1);
  const prompt = cutToWidth(options.prompt, Math.max(0, usable - 2));
  const indent = ' '.repeat(textWidth(prompt));
  const room = usable - indent.length;
  const rows: Row[] = [];
  const newRow = (lead: string): Row => {
    const row: Row = { segments: [], width: 0 };
    if (lead) append(row, lead, textWidth(lead));
    rows.push(row);
    return row;
  };
  let row = newRow(prompt);
  let cursor = { row: 0, col: 0 };
  const { units } = options;
  for (let i = 0; i < units.length; i++) {
    const unit = units[i] as Unit;
    if (unit === '\n') {
      if (i === options.cursor) cursor = { row: rows.length - 1, col: row.width };
      row = newRow(indent);
      continue;
    }
    const shown = displayUnit(unit);
    // Only a paste label can be wider than a row: it is cut.
    const text = shown.width > room ? cutToWidth(shown.text, room) : shown.text;
    const width = shown.width > room ? textWidth(text) : shown.width;
    if (row.width + width > usable) row = newRow(indent);
    if (i === options.cursor) cursor = { row: rows.length - 1, col: row.width };
    append(row, text, width, shown.placeholder ? 'cyan' : undefined);
  }
  if (options.cursor >= units.length) cursor = { row: rows.length - 1, col: row.width };
  const hints = (options.hints ?? []).map((hint) => cutToWidth(hint, usable));
  const fit = Math.max(1, options.maxRows - hints.length);
  const shown = window(rows, cursor.row, fit, (count, where) => {
    const text = cutToWidth(
      `${indent}… ${count} more ${count === 1 ? 'line' : 'lines'} ${where}`,
      usable,
    );
    return { segments: [{ text, style: 'dim' }], width: textWidth(text) };
  });
  for (const hint of hints)
    shown.rows.push({ segments: [{ text: hint, style: 'dim' }], width: textWidth(hint) });
  return {
    rows: shown.rows.map((r) => r.segments),
    widths: shown.rows.map((r) => r.width),
    cursor: { row: cursor.row - shown.first + shown.offset, col: cursor.col },
  };
}

/**
 * The rows that fit in `maxRows`, keeping the cursor's row in view. `first` is the first text row
 * shown; `offset` the rows drawn before it (a `… more lines` line).
 */
function window(
  rows: Row[],
  cursorRow: number,
  maxRows: number,
  mark: (count: number, where: 'above' | 'below') => Row,
): { rows: Row[]; first: number; offset: number } {
  if (rows.length <= maxRows) return { rows: [...rows], first: 0, offset: 0 };
  if (maxRows < 3) {
    const first = Math.min(Math.max(0, cursorRow - maxRows + 1), rows.length - maxRows);
    return { rows: rows.slice(first, first + maxRows), first, offset: 0 };
  }
  // One line says what is hidden above, one what is hidden below, each only when needed.
  let first: number;
  let size: number;
  if (cursorRow < maxRows - 1) {
    first = 0;
    size = maxRows - 1;
  } else if (cursorRow >= rows.length - (maxRows - 1)) {
    size = maxRows - 1;
    first = rows.length - size;
  } else {
    size = maxRows - 2;
    first = cursorRow - size + 1;
  }
  const below = rows.length - first - size;
  const out: Row[] = [];
  if (first > 0) out.push(mark(first, 'above'));
  out.push(...rows.slice(first, first + size));
  if (below > 0) out.push(mark(below, 'below'));
  return { rows: out, first, offset: first > 0 ? 1 : 0 };
}
