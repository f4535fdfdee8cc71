import { existsSync, readFileSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCommand } from './run-command.js';
import { tempDir } from './test-support.js';

let root: string;
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
});

afterEach(() => cleanup());

/** Waits for a condition, checking every few ms, up to a generous bound. */
async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (condition()) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error(`Gave up waiting for ${what}`);
}

/** Alive: the process exists and is not a zombie waiting to be reaped. */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.[0] !== 'Z';
  } catch {
    return false;
  }
}

describe('runCommand', () => {
  it('returns stdout and stderr, the exit code, in the given folder', async () => {
    const result = await runCommand({
      command: 'pwd; echo oops >&2; exit 3',
      cwd: root,
      maxOutputBytes: 1000,
    });
    expect(result).toMatchObject({ exitCode: 3, signal: null, droppedBytes: 0 });
    expect(result.output).toBe(`${root}\noops\n`);
  });

  it('caps a flood of output, keeping head and tail in bounded memory', async () => {
    const result = await runCommand({
      command: 'yes | head -c 5000000',
      cwd: root,
      maxOutputBytes: 1000,
    });
    expect(result.exitCode).toBe(0);
    expect(result.totalBytes).toBe(5_000_000);
    expect(result.droppedBytes).toBe(4_999_000);
    expect(result.output).toMatch(
      /^(y\n){250}\n\[\.\.\. 4,999,000 bytes dropped;.*\]\n(y\n){250}$/s,
    );
  });

  it('kills the whole process group on abort, and rejects with the reason', async () => {
    const controller = new AbortController();
    const pidFile = join(root, 'pid');
    const running = runCommand({
      command: `sleep 30 & echo $! > ${pidFile}; wait`,
      cwd: root,
      maxOutputBytes: 1000,
      signal: controller.signal,
    });
    await until(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8').endsWith('\n'), 'pid');
    const pid = Number(await readFile(pidFile, 'utf8'));
    expect(isAlive(pid)).toBe(true);
    controller.abort(new Error('timed out'));
    await expect(running).rejects.toThrow('timed out');
    await until(() => !isAlive(pid), 'the background process to die');
  });

  it('escalates to SIGKILL when the command ignores SIGTERM', async () => {
    const controller = new AbortController();
    const ready = join(root, 'ready');
    const running = runCommand({
      command: `trap '' TERM; touch ${ready}; sleep 30`,
      cwd: root,
      maxOutputBytes: 1000,
      signal: controller.signal,
      killGraceMs: 20,
    });
    await until(() => existsSync(ready), 'the trap to be set');
    controller.abort(new Error('stop'));
    await expect(running).rejects.toThrow('stop');
  });

  it('rejects at once for an aborted signal, and when the shell cannot start', async () => {
    await expect(
      runCommand({
        command: 'echo never',
        cwd: root,
        maxOutputBytes: 10,
        signal: AbortSignal.abort(new Error('already')),
      }),
    ).rejects.toThrow('already');
    await expect(
      runCommand({ command: 'echo', cwd: join(root, 'missing'), maxOutputBytes: 10 }),
    ).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
