import type { Claim, ClaimMode } from '../tool/claims.js';
import type { WalkChoices } from './ripgrep.js';
import type { Workspace } from './workspace.js';

/** Ends every description: the model should know it may batch independent calls. */
export const parallelNote =
  'Independent calls (to this tool or others) can be made together in one response: they run in parallel, and calls that touch the same files still run in order.';

/** Default limits of the built-in tools. */
export const defaults = {
  /** Largest file read_file, edit_file and grep open: 10 MiB. */
  maxFileBytes: 10 * 1024 * 1024,
  /** Text read_file returns per call, in UTF-8 bytes. */
  maxReadBytes: 100_000,
  /** Lines read_file returns when the call sets no `limit`. */
  readLines: 2000,
  /** Longer lines are cut in read_file's output. */
  maxLineLength: 2000,
  /** Matching lines grep returns when the call sets no `max_results`. */
  grepResults: 100,
  /** Paths glob returns when the call sets no `max_results`. */
  globResults: 500,
  /** Entries list_dir shows. */
  listEntries: 1000,
  /** Time a shell command may run. */
  shellTimeoutMs: 120_000,
  /** Shell output kept (head and tail), in bytes. */
  maxShellOutputBytes: 30_000,
} as const;

/**
 * The claim on a path from the model. When the path cannot be resolved (outside the workspace,
 * a broken symlink), the call claims the whole workspace instead: it still runs, and fails in
 * `execute` with the resolver's message, which reads better than a failed claim.
 */
export function pathClaim(workspace: Workspace, path: string, mode: ClaimMode): Claim[] {
  try {
    return [{ key: workspace.resolve(path).key, mode }];
  } catch {
    return [{ key: workspace.key, mode }];
  }
}

/** What grep and glob walk, from the tool's option and the call's `include_ignored`. */
export function walkChoices(options: {
  respectGitignore: boolean;
  input: { include_ignored: boolean };
  maxFileBytes?: number | undefined;
}): WalkChoices {
  const { respectGitignore, input, maxFileBytes } = options;
  const all = input.include_ignored;
  return {
    ignoreFiles: respectGitignore && !all,
    skipDirs: all ? ['.git'] : ['.git', 'node_modules'],
    maxFileBytes,
  };
}

/** What the search tools leave out, for their descriptions. */
export function ignoredNote(
  respectGitignore: boolean,
  naming: string = 'in `path`',
  verb: string = 'search',
): string {
  const ignoreFiles = respectGitignore
    ? 'what `.gitignore` (or `.ignore`, `.git/info/exclude`) leaves out and '
    : '';
  return `${ignoreFiles}\`node_modules\` folders (set \`include_ignored\` to ${verb} them, or name them ${naming}), and \`.git\` folders (name them ${naming})`;
}
