import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readContextFile } from './read-context-file.js';

let base: string;
let repo: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-context-file-'));
  repo = join(base, 'repo');
  mkdirSync(repo);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const read = (name: string, maxBytes = 1024) =>
  readContextFile(join(repo, name), { maxBytes, within: repo });

describe('readContextFile', () => {
  it('reads a UTF-8 file, without a byte order mark', () => {
    writeFileSync(join(repo, 'AGENTS.md'), '\ufeff# Rules\nUse pnpm.\n');
    expect(read('AGENTS.md')).toMatchObject({
      status: 'read',
      text: '# Rules\nUse pnpm.\n',
      truncated: false,
    });
  });

  it('says missing for a file that is not there', () => {
    expect(read('AGENTS.md')).toEqual({ status: 'missing' });
  });

  it('cuts a long file at a character boundary and says so', () => {
    writeFileSync(join(repo, 'AGENTS.md'), 'é'.repeat(100)); // 2 bytes each
    const result = read('AGENTS.md', 7);
    expect(result).toMatchObject({ status: 'read', text: 'ééé', truncated: true });
  });

  it('follows a symlink inside the project, not one that leads out of it', () => {
    writeFileSync(join(repo, 'AGENTS.md'), 'inside');
    symlinkSync('AGENTS.md', join(repo, 'CLAUDE.md'));
    writeFileSync(join(base, 'secret.txt'), 'outside');
    symlinkSync(join(base, 'secret.txt'), join(repo, 'GEMINI.md'));
    const inside = read('CLAUDE.md');
    expect(inside).toMatchObject({ status: 'read', text: 'inside' });
    expect(inside.status === 'read' && inside.identity).toBe(
      (read('AGENTS.md') as { identity: string }).identity,
    );
    expect(read('GEMINI.md')).toEqual({
      status: 'skipped',
      reason: `it is a symlink to ${join(base, 'secret.txt')}, outside the project`,
    });
    // The user's own file may point anywhere.
    expect(readContextFile(join(repo, 'GEMINI.md'), { maxBytes: 100 })).toMatchObject({
      status: 'read',
      text: 'outside',
    });
  });

  it('skips a dangling symlink, a folder, a binary file and text that is not UTF-8', () => {
    symlinkSync(join(repo, 'nowhere'), join(repo, 'A.md'));
    mkdirSync(join(repo, 'B.md'));
    writeFileSync(join(repo, 'C.md'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0x01]));
    writeFileSync(join(repo, 'D.md'), Buffer.from([0x68, 0x69, 0xff, 0xfe, 0x21]));
    expect(read('A.md')).toEqual({ status: 'skipped', reason: 'it is a symlink to nothing' });
    expect(read('B.md')).toEqual({ status: 'skipped', reason: 'it is not a regular file' });
    expect(read('C.md')).toEqual({ status: 'skipped', reason: 'it is a binary file' });
    expect(read('D.md')).toEqual({ status: 'skipped', reason: 'it is not UTF-8 text' });
  });

  it('does not block on a FIFO put where the file should be', () => {
    execFileSync('mkfifo', [join(repo, 'AGENTS.md')]);
    expect(read('AGENTS.md')).toEqual({ status: 'skipped', reason: 'it is not a regular file' });
  });
});
