import wrapAnsi from 'wrap-ansi';
import { textWidth } from '../progress/text-width.js';

/** How a piece of rendered Markdown looks; each becomes one SGR attribute when colour is on. */
export type Mark = 'bold' | 'italic' | 'underline' | 'dim' | 'strike' | 'code';

/** A piece of a line: plain text (already sanitized, no escapes) and its marks. */
export interface Span {
  text: string;
  marks: readonly Mark[];
}

/** One rendered row, never containing a newline. */
export type StyledLine = Span[];

const sgr: Record<Mark, number> = {
  bold: 1,
  dim: 2,
  italic: 3,
  underline: 4,
  strike: 9,
  code: 36,
};

export function span(text: string, ...marks: Mark[]): Span {
  return { text, marks };
}

/** The spans with `marks` added to each (nested emphasis: `**bold *and italic***`). */
export function withMarks(spans: readonly Span[], ...marks: Mark[]): Span[] {
  return spans.map((s) => ({ text: s.text, marks: [...new Set([...s.marks, ...marks])] }));
}

export function lineWidth(line: StyledLine): number {
  let width = 0;
  for (const s of line) width += textWidth(s.text);
  return width;
}

/**
 * A row as terminal text. Each styled span opens its attributes and resets them all after
 * itself, so no attribute can leak past its span, its row, or into the live block below.
 * Without colour, the same text and layout with no escape at all.
 */
export function lineText(line: StyledLine, color: boolean): string {
  let out = '';
  for (const { text, marks } of line) {
    if (text === '') continue;
    if (!color || marks.length === 0) out += text;
    else out += `\u001b[${marks.map((m) => sgr[m]).join(';')}m${text}\u001b[0m`;
  }
  return out;
}

/** Joins neighbours with the same marks, and drops empty spans. */
function merge(line: readonly Span[]): StyledLine {
  const out: StyledLine = [];
  for (const s of line) {
    if (s.text === '') continue;
    const last = out[out.length - 1];
    if (last && sameMarks(last.marks, s.marks))
      out[out.length - 1] = { ...last, text: last.text + s.text };
    else out.push(s);
  }
  return out;
}

function sameMarks(a: readonly Mark[], b: readonly Mark[]): boolean {
  return a.length === b.length && a.every((m) => b.includes(m));
}

const isSpace = (char: string | undefined) => char === ' ' || char === '\u00a0';

/**
 * Cuts styled text into rows of at most `width` columns with wrap-ansi: at spaces (a word
 * longer than a row is cut hard), or, for `code`, at exactly `width` columns, keeping every
 * space. Newlines in the text end rows. The text is wrapped as plain text and the marks laid
 * back onto it: wrapping only inserts row breaks and drops spaces around them, so each
 * character of the output is found, in order, in the input.
 */
export function wrapSpans(
  spans: readonly Span[],
  width: number,
  options: { code?: boolean } = {},
): StyledLine[] {
  const plain = spans.map((s) => s.text).join('');
  const marksAt: (readonly Mark[])[] = [];
  for (const s of spans) for (let i = 0; i < s.text.length; i++) marksAt.push(s.marks);
  const wrapped = wrapAnsi(
    plain,
    Math.max(1, width),
    options.code ? { hard: true, trim: false, wordWrap: false } : { hard: true },
  );
  const rows: StyledLine[] = [];
  let row: Span[] = [];
  let at = 0;
  for (const char of wrapped) {
    // Spaces wrapping dropped are skipped; anything else must be next in the input.
    while (at < plain.length && plain[at] !== char && isSpace(plain[at])) at++;
    const found = plain.startsWith(char, at);
    if (char === '\n') {
      if (found) at += char.length;
      rows.push(merge(row));
      row = [];
      continue;
    }
    row.push({ text: char, marks: found ? (marksAt[at] ?? []) : [] });
    if (found) at += char.length;
  }
  rows.push(merge(row));
  return rows;
}
