// Helpers for the end-to-end tests: run the real binary, script the model server's answers.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { onTestFinished } from 'vitest';
import { completionStream, textChunk, toolStart } from '../agent/providers/test-openai-sse.js';
import type { ScriptedResponse } from '../agent/providers/test-server.js';
import { salvoBin } from './test-terminal.js';

export interface SalvoRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** An environment with no provider keys, a private home and no CI marker, plus `extra`. */
export function cleanEnv(home: string, extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined) continue;
    if (/^(ANTHROPIC|OPENAI)_|^CI$|^SALVO_/.test(key)) continue;
    env[key] = value;
  }
  return { ...env, HOME: home, NO_COLOR: '1', ...extra };
}

/** Runs `salvo` with no terminal: stdin closed (or `input`), stdout and stderr captured. */
export function runSalvo(
  args: readonly string[],
  options: { cwd: string; env: Record<string, string>; input?: string; timeoutMs?: number },
): Promise<SalvoRun> {
  return new Promise((resolve) => {
    const child = execFile(
      process.execPath,
      [salvoBin, ...args],
      { cwd: options.cwd, env: options.env, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
    child.stdin?.end(options.input ?? '');
  });
}

/** A temp project with a few files, and a temp home; both go when the test is over. */
export function tempProject(): { dir: string; home: string } {
  const root = mkdtempSync(join(tmpdir(), 'salvo-cli-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const dir = join(root, 'project');
  const home = join(root, 'home');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(home);
  writeFileSync(join(dir, 'README.md'), '# sample\n');
  writeFileSync(join(dir, 'src', 'a.ts'), 'export const a = 1;\n');
  writeFileSync(join(dir, 'src', 'b.ts'), 'export const b = 2;\n');
  return { dir, home };
}

/** An OpenAI-format answer making `calls` (all in one response). */
export function toolCallsAnswer(
  calls: readonly { id: string; name: string; input: unknown }[],
): ScriptedResponse {
  return completionStream(
    calls.map((c, i) => toolStart(i, c.id, c.name, JSON.stringify(c.input))),
    'tool_calls',
  );
}

/** An OpenAI-format answer with text only. */
export function textAnswer(text: string): ScriptedResponse {
  return completionStream([textChunk(text)]);
}
