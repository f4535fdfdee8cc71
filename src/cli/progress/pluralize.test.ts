import { describe, expect, it } from 'vitest';
import { pluralize } from './pluralize.js';

describe('pluralize', () => {
  it('makes English plurals of agent names', () => {
    expect(pluralize('reviewer', 5)).toBe('reviewers');
    expect(pluralize('reviewer', 1)).toBe('reviewer');
    expect(pluralize('agent', 0)).toBe('agents');
    expect(pluralize('summary', 2)).toBe('summaries');
    expect(pluralize('search', 2)).toBe('searches');
    expect(pluralize('fix-bug', 3)).toBe('fix-bugs');
  });
});
