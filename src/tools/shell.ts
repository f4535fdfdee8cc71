import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { runCommand } from './run-command.js';
import { classifyShellCommand } from './shell-classify.js';
import { formatBytes } from './text-file.js';
import { defaults } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const shellInput = z.object({
  command: z.string().min(1).describe('The command line, run by /bin/sh -c in the workspace root.'),
});

export type ShellInput = z.infer<typeof shellInput>;

/** Options of {@link shellTool}. */
export interface ShellToolOptions {
  workspace: Workspace;
  /** Time a command may run before its process group is killed (status `timeout`). @default 120_000 */
  timeoutMs?: number;
  /** Output kept, in bytes: the first half and the last half. @default 30_000 */
  maxOutputBytes?: number;
  /** Environment of the commands (pagers are turned off on top of it). @default process.env */
  env?: NodeJS.ProcessEnv;
  /** The shell. @default '/bin/sh' */
  shell?: string;
}

/**
 * `shell`: runs a command line with a timeout and capped output. Input-aware: a command the
 * fail-closed allow-list proves read-only takes a read claim on the workspace and needs no
 * approval; any other command is exclusive and asks.
 */
export function shellTool(options: ShellToolOptions): Tool<ShellInput> {
  const {
    workspace,
    timeoutMs = defaults.shellTimeoutMs,
    maxOutputBytes = defaults.maxShellOutputBytes,
    env = process.env,
    shell = '/bin/sh',
  } = options;
  const readOnly = (input: ShellInput) => classifyShellCommand(input.command).readOnly;
  return defineTool({
    name: 'shell',
    description: [
      'Runs a shell command (/bin/sh -c) in the workspace root and returns its output (stdout and stderr as they came) and exit code. stdin is closed: no interactive commands.',
      `Output over ${formatBytes(maxOutputBytes)} keeps its beginning and end. A command is killed, with its child processes, after ${Math.round(timeoutMs / 1000)} s.`,
      'Read-only commands (git status/diff/log/show, ls, cat, head, tail, wc, grep, rg, find without -exec or -delete, sed -n ...) with no redirection, `$`, backquotes, subshell or variable assignment run at once and in parallel with other reads; any other command needs approval and runs alone.',
      'Prefer read_file, grep, glob and edit_file for files. Independent read-only commands can be issued together in one response.',
    ].join(' '),
    input: shellInput,
    // `undefined`: exclusive, like a tool that declares no claims.
    claims: (input) => (readOnly(input) ? [{ key: workspace.key, mode: 'read' }] : undefined),
    approval: (input) => (readOnly(input) ? 'auto' : 'ask'),
    timeoutMs,
    async execute(input, ctx) {
      const quiet = readOnly(input) ? { GIT_OPTIONAL_LOCKS: '0' } : {};
      const result = await runCommand({
        command: input.command,
        cwd: workspace.root,
        env: { ...env, ...quiet, PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
        shell,
        maxOutputBytes,
        signal: ctx.signal,
      });
      const status =
        result.exitCode !== null
          ? `[exit code ${result.exitCode}]`
          : `[killed by signal ${result.signal ?? 'unknown'}]`;
      const output = result.output === '' ? '(no output)\n' : result.output;
      return `${output}${output.endsWith('\n') ? '' : '\n'}${status}`;
    },
  });
}
