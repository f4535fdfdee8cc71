import { realpath, symlink, truncate, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
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
  await writeTree(root, {
    'src/main.ts': 'one\ntwo\nthree\nfour\nfive\n',
    'src/crlf.txt': 'a\r\nb\r\n',
    'empty.txt': '',
  });
  await writeTree(outside, { 'secret.txt': 'top secret' });
  tools = builtinTools({ root, maxFileBytes: 64 * 1024, maxReadBytes: 1000 });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const read = (input: unknown) => runTool(tools, 'read_file', input);

describe('read_file', () => {
  it('returns numbered lines, without carriage returns', async () => {
    expect(textOf(await read({ path: 'src/main.ts' }))).toBe(
      '1\tone\n2\ttwo\n3\tthree\n4\tfour\n5\tfive',
    );
    expect(textOf(await read({ path: 'src/crlf.txt' }))).toBe('1\ta\n2\tb');
  });

  it('reads a range and says how to read on', async () => {
    expect(textOf(await read({ path: 'src/main.ts', offset: 2, limit: 2 }))).toBe(
      '2\ttwo\n3\tthree\n[Lines 2-3 of 5. To read on, call read_file with offset: 4.]',
    );
    expect(textOf(await read({ path: 'src/main.ts', offset: 4 }))).toBe('4\tfour\n5\tfive');
  });

  it('caps the output in bytes and says where to read on', async () => {
    const lines = Array.from({ length: 300 }, (_, i) => `line ${i + 1} ${'x'.repeat(20)}`);
    await writeFile(join(root, 'long.txt'), `${lines.join('\n')}\n`);
    const text = textOf(await read({ path: 'long.txt' }));
    expect(Buffer.byteLength(text)).toBeLessThan(1200);
    const next = Number(/offset: (\d+)\.\]$/.exec(text)?.[1]);
    expect(text).toContain('(output capped at 1000 bytes)');
    expect(text).toContain(`\n${next - 1}\tline ${next - 1} `);
    expect(textOf(await read({ path: 'long.txt', offset: next, limit: 1 }))).toMatch(
      new RegExp(`^${next}\\tline ${next} x+\\n\\[Lines ${next}-${next} of 300\\.`),
    );
  });

  it('shortens very long lines, saying by how much', async () => {
    await writeFile(join(root, 'min.js'), 'y'.repeat(2500));
    expect(textOf(await read({ path: 'min.js' }))).toBe(
      `1\t${'y'.repeat(2000)}… [500 more characters]`,
    );
  });

  it('says when a file is empty, and refuses an offset past the end', async () => {
    expect(textOf(await read({ path: 'empty.txt' }))).toBe('(`empty.txt` is empty)');
    const past = await read({ path: 'src/main.ts', offset: 9 });
    expect(past.status).toBe('error');
    expect(errorCode(past)).toBe('bad-range');
    expect(textOf(past)).toContain('offset 9 is past the end of `src/main.ts`, which has 5 lines');
  });

  it('refuses a missing file, suggesting similar names', async () => {
    const result = await read({ path: 'src/mian.ts' });
    expect(result.status).toBe('error');
    expect(errorCode(result)).toBe('not-found');
    expect(textOf(result)).toContain('`src/mian.ts` does not exist. Did you mean `src/main.ts`?');
  });

  it('refuses a folder, pointing to list_dir', async () => {
    const result = await read({ path: 'src' });
    expect(errorCode(result)).toBe('not-a-file');
    expect(textOf(result)).toContain('list_dir');
  });

  it('refuses a named pipe and a socket without blocking, saying what they are', async () => {
    makeFifo(join(root, 'pipe'));
    const pipe = await read({ path: 'pipe' });
    expect(errorCode(pipe)).toBe('not-a-file');
    expect(textOf(pipe)).toContain('`pipe` is a named pipe (FIFO), not a regular file');
    // Through a symlink too: the file opened is what counts.
    await symlink(join(root, 'pipe'), join(root, 'pipe-link'));
    expect(errorCode(await read({ path: 'pipe-link' }))).toBe('not-a-file');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(join(root, 'app.sock'), resolve));
    try {
      const socket = await read({ path: 'app.sock' });
      expect(errorCode(socket)).toBe('not-a-file');
      expect(textOf(socket)).toContain('`app.sock` is a socket, not a regular file');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('refuses a binary file (NUL in the first 8 KB), not a text file with a late NUL', async () => {
    await writeFile(join(root, 'img.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2]));
    const result = await read({ path: 'img.png' });
    expect(errorCode(result)).toBe('binary-file');
    expect(textOf(result)).toContain('`img.png` is a binary file');
    await writeFile(join(root, 'late.txt'), `${'a'.repeat(9000)}\0`);
    expect((await read({ path: 'late.txt' })).status).toBe('success');
  });

  it('reads a file over the size limit by range, without reading the rest', async () => {
    // 80 KB: over the 64 KB limit, but read in one chunk, so its line count is known anyway.
    await writeFile(join(root, 'huge.log'), 'z\n'.repeat(40 * 1024));
    expect(textOf(await read({ path: 'huge.log', offset: 2, limit: 2 }))).toBe(
      '2\tz\n3\tz\n[Lines 2-3 of 40960. To read on, call read_file with offset: 4.]',
    );
    // Its last lines: the file is read up to them, and the line count is then known.
    expect(textOf(await read({ path: 'huge.log', offset: 40 * 1024 - 1 }))).toBe(
      `${40 * 1024 - 1}\tz\n${40 * 1024}\tz`,
    );
    expect(errorCode(await read({ path: 'huge.log', offset: 40 * 1024 + 1 }))).toBe('bad-range');
    // 4 GiB, sparse: reading all of it would take seconds and fill the memory; the start is quick.
    const sparse = join(root, 'sparse.log');
    await writeFile(sparse, 'text\n'.repeat(2000)); // its first 8 KB are text
    await truncate(sparse, 4 * 1024 ** 3);
    expect(textOf(await read({ path: 'sparse.log', offset: 1999, limit: 2 }))).toBe(
      '1999\ttext\n2000\ttext\n[Lines 1999-2000 of a file of 4096.0 MB. To read on, call read_file with offset: 2001.]',
    );
  });

  it('refuses traversal, absolute paths outside and symlink escapes', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    await symlink(outside, join(root, 'out'));
    for (const path of [
      '../secret.txt',
      join(outside, 'secret.txt'),
      'link.txt',
      'out/secret.txt',
    ]) {
      const result = await read({ path });
      expect(result.status).toBe('error');
      expect(errorCode(result)).toBe('outside-workspace');
      expect(textOf(result)).not.toContain('top secret');
    }
  });

  it('claims a read of the real file, or of the whole workspace for a path it refuses', async () => {
    await symlink(join(root, 'src/main.ts'), join(root, 'alias.ts'));
    const tool = toolNamed(tools, 'read_file');
    expect(await claimsOf(tool, { path: 'alias.ts' })).toEqual([
      { key: `fs:${join(root, 'src/main.ts')}`, mode: 'read' },
    ]);
    expect(await claimsOf(tool, { path: '../x' })).toEqual([{ key: `fs:${root}`, mode: 'read' }]);
  });

  it('rejects inputs the schema does not allow, with a message for the model', async () => {
    const result = await read({ path: 'src/main.ts', offset: 0 });
    expect(result.status).toBe('error');
    expect(textOf(result)).toContain('offset');
  });
});
