import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mostAtOnce } from './most-at-once.js';

describe('mostAtOnce', () => {
  it('counts overlapping spans, not back-to-back ones, and skips unknown ones', () => {
    expect(mostAtOnce([])).toBe(0);
    expect(
      mostAtOnce([
        [0, 10],
        [10, 20],
      ]),
    ).toBe(1);
    expect(
      mostAtOnce([
        [0, 10],
        [5, 20],
        [6, 7],
        [undefined, 9],
      ]),
    ).toBe(3);
  });

  it('equals the most spans holding any one start point', () => {
    const span = fc
      .tuple(fc.integer({ min: 0, max: 50 }), fc.integer({ min: 1, max: 20 }))
      .map(([s, d]) => [s, s + d] as const);
    fc.assert(
      fc.property(fc.array(span, { maxLength: 30 }), (spans) => {
        const byPoint = Math.max(
          0,
          ...spans.map(([at]) => spans.filter(([s, e]) => s <= at && at < e).length),
        );
        expect(mostAtOnce(spans)).toBe(byPoint);
      }),
    );
  });
});
