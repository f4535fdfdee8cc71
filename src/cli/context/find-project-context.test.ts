import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProjectContext } from './find-project-context.js';

let base: string;
let home: string;
let repo: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-project-context-'));
  home = join(base, 'home');
  repo = join(base, 'work', 'repo');
  mkdirSync(join(home, '.salvo'), { recursive: true });
  mkdirSync(join(repo, '.git'), { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

function write(path: string, text: string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
}

const paths = (context: ReturnType<typeof findProjectContext>) => context.files.map((f) => f.path);

describe('findProjectContext', () => {
  it("reads the user's file, then every folder from the git root down, general → specific", () => {
    const cwd = join(repo, 'packages', 'app');
    write(join(home, '.salvo', 'AGENTS.md'), 'user rules');
    write(join(base, 'work', 'AGENTS.md'), 'above the git root: not read');
    write(join(repo, 'AGENTS.md'), 'root rules');
    write(join(repo, 'packages', 'CLAUDE.md'), 'packages rules');
    write(join(cwd, 'GEMINI.md'), 'app gemini');
    write(join(cwd, 'AGENTS.md'), 'app agents');
    write(join(repo, 'other', 'AGENTS.md'), 'a sibling: not read');
    const context = findProjectContext({ cwd, home });
    expect(context).toMatchObject({ root: repo, git: true, warnings: [] });
    expect(paths(context)).toEqual([
      join(home, '.salvo', 'AGENTS.md'),
      join(repo, 'AGENTS.md'),
      join(repo, 'packages', 'CLAUDE.md'),
      join(cwd, 'AGENTS.md'),
      join(cwd, 'GEMINI.md'),
    ]);
    expect(context.files.map((f) => [f.content, f.source])).toEqual([
      ['user rules', 'user'],
      ['root rules', 'project'],
      ['packages rules', 'project'],
      ['app agents', 'project'],
      ['app gemini', 'project'],
    ]);
  });

  it('reads the working folder alone outside a git repository', () => {
    const loose = join(base, 'loose', 'sub');
    write(join(base, 'loose', 'AGENTS.md'), 'parent');
    write(join(loose, 'AGENTS.md'), 'here');
    const context = findProjectContext({ cwd: loose, home });
    expect(context.git).toBe(false);
    expect(paths(context)).toEqual([join(loose, 'AGENTS.md')]);
  });

  it('counts a file once when CLAUDE.md links to AGENTS.md or copies it, and skips empty ones', () => {
    write(join(repo, 'AGENTS.md'), 'same rules\n');
    symlinkSync('AGENTS.md', join(repo, 'CLAUDE.md'));
    write(join(repo, 'GEMINI.md'), '  same rules  ');
    write(join(repo, 'sub', 'AGENTS.md'), '\n\n');
    const context = findProjectContext({ cwd: join(repo, 'sub'), home });
    expect(paths(context)).toEqual([join(repo, 'AGENTS.md')]);
    expect(context.warnings).toEqual([]);
  });

  it('warns about a symlink out of the repository and a binary file, and reads the rest', () => {
    write(join(base, 'secrets.txt'), 'private');
    symlinkSync(join(base, 'secrets.txt'), join(repo, 'AGENTS.md'));
    writeFileSync(join(repo, 'CLAUDE.md'), Buffer.from([1, 0, 2]));
    write(join(repo, 'GEMINI.md'), 'fine');
    const context = findProjectContext({ cwd: repo, home });
    expect(paths(context)).toEqual([join(repo, 'GEMINI.md')]);
    expect(context.warnings).toEqual([
      `${join(repo, 'AGENTS.md')} is not sent to the model: it is a symlink to ${join(base, 'secrets.txt')}, outside the project`,
      `${join(repo, 'CLAUDE.md')} is not sent to the model: it is a binary file`,
    ]);
  });

  it('cuts a long file, and keeps the most specific files when all together are too long', () => {
    const cwd = join(repo, 'a');
    write(join(home, '.salvo', 'AGENTS.md'), 'u'.repeat(30));
    write(join(repo, 'AGENTS.md'), 'r'.repeat(40));
    write(join(cwd, 'AGENTS.md'), 'a'.repeat(500));
    const context = findProjectContext({ cwd, home, maxFileBytes: 50, maxTotalBytes: 90 });
    expect(context.files.map((f) => [f.path, f.content.length, f.truncated])).toEqual([
      [join(home, '.salvo', 'AGENTS.md'), 30, false],
      [join(cwd, 'AGENTS.md'), 50, true],
    ]);
    expect(context.warnings).toEqual([
      `${join(cwd, 'AGENTS.md')} is longer than 50 bytes: only its beginning is sent`,
      `${join(repo, 'AGENTS.md')} is not sent to the model: the instruction files together pass 90 bytes`,
    ]);
  });
});
