import { closeSync, readFileSync } from 'node:fs';
import { mkdir, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { openRegularFile } from './open-file.js';
import { makeFifo, rootAndOutsideEachTest } from './test-support.js';
import { ToolError } from './tool-error.js';
import { createWorkspace, type Workspace } from './workspace.js';

const dirs = rootAndOutsideEachTest({
  root: { 'dir/a.txt': 'inside' },
  outside: { 'a.txt': 'outside' },
});
let workspace: Workspace;

beforeEach(() => {
  workspace = createWorkspace({ root: dirs.root });
});

function codeOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    return ToolError.isInstance(error) ? error.code : `errno ${(error as { code?: string }).code}`;
  }
  return undefined;
}

describe('openRegularFile', () => {
  it('opens a regular file of the workspace and gives its size', () => {
    const { fd, size } = openRegularFile({ workspace, path: join(dirs.root, 'dir/a.txt') });
    try {
      expect(size).toBe(6);
      expect(readFileSync(fd, 'utf8')).toBe('inside');
    } finally {
      closeSync(fd);
    }
  });

  it('refuses a file reached through a folder that leads outside: what a swap leaves', async () => {
    await symlink(dirs.outside, join(dirs.root, 'swapped'));
    const path = join(dirs.root, 'swapped/a.txt');
    expect(codeOf(() => openRegularFile({ workspace, path }))).toBe('outside-workspace');
    expect(codeOf(() => openRegularFile({ workspace, path, statFirst: false }))).toBe(
      'outside-workspace',
    );
  });

  it('does not follow a symlink in the last place', async () => {
    await symlink(join(dirs.root, 'dir/a.txt'), join(dirs.root, 'link.txt'));
    const path = join(dirs.root, 'link.txt');
    expect(codeOf(() => openRegularFile({ workspace, path, statFirst: false }))).toBe(
      'errno ELOOP',
    );
  });

  it('refuses a named pipe and a folder, without blocking even when it opens the pipe', async () => {
    makeFifo(join(dirs.root, 'pipe'));
    await mkdir(join(dirs.root, 'empty'));
    for (const statFirst of [true, false]) {
      expect(
        codeOf(() => openRegularFile({ workspace, path: join(dirs.root, 'pipe'), statFirst })),
      ).toBe('not-a-file');
      expect(
        codeOf(() => openRegularFile({ workspace, path: join(dirs.root, 'empty'), statFirst })),
      ).toBe('not-a-file');
    }
  });
});
