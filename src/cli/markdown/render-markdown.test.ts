import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stripColors } from '../../trace/sanitize-text.js';
import { renderMarkdown } from './render-markdown.js';
import { markdownDocument, widest } from './test-markdown.js';

const plain = (text: string, width = 80) => renderMarkdown(text, { width, color: false });
const styled = (text: string, width = 80) => renderMarkdown(text, { width, color: true });

const bold = '\u001b[1m';
const reset = '\u001b[0m';

const paragraph =
  'Salvo starts every call that can start now, holds back only the calls that truly conflict, ' +
  'asks for approval without stalling the rest, keeps every concurrency limit, and hands back ' +
  'exactly one result per call, in the model’s order, whatever fails: https://example.com/a/very/long/path/to/somewhere';

describe('renderMarkdown', () => {
  it('renders headings bold, with their marks, the first level underlined', () => {
    expect(plain('# Title\n\n### Third')).toEqual(['# Title', '', '### Third']);
    const [h1, , h3] = styled('# Title\n\n### Third');
    expect(h1).toBe(`${bold}# ${reset}\u001b[1;4mTitle${reset}`);
    expect(h3).toBe(`${bold}### ${reset}${bold}Third${reset}`);
  });

  it('styles bold, italic, struck and inline code; without colour only the text is left', () => {
    const text = 'a **b** *c* ~~d~~ `e()` **bold *both***';
    expect(plain(text)).toEqual(['a b c d e() bold both']);
    expect(styled(text)).toEqual([
      `a ${bold}b${reset} \u001b[3mc${reset} \u001b[9md${reset} \u001b[36me()${reset} ` +
        `${bold}bold ${reset}\u001b[3;1mboth${reset}`,
    ]);
  });

  it('shows where links go, and bare URLs once', () => {
    expect(plain('See [the docs](https://example.com/docs), <https://a.b> or www.c.d.')).toEqual([
      'See the docs (https://example.com/docs), https://a.b or www.c.d.',
    ]);
    expect(plain('![a diagram](d.png)')).toEqual(['[image: a diagram] (d.png)']);
  });

  it('keeps a single newline as a line break, entities decoded', () => {
    expect(plain('first line\nsecond &amp; last')).toEqual(['first line', 'second & last']);
  });

  it('keeps code blocks line for line behind a gutter: spaces, entities, long lines cut hard', () => {
    const code = '```ts\nfunction f() {\n\tif (a &amp;&amp; b)    return 1;\n\n}\n```';
    expect(plain(code)).toEqual([
      '│ function f() {',
      '│     if (a &amp;&amp; b)    return 1;',
      '│',
      '│ }',
    ]);
    const long = `\`\`\`\n${'x'.repeat(25)} ${'y'.repeat(10)}\n\`\`\``;
    expect(plain(long, 20)).toEqual([
      `│ ${'x'.repeat(18)}`,
      `│ ${'x'.repeat(7)} ${'y'.repeat(10)}`,
    ]);
    expect(styled('```\ncode\n```')).toEqual([`\u001b[2m│ ${reset}code`]);
  });

  it('indents nested lists, their continuation rows under the text, numbers aligned', () => {
    const text = [
      '- a first item long enough to wrap onto a second row',
      '  - nested, and long enough to wrap as well',
      '    - deeper',
      '- [ ] a task to do that also wraps around',
      '- [x] done',
      '',
      '9. nine',
      '10. ten',
    ].join('\n');
    expect(plain(text, 30)).toEqual([
      '• a first item long enough to',
      '  wrap onto a second row',
      '  ◦ nested, and long enough to',
      '    wrap as well',
      '    ▪ deeper',
      '• [ ] a task to do that also',
      '      wraps around',
      '• [x] done',
      '',
      ' 9. nine',
      '10. ten',
    ]);
  });

  it('separates the items of a loose list, and quotes with a mark on every row', () => {
    expect(plain('1. one\n\n2. two')).toEqual(['1. one', '', '2. two']);
    expect(plain('> a quote long enough to wrap\n>\n> > nested', 20)).toEqual([
      '> a quote long',
      '> enough to wrap',
      '>',
      '> > nested',
    ]);
  });

  it('fits a table to the width, squeezing its widest column, or shows one record per row', () => {
    const table = [
      '| name | size | note |',
      '|:-----|-----:|:----:|',
      '| a.ts | 12 | short |',
      '| b.ts | 3400 | a longer note that takes room |',
    ].join('\n');
    expect(plain(table)).toEqual([
      'name │ size │             note',
      '─────┼──────┼──────────────────────────────',
      'a.ts │   12 │             short',
      'b.ts │ 3400 │ a longer note that takes room',
    ]);
    expect(plain(table, 30)).toEqual([
      'name │ size │       note',
      '─────┼──────┼─────────────────',
      'a.ts │   12 │      short',
      'b.ts │ 3400 │  a longer note',
      '     │      │ that takes room',
    ]);
    expect(plain(table, 14)).toEqual([
      'name: a.ts',
      'size: 12',
      'note: short',
      '',
      'name: b.ts',
      'size: 3400',
      'note: a',
      '  longer note',
      '  that takes',
      '  room',
    ]);
    expect(styled('| h |\n|---|\n| v |')[0]).toBe(`${bold}h${reset}`);
  });

  it.each([50, 120])('wraps a long paragraph at word boundaries at %i columns', (width) => {
    const rows = plain(paragraph, width);
    expect(rows.length).toBeGreaterThan(1);
    expect(widest(rows)).toBeLessThanOrEqual(width);
    // Every word whole on one row (the URL is longer than a row only below 50 columns).
    expect(rows.join(' ').split(' ')).toEqual(paragraph.split(' '));
    // Greedy: no row could have taken the next row's first word.
    for (let i = 0; i + 1 < rows.length; i++) {
      const next = (rows[i + 1] as string).split(' ')[0] as string;
      expect((rows[i] as string).length + 1 + next.length).toBeGreaterThan(width);
    }
  });

  it('lets no escape sequence or control character of the text through; only its own styles', () => {
    const hostile =
      '# Ti\u001b[2Jtle\n\nBody \u001b]0;title\u0007text \u001b[8mhidden\u001b[0m ' +
      '\u009b31m c1 &#27;[5A entity &#x1b;]8;;x&#7; \u202e bidi `co\u001b[1Ade` \r\n' +
      '```\n\u001b[31mred\u001b[0m\tcode\n```\n';
    const rows = styled(hostile);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    const sequences = rows.join('\n').match(/\u001b[^m]*m?/g) ?? [];
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    for (const sequence of sequences) expect(sequence).toMatch(/^\u001b\[[0-9;]*m$/);
    const text = stripColors(rows.join('\n'));
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
    expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202e]/);
    expect(text).toContain('Title');
    expect(text).toContain('hidden');
    expect(text).toContain('code');
    expect(plain(hostile).join('\n')).toBe(text);
  });

  it('keeps the layout without colour: the same rows as with colour, with no escape', () => {
    fc.assert(
      fc.property(markdownDocument, fc.integer({ min: 20, max: 130 }), (text, width) => {
        const rows = plain(text, width);
        expect(rows.join('\n')).not.toContain('\u001b');
        expect(styled(text, width).map(stripColors)).toEqual(rows);
      }),
    );
  });

  it('never draws a row wider than the width (a word longer than a row is cut)', () => {
    fc.assert(
      fc.property(markdownDocument, fc.integer({ min: 20, max: 130 }), (text, width) => {
        expect(widest(plain(text, width))).toBeLessThanOrEqual(width);
      }),
    );
  });
});
