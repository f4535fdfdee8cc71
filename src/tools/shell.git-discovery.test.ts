import { execFileSync } from 'node:child_process';
import { access, mkdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { CallResult } from '../tool/call.js';
import { withSafeGitDiscovery } from './git-discovery-env.js';
import { shellTool } from './shell.js';
import { tempDir, textOf, writeTree } from './test-support.js';
import { Workspace } from './workspace.js';

// A bare repository written as plain files (what an "allow all edits" rule lets through) made
// an approved `cd sub && git commit` run the programs its config names. No shell command finds
// such a repository by walking into it, whoever approved the command.

let root: string;
let outside: string;
let cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  const [r, o] = [await tempDir('salvo-git-disc-'), await tempDir('salvo-git-disc-out-')];
  cleanups.push(r.cleanup, o.cleanup);
  root = await realpath(r.dir);
  outside = await realpath(o.dir);
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

/** The environment without an editor of the user's that would win over the repository's. */
function withoutEditor(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { GIT_EDITOR: _g, EDITOR: _e, VISUAL: _v, ...rest } = env;
  return rest;
}

/** `sub/` laid out as a repository whose config runs a program on `git commit`. */
async function plantBareRepository(marker: string) {
  await writeTree(root, {
    'sub/HEAD': 'ref: refs/heads/main\n',
    'sub/config': [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tbare = false',
      '\tworktree = .',
      `\tfsmonitor = touch '${marker}-fsmonitor'; false`,
      `\teditor = touch '${marker}-editor';`,
      '[user]',
      '\temail = a@b',
      '\tname = a',
      '',
    ].join('\n'),
  });
  await mkdir(join(root, 'sub/objects'), { recursive: true });
  await mkdir(join(root, 'sub/refs'), { recursive: true });
}

describe('shell commands never find a bare repository by walking into it', () => {
  it('the planted repository runs its programs for a plain git (the attack is real)', async () => {
    const marker = join(outside, 'pwned');
    await plantBareRepository(marker);
    try {
      execFileSync('git', ['commit', '--allow-empty'], {
        cwd: join(root, 'sub'),
        stdio: 'ignore',
        env: withoutEditor(process.env),
      });
    } catch {
      // The editor leaves no message: the commit is aborted, after the programs ran.
    }
    expect(await exists(`${marker}-editor`)).toBe(true);
  });

  it('an approved `cd sub && git commit` runs none of them', async () => {
    const marker = join(outside, 'pwned');
    await plantBareRepository(marker);
    const tool = shellTool({
      workspace: new Workspace({ root }),
      sandbox: 'off',
      env: withoutEditor(process.env),
    });
    const scheduler = new Scheduler({ tools: [tool], approvalMode: 'yolo' });
    const { results } = await scheduler.run([
      { id: 'c1', name: 'shell', input: { command: 'cd sub && git commit --allow-empty' } },
      { id: 'c2', name: 'shell', input: { command: 'cd sub && git status' } },
    ]);
    expect(await exists(`${marker}-editor`)).toBe(false);
    expect(await exists(`${marker}-fsmonitor`)).toBe(false);
    expect(textOf(results[0] as CallResult)).toMatch(/cannot use bare repository/);
  });
});

describe('withSafeGitDiscovery', () => {
  it('adds its config after the entries the environment has', () => {
    const env = withSafeGitDiscovery({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_VALUE_0: 'me',
    });
    expect(env).toMatchObject({
      GIT_CONFIG_COUNT: '2',
      GIT_CONFIG_KEY_0: 'user.name',
      GIT_CONFIG_KEY_1: 'safe.bareRepository',
      GIT_CONFIG_VALUE_1: 'explicit',
    });
    expect(withSafeGitDiscovery({ GIT_CONFIG_COUNT: 'x' })).toMatchObject({
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'safe.bareRepository',
    });
  });
});
