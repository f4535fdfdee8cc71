import { describe, expect, it } from 'vitest';
import { emptyOutcomes, outcomeOf, outcomeWords } from './call-outcomes.js';

describe('call outcomes', () => {
  it('counts timeouts as failures, and denials and cancellations on their own', () => {
    expect(outcomeWords(emptyOutcomes())).toEqual([]);
    expect(outcomeWords({ success: 4, error: 1, timeout: 1, denied: 2, cancelled: 1 })).toEqual([
      '2 failed',
      '2 denied',
      '1 cancelled',
    ]);
    expect(outcomeWords({ denied: 1 })).toEqual(['1 denied']);
  });

  it('reads an unknown status as an error', () => {
    expect(outcomeOf('denied')).toBe('denied');
    expect(outcomeOf('weird')).toBe('error');
    expect(outcomeOf(undefined)).toBe('error');
  });
});
