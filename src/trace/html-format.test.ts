import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisTicks } from './html-format.js';

describe('axisTicks', () => {
  it('a 1-2-5 step with about eight intervals, the last tick at or under the span', () => {
    expect(axisTicks(1000)).toEqual({ step: 200, ticks: [0, 200, 400, 600, 800, 1000] });
    expect(axisTicks(0)).toEqual({ step: 0, ticks: [0] });
    expect(axisTicks(Number.NaN)).toEqual({ step: 0, ticks: [0] });
  });

  it('ends for spans up to the largest double (a trace file can say anything)', () => {
    const { ticks } = axisTicks(Number.MAX_VALUE);
    expect(ticks.length).toBeGreaterThan(1);
    expect(ticks.length).toBeLessThanOrEqual(21);
    expect(ticks.every(Number.isFinite)).toBe(true);
  });

  it('property: any positive finite span gets 5 to 21 ticks, evenly spaced, covering it', () => {
    fc.assert(
      fc.property(
        fc.double({ min: Number.MIN_VALUE, noNaN: true, noDefaultInfinity: true }),
        (span) => {
          const { step, ticks } = axisTicks(span);
          expect(ticks.length).toBeGreaterThanOrEqual(2);
          expect(ticks.length).toBeLessThanOrEqual(21);
          expect(ticks[0]).toBe(0);
          expect(ticks[ticks.length - 1]).toBeLessThanOrEqual(span * (1 + 1e-9));
          expect((ticks.at(-1) as number) + step).toBeGreaterThan(span);
        },
      ),
    );
  });
});
