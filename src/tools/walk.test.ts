import { realpath, rename, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir, writeTree } from './test-support.js';
import { walkFiles } from './walk.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  await writeTree(root, {
    'b.txt': '',
    'a/z.txt': '',
    'a/b/c.txt': '',
    'a.txt': '',
    '.git/HEAD': '',
    'node_modules/x/i.js': '',
    'deep/node_modules/y.js': '',
  });
  await symlink(join(root, 'a'), join(root, 'link'));
});

afterEach(() => cleanup());

async function all(options: Parameters<typeof walkFiles>[0]) {
  const out: string[] = [];
  for await (const entry of walkFiles(options)) out.push(`${entry.relative} (${entry.kind})`);
  return out;
}

describe('walkFiles', () => {
  it('walks depth first in name order, skipping .git and node_modules, not following symlinks', async () => {
    expect(await all({ dir: root })).toEqual([
      'a/b/c.txt (file)',
      'a/z.txt (file)',
      'a.txt (file)',
      'b.txt (file)',
      'link (symlink)',
    ]);
  });

  it('takes the folders to skip as an option', async () => {
    expect(await all({ dir: join(root, 'deep'), skipDirs: new Set() })).toEqual([
      'node_modules/y.js (file)',
    ]);
  });

  it('yields nothing for a folder that does not exist', async () => {
    expect(await all({ dir: join(root, 'missing') })).toEqual([]);
  });

  it('stops with the reason when the signal aborts', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const walking = (async () => {
      for await (const entry of walkFiles({ dir: root, signal: controller.signal })) {
        seen.push(entry.relative);
        controller.abort(new Error('enough'));
      }
    })();
    await expect(walking).rejects.toThrow('enough');
    expect(seen).toEqual(['a/b/c.txt']);
  });

  it('does not enter a folder swapped for a symlink after its parent was listed', async () => {
    const outside = await tempDir();
    try {
      await writeTree(outside.dir, { 'secret.txt': '' });
      const swapped = await all({
        dir: root,
        onListed: async (folder) => {
          if (folder !== root) return;
          await rename(join(root, 'a'), join(root, 'moved'));
          await symlink(outside.dir, join(root, 'a'));
        },
      });
      expect(swapped).not.toContain('a/secret.txt (file)');
      expect(swapped).toEqual(['a.txt (file)', 'b.txt (file)', 'link (symlink)']);
    } finally {
      await outside.cleanup();
    }
  });
});
