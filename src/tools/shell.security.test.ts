import { execFileSync } from 'node:child_process';
import { access, chmod, mkdir, realpath, symlink, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ApprovalMode } from '../approval/approval.js';
import { Scheduler } from '../schedule/scheduler.js';
import { deferred } from '../schedule/test-support.js';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { classifyShellCommand } from './shell-classify.js';
import { tempDir, textOf, writeTree } from './test-support.js';

// Attacks a model or a cloned repository can make through the shell, each seen working before:
// none may run a program or read outside the workspace without the user's approval.

let root: string;
let marker: string;
let cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const t = await tempDir('salvo-shell-sec-');
  cleanups.push(t.cleanup);
  root = await realpath(t.dir);
  const outside = await tempDir('salvo-shell-outside-');
  cleanups.push(outside.cleanup);
  marker = join(await realpath(outside.dir), 'pwned');
});

afterEach(async () => {
  for (const cleanup of cleanups) await cleanup();
  cleanups = [];
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** A script that leaves a marker when run: what an attacker's "program" does. */
async function evilScript(dir: string): Promise<string> {
  const path = join(dir, 'evil.sh');
  await writeFile(path, `#!/bin/sh\ntouch '${marker}'\n`);
  await chmod(path, 0o755);
  return path;
}

function git(cwd: string, ...args: string[]) {
  execFileSync('git', args, { cwd, stdio: 'ignore' });
}

async function repo(dir: string) {
  await mkdir(dir, { recursive: true });
  git(dir, 'init', '-q');
  git(dir, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '--allow-empty', '-m', 'x');
}

/** Runs calls with an approver that denies everything and records what it was asked. */
async function run(
  calls: { name: string; input: unknown }[],
  approvalMode: ApprovalMode = 'ask',
  tools: Tool[] = builtinTools({ root, sandbox: 'off' }),
) {
  const asked: string[] = [];
  const scheduler = new Scheduler({
    tools,
    approvalMode,
    approver: (request) => {
      asked.push(String((request.input as { command?: string }).command ?? request.toolName));
      return 'deny';
    },
  });
  const { results } = await scheduler.run(calls.map((c, i) => ({ id: `c${i}`, ...c })));
  return { results, asked };
}

const shell = (command: string) => ({ name: 'shell', input: { command } });

describe('git reads cannot run programs a repository configures', () => {
  it('core.fsmonitor: git status in a repository whose config names a program asks first', async () => {
    await repo(root);
    const evil = await evilScript(root);
    git(root, 'config', 'core.fsmonitor', evil);
    const { results, asked } = await run([shell('git status')]);
    expect(await exists(marker)).toBe(false);
    expect(asked).toEqual(['git status']);
    expect(results[0]?.status).toBe('denied');
  });

  it('diff.external, textconv and clean filters ask first too', async () => {
    await repo(root);
    const evil = await evilScript(root);
    await writeTree(root, { 'a.txt': 'one\n', '.gitattributes': 'a.txt diff=x filter=x\n' });
    git(root, 'add', 'a.txt');
    await writeFile(join(root, 'a.txt'), 'two\n');
    for (const [key, command] of [
      ['diff.external', 'git diff'],
      ['diff.x.textconv', 'git log -p'],
      ['filter.x.clean', 'git status'],
      ['diff.x.command', 'git show'],
    ] as const) {
      git(root, 'config', key, evil);
      const { asked } = await run([shell(command)]);
      expect(await exists(marker), `${key} ran`).toBe(false);
      expect(asked, key).toEqual([command]);
      git(root, 'config', '--unset', key);
    }
  });

  it('a nested repository planted in the workspace (git -C evil status) asks first', async () => {
    await repo(root);
    const evil = await evilScript(root);
    // A repository inside the clone (a vendored folder, a submodule): its config is the clone's.
    await repo(join(root, 'vendor/evil'));
    git(join(root, 'vendor/evil'), 'config', 'core.fsmonitor', evil);
    const { asked } = await run([
      shell('git -C vendor/evil status'),
      shell('cd vendor/evil && git status'),
      shell('cd vendor && git -C evil status'),
    ]);
    expect(await exists(marker)).toBe(false);
    expect(asked).toHaveLength(3);
    // A bare repository planted as plain files is never found implicitly.
    await writeTree(root, {
      'bare/HEAD': 'ref: refs/heads/main\n',
      'bare/config': `[core]\n\tbare = true\n\tfsmonitor = ${evil}\n`,
    });
    await mkdir(join(root, 'bare/objects'), { recursive: true });
    await mkdir(join(root, 'bare/refs'), { recursive: true });
    await run([shell('git -C bare log'), shell('cd bare && git status')]);
    expect(await exists(marker)).toBe(false);
  });

  it('a config written in the same turn (auto-edit) cannot make the next git read run it', async () => {
    await repo(root);
    const evil = await evilScript(root);
    const { results } = await run(
      [
        {
          name: 'write_file',
          input: {
            path: '.git/config',
            content: `[core]\n\trepositoryformatversion = 0\n\tbare = false\n\tfsmonitor = ${evil}\n`,
          },
        },
        shell('git status'),
      ],
      'auto-edit',
    );
    expect(results[0]?.status).toBe('success');
    expect(await exists(marker)).toBe(false);
    expect(results[1]?.status).not.toBe('success');
  });

  it('a config changed after git was approved as a read is refused when git runs', async () => {
    await repo(root);
    const evil = await evilScript(root);
    const release = deferred();
    // An exclusive call first: `git status` is admitted (its config is clean then) and waits.
    const gate = defineTool({
      name: 'gate',
      description: '',
      input: z.object({}),
      execute: () => release.promise.then(() => 'open'),
    });
    const tools = [...builtinTools({ root, sandbox: 'off' }), gate];
    const scheduler = new Scheduler({ tools, approvalMode: 'ask' });
    const turn = scheduler.run([
      { id: 'g', name: 'gate', input: {} },
      { id: 's', name: 'shell', input: { command: 'git status' } },
    ]);
    git(root, 'config', 'core.fsmonitor', evil);
    git(root, 'config', 'diff.x.textconv', evil);
    release.resolve();
    const { results } = await turn;
    expect(await exists(marker)).toBe(false);
    expect(textOf(results[1] as never)).toMatch(/git was not run: .*git config names a program/);
  });

  it('git options that change what runs are not read-only', () => {
    for (const command of [
      'git -c core.fsmonitor=/tmp/x status',
      'git --git-dir=/other/.git log',
      'git -C /other/repo log -p',
      'git diff --ext-diff',
      'git log --textconv -p',
    ]) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(false);
    }
  });
});

describe('the shell cannot read outside the workspace without asking', () => {
  it('asks for commands that name paths outside the root', () => {
    for (const command of [
      'cat /etc/hostname',
      'cat ~/.ssh/id_rsa',
      'cat ../outside.txt',
      'head -c 100 /proc/self/environ',
      'ls /',
      'grep -r key --include=*.pem /home',
      'cd .. && cat x',
      'cd && cat .bashrc',
    ]) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(false);
    }
    for (const command of ['cat a.txt', `cat ${root}/a.txt`, 'ls src/..', 'cd src && ls']) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(true);
    }
  });

  it('never hands the provider keys of the process to a command', async () => {
    const tools = builtinTools({
      root,
      sandbox: 'off',
      shellEnv: { PATH: process.env.PATH, ANTHROPIC_API_KEY: 'sk-ant-secret', HOME: root },
    });
    const scheduler = new Scheduler({ tools, approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'e', name: 'shell', input: { command: 'env' } },
    ]);
    expect(textOf(results[0] as never)).not.toContain('sk-ant-secret');
    expect(textOf(results[0] as never)).toContain('PATH=');
  });
});

describe('allow-listed commands that write', () => {
  it('uniq -- -x OUT writes OUT: not read-only', () => {
    for (const command of ['uniq -- -x OUT', 'uniq -- -f OUT', 'uniq -c -- in out']) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(false);
    }
    expect(classifyShellCommand('uniq -c -- in', { root }).readOnly).toBe(true);
  });
});

describe('read-only commands do not hold the workspace for long', () => {
  it('commands that touch no file claim nothing, and a read-only command times out sooner', async () => {
    await writeTree(root, { 'a.txt': 'alpha\n' });
    const tools = builtinTools({ root, sandbox: 'off', readOnlyShellTimeoutMs: 100 });
    const tool = tools.find((t) => t.name === 'shell') as Tool;
    const claims = typeof tool.claims === 'function' ? tool.claims({ command: 'sleep 1' }) : [];
    expect(claims).toEqual([]);
    const scheduler = new Scheduler({ tools, approvalMode: 'ask' });
    const { results } = await scheduler.run([
      { id: 't', name: 'shell', input: { command: 'tail -f a.txt' } },
    ]);
    expect(results[0]?.status).toBe('timeout');
  });
});

describe('attacks found by review', () => {
  it('a `--` given as an option value hides nothing: the options after it are checked', () => {
    for (const command of [
      "git grep -e -- --or -e . --open-files-in-pager='id > pwned.txt'",
      'rg -e -- --pre=sh .',
      "printf 'x' | sort --random-source -- -o FILE",
      'file -F -- -C -m m.magic',
      'git grep --open-files-in-pager=sh x',
    ]) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(false);
    }
  });

  it('patterns given by option, stdin file lists, cd options and dotted wildcards cannot reach outside', () => {
    for (const command of [
      'grep -e. /srv/x',
      'grep --regexp=. /srv/x',
      'grep --regexp . /srv/x',
      'grep -fpats /srv/x',
      'rg -e. /srv/x',
      'jq -R . -e /srv/x',
      'jq --rawfile k /srv/x -n .',
      "printf '/srv/x\\0' | sort --files0-from=-",
      'wc --files0-from=list',
      'du --files0-from=-',
      'cd -P / && cat srv/x',
      'cat .?/.?/srv/x',
      'cat .*/x',
      'rg --files /srv/sub',
      'grep -R SECRET .',
      'find -L .',
      'find . -follow',
      'rg -L x',
      'ls -RL .',
    ]) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(false);
    }
    for (const command of ['grep -e foo src', 'rg --files src', 'grep -r "/api/" src']) {
      expect(classifyShellCommand(command, { root }).readOnly, command).toBe(
        command !== 'grep -r "/api/" src',
      );
    }
  });

  it('symbolic links in the workspace that lead out: through a wildcard, a cd, or a plain path', async () => {
    const outside = await tempDir('salvo-shell-link-');
    cleanups.push(outside.cleanup);
    await writeTree(outside.dir, { 's.txt': 'SECRET\n' });
    await symlink(outside.dir, join(root, 'lnk'));
    const { asked } = await run([
      shell('cat ln?/s.txt'),
      shell('cd lnk && cat s.txt'),
      shell('cat lnk/s.txt'),
      shell('cat l*/*.txt'),
    ]);
    expect(asked).toHaveLength(4);
  });
});

describe('git: what review found past the first checks', () => {
  it('a section and an entry on one line do not end the config check', async () => {
    await repo(root);
    const evil = await evilScript(root);
    await writeFile(join(root, '.git/config'), `[core] bare = false\n\tfsmonitor = ${evil}\n`);
    const { asked } = await run([shell('git status')]);
    expect(asked).toEqual(['git status']);
    expect(await exists(marker)).toBe(false);
  });

  it('a .git file pointing outside the workspace, or borrowed objects, ask first', async () => {
    const other = await tempDir('salvo-shell-otherrepo-');
    cleanups.push(other.cleanup);
    await repo(other.dir);
    await writeFile(join(root, '.git'), `gitdir: ${join(other.dir, '.git')}\n`);
    const { asked } = await run([shell('git show HEAD')]);
    expect(asked).toEqual(['git show HEAD']);
    await repo(join(root, 'inner'));
    await writeFile(
      join(root, 'inner/.git/objects/info/alternates'),
      `${join(other.dir, '.git/objects')}\n`,
    );
    const second = await run([shell('git -C inner log')]);
    expect(second.asked).toEqual(['git -C inner log']);
  });

  it('a read that refreshes the index runs no hook', async () => {
    await repo(root);
    await writeTree(root, { 'a.txt': 'one\n' });
    git(root, 'add', 'a.txt');
    git(root, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-q', '-m', 'a');
    const hook = join(root, '.git/hooks/post-index-change');
    await writeFile(hook, `#!/bin/sh\ntouch '${marker}'\n`);
    await chmod(hook, 0o755);
    // A new timestamp, the same content: `git diff` refreshes the index, which runs the hook.
    const later = new Date(Date.now() + 60_000);
    await utimes(join(root, 'a.txt'), later, later);
    const { results, asked } = await run([shell('git diff'), shell('git status')]);
    expect(asked).toEqual([]);
    expect(results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(await exists(marker)).toBe(false);
  });
});
