import { describe, expect, it } from 'vitest';
import { nearestMatch, similarity } from './nearest-match.js';

describe('similarity', () => {
  it('is 1 for equal strings, 0 for strings without shared bigrams, in between otherwise', () => {
    expect(similarity('return x;', 'return x;')).toBe(1);
    expect(similarity('abc', 'xyz')).toBe(0);
    const close = similarity('readFileSync(path)', 'readFileSync(path, "utf8")');
    expect(close).toBeGreaterThan(0.6);
    expect(close).toBeLessThan(1);
    expect(similarity('', '')).toBe(1);
  });
});

describe('nearestMatch', () => {
  const text = ['alpha();', 'beta(1, 2);', 'gamma("x");', 'delta();', 'epsilon();'].join('\n');

  it('finds the window of lines most like the needle', () => {
    expect(nearestMatch({ text, needle: 'beta(1, 3);\ngamma("y");' })).toMatchObject({
      startLine: 2,
      endLine: 3,
      lines: ['beta(1, 2);', 'gamma("x");'],
    });
  });

  it('ignores whitespace differences and surrounding blank lines of the needle', () => {
    const match = nearestMatch({ text, needle: '\n   delta();  \n' });
    expect(match?.startLine).toBe(4);
    expect(match?.score).toBe(1);
  });

  it('finds the window even when the first needle line is wrong', () => {
    const match = nearestMatch({ text, needle: 'zzz();\ngamma("x");\ndelta();' });
    expect(match?.startLine).toBe(2);
    expect(match?.endLine).toBe(4);
  });

  it('returns nothing below the minimum score, and copes with needles longer than the text', () => {
    expect(nearestMatch({ text, needle: 'qqqqqqq' })).toBeUndefined();
    const long = nearestMatch({
      text: 'a();\nb();',
      needle: 'a();\nb();\nc();\nd();',
      minScore: 0,
    });
    expect(long).toMatchObject({ startLine: 1, endLine: 2 });
    expect(long?.score).toBeCloseTo(0.5);
  });

  it('stays fast on a large file', () => {
    const big = Array.from({ length: 20_000 }, (_, i) => `const value${i} = compute(${i});`).join(
      '\n',
    );
    const match = nearestMatch({ text: big, needle: 'const value12345 = compute(12346);' });
    expect(match?.startLine).toBe(12346);
  });
});
