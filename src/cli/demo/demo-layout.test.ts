import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textWidth } from '../progress/index.js';
import { type ComparisonRow, comparisonRows, wrapProse } from './demo-layout.js';

const rows: ComparisonRow[] = [
  { label: 'wall time', values: ['12.34 s', '2.50 s'] },
  { label: 'tool calls', values: ['55', '55'] },
  { label: 'most tool calls at once', values: ['1', '8'] },
];
const contenders = ['one at a time', 'salvo'];

describe('comparisonRows', () => {
  it('is a table with right-aligned columns where it fits', () => {
    expect(comparisonRows(contenders, rows, 50)).toEqual([
      '                           one at a time   salvo',
      '  wall time                      12.34 s  2.50 s',
      '  tool calls                          55      55',
      '  most tool calls at once              1       8',
    ]);
  });

  it('gives one row per measure where the table does not fit, wrapped if need be', () => {
    expect(comparisonRows(contenders, rows, 40)).toEqual([
      '  (one at a time / salvo)',
      '  wall time: 12.34 s / 2.50 s',
      '  tool calls: 55 / 55',
      '  most tool calls at once: 1 / 8',
    ]);
    expect(comparisonRows(contenders, rows, 24)).toContain('  most tool calls at');
  });

  it('never gives a row wider than the columns, for any labels and values that fit a word', () => {
    const word = fc.stringMatching(/^[a-z0-9.]{1,8}$/);
    const text = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' '));
    fc.assert(
      fc.property(
        fc.array(fc.record({ label: text, values: fc.tuple(word, word) }), { maxLength: 6 }),
        fc.integer({ min: 20, max: 140 }),
        (table, columns) => {
          for (const row of comparisonRows(contenders, table, columns)) {
            expect(textWidth(row)).toBeLessThanOrEqual(columns);
          }
        },
      ),
    );
  });
});

describe('wrapProse', () => {
  it('breaks between words, keeps the indent, and keeps a word too long for a row whole', () => {
    expect(wrapProse('short', 50)).toEqual(['short']);
    expect(wrapProse('  one two three four five six', 16)).toEqual([
      '  one two three',
      '  four five six',
    ]);
    const path = `/tmp/${'x'.repeat(40)}/report.html`;
    expect(wrapProse(`see ${path} now`, 30)).toEqual(['see', path, 'now']);
    expect(wrapProse('no limit', Number.POSITIVE_INFINITY)).toEqual(['no limit']);
  });
});
