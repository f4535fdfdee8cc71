import { readdir, readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from './atomic-write.js';
import { tempDir } from './test-support.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
});

afterEach(() => cleanup());

describe('writeFileAtomic', () => {
  it('never lets a concurrent reader see half a file', async () => {
    const path = join(root, 'big.txt');
    // Large enough that a plain write takes several syscalls.
    const a = 'a'.repeat(4 * 1024 * 1024);
    const b = 'b'.repeat(3 * 1024 * 1024);
    await writeFile(path, a);
    let writing = true;
    const writer = (async () => {
      for (let i = 0; i < 12; i++) await writeFileAtomic({ path, content: i % 2 ? a : b });
      writing = false;
    })();
    const seen = new Set<string>();
    while (writing) {
      const text = await readFile(path, 'utf8');
      seen.add(text === a ? 'a' : text === b ? 'b' : `torn (${text.length} bytes)`);
    }
    await writer;
    expect([...seen].filter((s) => s.startsWith('torn'))).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it('leaves no temp file behind, whether it succeeds or fails', async () => {
    await writeFileAtomic({ path: join(root, 'ok.txt'), content: 'ok' });
    const aborted = new AbortController();
    aborted.abort(new Error('stop'));
    await expect(
      writeFileAtomic({ path: join(root, 'no.txt'), content: 'no', signal: aborted.signal }),
    ).rejects.toThrow('stop');
    expect(await readdir(root)).toEqual(['ok.txt']);
  });

  it('refuses to replace a folder', async () => {
    await expect(writeFileAtomic({ path: root, content: 'x' })).rejects.toMatchObject({
      code: 'EISDIR',
    });
  });
});
