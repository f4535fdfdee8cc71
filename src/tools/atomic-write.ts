import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from './tool-error.js';

/** Options of {@link writeFileAtomic}. */
export interface WriteFileAtomicOptions {
  /** The file to replace or create (absolute, symlinks already resolved). */
  path: string;
  content: string | Uint8Array;
  /** Create missing parent folders. @default true */
  createFolders?: boolean;
  /** Checked before writing. @default undefined */
  signal?: AbortSignal | undefined;
}

/** What {@link writeFileAtomic} did. */
export interface WriteFileAtomicResult {
  /** False when the file did not exist before. */
  replaced: boolean;
}

/**
 * Writes a file so that a concurrent reader sees either the old content or the new one, never
 * half of it: the content goes to a temporary file in the same folder, which is then renamed over
 * the target (atomic on POSIX file systems). An existing file keeps its permission bits. The temp
 * file is removed when anything fails. Not fsynced: atomic for readers, not durable across a crash.
 * Synchronous underneath (a few system calls, microseconds for source files): the asynchronous
 * API costs a thread-pool round trip per call, about a millisecond for the whole sequence.
 */
export async function writeFileAtomic(
  options: WriteFileAtomicOptions,
): Promise<WriteFileAtomicResult> {
  const { path, content, createFolders = true, signal } = options;
  signal?.throwIfAborted();
  let mode: number | undefined;
  try {
    const info = statSync(path);
    if (info.isDirectory()) {
      throw Object.assign(new Error(`EISDIR: is a directory, ${path}`), { code: 'EISDIR' });
    }
    mode = info.mode & 0o7777;
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  const folder = dirname(path);
  if (mode === undefined && createFolders) mkdirSync(folder, { recursive: true });
  const temp = join(folder, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    // `wx`: never write through a file (or a symlink) that someone else put at the temp name.
    writeFileSync(temp, content, { flag: 'wx', mode: mode ?? 0o666 });
    // The mode given at creation is masked by the umask: set an existing file's bits exactly.
    if (mode !== undefined) chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    rmSync(temp, { force: true });
    throw error;
  }
  return { replaced: mode !== undefined };
}
