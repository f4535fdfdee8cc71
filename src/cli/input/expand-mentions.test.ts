import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandMentions } from './expand-mentions.js';

let base: string;
let root: string;

beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'salvo-mentions-'));
  root = join(base, 'repo');
  await mkdir(join(root, 'src', 'deep'), { recursive: true });
  await writeFile(join(root, 'src', 'a.ts'), 'export const a = 1;\n');
  await writeFile(join(root, 'src', 'b.ts'), 'no newline at the end');
  await writeFile(join(root, 'my file.md'), '# notes\n');
  await writeFile(join(base, 'secret.txt'), 'the secret\n');
});

afterEach(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('expandMentions', () => {
  it('attaches each mentioned file after the text, which stays as typed', async () => {
    const text = 'compare @src/a.ts with @src/b.ts.';
    const result = await expandMentions(text, { root });
    expect(result.prompt).toBe(
      `${text}\n\n<file path="src/a.ts">\nexport const a = 1;\n</file>\n\n<file path="src/b.ts">\nno newline at the end\n</file>`,
    );
    expect(result.attachments).toEqual([
      { mention: '@src/a.ts', path: 'src/a.ts', kind: 'file', size: 20, truncated: false },
      { mention: '@src/b.ts.', path: 'src/b.ts', kind: 'file', size: 21, truncated: false },
    ]);
    expect(result.notices).toEqual([]);
  });

  it('attaches a quoted path with spaces, an absolute path inside, and each file once', async () => {
    const result = await expandMentions(`@"my file.md" @${join(root, 'src/a.ts')} @src/a.ts`, {
      root,
    });
    expect(result.attachments.map((a) => a.path)).toEqual(['my file.md', 'src/a.ts']);
  });

  it('lists a folder, capped', async () => {
    for (let i = 0; i < 5; i++) await writeFile(join(root, 'src', 'deep', `f${i}.ts`), '');
    const result = await expandMentions('what is in @src/ and @src/deep', { root, maxEntries: 3 });
    expect(result.prompt).toContain('<directory path="src/">\na.ts\nb.ts\ndeep/\n</directory>');
    expect(result.prompt).toContain(
      '<directory path="src/deep/">\nf0.ts\nf1.ts\nf2.ts\n… and 2 more\n</directory>',
    );
    expect(result.attachments[1]).toMatchObject({ kind: 'directory', size: 3, truncated: true });
    expect(result.notices).toEqual(['@src/deep: 5 entries; listed the first 3']);
  });

  it('refuses paths outside the workspace: `..`, absolute, and symlinks that lead out', async () => {
    await symlink(join(base, 'secret.txt'), join(root, 'link.txt'));
    await symlink(base, join(root, 'outside'));
    const text = `@../secret.txt @${join(base, 'secret.txt')} @link.txt @outside/secret.txt`;
    const result = await expandMentions(text, { root });
    expect(result.prompt).toBe(text);
    expect(result.attachments).toEqual([]);
    expect(result.notices).toEqual([
      '@../secret.txt: outside the workspace; not attached',
      `@${join(base, 'secret.txt')}: outside the workspace; not attached`,
      '@link.txt: outside the workspace; not attached',
      '@outside/secret.txt: outside the workspace; not attached',
    ]);
    expect(result.prompt).not.toContain('the secret');
  });

  it('follows a symlink that stays inside', async () => {
    await symlink(join(root, 'src', 'a.ts'), join(root, 'alias.ts'));
    const result = await expandMentions('@alias.ts', { root });
    expect(result.attachments).toEqual([
      { mention: '@alias.ts', path: 'src/a.ts', kind: 'file', size: 20, truncated: false },
    ]);
  });

  it('refuses binary files', async () => {
    await writeFile(join(root, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    const result = await expandMentions('@logo.png', { root });
    expect(result.prompt).toBe('@logo.png');
    expect(result.notices).toEqual(['@logo.png: a binary file; only text files are attached']);
  });

  it('cuts a big file, on a character boundary, and says so', async () => {
    await writeFile(join(root, 'big.log'), 'é'.repeat(3000));
    const result = await expandMentions('@big.log', { root, maxBytes: 1001 });
    expect(result.attachments[0]).toMatchObject({ size: 1000, truncated: true });
    expect(result.prompt).toContain(
      '<file path="big.log" truncated="the first 1000 bytes of 5.9 KB">',
    );
    expect(result.prompt).toContain(`\n${'é'.repeat(500)}\n</file>`);
    expect(result.notices).toEqual(['@big.log: 5.9 KB; attached the first 1000 bytes']);
  });

  it('stops attaching once the prompt’s attachments reach their total', async () => {
    const result = await expandMentions('@src/a.ts @src/b.ts', { root, maxTotalBytes: 25 });
    expect(result.attachments.map((a) => [a.path, a.size, a.truncated])).toEqual([
      ['src/a.ts', 20, false],
      ['src/b.ts', 5, true],
    ]);
    const none = await expandMentions('@src/a.ts @src/b.ts', { root, maxTotalBytes: 20 });
    expect(none.notices).toEqual([
      '@src/b.ts: not attached: the attachments of this prompt already reach their limit',
    ]);
  });

  it('leaves unknown paths as text, saying so only when they look like paths', async () => {
    const result = await expandMentions('@nope.ts @Override @"gone file" me@src/a.ts', { root });
    expect(result.prompt).toBe('@nope.ts @Override @"gone file" me@src/a.ts');
    expect(result.notices).toEqual([
      '@nope.ts: no such file or folder in the workspace; sent as text',
      '@"gone file": no such file or folder in the workspace; sent as text',
    ]);
  });

  it('refuses a named pipe without blocking on it', async () => {
    execFileSync('mkfifo', [join(root, 'pipe')]);
    const result = await expandMentions('@pipe', { root });
    expect(result.notices).toEqual([
      '@pipe: not a regular file (a pipe, a socket or a device); not attached',
    ]);
  });

  it('never throws, whatever the text or the root', async () => {
    const odd = [
      '@',
      '@\u0000',
      '@"',
      `@${'a/'.repeat(3000)}`,
      '@../../../../etc/passwd',
      '@~/.ssh/id_rsa',
      '@.',
    ];
    for (const text of odd) await expect(expandMentions(text, { root })).resolves.toBeDefined();
    const missing = await expandMentions('@a.ts', { root: join(base, 'missing') });
    expect(missing.prompt).toBe('@a.ts');
    expect(missing.notices).toHaveLength(1);
  });

  it('lists the root for `@.`', async () => {
    const result = await expandMentions('@.', { root });
    expect(result.attachments[0]).toMatchObject({ path: './', kind: 'directory' });
  });
});
