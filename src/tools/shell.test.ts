import { realpath } from 'node:fs/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { Tool } from '../tool/define-tool.js';
import { builtinTools } from './builtin-tools.js';
import { claimsOf, runTool, tempDir, textOf, toolNamed, writeTree } from './test-support.js';

let root: string;
let tools: Tool[];
let cleanup: () => Promise<void>;

beforeEach(async () => {
  const t = await tempDir();
  cleanup = t.cleanup;
  root = await realpath(t.dir);
  await writeTree(root, { 'a.txt': 'alpha\n' });
  // Long enough for a sandboxed command on a loaded machine; the timeout test sets its own.
  tools = builtinTools({ root, shellTimeoutMs: 30_000, maxShellOutputBytes: 2000 });
});

afterEach(() => cleanup());

const shell = (command: string) => runTool(tools, 'shell', { command });

describe('shell', () => {
  it('runs in the workspace root and reports output and exit code', async () => {
    expect(textOf(await shell('pwd && cat a.txt'))).toBe(`${root}\nalpha\n[exit code 0]`);
    expect(textOf(await shell('false'))).toBe('(no output)\n[exit code 1]');
    expect(textOf(await shell('printf x'))).toBe('x\n[exit code 0]');
  });

  it('makes a non-zero exit a failed call whose whole output the model still reads', async () => {
    // More than the 2,000 characters an error message keeps: the output is not cut to one.
    const command = 'seq 1 600; echo broke >&2; exit 3';
    const failed = await shell(command);
    expect(failed.status).toBe('error');
    expect(failed.isError).toBe(true);
    expect(failed.error?.message).toBe('exit code 3');
    const text = textOf(failed);
    expect(text.startsWith('1\n2\n3\n')).toBe(true);
    expect(text.endsWith('599\n600\nbroke\n[exit code 3]')).toBe(true);
    expect(text.length).toBeGreaterThan(2000);

    const ok = await shell('echo fine');
    expect(ok).toMatchObject({ status: 'success', isError: false, output: 'fine\n[exit code 0]' });
  });

  it('makes a command killed by a signal a failed call too', async () => {
    const killed = await shell('echo before; kill -9 $$');
    expect(killed.status).toBe('error');
    // Under the sandbox the kill reaches its launcher as exit code 137 (128 + SIGKILL).
    expect(textOf(killed)).toMatch(/^before\n\[(killed by signal SIGKILL|exit code 137)\]$/);
  });

  it('takes a read claim on the workspace and runs without asking for read-only commands', async () => {
    const tool = toolNamed(tools, 'shell');
    expect(await claimsOf(tool, { command: 'git status' })).toEqual([
      { key: `fs:${root}`, mode: 'read' },
    ]);
    expect(typeof tool.approval === 'function' && tool.approval({ command: 'ls' })).toBe('auto');
    const scheduler = new Scheduler({ tools, approvalMode: 'ask' });
    const { results } = await scheduler.run([
      { id: 'c1', name: 'shell', input: { command: 'cat a.txt | wc -l' } },
    ]);
    expect(results[0]?.status).toBe('success');
  });

  it('makes any other command exclusive and asks for it, even in auto-edit mode', async () => {
    const tool = toolNamed(tools, 'shell');
    expect(await claimsOf(tool, { command: 'rm a.txt' })).toBeNull();
    expect(typeof tool.approval === 'function' && tool.approval({ command: 'rm a.txt' })).toBe(
      'ask',
    );
    for (const approvalMode of ['ask', 'auto-edit'] as const) {
      const asked: string[] = [];
      const scheduler = new Scheduler({
        tools,
        approvalMode,
        approver: (request) => {
          asked.push(request.toolName);
          return 'deny';
        },
      });
      const { results } = await scheduler.run([
        { id: 'c1', name: 'shell', input: { command: 'echo x > b.txt' } },
      ]);
      expect(results[0]?.status).toBe('denied');
      expect(asked).toEqual(['shell']);
    }
  });

  it('ends a command that runs too long with the timeout status', async () => {
    const quick = builtinTools({ root, shellTimeoutMs: 300, maxShellOutputBytes: 2000 });
    const result = await runTool(quick, 'shell', { command: 'sleep 10' });
    expect(result.status).toBe('timeout');
  });

  it('caps a flood of output and says how much it dropped', async () => {
    const result = await shell('yes | head -c 5000000');
    const text = textOf(result);
    expect(result.status).toBe('success');
    expect(text).toContain(
      '[... 4,998,000 bytes dropped; showing the first 1,000 and the last 1,000',
    );
    expect(text.endsWith('[exit code 0]')).toBe(true);
    expect(text.length).toBeLessThan(2200);
  });

  it('turns pagers off', async () => {
    expect(textOf(await shell('echo "$GIT_PAGER $PAGER"'))).toBe('cat cat\n[exit code 0]');
  });
});
