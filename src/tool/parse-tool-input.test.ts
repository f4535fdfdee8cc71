import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultMaxInputBytes, type ParsedInput, parseToolInput } from './parse-tool-input.js';

const options = { toolName: 'read_file' };

function messageOf(result: ParsedInput): string {
  if (result.ok) throw new Error('expected a failure');
  return result.message;
}

function nested(depth: number, leaf: unknown = 1): string {
  return `${'{"a":'.repeat(depth)}${JSON.stringify(leaf)}${'}'.repeat(depth)}`;
}

describe('parseToolInput', () => {
  it('parses a JSON object string', () => {
    expect(parseToolInput('{"path":"a.txt","n":[1,{"x":null}]}', options)).toEqual({
      ok: true,
      value: { path: 'a.txt', n: [1, { x: null }] },
    });
  });

  it('treats undefined, empty and blank strings as no arguments', () => {
    for (const raw of [undefined, '', '  \n\t ']) {
      expect(parseToolInput(raw, options)).toEqual({ ok: true, value: {} });
    }
  });

  it('passes a plain object through', () => {
    const input = { path: 'a', nested: { list: [1, 2] } };
    const result = parseToolInput(input, options);
    expect(result).toEqual({ ok: true, value: input });
    expect(result.ok && result.value).toBe(input);
    expect(parseToolInput(Object.assign(Object.create(null), { a: 1 }), options).ok).toBe(true);
  });

  it('explains malformed JSON', () => {
    const message = messageOf(parseToolInput('{"path": "a",}', options));
    expect(message).toMatch(
      /^Invalid input for read_file: the arguments are not valid JSON \(.+\)/,
    );
    expect(message).toContain('Send the arguments as one JSON object.');
  });

  it('refuses a 10 MB string argument, naming its size and the limit', () => {
    const raw = JSON.stringify({ content: 'x'.repeat(10 * 1024 * 1024) });
    expect(messageOf(parseToolInput(raw, options))).toMatch(
      /too large \(10 MB; the limit is 1 MB\)/,
    );
  });

  it('measures UTF-8 bytes, not UTF-16 units', () => {
    // 400,000 characters of 3 bytes each: under the limit in length, over it in bytes.
    const raw = JSON.stringify({ content: '€'.repeat(400_000) });
    expect(raw.length).toBeLessThan(defaultMaxInputBytes);
    expect(messageOf(parseToolInput(raw, options))).toContain('1.1 MB; the limit is 1 MB');
    expect(parseToolInput(raw, { ...options, maxInputBytes: 2 * 1024 * 1024 }).ok).toBe(true);
  });

  it('refuses a huge host object without serializing it', () => {
    const input = { files: Array.from({ length: 20 }, () => 'y'.repeat(100_000)) };
    expect(messageOf(parseToolInput(input, options))).toMatch(/too large \(over 1 MB/);
    // A sparse array with a billion holes is refused quickly, not walked.
    expect(messageOf(parseToolInput({ a: new Array(1e9) }, options))).toContain('too large');
  });

  it('refuses anything but an object, saying what it got', () => {
    const cases: Array<[unknown, string]> = [
      ['[1,2]', 'got an array'],
      ['42', 'got a number'],
      ['"hi"', 'got a string.'],
      ['null', 'got null'],
      ['true', 'got a boolean'],
      [null, 'got null'],
      [[], 'got an array'],
      [7, 'got a number'],
      [new Date(0), 'got a Date'],
      [new Map(), 'got a Map'],
      [new (class Options {})(), 'got an Options'],
      [() => {}, 'got a function'],
    ];
    for (const [raw, expected] of cases) {
      const message = messageOf(parseToolInput(raw, options));
      expect(message).toContain('arguments must be a JSON object');
      expect(message).toContain(expected);
    }
  });

  it('points out an object encoded twice', () => {
    const raw = JSON.stringify(JSON.stringify({ path: 'a' }));
    expect(messageOf(parseToolInput(raw, options))).toContain('send the object itself');
  });

  it('refuses __proto__ and constructor keys at any depth, naming the path', () => {
    expect(messageOf(parseToolInput('{"__proto__":{"polluted":1}}', options))).toContain(
      'the key "__proto__" (at __proto__) is not allowed',
    );
    expect(messageOf(parseToolInput('{"a":[{"b":{"__proto__":{}}}]}', options))).toContain(
      '(at a[0].b.__proto__)',
    );
    expect(
      messageOf(parseToolInput('{"opts":{"constructor":{"prototype":{}}}}', options)),
    ).toContain('the key "constructor" (at opts.constructor)');
    const host = { x: JSON.parse('{"__proto__": 1}') };
    expect(messageOf(parseToolInput(host, options))).toContain('(at x.__proto__)');
  });

  it('refuses deep nesting without overflowing the stack', () => {
    expect(parseToolInput(nested(100), options).ok).toBe(true);
    expect(messageOf(parseToolInput(nested(101), options))).toContain(
      'nested more than 100 levels',
    );
    expect(messageOf(parseToolInput(nested(100_000), options))).toContain('nested more than');

    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(messageOf(parseToolInput(cyclic, options))).toContain('nested more than');
  });

  it('reports a host object that cannot be read instead of throwing', () => {
    const hostile = {
      get boom(): never {
        throw new Error('getter failed');
      },
    };
    expect(messageOf(parseToolInput(hostile, options))).toContain(
      'could not be read (getter failed)',
    );
  });

  it('never pollutes a prototype', () => {
    for (const raw of [
      '{"__proto__":{"polluted":true}}',
      '{"constructor":{"prototype":{"polluted":true}}}',
      '{"a":{"b":[{"c":{"__proto__":{"polluted":true}}}]}}',
    ]) {
      const result = parseToolInput(raw, options);
      expect(result.ok).toBe(false);
      // Spreading or assigning what was returned must not reach Object.prototype either.
      Object.assign({}, result.ok ? result.value : {});
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('never throws and always explains a failure', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.jsonValue(), fc.anything()), (raw) => {
        const result = parseToolInput(raw, options);
        if (!result.ok) expect(result.message.length).toBeGreaterThan(0);
        else expect(typeof result.value).toBe('object');
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = parseToolInput(JSON.stringify(value), options);
        if (!result.ok) expect(result.message).toMatch(/^Invalid input for read_file: ./);
      }),
    );
  });
});
