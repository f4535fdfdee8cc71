import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachMentions, attachmentLine } from './attach-mentions.js';

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'salvo-attach-'));
  root = join(base, 'repo');
  await mkdir(join(root, 'src'), { recursive: true });
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'big.txt'), 'x'.repeat(1300));
  await writeFile(join(base, 'outside.txt'), 'secret\n');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('attachMentions', () => {
  it('attaches what is inside the workspace and says one line per mention', async () => {
    const said: string[] = [];
    const prompt = await attachMentions(
      'read @src/a.ts, @big.txt, @../outside.txt and @missing.ts',
      { root, say: (line) => said.push(line) },
    );
    expect(said).toEqual([
      'attached src/a.ts (20 bytes)',
      'attached big.txt (1.3 KB)',
      '@../outside.txt: outside the workspace; not attached',
      '@missing.ts: no such file or folder in the workspace; sent as text',
    ]);
    expect(prompt).toContain('<file path="src/a.ts">\nexport const a = 1;\n</file>');
    expect(prompt).not.toContain('secret');
    expect(prompt.startsWith('read @src/a.ts, @big.txt, @../outside.txt and @missing.ts\n\n')).toBe(
      true,
    );
  });

  it('leaves a prompt without mentions as it is and says nothing', async () => {
    const said: string[] = [];
    const text = 'email me at a@b.c about `@decorator`';
    expect(await attachMentions(text, { root, say: (line) => said.push(line) })).toBe(text);
    expect(said).toEqual([]);
  });

  it('counts a folder in entries', () => {
    expect(
      attachmentLine({
        mention: '@src',
        path: 'src/',
        kind: 'directory',
        size: 1,
        truncated: false,
      }),
    ).toBe('attached src/ (1 entry)');
  });
});
