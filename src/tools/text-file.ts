import { closeSync, readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { similarity } from './nearest-match.js';
import { type OpenedFile, openRegularFile } from './open-file.js';
import { errnoCode, ToolError } from './tool-error.js';
import type { ResolvedPath, Workspace } from './workspace.js';

/** Bytes looked at to tell a binary file from text. */
export const binarySniffBytes = 8192;

/** True when the first 8 KB hold a NUL byte: how git and grep tell binary files from text. */
export function isBinary(bytes: Uint8Array): boolean {
  return bytes.subarray(0, binarySniffBytes).includes(0);
}

/** `1.5 MB`, `12 KB`, `80 bytes`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/** Options of {@link readTextFile}. */
export interface ReadTextFileOptions {
  workspace: Workspace;
  /** The file, resolved in the workspace. */
  file: ResolvedPath;
  /** Larger files are refused. */
  maxFileBytes: number;
  /** What the model can do instead with a file too large to read whole, e.g. `read_file cannot`. */
  tooLargeHint: string;
  /** Checked before reading. @default undefined */
  signal?: AbortSignal | undefined;
}

/**
 * Reads a UTF-8 text file, or throws a {@link ToolError} for the model: `not-found` (with similar
 * names nearby), `not-a-file` (a folder, a named pipe, a socket, a device), `outside-workspace`,
 * `file-too-large` or `binary-file` (NUL bytes, or bytes that are not UTF-8: decoding a Latin-1
 * file would turn its accents into U+FFFD, which an edit would then write back everywhere). The read itself is synchronous (a few system calls on one
 * file descriptor): for the files a model reads, that costs microseconds where the asynchronous
 * API costs hundreds. It never blocks, even on a named pipe: see {@link openRegularFile}.
 */
export async function readTextFile(options: ReadTextFileOptions): Promise<string> {
  const { workspace, file, maxFileBytes, tooLargeHint, signal } = options;
  signal?.throwIfAborted();
  let opened: OpenedFile;
  try {
    opened = openRegularFile({ workspace, path: file.path });
  } catch (error) {
    throw ToolError.isInstance(error) ? error : await fileError(workspace, file, error);
  }
  let bytes: Buffer;
  try {
    if (opened.size > maxFileBytes) {
      throw new ToolError(
        'file-too-large',
        `\`${file.relative}\` is ${formatBytes(opened.size)}, over the ${formatBytes(maxFileBytes)} limit. ${tooLargeHint}`,
      );
    }
    bytes = readFileSync(opened.fd);
  } finally {
    closeSync(opened.fd);
  }
  if (isBinary(bytes)) {
    throw new ToolError(
      'binary-file',
      `\`${file.relative}\` is a binary file (it has NUL bytes in its first 8 KB); only text files can be read. Use the shell tool to inspect it (\`file ${file.relative}\`, \`od -c ${file.relative} | head\`).`,
    );
  }
  const text = decodeUtf8(bytes);
  if (text === undefined) throw notUtf8Error(file.relative, firstInvalidUtf8(bytes));
  return text;
}

/**
 * The error for a file that is not UTF-8 text: read_file and edit_file refuse it, since decoding
 * a Latin-1 file would turn its accents into U+FFFD, which an edit would write back everywhere.
 */
export function notUtf8Error(name: string, offset: number): ToolError {
  return new ToolError(
    'binary-file',
    `\`${name}\` is not UTF-8 text (its first invalid byte is at offset ${offset}): read_file and edit_file work on UTF-8 files only, and writing it back would change every non-ASCII character. Read it with the shell tool (\`iconv -f latin1 -t utf-8 ${name}\`, or the file's own encoding), and change it with the shell tool or replace it whole with write_file.`,
  );
}

// `ignoreBOM`: a byte order mark is kept as U+FEFF, so an edit writes it back.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** The bytes as UTF-8 text, or `undefined` when they are not valid UTF-8. */
export function decodeUtf8(bytes: Uint8Array): string | undefined {
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

/** The offset of the first byte that does not start or continue a valid UTF-8 character. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i] as number;
    const length = b < 0x80 ? 1 : b < 0xc2 ? 0 : b < 0xe0 ? 2 : b < 0xf0 ? 3 : b < 0xf5 ? 4 : 0;
    if (length === 0) return i;
    if (length > 1 && decodeUtf8(bytes.subarray(i, i + length)) === undefined) return i;
    i += length;
  }
  return i;
}

/** A file-system error as a message for the model; unknown errors pass through. */
export async function fileError(
  workspace: Workspace,
  file: ResolvedPath,
  error: unknown,
): Promise<unknown> {
  switch (errnoCode(error)) {
    case 'ENOENT':
      return new ToolError(
        'not-found',
        `\`${file.relative}\` does not exist.${await similarNames(workspace, file)}`,
        { cause: error },
      );
    case 'ENOTDIR':
      return new ToolError(
        'not-found',
        `\`${file.relative}\` does not exist: a part of the path is a file, not a directory.`,
        { cause: error },
      );
    case 'EISDIR':
      return new ToolError(
        'not-a-file',
        `\`${file.relative}\` is a directory, not a file. Use list_dir or glob to see what is in it.`,
        { cause: error },
      );
    case 'ENXIO': // a socket, or a device that is not there
      return new ToolError('not-a-file', `\`${file.relative}\` is not a regular file.`, {
        cause: error,
      });
    case 'ELOOP': // it was a file when resolved, and became a symlink before it was opened
      return new ToolError(
        'invalid-path',
        `\`${file.relative}\` was replaced by a symlink while it was being opened. Try again.`,
        { cause: error },
      );
    default:
      return error;
  }
}

/** ` Did you mean ...?` with up to 3 names in the same folder like the missing one, or ``. */
async function similarNames(workspace: Workspace, file: ResolvedPath): Promise<string> {
  const folder = dirname(file.path);
  let names: string[];
  try {
    names = await readdir(folder);
  } catch {
    return '';
  }
  const wanted = basename(file.path).toLowerCase();
  const close = names
    .map((name) => ({ name, score: similarity(name.toLowerCase(), wanted) }))
    .filter((c) => c.score >= 0.5)
    .sort((a, b) => b.score - a.score)
    .slice(0, 3)
    .map((c) => `\`${workspace.relative(join(folder, c.name))}\``);
  return close.length > 0 ? ` Did you mean ${close.join(', ')}?` : '';
}

/** A failed write as a message for the model; unknown errors pass through. */
export function writeError(file: ResolvedPath, error: unknown): unknown {
  switch (errnoCode(error)) {
    case 'EISDIR':
      return new ToolError(
        'not-a-file',
        `\`${file.relative}\` is a directory: give the path of a file inside it.`,
        { cause: error },
      );
    case 'ENOTDIR':
    case 'EEXIST':
      return new ToolError(
        'not-a-directory',
        `Cannot write \`${file.relative}\`: a part of its path is a file, not a folder.`,
        { cause: error },
      );
    default:
      return error;
  }
}
