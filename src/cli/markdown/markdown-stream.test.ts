import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MarkdownStream } from './markdown-stream.js';
import { type MarkdownLayout, renderMarkdown } from './render-markdown.js';
import { markdownDocument } from './test-markdown.js';

const layout: MarkdownLayout = { width: 50, color: false };

/** Every row the stream returns for `deltas`, pushed in turn, then its end. */
function streamed(deltas: readonly string[], at: MarkdownLayout = layout): string[] {
  const stream = new MarkdownStream();
  const rows: string[] = [];
  for (const delta of deltas) rows.push(...stream.push(delta, at));
  rows.push(...stream.end(at));
  return rows;
}

/** `text` cut at the given offsets (sorted, deduplicated, inside the text). */
function cut(text: string, offsets: readonly number[]): string[] {
  const points = [...new Set(offsets.map((o) => o % (text.length + 1)))].sort((a, b) => a - b);
  const parts: string[] = [];
  let from = 0;
  for (const point of points) {
    parts.push(text.slice(from, point));
    from = point;
  }
  parts.push(text.slice(from));
  return parts;
}

describe('MarkdownStream', () => {
  it('returns each block once it is complete, and shows the one being written as pending', () => {
    const stream = new MarkdownStream();
    expect(stream.push('# Plan\nFirst ', layout)).toEqual(['# Plan']);
    expect(stream.pending(layout)).toEqual(['', 'First']);
    expect(stream.push('para', layout)).toEqual([]);
    expect(stream.pending(layout)).toEqual(['', 'First para']);
    // A paragraph ends at a blank line.
    expect(stream.push('graph.\n\n```sh\nnpm', layout)).toEqual(['', 'First paragraph.']);
    expect(stream.pending(layout)).toEqual(['', '│ npm']);
    expect(stream.push(' test\n', layout)).toEqual([]);
    // A code block ends at its closing fence, not before.
    expect(stream.push('```\n', layout)).toEqual(['', '│ npm test']);
    expect(stream.pending(layout)).toEqual([]);
    // A list may go on after a blank line: it waits for what comes next.
    expect(stream.push('- one\n- two\n\n', layout)).toEqual([]);
    expect(stream.pending(layout)).toEqual(['', '• one', '• two']);
    expect(stream.push('Done', layout)).toEqual([]);
    expect(stream.push('.\n', layout)).toEqual(['', '• one', '• two']);
    expect(stream.end(layout)).toEqual(['', 'Done.']);
    expect(stream.empty).toBe(true);
    // The next answer starts anew: no empty row before its first block.
    expect(stream.push('Next.\n\n', layout)).toEqual(['Next.']);
  });

  it('does not take a line for a paragraph before it is complete (setext headings, tables)', () => {
    const stream = new MarkdownStream();
    expect(stream.push('Title\n', layout)).toEqual([]);
    expect(stream.push('=====\n', layout)).toEqual(['# Title']);
    expect(stream.push('| a | b |\n', layout)).toEqual([]);
    expect(stream.push('|---|---|\n| 1 | 2 |\n\n', layout)).toEqual([
      '',
      'a │ b',
      '──┼──',
      '1 │ 2',
    ]);
  });

  it('gives what a cancel cut off mid-block at the end, and nothing twice', () => {
    const stream = new MarkdownStream();
    const rows = [...stream.push('Intro.\n\n```js\nconst a = 1;\nconst b', layout)];
    expect(rows).toEqual(['Intro.']);
    rows.push(...stream.end(layout));
    expect(rows).toEqual(['Intro.', '', '│ const a = 1;', '│ const b']);
  });

  it('renders each block at the width it is given when it is complete (resizes)', () => {
    const stream = new MarkdownStream();
    const words = 'one two three four five six seven eight nine ten';
    expect(stream.push(`${words}\n\n`, { width: 20, color: false })).toEqual([
      'one two three four',
      'five six seven eight',
      'nine ten',
    ]);
    expect(stream.push(`${words}\n\n`, { width: 30, color: false })).toEqual([
      '',
      'one two three four five six',
      'seven eight nine ten',
    ]);
    expect(stream.pending({ width: 30, color: false })).toEqual([]);
  });

  it('removes an escape sequence split across deltas, as it would whole', () => {
    const deltas = ['Say \u001b', '[3', '1mred\u001b]0;ti', 'tle\u0007 and \ud83d', '\ude00 ok\n'];
    expect(streamed(deltas)).toEqual(['Say red and 😀 ok']);
    expect(streamed([deltas.join('')])).toEqual(['Say red and 😀 ok']);
    // One never finished is taken apart at the end as it would be whole.
    expect(streamed(['text \u001b[38;5', ';1'])).toEqual(
      renderMarkdown('text \u001b[38;5;1', layout),
    );
    expect(streamed(['text \u001b[38;5']).join('')).not.toContain('\u001b');
  });

  it('gives the same rows however the text is cut into deltas', () => {
    fc.assert(
      fc.property(
        markdownDocument,
        fc.array(fc.nat(), { maxLength: 30 }),
        fc.integer({ min: 20, max: 130 }),
        (text, offsets, width) => {
          const at = { width, color: true };
          const whole = streamed([text], at);
          expect(streamed(cut(text, offsets), at)).toEqual(whole);
          // And the same as the whole answer rendered at once.
          expect(whole).toEqual(renderMarkdown(text, at));
        },
      ),
    );
  });

  it('gives the same rows delivered one character at a time', () => {
    fc.assert(
      fc.property(markdownDocument, (text) => {
        expect(streamed([...text])).toEqual(renderMarkdown(text, layout));
      }),
      { numRuns: 30 },
    );
  });
});
