import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lineText, lineWidth, type Mark, type Span, span, wrapSpans } from './styled-text.js';

const text = (rows: readonly Span[][]) => rows.map((row) => row.map((s) => s.text).join(''));

describe('wrapSpans', () => {
  it('wraps at spaces and keeps each word’s marks, on whichever row it lands', () => {
    const rows = wrapSpans([span('plain '), span('bold words', 'bold'), span(' and `code`')], 10);
    expect(text(rows)).toEqual(['plain bold', 'words and', '`code`']);
    expect(rows[0]).toEqual([span('plain '), span('bold', 'bold')]);
    expect(rows[1]).toEqual([span('words', 'bold'), span(' and')]);
  });

  it('cuts a word longer than a row, and keeps newlines as row ends', () => {
    expect(text(wrapSpans([span('abcdefghij k\nl')], 4))).toEqual(['abcd', 'efgh', 'ij k', 'l']);
  });

  it('cuts code at the width and keeps every space', () => {
    expect(text(wrapSpans([span('  a  b  c')], 4, { code: true }))).toEqual(['  a ', ' b  ', 'c']);
  });

  it('loses no word and no mark, and fits every row when every word fits', () => {
    const word = fc.tuple(
      fc.stringMatching(/^[a-z]{1,8}$/),
      fc.subarray<Mark>(['bold', 'italic', 'code']),
    );
    fc.assert(
      fc.property(
        fc.array(word, { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 8, max: 60 }),
        (words, width) => {
          const spans = words.flatMap(([w, marks], i) => [
            ...(i > 0 ? [span(' ')] : []),
            { text: w, marks },
          ]);
          const rows = wrapSpans(spans, width);
          for (const row of rows) expect(lineWidth(row)).toBeLessThanOrEqual(width);
          expect(text(rows).join(' ').split(' ')).toEqual(words.map(([w]) => w));
          const marked = (ss: readonly Span[]) =>
            ss.flatMap((s) => [...s.text].filter((c) => c !== ' ').map((c) => `${c}${s.marks}`));
          expect(rows.flatMap(marked)).toEqual(marked(spans));
        },
      ),
    );
  });
});

describe('lineText', () => {
  it('opens each styled span’s attributes and resets them after it; no escape without colour', () => {
    const line = [span('a '), span('b', 'bold', 'italic'), span(' c', 'dim')];
    expect(lineText(line, true)).toBe('a \u001b[1;3mb\u001b[0m\u001b[2m c\u001b[0m');
    expect(lineText(line, false)).toBe('a b c');
  });
});
