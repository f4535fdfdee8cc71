import type { StructuredPatchHunk } from 'diff';
import { type VisibleToken, visibleTokens, wrapTokens } from './progress/index.js';

/** How diff lines are drawn. */
export interface DiffLineOptions {
  /** Columns a row may take, the indent included. */
  width: number;
  color: boolean;
  /** Every line break of both texts is CRLF: the `\r` ending each line is not shown. */
  crlf?: boolean;
}

const indent = '  ';
/** Starts the rows a line too long for one row continues on; shown as an escape in the text. */
const continued = '↪';
/** Leading tabs are drawn as this many spaces: code is indented with them. */
const tabWidth = 4;
/** Runs of spaces up to this long are drawn as spaces (indentation, alignment), longer ones counted. */
const longestSpaceRun = 32;

const sgr = {
  red: ['\u001b[31m', '\u001b[39m'],
  green: ['\u001b[32m', '\u001b[39m'],
  cyan: ['\u001b[36m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  inverse: ['\u001b[7m', '\u001b[27m'],
} as const;

const space: VisibleToken = { text: ' ', width: 1, escaped: false };

/**
 * A line's text as tokens, as `visibleTokens` shows the input of a call (every hidden character
 * an escape, a long run of spaces counted), but with code's indentation drawn as it is: leading
 * tabs as spaces, runs of up to 32 spaces as spaces. `↪` is an escape: it marks continued rows.
 */
export function diffTokens(text: string): VisibleToken[] {
  const tokens: VisibleToken[] = [];
  let i = 0;
  for (; i < text.length && (text[i] === '\t' || text[i] === ' '); i++) {
    if (text[i] === '\t') for (let t = 0; t < tabWidth; t++) tokens.push(space);
    else tokens.push(space);
  }
  for (const token of visibleTokens(text.slice(i))) {
    const run = token.escaped ? /^⟨(\d+) spaces⟩$/.exec(token.text) : null;
    if (run && Number(run[1]) <= longestSpaceRun) {
      for (let s = 0; s < Number(run[1]); s++) tokens.push(space);
    } else if (token.text === continued) {
      tokens.push({ text: '\\u21aa', width: 6, escaped: true });
    } else {
      tokens.push(token);
    }
  }
  return tokens;
}

function paint(text: string, style: keyof typeof sgr, color: boolean): string {
  return color && text !== '' ? `${sgr[style][0]}${text}${sgr[style][1]}` : text;
}

function draw(tokens: readonly VisibleToken[], color: boolean): string {
  let out = '';
  for (const token of tokens) {
    out += token.escaped && color ? `${sgr.inverse[0]}${token.text}${sgr.inverse[1]}` : token.text;
  }
  return out;
}

/**
 * One line of a diff as rows: `  -text`, `  +text`, `   text`; a line longer than the width
 * goes on in rows that start with `↪` after its marker, so no row can pass for a line of its own.
 */
export function diffLineRows(
  marker: '-' | '+' | ' ',
  text: string,
  options: DiffLineOptions,
): string[] {
  const width = Math.max(indent.length + 10, Math.floor(options.width) || 0);
  const tokens = diffTokens(options.crlf && text.endsWith('\r') ? text.slice(0, -1) : text);
  const first = width - indent.length - 1;
  const rows = wrapTokens(tokens, (row) => (row === 0 ? first : first - 1));
  const style = marker === '-' ? 'red' : marker === '+' ? 'green' : undefined;
  return (rows.length > 0 ? rows : [[]]).map((row, i) => {
    const lead = i === 0 ? marker : `${marker}${continued}`;
    const body = draw(row, options.color);
    if (!style || !options.color) return `${indent}${lead}${body}`;
    // The escapes' inverse video sits inside the line's colour: both end where they should.
    return `${indent}${sgr[style][0]}${lead}${body}${sgr[style][1]}`;
  });
}

/** `@@ -3,4 +3,5 @@` as `diff -u` writes it (an empty side starts one line before). */
export function hunkHeader(hunk: StructuredPatchHunk): string {
  const side = (start: number, lines: number) =>
    `${lines === 0 ? start - 1 : start}${lines === 1 ? '' : `,${lines}`}`;
  return `@@ -${side(hunk.oldStart, hunk.oldLines)} +${side(hunk.newStart, hunk.newLines)} @@`;
}

/** Every hunk: its header, then its lines, every one of them, coloured when `color`. */
export function renderHunks(
  hunks: readonly StructuredPatchHunk[],
  options: DiffLineOptions,
): string[] {
  const rows: string[] = [];
  for (const hunk of hunks) {
    rows.push(indent + paint(hunkHeader(hunk), 'cyan', options.color));
    for (const line of hunk.lines) {
      const marker = line[0];
      if (marker === '\\') {
        rows.push(indent + paint(line, 'dim', options.color));
      } else if (marker === '-' || marker === '+' || marker === ' ') {
        rows.push(...diffLineRows(marker, line.slice(1), options));
      }
    }
  }
  return rows;
}

/** A note under the diff (what will fail, what is not shown and why), in yellow when `color`. */
export function noteRow(text: string, color: boolean): string {
  return indent + (color ? `\u001b[33m${text}\u001b[39m` : text);
}

export function dimRow(text: string, color: boolean): string {
  return indent + paint(text, 'dim', color);
}
