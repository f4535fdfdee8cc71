import { sanitizeForTerminal } from '../../trace/sanitize-text.js';

/**
 * Terminal columns, approximately, erring on the wide side: a line counted too wide is cut a
 * little early, a line counted too narrow would wrap and break the live block's cursor math.
 */

/** Code points that take no column: combining marks, zero-width characters, selectors. */
const zeroWidth: readonly (readonly [number, number])[] = [
  [0x0300, 0x036f],
  [0x0483, 0x0489],
  [0x0591, 0x05bd],
  [0x0610, 0x061a],
  [0x064b, 0x065f],
  [0x0e31, 0x0e31],
  [0x0e34, 0x0e3a],
  [0x1ab0, 0x1aff],
  [0x1dc0, 0x1dff],
  [0x200b, 0x200f],
  [0x20d0, 0x20ff],
  [0xfe00, 0xfe0f],
  [0xfe20, 0xfe2f],
  [0xfeff, 0xfeff],
  [0xe0100, 0xe01ef],
];

/** East Asian wide and fullwidth ranges, and emoji. */
const wide: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f],
  [0x231a, 0x231b],
  [0x2329, 0x232a],
  [0x23e9, 0x23ec],
  [0x23f0, 0x23f3],
  [0x25fd, 0x25fe],
  [0x2614, 0x2615],
  [0x2648, 0x2653],
  [0x26a1, 0x26a1],
  [0x26aa, 0x26ab],
  [0x26bd, 0x26be],
  [0x26c4, 0x26c5],
  [0x26ce, 0x26ce],
  [0x26d4, 0x26d4],
  [0x26ea, 0x26ea],
  [0x26f2, 0x26f5],
  [0x26fa, 0x26fd],
  [0x2705, 0x2705],
  [0x270a, 0x270b],
  [0x2728, 0x2728],
  [0x274c, 0x274c],
  [0x2753, 0x2757],
  [0x2795, 0x2797],
  [0x27b0, 0x27b0],
  [0x27bf, 0x27bf],
  [0x2b1b, 0x2b1c],
  [0x2b50, 0x2b55],
  [0x2e80, 0x303e],
  [0x3041, 0x33ff],
  [0x3400, 0x4dbf],
  [0x4e00, 0x9fff],
  [0xa000, 0xa4cf],
  [0xa960, 0xa97f],
  [0xac00, 0xd7a3],
  [0xf900, 0xfaff],
  [0xfe10, 0xfe19],
  [0xfe30, 0xfe6f],
  [0xff00, 0xff60],
  [0xffe0, 0xffe6],
  [0x16fe0, 0x16fe4],
  [0x17000, 0x18cff],
  [0x1b000, 0x1b2ff],
  [0x1f000, 0x1faff],
  [0x20000, 0x3fffd],
];

function inRanges(cp: number, ranges: readonly (readonly [number, number])[]): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [start, end] = ranges[mid] as readonly [number, number];
    if (cp < start) hi = mid - 1;
    else if (cp > end) lo = mid + 1;
    else return true;
  }
  return false;
}

/** Columns one code point takes (0, 1 or 2); controls count 0, they are stripped elsewhere. */
export function charWidth(cp: number): number {
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0)) return 0;
  if (cp < 0x300) return 1;
  if (inRanges(cp, zeroWidth)) return 0;
  return inRanges(cp, wide) ? 2 : 1;
}

/**
 * Splits `text` into code points with their widths. An emoji presentation selector (U+FE0F)
 * after a narrow character widens it to two columns, as terminals draw it.
 */
function* widths(text: string): Generator<[string, number]> {
  let previous = 0;
  for (const char of text) {
    const cp = char.codePointAt(0) as number;
    let w = charWidth(cp);
    if (cp === 0xfe0f && previous === 1) w = 1;
    previous = w === 0 ? previous : w;
    yield [char, w];
  }
}

/** Columns `text` takes on a terminal (no escape sequences expected). */
export function textWidth(text: string): number {
  let total = 0;
  for (const [, w] of widths(text)) total += w;
  return total;
}

/** The start of `text` that fits in `width` columns, without an ellipsis. */
export function cutToWidth(text: string, width: number): string {
  let out = '';
  let used = 0;
  for (const [char, w] of widths(text)) {
    if (used + w > width) break;
    out += char;
    used += w;
  }
  return out;
}

/** `text` cut to `width` columns, ending with `…` when something was cut. */
export function truncateEnd(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  return `${cutToWidth(text, width - 1)}…`;
}

/** `text` cut to `width` columns from the start, beginning with `…` (for paths: the end says most). */
export function truncateStart(text: string, width: number): string {
  if (width <= 0) return '';
  if (textWidth(text) <= width) return text;
  const chars = [...widths(text)];
  let out = '';
  let used = 0;
  for (let i = chars.length - 1; i >= 0; i--) {
    const [char, w] = chars[i] as [string, number];
    if (used + w > width - 1) break;
    out = char + out;
    used += w;
  }
  return `…${out}`;
}

/** Pads `text` with spaces to `width` columns (never cuts). */
export function padEnd(text: string, width: number): string {
  const missing = width - textWidth(text);
  return missing > 0 ? text + ' '.repeat(missing) : text;
}

/** A color sequence, or any one code point. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: color sequences start with ESC
const sgrOrChar = /\u001b\[[0-9;:]*m|[\s\S]/gu;

/** Color sequences (width -1) and code points with their widths (a U+FE0F counts one more). */
function* tokensWithWidth(text: string): Generator<[string, number]> {
  for (const token of text.match(sgrOrChar) ?? []) {
    if (token.length > 1 && token.startsWith('\u001b')) yield [token, -1];
    else yield [token, charWidth(token.codePointAt(0) as number) + (token === '\ufe0f' ? 1 : 0)];
  }
}

/**
 * Makes any line safe to draw in a block of `width` columns: control characters and escape
 * sequences other than colors removed, newlines turned to spaces, cut with `…`, and colors reset
 * at the end when any were used.
 */
export function fitLine(line: string, width: number): string {
  const clean = sanitizeForTerminal(line).replace(/[\n\t]/g, ' ');
  if (width <= 0) return '';
  const tokens = [...tokensWithWidth(clean)];
  let visible = 0;
  let colored = false;
  for (const [, w] of tokens) {
    if (w < 0) colored = true;
    else visible += w;
  }
  if (visible <= width) return clean;
  let out = '';
  let used = 0;
  for (const [token, w] of tokens) {
    if (w < 0) {
      out += token;
      continue;
    }
    if (used + w > width - 1) break;
    out += token;
    used += w;
  }
  return `${out}…${colored ? '\u001b[0m' : ''}`;
}
