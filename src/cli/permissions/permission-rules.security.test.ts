import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { approvalRequest } from '../test-reporter-support.js';
import { parseRule } from './permission-rule.js';
import { PermissionRules } from './permission-rules.js';

// What an "allow all edits" rule, with shell rules beside it, let a model do that the user never
// saw: write the files that make other programs run commands, lay out a bare repository for
// `git commit` to run, read files outside the workspace through a symlink.

let root: string;
let outside: string;

beforeEach(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-rules-sec-')));
  outside = realpathSync(mkdtempSync(join(tmpdir(), 'salvo-rules-sec-out-')));
  mkdirSync(join(root, 'src'));
  mkdirSync(join(root, '.git'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
  rmSync(outside, { recursive: true, force: true });
});

const write = (path: string) => approvalRequest('c', 'write_file', { path, content: 'x' });
const shell = (command: string) => approvalRequest('c', 'shell', { command });

function withEdits(): PermissionRules {
  const rules = new PermissionRules({ root });
  rules.add([{ kind: 'edits' }]);
  return rules;
}

describe('the edits rule never covers files that make other programs run commands', () => {
  it.each([
    '.mcp.json',
    '.npmrc',
    '.yarnrc.yml',
    '.pnpmfile.cjs',
    '.vscode/tasks.json',
    '.vscode/settings.json',
    '.github/workflows/ci.yml',
    '.pre-commit-config.yaml',
    'lefthook.yml',
    '.lefthook.yml',
    'lefthook-local.yaml',
    '.lintstagedrc.json',
    'lint-staged.config.js',
    '.gitattributes',
    '.gitmodules',
    'packages/api/.gitattributes',
    '.envrc',
    'mise.toml',
    '.devcontainer/devcontainer.json',
    '.claude/settings.json',
    '.cursor/mcp.json',
    '.cargo/config.toml',
    '.husky/pre-commit',
    'sub/HEAD',
    'sub/head',
  ])('%s', (path) => {
    const rules = withEdits();
    expect(rules.covers(write(path))).toBe(false);
    expect(rules.propose(write(path))).toMatchObject({ ok: false });
  });

  it('keeps ordinary project files covered, package.json among them', () => {
    const rules = withEdits();
    for (const path of ['src/a.ts', 'package.json', 'README.md', 'AGENTS.md', 'Makefile']) {
      expect(rules.covers(write(path)), path).toBe(true);
    }
  });

  it('a saved edits rule for a protected folder is not valid', () => {
    expect(parseRule({ kind: 'edits', folder: '.vscode' }).ok).toBe(false);
    expect(parseRule({ kind: 'edits', folder: '.github/workflows' }).ok).toBe(false);
  });
});

describe('a folder git would take for a repository', () => {
  it('no edit lands in a folder that holds a HEAD file, or below it', () => {
    mkdirSync(join(root, 'sub/objects'), { recursive: true });
    writeFileSync(join(root, 'sub/HEAD'), 'ref: refs/heads/main\n');
    const rules = withEdits();
    for (const path of ['sub/config', 'sub/objects/info/alternates', 'sub/refs/heads/main']) {
      expect(rules.covers(write(path)), path).toBe(false);
      const proposal = rules.propose(write(path));
      expect(proposal).toMatchObject({ ok: false });
      if (!proposal.ok) expect(proposal.reason).toContain('sub holds a HEAD file');
    }
    expect(rules.covers(write('src/config'))).toBe(true);
  });

  it('a HEAD at the workspace root makes every edit ask', () => {
    writeFileSync(join(root, 'HEAD'), 'ref: refs/heads/main\n');
    const proposal = withEdits().propose(write('config'));
    expect(proposal).toMatchObject({ ok: false });
    if (!proposal.ok) expect(proposal.reason).toContain('the workspace holds a HEAD file');
  });
});

describe('covered shell commands name no path that leads outside', () => {
  it('a word through a symlink that leads out is not covered', () => {
    writeFileSync(join(outside, 'hostname'), 'secret\n');
    symlinkSync(outside, join(root, 'out'));
    const rules = new PermissionRules({ root });
    rules.add([{ kind: 'shell', words: ['git', 'commit'] }]);
    expect(rules.covers(shell('git commit -F msg.txt'))).toBe(true);
    expect(rules.covers(shell('git commit -F out/hostname'))).toBe(false);
    expect(rules.covers(shell('git commit --file=out/hostname'))).toBe(false);
    expect(rules.covers(shell('git commit -Fout/hostname'))).toBe(false);
    expect(rules.covers(shell('cd out && git commit'))).toBe(false);
    expect(rules.covers(shell('git commit -F /etc/hostname'))).toBe(false);
  });

  it('a cd through a symlink inside the workspace is followed', () => {
    symlinkSync(join(root, 'src'), join(root, 'link'));
    const rules = new PermissionRules({ root });
    rules.add([{ kind: 'shell', words: ['npm', 'test'] }]);
    expect(rules.covers(shell('cd link && npm test'))).toBe(true);
  });
});

describe('saved rules for shell reserved words', () => {
  it('are skipped with a reason', () => {
    for (const words of [['then'], ['if'], ['!'], ['do'], ['uv', 'run', 'python']]) {
      expect(parseRule({ kind: 'shell', words }).ok, words.join(' ')).toBe(false);
    }
  });
});
