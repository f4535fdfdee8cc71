import { IgnoreRules } from './ignore-rules.js';
import type { WalkChoices } from './ripgrep.js';
import { walkFiles } from './walk.js';

/**
 * Folders with at most this many files (after ignore rules) are searched in JavaScript even when
 * `rg` is there: a small folder is answered in about a millisecond on the main thread, where
 * starting `rg` costs ten or more. Larger trees go to `rg`, which uses every core in a process of
 * its own and leaves the event loop free.
 */
export const defaultRipgrepMinFiles = 1000;

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

/**
 * The files {@link walkedFiles} yields, when there are at most `limit` of them; undefined as soon
 * as there are more (the walk stops there, so a large tree costs `limit` files of walking).
 */
export async function listSmallTree(walk: TreeWalk, limit: number): Promise<string[] | undefined> {
  if (limit <= 0) return undefined;
  const files: string[] = [];
  for await (const file of walkedFiles(walk)) {
    if (files.length === limit) return undefined;
    files.push(file);
  }
  return files;
}
