import { mkdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../errors.js';
import { tempDir, writeTree } from './test-support.js';
import { ToolError } from './tool-error.js';
import { createWorkspace, type Workspace } from './workspace.js';

let root: string;
let outside: string;
let workspace: Workspace;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const a = await tempDir();
  const b = await tempDir();
  cleanups.push(a.cleanup, b.cleanup);
  root = await realpath(a.dir);
  outside = await realpath(b.dir);
  await writeTree(root, { 'src/a.ts': 'a', 'README.md': 'r' });
  await writeTree(outside, { 'secret.txt': 's', 'sub/x.txt': 'x' });
  workspace = createWorkspace({ root });
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

function refusal(path: string): ToolError {
  try {
    workspace.resolve(path);
  } catch (error) {
    if (ToolError.isInstance(error)) return error;
    throw error;
  }
  throw new Error(`Expected ${path} to be refused`);
}

describe('Workspace.resolve', () => {
  it('resolves relative and absolute paths inside the root to real paths and fs: keys', () => {
    expect(workspace.resolve('src/a.ts')).toEqual({
      path: join(root, 'src/a.ts'),
      relative: 'src/a.ts',
      key: `fs:${join(root, 'src/a.ts')}`,
    });
    expect(workspace.resolve(join(root, 'README.md')).relative).toBe('README.md');
    expect(workspace.resolve('.').relative).toBe('.');
    expect(workspace.resolve('./src/../src/a.ts').path).toBe(join(root, 'src/a.ts'));
    expect(workspace.key).toBe(`fs:${root}`);
  });

  it('resolves paths that do not exist yet, under their deepest existing folder', () => {
    expect(workspace.resolve('new/deep/file.ts').path).toBe(join(root, 'new/deep/file.ts'));
  });

  it('refuses `..` that climbs out of the root', () => {
    const error = refusal('../secret.txt');
    expect(error.code).toBe('outside-workspace');
    expect(error.message).toContain('`../secret.txt` is outside the workspace');
    expect(refusal('src/../../x').code).toBe('outside-workspace');
  });

  it('refuses absolute paths outside the root, and a sibling sharing its prefix', () => {
    expect(refusal(join(outside, 'secret.txt')).code).toBe('outside-workspace');
    expect(refusal('/etc/passwd').code).toBe('outside-workspace');
    expect(refusal(`${root}-other/x`).code).toBe('outside-workspace');
  });

  it('refuses a symlinked file that points outside', async () => {
    await symlink(join(outside, 'secret.txt'), join(root, 'link.txt'));
    const error = refusal('link.txt');
    expect(error.code).toBe('outside-workspace');
    expect(error.message).toContain('through a symlink');
  });

  it('refuses a symlinked folder that points outside, also for files not there yet', async () => {
    await symlink(outside, join(root, 'out'));
    expect(refusal('out/secret.txt').code).toBe('outside-workspace');
    expect(refusal('out/new-file.txt').code).toBe('outside-workspace');
    expect(refusal('out/new/deeper/file.txt').code).toBe('outside-workspace');
  });

  it('follows symlinks that stay inside, and keys the real path', async () => {
    await mkdir(join(root, 'real'));
    await symlink(join(root, 'real'), join(root, 'alias'));
    await symlink(join(root, 'src/a.ts'), join(root, 'a-link.ts'));
    expect(workspace.resolve('alias/new.ts').key).toBe(`fs:${join(root, 'real/new.ts')}`);
    expect(workspace.resolve('a-link.ts').key).toBe(`fs:${join(root, 'src/a.ts')}`);
  });

  it('refuses broken symlinks and symlink loops', async () => {
    await symlink(join(outside, 'missing.txt'), join(root, 'dangling'));
    expect(refusal('dangling').code).toBe('invalid-path');
    expect(refusal('dangling').message).toContain('broken symlink');
    await symlink(join(root, 'loop-b'), join(root, 'loop-a'));
    await symlink(join(root, 'loop-a'), join(root, 'loop-b'));
    expect(refusal('loop-a/x').code).toBe('invalid-path');
  });

  it('refuses empty paths and NUL bytes', () => {
    expect(refusal('').code).toBe('invalid-path');
    expect(refusal('a\0b').code).toBe('invalid-path');
  });

  it('accepts absolute paths under the root as given when it is a symlink', async () => {
    const alias = `${root}-alias`;
    await symlink(root, alias);
    cleanups.push(async () => {
      const { rm } = await import('node:fs/promises');
      await rm(alias, { force: true });
    });
    const via = createWorkspace({ root: alias });
    expect(via.root).toBe(root);
    expect(via.resolve(join(alias, 'src/a.ts')).path).toBe(join(root, 'src/a.ts'));
    expect(via.resolve(join(root, 'src/a.ts')).path).toBe(join(root, 'src/a.ts'));
  });
});

describe('createWorkspace', () => {
  it('refuses a root that is missing or a file', () => {
    expect(() => createWorkspace({ root: join(root, 'missing') })).toThrow(InvalidOptionError);
    expect(() => createWorkspace({ root: join(root, 'README.md') })).toThrow(/a folder/);
  });
});
