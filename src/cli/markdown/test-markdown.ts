// Shared by the Markdown tests: random documents a model could write, and checks on rows.
import fc from 'fast-check';
import { stripColors } from '../../trace/sanitize-text.js';
import { textWidth } from '../progress/text-width.js';

const word = fc.constantFrom(
  'salvo',
  'runs',
  'tool',
  'calls',
  'in',
  'parallel',
  'a',
  'claims',
  'conflict',
  'write',
  'extraordinarily-long-hyphenated-identifier',
  'x',
  'the',
  '日本語',
  'naïve',
);
const words = (min: number, max: number) =>
  fc.array(word, { minLength: min, maxLength: max }).map((ws) => ws.join(' '));
/** Inline text with some emphasis, code and links. */
const inline = fc
  .array(
    fc.oneof(
      { weight: 6, arbitrary: words(1, 6) },
      { weight: 1, arbitrary: words(1, 3).map((w) => `**${w}**`) },
      { weight: 1, arbitrary: words(1, 3).map((w) => `*${w}*`) },
      { weight: 1, arbitrary: word.map((w) => `\`${w}()\``) },
      { weight: 1, arbitrary: word.map((w) => `[${w}](https://example.com/${w})`) },
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(' '));

const block = fc.oneof(
  inline.map((text) => `# ${text.replace(/\n/g, ' ')}`),
  fc.array(inline, { minLength: 1, maxLength: 3 }).map((lines) => lines.join('\n')),
  fc
    .array(fc.tuple(fc.boolean(), inline), { minLength: 1, maxLength: 4 })
    .map((items) => items.map(([nested, text]) => `${nested ? '  - ' : '- '}${text}`).join('\n')),
  fc
    .array(inline, { minLength: 1, maxLength: 3 })
    .map((items) => items.map((text, i) => `${i + 1}. ${text}`).join('\n')),
  fc
    .array(words(0, 12), { minLength: 1, maxLength: 4 })
    .map((lines) => `\`\`\`ts\n${lines.map((l) => `  ${l}`).join('\n')}\n\`\`\``),
  inline.map((text) => `> ${text}`),
  fc
    .array(fc.tuple(word, words(1, 4)), { minLength: 1, maxLength: 3 })
    .map(
      (rows) =>
        `| name | value |\n|---|---|\n${rows.map(([a, b]) => `| ${a} | ${b} |`).join('\n')}`,
    ),
  fc.constant('---'),
);

/** A Markdown answer of a few blocks, separated as a model separates them. */
export const markdownDocument = fc
  .array(block, { minLength: 1, maxLength: 6 })
  .map((blocks) => `${blocks.join('\n\n')}\n`);

/** The widest row, in terminal columns, colours aside. */
export function widest(rows: readonly string[]): number {
  return Math.max(0, ...rows.map((row) => textWidth(stripColors(row))));
}
