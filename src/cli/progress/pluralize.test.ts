import { describe, expect, it } from 'vitest';
import { counted, pluralize } from './pluralize.js';

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

describe('counted', () => {
  it('says one thing in the singular, and zero or many in the plural', () => {
    expect(counted(1, 'tool call')).toBe('1 tool call');
    expect(counted(0, 'tool call')).toBe('0 tool calls');
    expect(counted(3, 'subagent')).toBe('3 subagents');
    expect(counted(2, 'match')).toBe('2 matches');
    expect(counted(2, 'entry')).toBe('2 entries');
    expect(counted(1, 'person', 'people')).toBe('1 person');
    expect(counted(4, 'person', 'people')).toBe('4 people');
  });
});
