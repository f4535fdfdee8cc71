import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.js';
import { readConfigFile } from './read-config-file.js';

let root: string;
let file: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'salvo-read-config-'));
  file = join(root, 'salvo.json');
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

/** The ConfigError reading `text` from `file` throws. */
function readError(text: string): ConfigError {
  writeFileSync(file, text);
  try {
    readConfigFile(file);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).file).toBe(file);
    expect((error as ConfigError).field).toBe('');
    expect((error as ConfigError).message).not.toContain('\n');
    return error as ConfigError;
  }
  throw new Error('readConfigFile did not throw');
}

describe('readConfigFile', () => {
  it('parses JSON, skipping a byte order mark', () => {
    writeFileSync(file, '\uFEFF{ "model": "m", "n": [1] }');
    expect(readConfigFile(file)).toEqual({ value: { model: 'm', n: [1] } });
  });

  it('skips a missing file unless it is required', () => {
    expect(readConfigFile(file)).toBeUndefined();
    expect(() => readConfigFile(file, { required: true })).toThrow(
      new ConfigError(file, '', 'no such file; check the path'),
    );
  });

  it('names the OS reason when the file cannot be read', () => {
    mkdirSync(file);
    expect(() => readConfigFile(file)).toThrow(/salvo\.json: cannot read the file: EISDIR: /);
  });

  it.each([
    ['{\n  "model": "x",\n}\n', 'line 3, column 1', 'remove the trailing comma before it'],
    ['{\n  "model": "x"\n  "maxSteps": 2\n}', 'line 3, column 3', "expected ',' or '}' after"],
    ['{\n  "model": }', 'line 2, column 12', 'unexpected `}`; fix the JSON there'],
    ['[1,,2]', 'line 1, column 4', 'unexpected `,`'],
    ['// settings\n{}', 'line 1, column 1', 'JSON has no comments'],
    ["{ 'model': 'x' }", 'line 1, column 3', 'double quotes'],
    ['{ model: "x" }', 'line 1, column 3', 'put property names in double quotes'],
    ['{ "model": "x"', 'line 1, column 15', 'close every `{`, `[` and `"` that is open'],
    ['{\n  "model": ', 'line 2, column 12', 'the text ends too early'],
    ['{}\n}', 'line 2, column 1', 'unexpected non-whitespace character after JSON'],
  ])('reports invalid JSON %j at its line and column', (text, where, what) => {
    const { message } = readError(text);
    expect(message).toContain(`${file}: invalid JSON at ${where}: `);
    expect(message).toContain(what);
  });

  it.each(['', '  \n'])('rejects an empty file %j, asking for {} at least', (text) => {
    expect(readError(text).message).toBe(`${file}: the file is empty; write \`{}\` at least`);
  });
});
