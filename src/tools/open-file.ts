import {
  closeSync,
  constants,
  fstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  type Stats,
  statSync,
} from 'node:fs';
import { ToolError } from './tool-error.js';
import type { WalkEntry } from './walk.js';
import { isWithin, quote, type Workspace } from './workspace.js';

/**
 * Read-only, and never blocking: opening a named pipe without a writer otherwise waits for one
 * for good. Not through a symlink in the last place: a path that was resolved (or listed) as a
 * file and is a symlink now was swapped. Both flags are missing on Windows, which has neither.
 */
const readFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

/** Options of {@link openRegularFile}. */
export interface OpenRegularFileOptions {
  workspace: Workspace;
  /** Absolute path of the file, inside the workspace. */
  path: string;
  /**
   * Look at the path before opening it, so that a pipe, socket or device is refused without being
   * opened at all (opening some devices does something). Needless right after a folder listing
   * said the entry is a regular file. @default true
   */
  statFirst?: boolean;
}

/** A regular file of the workspace, open for reading: close `fd` when done. */
export interface OpenedFile {
  fd: number;
  /** Its size when it was opened. */
  size: number;
}

/**
 * Opens a regular file of the workspace for reading. Refuses what is not one (a named pipe, a
 * socket, a device, a folder), and checks where the file it opened really is: a folder on the
 * way that was swapped for a symlink after the path was resolved or listed would lead out.
 * @throws {ToolError} `not-a-file` or `outside-workspace`; errors of the system pass through
 * (`ENOENT`, `ELOOP` when the file itself became a symlink, ...).
 */
export function openRegularFile(options: OpenRegularFileOptions): OpenedFile {
  const { workspace, path, statFirst = true } = options;
  if (statFirst) assertRegularFile(workspace, path, statSync(path));
  const fd = openSync(path, readFlags);
  try {
    const info = fstatSync(fd);
    assertRegularFile(workspace, path, info);
    const real = openedPath(fd, path, info);
    if (real === undefined || !isWithin(workspace.root, real)) {
      throw new ToolError(
        'outside-workspace',
        `${quote(workspace.relative(path))} leads outside the workspace: a folder on its path was replaced by a symlink. Only files inside ${workspace.givenRoot} can be used.`,
      );
    }
    return { fd, size: info.size };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/**
 * Opens a regular file met by a walk. Through its folder held open by the walk (Linux), nothing
 * can redirect the open, and the listing said it is a regular file: it is opened without more
 * system calls (a pipe swapped in since cannot block: it is opened non-blocking and reads as
 * empty or fails; read on with `fstat` before trusting a read that fills the buffer). Else it
 * has every check of {@link openRegularFile}.
 * @returns the file descriptor, and the size when it was looked at
 */
export function openWalkedFile(
  workspace: Workspace,
  entry: WalkEntry,
): { fd: number; size: number | undefined } {
  if (entry.pinned) return { fd: openSync(entry.open, readFlags), size: undefined };
  return openRegularFile({ workspace, path: entry.path, statFirst: false });
}

/**
 * @throws {ToolError} `not-a-file` when `info` is not a regular file's, saying what it is.
 */
export function assertRegularFile(workspace: Workspace, path: string, info: Stats): void {
  if (info.isFile()) return;
  const name = quote(workspace.relative(path));
  if (info.isDirectory()) {
    throw new ToolError(
      'not-a-file',
      `${name} is a directory, not a file. Use list_dir or glob to see what is in it.`,
    );
  }
  const kind = info.isFIFO()
    ? 'a named pipe (FIFO)'
    : info.isSocket()
      ? 'a socket'
      : info.isCharacterDevice()
        ? 'a character device'
        : info.isBlockDevice()
          ? 'a block device'
          : 'a special file';
  throw new ToolError(
    'not-a-file',
    `${name} is ${kind}, not a regular file: the file tools only read and write regular files.`,
  );
}

/**
 * Where the file open as `fd` really is. Linux tells for the descriptor itself, so no later
 * swap can fool it; elsewhere, the real path of `path`, if it is still the same file (else
 * undefined).
 */
function openedPath(fd: number, path: string, info: Stats): string | undefined {
  try {
    return readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    // No /proc: not Linux.
  }
  try {
    const real = realpathSync.native(path);
    const now = statSync(real);
    return now.dev === info.dev && now.ino === info.ino ? real : undefined;
  } catch {
    return undefined;
  }
}
