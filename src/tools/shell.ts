import { z } from 'zod';
import { InvalidOptionError } from '../errors.js';
import type { Claim } from '../tool/claims.js';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { ToolFailure } from '../tool/tool-failure.js';
import { assertTimeoutMs } from '../validate-options.js';
import { expandWildcards } from './expand-wildcards.js';
import { repositoryConfigProblem } from './git-config-guard.js';
import { withSafeGitDiscovery } from './git-discovery-env.js';
import { type GitShim, prepareGitShim, shimEnvironment } from './git-shim.js';
import { runCommand } from './run-command.js';
import { detectSandbox, type SandboxStatus, sandboxCommand } from './sandbox.js';
import { classifyShellCommand } from './shell-classify.js';
import { scrubEnvironment } from './shell-env.js';
import { formatBytes } from './text-file.js';
import { defaults } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const shellInput = z.object({
  command: z.string().min(1).describe('The command line, run by /bin/sh -c in the workspace root.'),
});

export type ShellInput = z.infer<typeof shellInput>;

/**
 * Where shell commands run: `workspace` confines them with bubblewrap (the workspace writable,
 * the rest read-only, home folders and secrets hidden, no network); `off` runs them as they
 * are; `auto` is `workspace` where bubblewrap works and `off` elsewhere.
 */
export type ShellSandbox = 'auto' | 'workspace' | 'off';

/** Options of {@link shellTool}. */
export interface ShellToolOptions {
  workspace: Workspace;
  /** Time a command may run before its process group is killed (status `timeout`). @default 120_000 */
  timeoutMs?: number;
  /**
   * Time a command that runs without approval (proven read-only) may run: it holds a read claim
   * on the whole workspace meanwhile. @default 30_000
   */
  readOnlyTimeoutMs?: number;
  /** Output kept, in bytes: the first half and the last half. @default 30_000 */
  maxOutputBytes?: number;
  /**
   * Environment of the commands, without credentials (provider keys, tokens, passwords, agent
   * sockets: see `isSecretVariable`), and with pagers turned off. @default process.env
   */
  env?: NodeJS.ProcessEnv;
  /** Variables passed on although their names look like credentials. @default [] */
  passEnv?: readonly string[];
  /** The shell. @default '/bin/sh' */
  shell?: string;
  /** @default 'auto' */
  sandbox?: ShellSandbox;
  /** Let sandboxed commands use the network. @default false */
  network?: boolean;
}

/** A shell tool, and what its sandbox turned out to be. */
export interface ShellTool extends Tool<ShellInput> {
  /** Resolves to whether commands run in the sandbox, and if not, why (for a warning). */
  sandboxStatus(): Promise<SandboxStatus & { enabled: boolean }>;
}

type Verdict = { readOnly: true; touchesFiles: boolean } | { readOnly: false; reason: string };

/**
 * `shell`: runs a command line with a timeout and capped output. Input-aware: a command the
 * fail-closed allow-list proves read-only (reading nothing outside the workspace, and no git in
 * a repository whose own config names a program) runs without asking, under a read claim on the
 * workspace (none when it touches no file); any other command is exclusive and asks.
 */
export function shellTool(options: ShellToolOptions): ShellTool {
  const {
    workspace,
    timeoutMs = defaults.shellTimeoutMs,
    readOnlyTimeoutMs = 30_000,
    maxOutputBytes = defaults.maxShellOutputBytes,
    env = process.env,
    passEnv = [],
    shell = '/bin/sh',
    sandbox = 'auto',
    network = false,
  } = options;
  assertTimeoutMs('readOnlyTimeoutMs', readOnlyTimeoutMs);
  if (sandbox !== 'auto' && sandbox !== 'workspace' && sandbox !== 'off') {
    throw new InvalidOptionError('sandbox', "'auto', 'workspace' or 'off'", sandbox);
  }
  // Every command, approved or not: no bare repository is found by walking into its folder.
  const baseEnv = withSafeGitDiscovery(scrubEnvironment(env, passEnv));
  let sandboxCheck: Promise<SandboxStatus> | undefined;
  const checkSandbox = () => {
    sandboxCheck ??=
      sandbox === 'off'
        ? Promise.resolve({ available: false, reason: 'turned off' })
        : detectSandbox();
    return sandboxCheck;
  };
  let shimReady: Promise<GitShim | undefined> | undefined;

  // `claims` and `approval` are asked about the same input, one after the other.
  let last: { command: string; verdict: Verdict } | undefined;
  const verdictOf = (input: ShellInput): Verdict => {
    if (last?.command !== input.command) {
      last = { command: input.command, verdict: judge(input.command, workspace) };
    }
    return last.verdict;
  };

  const tool = defineTool({
    name: 'shell',
    description: [
      'Runs a shell command (/bin/sh -c) in the workspace root and returns its output (stdout and stderr as they came) and exit code. stdin is closed: no interactive commands.',
      `Output over ${formatBytes(maxOutputBytes)} keeps its beginning and end. A command is killed, with its child processes, after ${Math.round(timeoutMs / 1000)} s (${Math.round(readOnlyTimeoutMs / 1000)} s for read-only ones).`,
      'Read-only commands (git status/diff/log/show, ls, cat, head, tail, wc, grep, rg, find without -exec or -delete, sed -n ...) with no redirection, `$`, backquotes, subshell or variable assignment, naming no path outside the workspace, run at once and in parallel with other reads; any other command needs approval and runs alone.',
      'Prefer read_file, grep, glob and edit_file for files. Independent read-only commands can be issued together in one response.',
    ].join(' '),
    input: shellInput,
    // `undefined`: exclusive, like a tool that declares no claims.
    claims: (input): Claim[] | undefined => {
      const verdict = verdictOf(input);
      if (!verdict.readOnly) return undefined;
      return verdict.touchesFiles ? [{ key: workspace.key, mode: 'read' }] : [];
    },
    approval: (input) => (verdictOf(input).readOnly ? 'auto' : 'ask'),
    timeoutMs,
    async execute(input, ctx) {
      const verdict = verdictOf(input);
      const status = sandbox === 'off' ? undefined : await checkSandbox();
      const confined = status?.available === true;
      if (sandbox === 'workspace' && !confined) {
        throw new Error(`The shell's sandbox is not available: ${status?.reason ?? 'unknown'}.`);
      }
      let commandEnv = baseEnv;
      let shimDir: string | undefined;
      if (verdict.readOnly) {
        // Every git of a command run without approval goes through the shim.
        shimReady ??= prepareGitShim(baseEnv.PATH);
        const shim = await shimReady;
        if (shim) {
          commandEnv = shimEnvironment(baseEnv, shim);
          shimDir = shim.dir;
        }
      }
      const limit = verdict.readOnly ? Math.min(readOnlyTimeoutMs, timeoutMs) : Infinity;
      const timer = Number.isFinite(limit) ? AbortSignal.timeout(limit) : undefined;
      const signal = timer ? AbortSignal.any([ctx.signal, timer]) : ctx.signal;
      const launcher = confined
        ? (argv: readonly string[]) =>
            sandboxCommand(
              {
                root: workspace.root,
                network,
                env: commandEnv,
                readOnly: shimDir ? [shimDir] : [],
                readOnlyWorkspace: verdict.readOnly,
              },
              argv,
            )
        : undefined;
      let result: Awaited<ReturnType<typeof runCommand>>;
      try {
        result = await runCommand({
          command: input.command,
          cwd: workspace.root,
          env: { ...commandEnv, PAGER: 'cat', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' },
          shell,
          maxOutputBytes,
          signal,
          ...(launcher ? { launcher } : {}),
        });
      } catch (error) {
        if (timer?.aborted && !ctx.signal.aborted) {
          throw new DOMException(
            `Timed out after ${limit} ms (the limit of a command that runs without approval): it was stopped. A command that needs longer must be one that asks for approval.`,
            'TimeoutError',
          );
        }
        throw error;
      }
      const exit =
        result.exitCode !== null
          ? `exit code ${result.exitCode}`
          : `killed by signal ${result.signal ?? 'unknown'}`;
      const output = result.output === '' ? '(no output)\n' : result.output;
      const text = `${output}${output.endsWith('\n') ? '' : '\n'}[${exit}]`;
      if (result.exitCode === 0) return text;
      // A failed call (status `error`) whose output the model still reads in full.
      throw new ToolFailure(exit, text);
    },
  }) as ShellTool;
  tool.sandboxStatus = async () => {
    const status = await checkSandbox();
    return { ...status, enabled: sandbox !== 'off' && status.available };
  };
  return tool;
}

/**
 * Whether a command may run without asking: proven read-only, no path outside the workspace
 * (symlinks included), and no git in a repository whose own config names a program.
 */
function judge(command: string, workspace: Workspace): Verdict {
  const classified = classifyShellCommand(command, { root: workspace.root });
  if (!classified.readOnly) return classified;
  for (const path of classified.paths) {
    // A wildcard may match a symbolic link that leads out: every match is checked.
    const matches = expandWildcards(path);
    if (!matches) {
      return { readOnly: false, reason: `\`${path}\` matches too many paths to check` };
    }
    for (const match of matches) {
      try {
        workspace.resolve(match);
      } catch {
        return { readOnly: false, reason: `\`${match}\` leads outside the workspace` };
      }
    }
  }
  const problem = repositoryConfigProblem(classified.gitFolders, workspace.root);
  if (problem) return { readOnly: false, reason: problem };
  return { readOnly: true, touchesFiles: classified.touchesFiles };
}
