import { describe, expect, it } from 'vitest';
import { formatDuration } from './format-duration.js';

describe('formatDuration', () => {
  it('shows tenths below ten seconds, then seconds, minutes and hours', () => {
    expect(formatDuration(0)).toBe('0.0s');
    expect(formatDuration(1249)).toBe('1.2s');
    expect(formatDuration(9999)).toBe('9.9s');
    expect(formatDuration(12_400)).toBe('12s');
    expect(formatDuration(65_000)).toBe('1m05s');
    expect(formatDuration(3_720_000)).toBe('1h02m');
  });

  it('reads negative and non-finite values as zero', () => {
    expect(formatDuration(-5)).toBe('0.0s');
    expect(formatDuration(Number.NaN)).toBe('0.0s');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('0.0s');
  });
});
