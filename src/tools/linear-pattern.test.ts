import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isLinearPattern } from './linear-pattern.js';

describe('isLinearPattern', () => {
  it('takes literals, classes, `.`, anchors, escapes and plain alternatives', () => {
    for (const pattern of [
      'TODO',
      'foo|qux',
      '^x$',
      'ba.',
      'export function parse',
      '\\bload\\b|\\.save\\(',
      '[a-z(+*]x[^]',
      '\\x41\\u00e9\\d\\s\\w',
      '3;$',
    ]) {
      expect(isLinearPattern(pattern), pattern).toBe(true);
    }
  });

  it('refuses quantifiers, groups, lookarounds, backreferences and anything unclear', () => {
    for (const pattern of [
      '(a+)+$',
      '^(\\w+\\s?)+$',
      'import .* from',
      'a?',
      'a{2}',
      '\\u{61}',
      '(?<=x)y',
      '(a)\\1',
      '(?<n>a)\\k<n>',
      '[abc',
      'a\\',
      'x'.repeat(101),
    ]) {
      expect(isLinearPattern(pattern), pattern).toBe(false);
    }
  });

  it('never takes a pattern with a quantifier or a group outside a class (property)', () => {
    const piece = fc.constantFrom(
      'a',
      '.',
      '\\d',
      '\\(',
      '[+(]',
      '|',
      '^',
      '$',
      '+',
      '*',
      '?',
      '(',
      ')',
      '{2}',
      '\\1',
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const pattern = pieces.join('');
        const bare = pattern.replace(/\\./g, '').replace(/\[[^\]]*\]/g, '');
        if (/[()*+?{}]/.test(bare) || /\\[1-9]/.test(pattern)) {
          expect(isLinearPattern(pattern)).toBe(false);
        }
      }),
    );
  });
});
