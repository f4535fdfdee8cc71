import { readdirSync, readFileSync } from 'node:fs';
import { rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { holdFolder } from './held-folder.js';
import { rootAndOutsideEachTest } from './test-support.js';

const dirs = rootAndOutsideEachTest({
  root: { 'dir/a.txt': 'inside' },
  outside: { 'a.txt': 'outside' },
});

describe('holdFolder', () => {
  it('holds the folder itself: a swap of its path afterwards changes nothing', async () => {
    const dir = join(dirs.root, 'dir');
    const folder = holdFolder(dir, dir);
    if (!folder) throw new Error('not held');
    try {
      await rename(dir, join(dirs.root, 'moved'));
      await symlink(dirs.outside, dir);
      expect(readdirSync(folder.via)).toEqual(['a.txt']);
      expect(readFileSync(`${folder.via}/a.txt`, 'utf8')).toBe(
        folder.pinned ? 'inside' : 'outside',
      );
    } finally {
      folder.close();
      folder.close();
    }
  });

  it('refuses a folder that is not where it is expected: swapped, gone, or a file', async () => {
    await symlink(dirs.outside, join(dirs.root, 'link'));
    expect(holdFolder(join(dirs.root, 'link'), join(dirs.root, 'link'))).toBeUndefined();
    expect(holdFolder(join(dirs.root, 'gone'), join(dirs.root, 'gone'))).toBeUndefined();
    expect(holdFolder(join(dirs.root, 'dir/a.txt'), join(dirs.root, 'dir/a.txt'))).toBeUndefined();
    expect(holdFolder(join(dirs.root, 'dir'), join(dirs.root, 'elsewhere'))).toBeUndefined();
  });
});
