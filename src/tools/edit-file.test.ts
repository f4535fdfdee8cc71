import { lstat, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { occurrences } from './edit-file.js';
import { errorCode, makeFifo, runTool, tempDir, textOf, writeTree } from './test-support.js';

let root: string;
let outside: string;
let tools: Tool[];
const cleanups: (() => Promise<void>)[] = [];

const source = [
  'export function load(path: string) {',
  '  const text = readFileSync(path);',
  '  return parse(text);',
  '}',
  '',
  'export function save(path: string, value: unknown) {',
  '  writeFileSync(path, serialize(value));',
  '}',
  '',
].join('\n');

beforeEach(async () => {
  const a = await tempDir();
  const b = await tempDir();
  cleanups.push(a.cleanup, b.cleanup);
  root = await realpath(a.dir);
  outside = await realpath(b.dir);
  await writeTree(root, { 'src/io.ts': source, 'crlf.txt': 'one\r\ntwo\r\nthree\r\n' });
  await writeTree(outside, { 'secret.txt': 'keep me' });
  tools = builtinTools({ root, maxFileBytes: 4096 });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const edit = (input: unknown) => runTool(tools, 'edit_file', input);
const content = (path: string) => readFile(join(root, path), 'utf8');

describe('edit_file', () => {
  it('replaces one exact occurrence and reports the line', async () => {
    const result = await edit({
      path: 'src/io.ts',
      old_string: '  return parse(text);',
      new_string: '  return parse(text, { strict: true });',
    });
    expect(textOf(result)).toBe('Replaced 1 occurrence in `src/io.ts` (line 3).');
    expect(await content('src/io.ts')).toBe(
      source.replace('parse(text);', 'parse(text, { strict: true });'),
    );
  });

  it('inserts `$&` and other replacement patterns literally', async () => {
    await edit({ path: 'src/io.ts', old_string: 'parse(text)', new_string: "$&.x + '$1'" });
    expect(await content('src/io.ts')).toContain("return $&.x + '$1';");
  });

  it('refuses an old_string that occurs more than once, naming the lines', async () => {
    const result = await edit({ path: 'src/io.ts', old_string: 'path', new_string: 'file' });
    expect(result.status).toBe('error');
    expect(errorCode(result)).toBe('text-not-unique');
    expect(textOf(result)).toContain('old_string occurs 4 times in `src/io.ts` (lines 1, 2, 6, 7)');
    expect(textOf(result)).toContain('replace_all');
    expect(await content('src/io.ts')).toBe(source);
  });

  it('replaces every occurrence with replace_all', async () => {
    const result = await edit({
      path: 'src/io.ts',
      old_string: 'path',
      new_string: 'file',
      replace_all: true,
    });
    expect(textOf(result)).toBe('Replaced 4 occurrences in `src/io.ts` (first at line 1).');
    expect(await content('src/io.ts')).toBe(source.replaceAll('path', 'file'));
  });

  it('shows the most similar lines when old_string is not found', async () => {
    const result = await edit({
      path: 'src/io.ts',
      old_string: '  const text = readFileSync(path, "utf8");\n  return parse(text)',
      new_string: 'x',
    });
    expect(errorCode(result)).toBe('text-not-found');
    const text = textOf(result);
    expect(text).toContain('old_string was not found in `src/io.ts`');
    expect(text).toMatch(/most similar text is at lines 2-3 \(\d+% similar\)/);
    expect(text).toContain('2\t  const text = readFileSync(path);\n3\t  return parse(text);');
    expect(await content('src/io.ts')).toBe(source);
  });

  it('says when the only difference is whitespace', async () => {
    const result = await edit({
      path: 'src/io.ts',
      old_string: '    writeFileSync(path, serialize(value));',
      new_string: 'x',
    });
    expect(textOf(result)).toContain('at line 7 (the same text with different whitespace)');
  });

  it('says when nothing is similar', async () => {
    const result = await edit({ path: 'src/io.ts', old_string: 'zzzz qqqq', new_string: 'x' });
    expect(textOf(result)).toContain('nothing similar either. Read the file again');
  });

  it("matches a CRLF file's line breaks for text given with LF", async () => {
    const result = await edit({ path: 'crlf.txt', old_string: 'one\ntwo', new_string: '1\n2' });
    expect(result.status).toBe('success');
    expect(await content('crlf.txt')).toBe('1\r\n2\r\nthree\r\n');
  });

  it('refuses a named pipe without blocking, and leaves it a pipe', async () => {
    makeFifo(join(root, 'pipe'));
    const result = await edit({ path: 'pipe', old_string: 'a', new_string: 'b' });
    expect(errorCode(result)).toBe('not-a-file');
    expect(textOf(result)).toContain('`pipe` is a named pipe (FIFO), not a regular file');
    expect((await lstat(join(root, 'pipe'))).isFIFO()).toBe(true);
  });

  it('refuses empty and unchanged edits, missing files, binary and huge files', async () => {
    const empty = await edit({ path: 'src/io.ts', old_string: '', new_string: 'x' });
    expect(errorCode(empty)).toBe('bad-edit');
    expect(textOf(empty)).toContain('write_file');
    const same = await edit({ path: 'src/io.ts', old_string: 'load', new_string: 'load' });
    expect(errorCode(same)).toBe('bad-edit');
    const missing = await edit({ path: 'src/nope.ts', old_string: 'a', new_string: 'b' });
    expect(errorCode(missing)).toBe('not-found');
    await writeFile(join(root, 'bin'), Buffer.from([1, 0, 2]));
    expect(errorCode(await edit({ path: 'bin', old_string: 'a', new_string: 'b' }))).toBe(
      'binary-file',
    );
    await writeFile(join(root, 'huge.txt'), 'a'.repeat(5000));
    expect(errorCode(await edit({ path: 'huge.txt', old_string: 'a', new_string: 'b' }))).toBe(
      'file-too-large',
    );
  });

  it('refuses files outside the workspace and leaves them untouched', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'link'));
    for (const path of ['../secret.txt', join(outside, 'secret.txt'), 'link']) {
      const result = await edit({ path, old_string: 'keep', new_string: 'lose' });
      expect(errorCode(result)).toBe('outside-workspace');
    }
    expect(await readFile(join(outside, 'secret.txt'), 'utf8')).toBe('keep me');
  });

  it('runs edits of one file in call order, each on the result of the previous one', async () => {
    const { Scheduler } = await import('../schedule/scheduler.js');
    const scheduler = new Scheduler({ tools, approvalMode: 'auto-edit' });
    const { results } = await scheduler.run(
      ['a', 'b', 'c', 'd'].map((letter, i) => ({
        id: `e${i}`,
        name: 'edit_file',
        input: { path: 'src/io.ts', old_string: 'load', new_string: `load${letter}` },
      })),
    );
    expect(results.map((r) => r.status)).toEqual(['success', 'success', 'success', 'success']);
    expect(await content('src/io.ts')).toContain('export function loaddcba(path: string)');
  });
});

describe('occurrences', () => {
  it('finds non-overlapping occurrences from the left', () => {
    expect(occurrences('aaaa', 'aa')).toEqual([0, 2]);
    expect(occurrences('abc', 'x')).toEqual([]);
  });
});
