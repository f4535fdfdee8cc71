import { mkdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { builtinTools } from './builtin-tools.js';
import { listDirTool } from './list-dir.js';
import { claimsOf, errorCode, runTool, tempDir, textOf, writeTree } from './test-support.js';
import { createWorkspace } from './workspace.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  await writeTree(root, { 'b.txt': 'b', 'a.txt': 'a', 'src/x.ts': 'x', '.env': 'e' });
  await mkdir(join(root, 'empty'));
  await symlink('a.txt', join(root, 'link'));
});

afterEach(() => cleanup());

describe('list_dir', () => {
  it('lists entries sorted, folders with `/`, symlinks with their target, dotfiles too', async () => {
    const tools = builtinTools({ root });
    expect(textOf(await runTool(tools, 'list_dir', {}))).toBe(
      ['.env', 'a.txt', 'b.txt', 'empty/', 'link -> a.txt', 'src/'].join('\n'),
    );
    expect(textOf(await runTool(tools, 'list_dir', { path: 'src' }))).toBe('x.ts');
    expect(textOf(await runTool(tools, 'list_dir', { path: 'empty' }))).toBe('(`empty` is empty)');
  });

  it('caps the entries and counts the rest', async () => {
    const tool = listDirTool({ workspace: createWorkspace({ root }), maxEntries: 2 });
    expect(textOf(await runTool([tool], 'list_dir', { path: '.' }))).toBe(
      '.env\na.txt\n[4 more entries not shown; use glob with a pattern to narrow down.]',
    );
  });

  it('refuses a file, a missing folder and a folder outside', async () => {
    const tools = builtinTools({ root });
    const file = await runTool(tools, 'list_dir', { path: 'a.txt' });
    expect(errorCode(file)).toBe('not-a-directory');
    expect(textOf(file)).toContain('read_file');
    expect(errorCode(await runTool(tools, 'list_dir', { path: 'nope' }))).toBe('not-found');
    expect(errorCode(await runTool(tools, 'list_dir', { path: '..' }))).toBe('outside-workspace');
  });

  it('claims a read of the folder', async () => {
    const tool = listDirTool({ workspace: createWorkspace({ root }) });
    expect(await claimsOf(tool, { path: 'src' })).toEqual([
      { key: `fs:${join(root, 'src')}`, mode: 'read' },
    ]);
  });
});
