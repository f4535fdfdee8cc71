import { describe, expect, it } from 'vitest';
import { formatFigures, formatProgress } from './format-progress.js';

describe('formatProgress', () => {
  it('shows counts as n/total and fractions as a percentage', () => {
    expect(formatFigures({ progress: 3, total: 10 })).toBe('3/10');
    expect(formatFigures({ progress: 45, total: 100 })).toBe('45%');
    expect(formatFigures({ progress: 0.25, total: 1 })).toBe('25%');
    expect(formatFigures({ progress: 1.5, total: 4 })).toBe('37%');
    expect(formatFigures({ progress: 7 })).toBe('7');
    expect(formatFigures({ progress: 120, total: 100 })).toBe('100%');
  });

  it('adds the message, and leaves out what is missing', () => {
    expect(formatProgress({ progress: 3, total: 10, message: 'reading' })).toBe('3/10 reading');
    expect(formatProgress({ message: 'connecting' })).toBe('connecting');
    expect(formatProgress({ progress: Number.NaN })).toBe('');
    expect(formatProgress(undefined)).toBe('');
  });
});
