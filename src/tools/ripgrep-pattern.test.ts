import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toRipgrepPattern } from './ripgrep-pattern.js';
import { requireRipgrep, tempDir } from './test-support.js';

const rg = requireRipgrep();
let dir: string;
let cleanup: () => Promise<void>;
beforeAll(async () => {
  ({ dir, cleanup } = await tempDir());
});
afterAll(() => cleanup());

/** The 1-based numbers of the lines rg matches with `pattern`. */
function ripgrepLines(pattern: string, lines: readonly string[]): Set<number> {
  const file = join(dir, 'lines.txt');
  writeFileSync(file, `${lines.join('\n')}\n`);
  try {
    const out = execFileSync(
      rg,
      [
        '--no-config',
        '--encoding=none',
        '--line-number',
        '--no-filename',
        '--regexp',
        pattern,
        file,
      ],
      { encoding: 'utf8' },
    );
    return new Set(
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => Number(l.split(':')[0])),
    );
  } catch (error) {
    if ((error as { status?: number }).status === 1) return new Set();
    throw error;
  }
}

/** The lines the JavaScript pattern matches, as grep matches them: without a final `\r`. */
function javascriptLines(regex: RegExp, lines: readonly string[]): number[] {
  return lines.flatMap((line, i) => (regex.test(line.replace(/\r$/, '')) ? [i + 1] : []));
}

const atom = fc.constantFrom(
  'a',
  'b',
  'é',
  '😀',
  '.',
  '\\d',
  '\\w',
  '\\s',
  '\\S',
  '\\W',
  '\\D',
  '[a-c]',
  '[^a]',
  '[\\s\\S]',
  '[\\uD800-\\uDFFF]',
  '\\b',
  '\\B',
  '^',
  '$',
  '(?=a)',
  '(?!b)',
  '(?<=a)',
  '(a)\\1',
  '{',
  ']',
  '\\.',
  '\\u00e9',
  '\\x41',
  '(?:a|b)',
  '[\\d_]',
  'k',
  's',
  '[^s]',
  '[k-s]',
);
const quantifier = fc.constantFrom('', '', '*', '+', '?', '{1,2}', '{2}');
const jsPattern = fc
  .array(fc.tuple(atom, quantifier), { minLength: 1, maxLength: 5 })
  .chain((parts) =>
    fc.constantFrom('', '|b').map((tail) => parts.map(([a, q]) => a + q).join('') + tail),
  );
const line = fc
  .array(
    fc.constantFrom(
      'a',
      'b',
      'A',
      'é',
      'É',
      '😀',
      '\r',
      ' ',
      '1',
      '_',
      'x',
      '\u2028',
      '\u2029',
      '\u0085',
      '\uFEFF',
      '\u00A0',
      'K',
      '\u212A',
      'ſ',
      '\t',
      '.',
    ),
    {
      maxLength: 8,
    },
  )
  .map((p) => p.join(''));

describe('toRipgrepPattern', () => {
  it('matches every line the JavaScript pattern matches (and maybe more)', () => {
    fc.assert(
      fc.property(
        jsPattern,
        fc.boolean(),
        fc.array(line, { minLength: 1, maxLength: 12 }),
        (pattern, ignoreCase, lines) => {
          let regex: RegExp;
          try {
            regex = new RegExp(pattern, ignoreCase ? 'i' : '');
          } catch {
            return; // not a pattern grep takes
          }
          const translated = toRipgrepPattern(pattern, ignoreCase);
          if (translated === undefined) return;
          const found = ripgrepLines(translated, lines);
          for (const n of javascriptLines(regex, lines)) expect(found, `line ${n}`).toContain(n);
        },
      ),
      { numRuns: 150 },
    );
  }, 120_000);

  it('keeps the meaning of \\d, \\w, \\s and \\b, and finds nothing more for plain patterns', () => {
    const lines = ['x٣y', 'café', 'a\u0085b', 'a\uFEFFb', 'née', 'foo_bar', 'foo-bar', 'TODO done'];
    for (const [pattern, expected] of [
      ['x\\dy', []], // an Arabic-Indic digit is no \d in JavaScript
      ['caf\\w', []],
      ['a\\sb', [4]], // U+FEFF is \s in JavaScript, U+0085 is not
      ['\\bbar', [7]],
      ['TODO', [8]],
      ['é', [2, 5]],
    ] as const) {
      const translated = toRipgrepPattern(pattern, false) as string;
      expect([...ripgrepLines(translated, lines)], pattern).toEqual(expected);
    }
  });

  it('gives up on what it cannot say in ripgrep: lone surrogates, an empty class, a line break', () => {
    for (const pattern of ['\\uD83D', '[]', 'a\\nb', '😀+', '(?<x>a)\\k<x>', 'a(']) {
      const translated = toRipgrepPattern(pattern, false);
      if (pattern === '(?<x>a)\\k<x>') expect(translated).toBe('(?:a)(?:.*)');
      else expect(translated, pattern).toBeUndefined();
    }
  });
});
