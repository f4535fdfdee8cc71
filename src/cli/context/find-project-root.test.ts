import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findProjectRoot } from './find-project-root.js';

let base: string;
let home: string;

beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'salvo-root-'));
  home = join(base, 'home');
  mkdirSync(home);
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

describe('findProjectRoot', () => {
  it('finds the git root above a nested folder and lists the folders down to it', () => {
    const repo = join(base, 'repo');
    const cwd = join(repo, 'packages', 'app');
    mkdirSync(join(repo, '.git'), { recursive: true });
    mkdirSync(cwd, { recursive: true });
    expect(findProjectRoot({ cwd, home })).toEqual({
      root: repo,
      git: true,
      folders: [repo, join(repo, 'packages'), cwd],
    });
  });

  it('takes a .git file (a worktree or submodule) as a root, and the nearest one wins', () => {
    const outer = join(base, 'outer');
    const inner = join(outer, 'vendor', 'lib');
    mkdirSync(join(outer, '.git'), { recursive: true });
    mkdirSync(inner, { recursive: true });
    writeFileSync(join(inner, '.git'), 'gitdir: ../../.git/modules/lib\n');
    expect(findProjectRoot({ cwd: inner, home })).toMatchObject({ root: inner, folders: [inner] });
  });

  it('is the folder alone outside a git repository', () => {
    const cwd = join(base, 'loose', 'dir');
    mkdirSync(cwd, { recursive: true });
    expect(findProjectRoot({ cwd, home })).toEqual({ root: cwd, git: false, folders: [cwd] });
  });

  it('stops at home: a dotfiles repository there does not make a project of every folder', () => {
    mkdirSync(join(home, '.git'));
    const cwd = join(home, 'scratch', 'x');
    mkdirSync(cwd, { recursive: true });
    expect(findProjectRoot({ cwd, home })).toEqual({ root: cwd, git: false, folders: [cwd] });
    // ...but home itself is a repository when salvo runs there.
    expect(findProjectRoot({ cwd: home, home })).toEqual({
      root: home,
      git: true,
      folders: [home],
    });
  });

  it('accepts a path with a trailing slash or dots', () => {
    const repo = join(base, 'repo');
    mkdirSync(join(repo, '.git', 'x'), { recursive: true });
    mkdirSync(join(repo, 'src'));
    expect(findProjectRoot({ cwd: `${repo}/src/../src/`, home }).folders).toEqual([
      repo,
      join(repo, 'src'),
    ]);
  });
});
