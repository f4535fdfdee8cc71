import { describe, expect, it } from 'vitest';
import { lineColumn } from './describe-json-error.js';
import { findJsonError } from './find-json-error.js';

/** Where V8's `JSON.parse` puts the error, when its message says so. */
function v8Position(text: string): number | undefined {
  try {
    JSON.parse(text);
    return undefined;
  } catch (error) {
    const match = /at position (\d+)/.exec((error as Error).message);
    return match ? Number(match[1]) : -1;
  }
}

describe('findJsonError', () => {
  it.each([
    '{}',
    ' [1, -2.5e+3, 0, "a\\"b\\u00e9", true, false, null, {"a": [{}]}] ',
    '"\\/\\b\\f\\n\\r\\t"',
    '-0.0E-0',
  ])('finds nothing wrong in valid JSON %j', (text) => {
    expect(v8Position(text)).toBeUndefined();
    expect(findJsonError(text)).toBeUndefined();
  });

  it.each([
    '{"a":1,}',
    '{a:1}',
    '{"a":1',
    '{"a":1}x',
    '"x',
    '{"a":"b\nc"}',
    "{'a':1}",
    '{"a":1 "b":2}',
    '{"a" 1}',
    '"\\x"',
    '"\\u12g4"',
    '01',
    '1.',
    '-',
    '1e+',
  ])('agrees with V8 where V8 gives a position: %j', (text) => {
    const expected = v8Position(text);
    expect(expected).not.toBeUndefined();
    if (expected !== -1) expect(findJsonError(text)).toBe(expected);
    else expect(findJsonError(text)).toBeTypeOf('number');
  });

  it.each([
    ['{"a": }', 6],
    ['[1,,2]', 3],
    ['[1,]', 3],
    ['// c\n{}', 0],
    ['tru', 3],
    ['{"a": nul}', 9],
    ['', 0],
  ])('points at the unexpected character in %j', (text, offset) => {
    expect(findJsonError(text)).toBe(offset);
  });

  it('gives no position rather than crash on nesting too deep for the stack', () => {
    const deep = `${'['.repeat(200_000)}x`;
    const found = findJsonError(deep);
    expect(found === undefined || found === 200_000).toBe(true);
  });
});

describe('lineColumn', () => {
  it('counts lines and columns from 1', () => {
    const text = 'ab\ncd\r\nef';
    expect(lineColumn(text, 0)).toEqual({ line: 1, column: 1 });
    expect(lineColumn(text, 4)).toEqual({ line: 2, column: 2 });
    expect(lineColumn(text, 8)).toEqual({ line: 3, column: 2 });
    expect(lineColumn(text, text.length)).toEqual({ line: 3, column: 3 });
  });
});
