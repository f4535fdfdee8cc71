import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { segmentsWidth } from '../progress/style.js';
import { textWidth } from '../progress/text-width.js';
import { graphemes } from './edit-buffer.js';
import { layoutPrompt } from './prompt-layout.js';

function layout(
  text: string,
  options: { cursor?: number; columns?: number; maxRows?: number; hints?: string[] } = {},
) {
  const units = graphemes(text);
  const result = layoutPrompt({
    prompt: '› ',
    units,
    cursor: options.cursor ?? units.length,
    columns: options.columns ?? 20,
    maxRows: options.maxRows ?? 10,
    ...(options.hints ? { hints: options.hints } : {}),
  });
  return { ...result, text: result.rows.map((row) => row.map((s) => s.text).join('')) };
}

describe('layoutPrompt', () => {
  it('puts the prompt before the text and the cursor after it', () => {
    const { text, cursor } = layout('hello');
    expect(text).toEqual(['› hello']);
    expect(cursor).toEqual({ row: 0, col: 7 });
  });

  it('wraps at the width less one, under the text, and keeps the last column for the cursor', () => {
    const { text, cursor, widths } = layout('abcdefghijklmnopqrstuvwxyz', { columns: 12 });
    expect(text).toEqual(['› abcdefghi', '  jklmnopqr', '  stuvwxyz']);
    expect(widths).toEqual([11, 11, 10]);
    expect(cursor).toEqual({ row: 2, col: 10 });
    const full = layout('abcdefghi', { columns: 12 });
    expect(full.text).toEqual(['› abcdefghi']);
    expect(full.cursor).toEqual({ row: 0, col: 11 });
  });

  it('moves a wide character that does not fit to the next row whole', () => {
    const { text, widths } = layout('abcdefgh世', { columns: 12 });
    expect(text).toEqual(['› abcdefgh', '  世']);
    expect(widths).toEqual([10, 4]);
  });

  it('breaks rows at line breaks, with the cursor on the right one', () => {
    const { text, cursor } = layout('one\ntwo\nthree', { cursor: 5 });
    expect(text).toEqual(['› one', '  two', '  three']);
    expect(cursor).toEqual({ row: 1, col: 3 });
    const before = layout('one\ntwo', { cursor: 3 });
    expect(before.cursor).toEqual({ row: 0, col: 5 });
  });

  it('shows tabs as spaces and invisible characters as a replacement character', () => {
    expect(layout('a\tb\u202ec').text).toEqual(['› a    b\ufffdc']);
  });

  it('shows a paste label in color, not its text', () => {
    const result = layoutPrompt({
      prompt: '› ',
      units: ['x', { pasted: 'a\nb\nc\nd', label: '[pasted 4 lines]' }],
      cursor: 2,
      columns: 40,
      maxRows: 5,
    });
    expect(result.rows).toEqual([[{ text: '› x' }, { text: '[pasted 4 lines]', style: 'cyan' }]]);
  });

  it('adds hints as dim rows under the text', () => {
    const { rows } = layout('', { hints: ['Press Ctrl-C again to exit'], columns: 40 });
    expect(rows).toEqual([
      [{ text: '› ' }],
      [{ text: 'Press Ctrl-C again to exit', style: 'dim' }],
    ]);
  });

  it('shows the rows around the cursor when the text is taller than the room, saying what is hidden', () => {
    const text = Array.from({ length: 10 }, (_, i) => `line ${i}`).join('\n');
    const end = layout(text, { maxRows: 5, columns: 40 });
    expect(end.text).toEqual([
      '  … 6 more lines above',
      '  line 6',
      '  line 7',
      '  line 8',
      '  line 9',
    ]);
    expect(end.cursor).toEqual({ row: 4, col: 8 });
    const middle = layout(text, { maxRows: 5, columns: 40, cursor: text.indexOf('line 4') });
    expect(middle.text).toEqual([
      '  … 2 more lines above',
      '  line 2',
      '  line 3',
      '  line 4',
      '  … 5 more lines below',
    ]);
    expect(middle.cursor).toEqual({ row: 3, col: 2 });
    const start = layout(text, { maxRows: 5, columns: 40, cursor: 0 });
    expect(start.text).toEqual([
      '› line 0',
      '  line 1',
      '  line 2',
      '  line 3',
      '  … 6 more lines below',
    ]);
  });

  it('never draws a row as wide as the terminal, and puts the cursor inside it', () => {
    const chars = fc.constantFrom('a', 'b', ' ', '世', '🇫🇷', '\n', '\t', 'é');
    fc.assert(
      fc.property(
        fc.array(chars, { maxLength: 80 }),
        fc.integer({ min: 2, max: 30 }),
        fc.integer({ min: 1, max: 12 }),
        fc.nat(),
        (units, columns, maxRows, at) => {
          const cursor = at % (units.length + 1);
          const result = layoutPrompt({ prompt: '› ', units, cursor, columns, maxRows });
          expect(result.rows.length).toBeLessThanOrEqual(maxRows);
          expect(result.rows.length).toBeGreaterThan(0);
          result.rows.forEach((row, i) => {
            expect(segmentsWidth(row)).toBe(result.widths[i]);
            expect(textWidth(row.map((s) => s.text).join(''))).toBeLessThanOrEqual(
              Math.max(2, columns - 1),
            );
          });
          expect(result.cursor.row).toBeLessThan(result.rows.length);
          expect(result.cursor.col).toBeLessThanOrEqual(Math.max(2, columns - 1));
        },
      ),
    );
  });
});
