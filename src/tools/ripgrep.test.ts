import { execFileSync } from 'node:child_process';
import { chmod, mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { builtinTools } from './builtin-tools.js';
import { compareWalkOrder, findRipgrep, ripgrepWalkArgs, runRipgrep } from './ripgrep.js';
import {
  makeFifo,
  pollUntil,
  processExists,
  requireRipgrep,
  ripgrepChildren,
  runTool,
  tempDir,
  textOf,
  toolNamed,
  writeTree,
} from './test-support.js';

const rg = requireRipgrep();
let root: string;
let outside: string;
const cleanups: (() => Promise<void>)[] = [];

beforeEach(async () => {
  for (const side of ['root', 'outside'] as const) {
    const t = await tempDir();
    cleanups.push(t.cleanup);
    const dir = await realpath(t.dir);
    if (side === 'root') root = dir;
    else outside = dir;
  }
  await writeTree(root, { '.git/HEAD': '', 'src/a.ts': 'TODO inside\n' });
  await writeTree(outside, { 'secret.txt': 'TODO outside secret\n' });
});

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** A folder whose `.gitignore` is a named pipe: ripgrep waits on it for good. */
async function stallingFolder(): Promise<void> {
  await mkdir(join(root, 'stall'));
  makeFifo(join(root, 'stall/.gitignore'));
}

describe('findRipgrep', () => {
  it('finds rg on PATH by its real path, skipping relative entries and one inside the workspace', async () => {
    const found = findRipgrep({ workspaceRoot: root });
    expect(found).toBe(execFileSync('realpath', [rg], { encoding: 'utf8' }).trim());
    await writeTree(root, { 'bin/rg': '#!/bin/sh\necho planted\n' });
    await chmod(join(root, 'bin/rg'), 0o755);
    expect(findRipgrep({ workspaceRoot: root, env: { PATH: join(root, 'bin') } })).toBeUndefined();
    expect(findRipgrep({ workspaceRoot: root, env: { PATH: 'bin' } })).toBeUndefined();
    expect(findRipgrep({ workspaceRoot: root, env: {} })).toBeUndefined();
  });
});

describe('runRipgrep', () => {
  const listAll = (signal: AbortSignal, maxOutputBytes = 1_000_000) => {
    const records: string[] = [];
    const run = runRipgrep({
      rg,
      args: [
        ...ripgrepWalkArgs({ ignoreFiles: true, skipDirs: ['.git'] }),
        '--null',
        '--files',
        root,
      ],
      cwd: root,
      signal,
      maxOutputBytes,
      onRecord: (record) => records.push(record.toString()),
    });
    return { run, records };
  };

  it('streams the records of the output', async () => {
    const { run, records } = listAll(new AbortController().signal);
    expect((await run).code).toBe(0);
    expect(records).toEqual([join(root, 'src/a.ts')]);
  });

  it('kills rg when the signal aborts, and settles only once it is gone', async () => {
    await stallingFolder();
    const controller = new AbortController();
    const { run } = listAll(controller.signal);
    await pollUntil(() => ripgrepChildren().length === 1, 'rg to start');
    const [pid] = ripgrepChildren() as [number];
    controller.abort(new Error('cancelled'));
    await expect(run).rejects.toThrow('cancelled');
    expect(processExists(pid)).toBe(false);
  });

  it('kills rg once its output passes the cap', async () => {
    await writeTree(
      root,
      Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`many/file-${i}.txt`, ''])),
    );
    const { run, records } = listAll(new AbortController().signal, 200);
    const exit = await run;
    expect(exit.overflow).toBe(true);
    expect(records.length).toBeLessThan(50);
    expect(ripgrepChildren()).toEqual([]);
  });
});

describe('grep and glob run rg confined to the workspace', () => {
  it('follow no symlink out of the workspace, to a folder or a file', async () => {
    await symlink(outside, join(root, 'out'));
    await symlink(join(outside, 'secret.txt'), join(root, 'secret-link.txt'));
    const tools = builtinTools({ root, ripgrep: rg, ripgrepAfterFiles: 0, shell: false });
    expect(textOf(await runTool(tools, 'grep', { pattern: 'TODO' }))).toBe(
      'src/a.ts:1:TODO inside',
    );
    expect(textOf(await runTool(tools, 'glob', { pattern: '**' }))).toBe('src/a.ts');
  });

  it('ignore RIPGREP_CONFIG_PATH: a config file from the environment changes nothing', async () => {
    await symlink(outside, join(root, 'out'));
    const config = join(outside, 'ripgreprc');
    await writeFile(config, '--follow\n--no-ignore\n');
    vi.stubEnv('RIPGREP_CONFIG_PATH', config);
    // The file works: rg run plainly with it follows the link to the secret.
    const plain = execFileSync(rg, ['-l', 'secret', root], { encoding: 'utf8', env: process.env });
    expect(plain).toContain('secret.txt');
    const tools = builtinTools({ root, ripgrep: rg, ripgrepAfterFiles: 0, shell: false });
    expect(textOf(await runTool(tools, 'grep', { pattern: 'secret' }))).toBe(
      'No matches for `secret` in `.` (1 file searched).',
    );
  });

  it('stop rg at the call timeout: the result says so and the process is gone', async () => {
    await stallingFolder();
    const tools = builtinTools({ root, ripgrep: rg, ripgrepAfterFiles: 0, shell: false });
    const scheduler = new Scheduler({ tools, approvalMode: 'yolo', defaultTimeoutMs: 300 });
    const { results } = await scheduler.run([
      { id: 'g', name: 'grep', input: { pattern: 'TODO' } },
      { id: 'l', name: 'glob', input: { pattern: '**' } },
    ]);
    expect(results.map((r) => r.status)).toEqual(['timeout', 'timeout']);
    // rg waits on the pipe for good: only the kill ends it.
    await pollUntil(() => ripgrepChildren().length === 0, 'the rg processes to be gone');
  });

  it('stop rg when the call is cancelled, and settle once it is gone', async () => {
    await stallingFolder();
    const grep = toolNamed(
      builtinTools({ root, ripgrep: rg, ripgrepAfterFiles: 0, shell: false }),
      'grep',
    );
    const controller = new AbortController();
    const input = {
      pattern: 'TODO',
      path: '.',
      ignore_case: false,
      context: 0,
      include_ignored: false,
    };
    const running = Promise.resolve(
      grep.execute(input, {
        signal: controller.signal,
        callId: 'c',
        turnId: 1,
        toolName: 'grep',
        path: [],
        progress() {},
        waitFor: <T>(work: PromiseLike<T>) => Promise.resolve(work),
        asParent: { turnId: 1, callId: 'c' },
        turnSignal: undefined,
      }),
    );
    await pollUntil(() => ripgrepChildren().length === 1, 'rg to start');
    const [pid] = ripgrepChildren() as [number];
    controller.abort(new Error('user cancelled'));
    await expect(running).rejects.toThrow('user cancelled');
    expect(processExists(pid)).toBe(false);
  });
});

describe('compareWalkOrder', () => {
  it('orders paths as the walk meets them: by name in each folder, depth first', () => {
    const paths = ['b', 'a/z', 'a.txt', 'a/b/c', 'A', 'a-b/x', 'é'];
    expect([...paths].sort(compareWalkOrder)).toEqual([
      'A',
      'a/b/c',
      'a/z',
      'a-b/x',
      'a.txt',
      'b',
      'é',
    ]);
  });
});
