import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  openSync,
  readSync,
  realpathSync,
} from 'node:fs';
import { isAbsolute, relative, sep } from 'node:path';

/** A context file read, or why it was not. */
export type ContextFileRead =
  | {
      status: 'read';
      text: string;
      /** The file was longer than the cap: `text` is its beginning. */
      truncated: boolean;
      /** Identifies the file whatever the path or symlink it was reached by. */
      identity: string;
    }
  | { status: 'missing' }
  | { status: 'skipped'; reason: string };

export interface ReadContextFileOptions {
  /** The most bytes read; the text is cut at a character boundary below it. */
  maxBytes: number;
  /** A symlink is followed only when its target lies inside this folder. @default anywhere */
  within?: string;
}

/**
 * Reads a UTF-8 text file the repository may have put anywhere: a symlink out of `within` is
 * not followed, only regular files are opened (a FIFO would block), and binary or non-UTF-8
 * content is refused rather than sent to the model as garbage.
 */
export function readContextFile(file: string, options: ReadContextFileOptions): ContextFileRead {
  let target = file;
  let link = false;
  try {
    link = lstatSync(file).isSymbolicLink();
    if (link) {
      target = realpathSync(file);
      if (options.within !== undefined && !isInside(realpathSync(options.within), target)) {
        return { status: 'skipped', reason: `it is a symlink to ${target}, outside the project` };
      }
    }
  } catch (error) {
    if (code(error) === 'ENOENT') {
      return !link
        ? { status: 'missing' }
        : { status: 'skipped', reason: 'it is a symlink to nothing' };
    }
    if (code(error) === 'ENOTDIR') return { status: 'missing' };
    return { status: 'skipped', reason: `it cannot be read (${describe(error)})` };
  }
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO put there opens at once instead of waiting for a writer.
    fd = openSync(target, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (error) {
    if (code(error) === 'ENOENT') return { status: 'missing' };
    return { status: 'skipped', reason: `it cannot be read (${describe(error)})` };
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) return { status: 'skipped', reason: 'it is not a regular file' };
    const size = Math.min(stats.size, options.maxBytes);
    const buffer = Buffer.alloc(size);
    let filled = 0;
    while (filled < size) {
      const n = readSync(fd, buffer, filled, size - filled, filled);
      if (n === 0) break;
      filled += n;
    }
    const bytes = buffer.subarray(0, filled);
    if (bytes.includes(0)) return { status: 'skipped', reason: 'it is a binary file' };
    const truncated = stats.size > options.maxBytes;
    let text: string;
    try {
      // `stream` leaves out a character the cap cut in two, instead of failing on it.
      text = new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: truncated });
    } catch {
      return { status: 'skipped', reason: 'it is not UTF-8 text' };
    }
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return { status: 'read', text, truncated, identity: `${stats.dev}:${stats.ino}` };
  } catch (error) {
    return { status: 'skipped', reason: `it cannot be read (${describe(error)})` };
  } finally {
    closeSync(fd);
  }
}

function isInside(folder: string, path: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}

function code(error: unknown): unknown {
  return (error as { code?: unknown } | null)?.code;
}

/** `EACCES: permission denied` from `EACCES: permission denied, open '/x/AGENTS.md'`. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return /^([A-Z0-9_]+: [^,]+)/.exec(message)?.[1] ?? message;
}
