import { closeSync, constants, openSync, readlinkSync, realpathSync } from 'node:fs';
import { errnoCode } from './tool-error.js';

/** Not through a symlink in the last place: a folder found as a folder and now a symlink was swapped. */
const folderFlags = constants.O_RDONLY | (constants.O_DIRECTORY ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** A folder held open, so that what is listed and opened in it is really in it. */
export interface HeldFolder {
  /**
   * The path to list the folder by and to join its entries' names to: `/proc/self/fd/<n>`, which
   * the kernel resolves to this very folder whatever is renamed or swapped on its path since;
   * without `/proc` (not Linux), the folder's path.
   */
  readonly via: string;
  /** True when `via` pins the folder; false when it is its path, which a swap can redirect. */
  readonly pinned: boolean;
  /** Closes the folder. Idempotent. */
  close(): void;
}

/**
 * Opens the folder at `path` if it is really at `real`, else undefined: it is gone, it is not a
 * folder, or a folder on its path was swapped for a symlink. Only `real`, the place expected, is
 * trusted: so a walk that follows no symlink walks only where it should.
 */
export function holdFolder(path: string, real: string): HeldFolder | undefined {
  let fd: number;
  try {
    fd = openSync(path, folderFlags);
  } catch (error) {
    // Gone, not a folder, or a symlink now: not there. Other errors: a system that cannot open
    // folders (Windows).
    return gone.has(errnoCode(error) ?? '') ? undefined : byPath(path, real);
  }
  const via = `/proc/self/fd/${fd}`;
  let where: string | undefined;
  try {
    where = readlinkSync(via);
  } catch {
    // No /proc: not Linux.
  }
  if (where !== real) {
    closeSync(fd);
    return where === undefined ? byPath(path, real) : undefined;
  }
  let open = true;
  return {
    via,
    pinned: true,
    close() {
      if (open) closeSync(fd);
      open = false;
    },
  };
}

const gone = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES']);

/** Without a way to pin it: the folder's path, if it leads to `real` now (check files opened). */
function byPath(path: string, real: string): HeldFolder | undefined {
  try {
    if (realpathSync.native(path) !== real) return undefined;
  } catch {
    return undefined;
  }
  return { via: path, pinned: false, close() {} };
}
