import { InvalidOptionError } from '../errors.js';
import type { Tool } from '../tool/define-tool.js';
import { assertCount, assertTimeoutMs } from '../validate-options.js';
import { editFileTool } from './edit-file.js';
import { globTool } from './glob.js';
import { grepTool } from './grep.js';
import { listDirTool } from './list-dir.js';
import { readFileTool } from './read-file.js';
import { type ShellSandbox, shellTool } from './shell.js';
import { defaults } from './tool-support.js';
import { defaultRipgrepAfterFiles } from './walked-files.js';
import { createWorkspace, Workspace } from './workspace.js';
import { writeFileTool } from './write-file.js';

/** Options of {@link builtinTools}. */
export interface BuiltinToolsOptions {
  /** The workspace: a folder path, or a workspace from `createWorkspace`. */
  root: string | Workspace;
  /** Largest file read_file, edit_file and grep open, in bytes. @default 10_485_760 (10 MiB) */
  maxFileBytes?: number;
  /** Text read_file returns per call, in UTF-8 bytes. @default 100_000 */
  maxReadBytes?: number;
  /** Lines read_file returns when the call sets no `limit`. @default 2000 */
  defaultReadLines?: number;
  /** Matching lines grep returns when the call sets no `max_results`. @default 100 */
  grepMaxResults?: number;
  /** Paths glob returns when the call sets no `max_results`. @default 500 */
  globMaxResults?: number;
  /** Time a shell command may run before it is killed. @default 120_000 */
  shellTimeoutMs?: number;
  /** Shell output kept (head and tail), in bytes. @default 30_000 */
  maxShellOutputBytes?: number;
  /** Environment of shell commands. @default process.env */
  shellEnv?: NodeJS.ProcessEnv;
  /**
   * Time a shell command that runs without approval (proven read-only) may run: it holds a read
   * claim on the whole workspace meanwhile. @default 30_000
   */
  readOnlyShellTimeoutMs?: number;
  /**
   * Where shell commands run: `workspace` confines them with bubblewrap (the workspace
   * writable, the rest read-only, home folders and secrets hidden, no network), `off` runs them
   * as they are, `auto` is `workspace` where bubblewrap works. @default 'auto'
   */
  sandbox?: ShellSandbox;
  /** Let sandboxed shell commands use the network. @default false */
  shellNetwork?: boolean;
  /** Variables passed on to shell commands although their names look like credentials. @default [] */
  shellPassEnv?: readonly string[];
  /** Leave the shell tool out. @default true */
  shell?: boolean;
  /**
   * grep and glob leave out what `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude`
   * leave out; a call can still ask for it with `include_ignored`. @default true
   */
  respectGitignore?: boolean;
  /**
   * The `rg` program grep and glob search folders with (in a process of their own, on every
   * core): its path, or `false` to search in JavaScript only. Both give the same results.
   * @default `rg` on `PATH`, if any (never one inside the workspace)
   */
  ripgrep?: string | false;
  /**
   * With `rg`, grep and glob still search a folder in JavaScript first, and only a search that
   * meets more than this many files before it is done (or has found its cap) goes on with `rg`:
   * a small folder, or a search that stops early, is answered in a few milliseconds, where
   * starting `rg` costs ten or more; glob, which only lists names, lists five times as many
   * files first. `0`: every folder goes to `rg`. @default 1000
   */
  ripgrepAfterFiles?: number;
}

/**
 * The built-in tools, working inside one workspace: `read_file`, `list_dir`, `glob`, `grep`
 * (read claims, approval `auto`), `write_file`, `edit_file` (write claims on the file, approval
 * `ask`, so `auto-edit` runs them without asking) and `shell` (a read claim and `auto` for
 * commands proven read-only, exclusive and `ask` for the rest). Claim keys are `fs:<real path>`,
 * the same in every tool. Options are checked now.
 */
export function builtinTools(options: BuiltinToolsOptions): Tool[] {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const {
    root,
    maxFileBytes = defaults.maxFileBytes,
    maxReadBytes = defaults.maxReadBytes,
    defaultReadLines = defaults.readLines,
    grepMaxResults = defaults.grepResults,
    globMaxResults = defaults.globResults,
    shellTimeoutMs = defaults.shellTimeoutMs,
    maxShellOutputBytes = defaults.maxShellOutputBytes,
    shellEnv = process.env,
    readOnlyShellTimeoutMs = 30_000,
    sandbox = 'auto',
    shellNetwork = false,
    shellPassEnv = [],
    shell = true,
    respectGitignore = true,
    ripgrep,
    ripgrepAfterFiles = defaultRipgrepAfterFiles,
  } = options;
  assertCount('maxFileBytes', maxFileBytes, { allowInfinity: false });
  assertCount('maxReadBytes', maxReadBytes, { min: 256, allowInfinity: false });
  assertCount('ripgrepAfterFiles', ripgrepAfterFiles, { min: 0 });
  assertCount('defaultReadLines', defaultReadLines, { allowInfinity: false });
  assertCount('grepMaxResults', grepMaxResults, { allowInfinity: false });
  assertCount('globMaxResults', globMaxResults, { allowInfinity: false });
  assertTimeoutMs('shellTimeoutMs', shellTimeoutMs);
  assertTimeoutMs('readOnlyShellTimeoutMs', readOnlyShellTimeoutMs);
  if (typeof shellNetwork !== 'boolean') {
    throw new InvalidOptionError('shellNetwork', 'a boolean', shellNetwork);
  }
  if (!Array.isArray(shellPassEnv) || !shellPassEnv.every((n) => typeof n === 'string')) {
    throw new InvalidOptionError('shellPassEnv', 'an array of variable names', shellPassEnv);
  }
  assertCount('maxShellOutputBytes', maxShellOutputBytes, { min: 2, allowInfinity: false });
  if (typeof shellEnv !== 'object' || shellEnv === null) {
    throw new InvalidOptionError('shellEnv', 'an object of environment variables', shellEnv);
  }
  if (typeof shell !== 'boolean') throw new InvalidOptionError('shell', 'a boolean', shell);
  if (typeof respectGitignore !== 'boolean') {
    throw new InvalidOptionError('respectGitignore', 'a boolean', respectGitignore);
  }
  if (
    ripgrep !== undefined &&
    ripgrep !== false &&
    (typeof ripgrep !== 'string' || ripgrep === '')
  ) {
    throw new InvalidOptionError('ripgrep', 'the path of the `rg` program, or false', ripgrep);
  }
  const workspace = root instanceof Workspace ? root : createWorkspace({ root });
  const tools: Tool[] = [
    readFileTool({ workspace, maxFileBytes, maxReadBytes, defaultLines: defaultReadLines }),
    listDirTool({ workspace }),
    globTool({
      workspace,
      defaultMaxResults: globMaxResults,
      respectGitignore,
      ripgrep,
      ripgrepAfterFiles,
    }),
    grepTool({
      workspace,
      defaultMaxResults: grepMaxResults,
      maxFileBytes,
      respectGitignore,
      ripgrep,
      ripgrepAfterFiles,
    }),
    writeFileTool({ workspace }),
    editFileTool({ workspace, maxFileBytes }),
  ];
  if (shell) {
    tools.push(
      shellTool({
        workspace,
        timeoutMs: shellTimeoutMs,
        maxOutputBytes: maxShellOutputBytes,
        env: shellEnv,
        readOnlyTimeoutMs: readOnlyShellTimeoutMs,
        sandbox,
        network: shellNetwork,
        passEnv: shellPassEnv,
      }),
    );
  }
  return tools;
}
