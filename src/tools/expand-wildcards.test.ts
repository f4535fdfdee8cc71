import { mkdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expandWildcards } from './expand-wildcards.js';
import { tempDir, writeTree } from './test-support.js';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
});

describe('expandWildcards', () => {
  it('matches part by part as the shell does, a leading dot only by a leading dot', async () => {
    const t = await tempDir();
    cleanup = t.cleanup;
    const root = await realpath(t.dir);
    await writeTree(root, { 'a/x.ts': '', 'b/y.ts': '', 'b/z.js': '', '.hidden/w.ts': '' });
    await mkdir(join(root, 'c'));
    await symlink(join(root, 'a'), join(root, 'lnk'));
    expect(expandWildcards(join(root, '*/*.ts'))?.sort()).toEqual(
      [join(root, 'a/x.ts'), join(root, 'b/y.ts'), join(root, 'lnk/x.ts')].sort(),
    );
    expect(expandWildcards(join(root, '.*/w.ts'))).toEqual([join(root, '.hidden/w.ts')]);
    expect(expandWildcards(join(root, '[ab]/?.js'))).toEqual([join(root, 'b/z.js')]);
    expect(expandWildcards(join(root, 'l?k'))).toEqual([join(root, 'lnk')]);
    expect(expandWildcards(join(root, 'plain/path'))).toEqual([join(root, 'plain/path')]);
  });
});
