import { describe, expect, it } from 'vitest';
import { closestName, editDistance } from './closest-name.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['kitten', 'sitting', 3],
    ['modle', 'model', 1],
    ['abc', 'abc', 0],
  ])('%j to %j is %i', (a, b, distance) => {
    expect(editDistance(a, b)).toBe(distance);
    expect(editDistance(b, a)).toBe(distance);
  });
});

describe('closestName', () => {
  const names = ['model', 'maxSteps', 'maxDepth', 'baseUrl', 'system'];

  it('picks the nearest name within a few edits, ignoring case, - and _', () => {
    expect(closestName('modle', names)).toBe('model');
    expect(closestName('max-steps', names)).toBe('maxSteps');
    expect(closestName('MAXDEPTH', names)).toBe('maxDepth');
  });

  it('falls back to the one name containing it or contained in it', () => {
    expect(closestName('url', names)).toBe('baseUrl');
    expect(closestName('systemPrompt', names)).toBe('system');
    expect(closestName('max', names)).toBeUndefined(); // two names contain it
  });

  it('gives up when nothing is close', () => {
    expect(closestName('colour', names)).toBeUndefined();
    expect(closestName('', names)).toBeUndefined();
    expect(closestName('x', names)).toBeUndefined();
  });
});
