import { chmod, lstat, readFile, realpath, stat, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import {
  claimsOf,
  errorCode,
  makeFifo,
  runTool,
  tempDir,
  textOf,
  toolNamed,
  writeTree,
} from './test-support.js';
import { countLines } from './write-file.js';

let root: string;
let outside: string;
let tools: Tool[];
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const a = await tempDir();
  const b = await tempDir();
  cleanups.push(a.cleanup, b.cleanup);
  root = await realpath(a.dir);
  outside = await realpath(b.dir);
  await writeTree(root, { 'old.txt': 'old\n', 'src/x.ts': 'x' });
  tools = builtinTools({ root });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const write = (input: unknown) => runTool(tools, 'write_file', input);

describe('write_file', () => {
  it('creates a file and its folders, or replaces one, and says which', async () => {
    expect(textOf(await write({ path: 'new/deep/a.txt', content: 'one\ntwo\n' }))).toBe(
      'Created `new/deep/a.txt` (2 lines, 8 bytes).',
    );
    expect(await readFile(join(root, 'new/deep/a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(textOf(await write({ path: 'old.txt', content: 'new' }))).toBe(
      'Replaced `old.txt` (1 line, 3 bytes).',
    );
    expect(await readFile(join(root, 'old.txt'), 'utf8')).toBe('new');
  });

  it('refuses to replace a named pipe with a file', async () => {
    makeFifo(join(root, 'pipe'));
    const result = await write({ path: 'pipe', content: 'x' });
    expect(errorCode(result)).toBe('not-a-file');
    expect(textOf(result)).toContain('`pipe` is a named pipe (FIFO), not a regular file');
    expect((await lstat(join(root, 'pipe'))).isFIFO()).toBe(true);
  });

  it("keeps an existing file's permissions", async () => {
    await chmod(join(root, 'old.txt'), 0o754);
    await write({ path: 'old.txt', content: 'changed' });
    expect((await stat(join(root, 'old.txt'))).mode & 0o777).toBe(0o754);
  });

  it('writes through a symlink inside the workspace, leaving the link in place', async () => {
    await symlink('src/x.ts', join(root, 'x-link.ts'));
    await write({ path: 'x-link.ts', content: 'through' });
    expect(await readFile(join(root, 'src/x.ts'), 'utf8')).toBe('through');
    expect(await realpath(join(root, 'x-link.ts'))).toBe(join(root, 'src/x.ts'));
  });

  it('refuses paths outside: traversal, absolute, symlinked file and folder', async () => {
    await symlink(join(outside, 'target.txt'), join(root, 'file-link'));
    await writeTree(outside, { 'target.txt': 'safe' });
    await symlink(outside, join(root, 'dir-link'));
    for (const path of [
      '../evil.txt',
      join(outside, 'evil.txt'),
      'file-link',
      'dir-link/evil.txt',
    ]) {
      const result = await write({ path, content: 'evil' });
      expect(errorCode(result)).toBe('outside-workspace');
    }
    expect(await readFile(join(outside, 'target.txt'), 'utf8')).toBe('safe');
    await expect(stat(join(outside, 'evil.txt'))).rejects.toThrow();
  });

  it('refuses a folder, and a path through a file', async () => {
    expect(errorCode(await write({ path: 'src', content: 'x' }))).toBe('not-a-file');
    expect(errorCode(await write({ path: 'old.txt/inner', content: 'x' }))).toBe('not-a-directory');
  });

  it('claims a write of the file, and asks for approval', async () => {
    const tool = toolNamed(tools, 'write_file');
    expect(await claimsOf(tool, { path: 'a/b.txt', content: '' })).toEqual([
      { key: `fs:${join(root, 'a/b.txt')}`, mode: 'write' },
    ]);
    expect(tool.approval).toBe('ask');
  });
});

describe('countLines', () => {
  it('counts a last line without a line break, and no line in an empty text', () => {
    expect([countLines(''), countLines('a'), countLines('a\n'), countLines('a\nb')]).toEqual([
      0, 1, 1, 2,
    ]);
  });
});
