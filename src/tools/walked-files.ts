import { IgnoreRules } from './ignore-rules.js';
import type { WalkChoices } from './ripgrep.js';
import { walkFiles } from './walk.js';

/**
 * Files a search of grep or glob meets in JavaScript before it goes on with `rg` instead: a small
 * folder, or a search that finds its cap early, is answered in a few milliseconds on the main
 * thread, where starting `rg` costs ten or more. Larger searches go to `rg`, which uses every core
 * in a process of its own and leaves the event loop free.
 */
export const defaultRipgrepAfterFiles = 1000;

/** Where a walk runs and what it leaves out. */
export interface TreeWalk {
  /** The folder walked: absolute. */
  dir: string;
  /** The workspace root: where ignore rules above `dir` are read from. */
  root: string;
  choices: WalkChoices;
  signal: AbortSignal;
}

/**
 * The regular files under `dir`, relative to it and in walk order, walked in JavaScript (symlinks
 * are not followed, and not listed), leaving out what the ignore rules leave out.
 */
export async function* walkedFiles(walk: TreeWalk): AsyncGenerator<string> {
  const { dir, root, choices, signal } = walk;
  const entries = walkFiles({
    dir,
    signal,
    skipDirs: new Set(choices.skipDirs),
    ignoreRules: choices.ignoreFiles
      ? IgnoreRules.forTarget({ target: dir, cwd: root })
      : undefined,
  });
  for await (const entry of entries) {
    if (entry.kind === 'file') yield entry.relative;
  }
}
