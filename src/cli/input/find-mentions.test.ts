import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMentions } from './find-mentions.js';

const paths = (text: string) => findMentions(text).map((m) => m.path);

describe('findMentions', () => {
  it('finds `@path` at the start of a word', () => {
    expect(paths('look at @src/a.ts and @README.md')).toEqual(['src/a.ts', 'README.md']);
    expect(paths('@first (see @second) [@third]')).toEqual(['first', 'second)', 'third]']);
  });

  it('offers the path without the punctuation that may end a sentence', () => {
    const [mention] = findMentions('is @src/a.ts.');
    expect(mention?.candidates).toEqual(['src/a.ts.', 'src/a.ts']);
    const [paren] = findMentions('(see @b.md),');
    expect(paren?.candidates).toEqual(['b.md),', 'b.md)', 'b.md']);
  });

  it('reads quoted paths and escaped spaces', () => {
    const [quoted, escaped] = findMentions('@"my file.md" and @other\\ file.txt now');
    expect(quoted).toMatchObject({ path: 'my file.md', quoted: true, raw: '@"my file.md"' });
    expect(escaped).toMatchObject({
      path: 'other file.txt',
      quoted: false,
      raw: '@other\\ file.txt',
    });
  });

  it('leaves email addresses, a lone @ and an unclosed quote alone', () => {
    expect(paths('mail me@example.com or a@b, @ alone, @"unclosed')).toEqual([]);
  });

  it('ignores @ inside code: fenced blocks and inline code', () => {
    const text = [
      'fix @a.ts',
      '```ts',
      '@Component({})',
      'class X { @Input() y }',
      '```',
      'and `@decorator` but @b.ts',
      '~~~',
      '@c.ts',
      '~~~',
      '@d.ts',
    ].join('\n');
    expect(paths(text)).toEqual(['a.ts', 'b.ts', 'd.ts']);
  });

  it('says where each mention is', () => {
    const text = 'x @a.ts y';
    const [mention] = findMentions(text);
    expect(text.slice(mention?.start, mention?.end)).toBe('@a.ts');
  });

  it('never throws, and every mention starts with an @ at a word start', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('@', 'a', ' ', '"', '`', '\n', '.', '/', '\\', '(') }),
        (text) => {
          for (const mention of findMentions(text)) {
            expect(text[mention.start]).toBe('@');
            expect(mention.start === 0 || /[\s([{<]/.test(text[mention.start - 1] as string)).toBe(
              true,
            );
            expect(mention.end).toBeGreaterThan(mention.start + 1);
            expect(mention.path).not.toBe('');
          }
        },
      ),
    );
  });
});
