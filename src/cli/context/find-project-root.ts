import { existsSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';

/** Where a project begins, as the config and context files see it. */
export interface ProjectRoot {
  /** The git root above `cwd`, or `cwd` itself when it is not in a git repository. */
  root: string;
  /** Whether a `.git` (a folder, or the file of a worktree or submodule) marks `root`. */
  git: boolean;
  /** Every folder from `root` down to `cwd`, both included: general → specific. */
  folders: string[];
}

/**
 * Finds the git root at or above `cwd` by its `.git` entry. The search stops at the home folder
 * (a dotfiles repository in `~` does not make every folder below it one project) and at the
 * filesystem root; `home` itself counts only when it is `cwd`.
 */
export function findProjectRoot({ cwd, home }: { cwd: string; home: string }): ProjectRoot {
  const start = resolve(cwd);
  const homeDir = resolve(home);
  for (let dir = start; ; ) {
    if (dir === homeDir && dir !== start) break;
    if (existsSync(resolve(dir, '.git'))) {
      return { root: dir, git: true, folders: foldersBetween(dir, start) };
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return { root: start, git: false, folders: [start] };
}

/** `/r`, `/r/a`, `/r/a/b` for root `/r` and `/r/a/b`. */
function foldersBetween(root: string, cwd: string): string[] {
  const folders = [root];
  const rest = relative(root, cwd);
  if (rest === '') return folders;
  let dir = root;
  for (const part of rest.split(sep)) {
    dir = resolve(dir, part);
    folders.push(dir);
  }
  return folders;
}
