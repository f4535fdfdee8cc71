import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createMatcher, matchLines, renderMatches } from './grep-match.js';
import { ToolError } from './tool-error.js';

describe('createMatcher', () => {
  it('skips the whole-text quick test for patterns it could mislead', () => {
    expect(createMatcher('foo', false).whole).toBeDefined();
    expect(createMatcher('foo$', false).whole).toBeUndefined();
    expect(createMatcher('(?<!a)b', false).whole).toBeUndefined();
    expect(createMatcher('a(?=b)', false).whole).toBeUndefined();
    expect(() => createMatcher('[', false)).toThrow(ToolError);
  });

  it('finds exactly the lines a per-line test finds (property)', () => {
    const patterns = ['a', '^a', 'b$', '^$', 'a.b', '\\bab', 'a\\s', '[^a]b', 'A', 'a|^b'];
    const text = fc
      .array(fc.constantFrom('a', 'b', ' ', '\n', '\r\n', 'ab', 'é'), { maxLength: 30 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, fc.constantFrom(...patterns), fc.boolean(), (body, pattern, ignoreCase) => {
        const matcher = createMatcher(pattern, ignoreCase);
        const lines = body.split('\n');
        if (body.endsWith('\n')) lines.pop();
        const expected = lines.flatMap((line, i) =>
          matcher.line.test(line.replace(/\r$/, '')) ? [i + 1] : [],
        );
        const found = matchLines({ text: body, matcher }).lines.flatMap((l) =>
          'n' in l && l.match ? [l.n] : [],
        );
        expect(found).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });
});

describe('matchLines and renderMatches', () => {
  it('stops at the limit and says the file had more', () => {
    const matcher = createMatcher('x', false);
    const result = matchLines({ text: 'x1\nx2\nx3\n', matcher, limit: 2 });
    expect(result).toMatchObject({ matches: 2, truncated: true });
    expect(renderMatches({ results: [{ path: 'f', file: result }], context: 0 })).toEqual([
      'f:1:x1',
      'f:2:x2',
    ]);
  });

  it('merges touching context ranges and separates files when context is shown', () => {
    const matcher = createMatcher('m', false);
    const file = matchLines({ text: 'm\n.\n.\nm\n.\n', matcher, context: 1 });
    expect(
      renderMatches({
        results: [
          { path: 'a', file },
          { path: 'b', file },
        ],
        context: 1,
      }),
    ).toEqual([
      'a:1:m',
      'a-2-.',
      'a-3-.',
      'a:4:m',
      'a-5-.',
      '--',
      'b:1:m',
      'b-2-.',
      'b-3-.',
      'b:4:m',
      'b-5-.',
    ]);
  });
});
