// Helpers for the built-in tools' tests: real folders under the OS temp dir, removed afterwards.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import type { CallResult } from '../tool/call.js';
import type { Claim } from '../tool/claims.js';
import { contentToText } from '../tool/content.js';
import type { Tool } from '../tool/define-tool.js';
import { findRipgrep } from './ripgrep.js';
import { ToolError, type ToolErrorCode } from './tool-error.js';

/** A fresh temp folder; `cleanup` removes it with everything in it. */
export async function tempDir(prefix = 'salvo-tools-'): Promise<{
  dir: string;
  cleanup: () => Promise<void>;
}> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * For each test of the file: a fresh workspace root and a folder outside it (real paths of temp
 * folders), with these files, removed after the test.
 */
export function rootAndOutsideEachTest(files: {
  root: Record<string, string>;
  outside: Record<string, string>;
}): { readonly root: string; readonly outside: string } {
  const dirs = { root: '', outside: '' };
  const cleanups: (() => Promise<void>)[] = [];
  beforeEach(async () => {
    for (const side of ['root', 'outside'] as const) {
      const t = await tempDir();
      cleanups.push(t.cleanup);
      dirs[side] = await realpath(t.dir);
      await writeTree(dirs[side], files[side]);
    }
  });
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });
  return dirs;
}

/** Writes files (relative path -> content), creating folders as needed. */
export async function writeTree(root: string, files: Record<string, string | Uint8Array>) {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    await mkdir(dirname(full), { recursive: true });
    await writeFile(full, content);
  }
}

/** Makes a named pipe (FIFO): opening it to read blocks until a writer comes, and none will. */
export function makeFifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

/** The text the model reads. */
export function textOf(result: CallResult): string {
  return contentToText(result.content);
}

/** The code of the ToolError behind an error result, if any. */
export function errorCode(result: CallResult): ToolErrorCode | undefined {
  const cause = result.error?.cause;
  return ToolError.isInstance(cause) ? cause.code : undefined;
}

/** Runs calls of the built-in tools through a Scheduler (every approval granted). */
export async function runTools(
  tools: readonly Tool[],
  calls: readonly { name: string; input: unknown }[],
): Promise<CallResult[]> {
  const scheduler = new Scheduler({ tools, approvalMode: 'yolo' });
  const { results } = await scheduler.run(calls.map((c, i) => ({ id: `c${i}`, ...c })));
  return results;
}

/** Runs one call and returns its result. */
export async function runTool(tools: readonly Tool[], name: string, input: unknown) {
  const [result] = await runTools(tools, [{ name, input }]);
  return result as CallResult;
}

/** The claims a tool computes for an input (after validation); `null` for exclusive. */
export async function claimsOf(tool: Tool, input: unknown): Promise<readonly Claim[] | null> {
  const checked = await tool.inputSchema.validate(input);
  if (!checked.ok) throw new Error(checked.message);
  const claims = typeof tool.claims === 'function' ? tool.claims(checked.value) : tool.claims;
  return claims ?? null;
}

/** The tool of that name. */
export function toolNamed(tools: readonly Tool[], name: string): Tool {
  const tool = tools.find((t) => t.name === name);
  if (!tool) throw new Error(`No tool ${name}`);
  return tool;
}

/**
 * The `rg` program the tests run against. Missing, the test fails with how to install it: the
 * tests of the search tools need the real program.
 */
export function requireRipgrep(): string {
  const rg = findRipgrep({ workspaceRoot: '/nonexistent-workspace' });
  if (!rg) {
    throw new Error(
      'These tests need ripgrep (`rg`) on PATH: install it with `npm run setup`, or `sudo apt-get install ripgrep`.',
    );
  }
  return rg;
}

/** The process ids of this process's children running `rg` (Linux: read from /proc). */
export function ripgrepChildren(): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so read from the last `)`.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (comm === 'rg' && ppid === process.pid) found.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return found;
}

/** True while a process with this id exists (and is not a zombie). */
export function processExists(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** Polls `check` every few milliseconds until it is true; fails after `timeoutMs`. */
export async function pollUntil(
  check: () => boolean,
  what: string,
  timeoutMs = 10_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
