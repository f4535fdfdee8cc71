import { readSync } from 'node:fs';
import { firstInvalidUtf8, formatBytes, notUtf8Error } from './text-file.js';
import { ToolError } from './tool-error.js';

/** Options of {@link readLineRange}. */
export interface ReadLineRangeOptions {
  /** The file, open for reading (a regular file: see `openRegularFile`). */
  fd: number;
  /** Its size when opened. */
  size: number;
  /** Its name in messages. */
  name: string;
  /** First line to show, 1-based. */
  offset: number;
  /** Lines to show at most. */
  limit: number;
  /** Output bytes at most (UTF-8); the first line is always shown. */
  maxBytes: number;
  /** Longer lines are cut, saying by how much. */
  maxLineLength: number;
  /**
   * Files up to this size are read to the end, to say how many lines they have; larger ones stop
   * once the range is shown, so reading the start of a huge file costs what the start costs.
   */
  countLinesUpTo: number;
  /** Checked between chunks. @default undefined */
  signal?: AbortSignal | undefined;
  /** Bytes read at a time. @default 256 KiB */
  chunkBytes?: number;
}

/** Chunks are read synchronously (cheap), and the event loop gets a turn this often. */
const sliceMs = 4;

/**
 * Numbered lines `offset` to `offset + limit - 1` of a text file, within `maxBytes`, with a note
 * when there is more and the `offset` to read on from. The file is streamed in chunks: memory
 * holds one chunk and the lines shown (each cut to `maxLineLength`), never the whole file.
 * @throws {ToolError} `bad-range` for an offset past the end.
 */
export async function readLineRange(options: ReadLineRangeOptions): Promise<string> {
  const { fd, size, name, offset, limit, maxBytes, maxLineLength, countLinesUpTo, signal } =
    options;
  if (size === 0) return `(\`${name}\` is empty)`;
  const buffer = Buffer.allocUnsafe(options.chunkBytes ?? 256 * 1024);
  // Strict, as read_file reads whole files: bytes that are not UTF-8 are refused, not turned
  // into U+FFFD. `ignoreBOM`: a byte order mark is kept, as an edit keeps it.
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  /** Decodes a chunk (the rest of the file when `chunk` is undefined), or refuses the file. */
  const decode = (chunk: Buffer | undefined, chunkStart: number): string => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw notUtf8Error(name, invalidOffset(fd, chunkStart, chunk?.length ?? 0));
    }
  };
  const first = offset - 1;
  const end = first + limit; // one past the last line wanted
  const out: string[] = [];
  let bytes = 0;
  let cutBySize = false;
  /** Lines complete so far. */
  let lineCount = 0;
  /** The current line: its start (as much as is shown), its length, its last character. */
  let head = '';
  let length = 0;
  let last = '';
  /** Whether the text ends with a line break (a final one does not start a line). */
  let endsWithBreak = false;
  /** Set once the range is shown (or cut) and the rest only counts lines. */
  let done = false;
  let position = 0;
  let sliceStart = performance.now();

  const shown = () => first + out.length;
  const finishLine = () => {
    const index = lineCount++;
    if (done || index < first) return;
    // The line without a final `\r`, cut to maxLineLength.
    const full = last === '\r' ? length - 1 : length;
    let text = head.slice(0, Math.min(full, maxLineLength));
    if (full > maxLineLength) text += `… [${full - maxLineLength} more characters]`;
    const rendered = `${index + 1}\t${text}`;
    const lineBytes = Buffer.byteLength(rendered) + 1;
    if (out.length > 0 && bytes + lineBytes > maxBytes) {
      cutBySize = true;
      done = true;
      return;
    }
    out.push(rendered);
    bytes += lineBytes;
    if (lineCount >= end) done = true;
  };
  const take = (text: string) => {
    let start = 0;
    while (start <= text.length) {
      const nl = text.indexOf('\n', start);
      const piece = text.slice(start, nl === -1 ? text.length : nl);
      if (piece.length > 0) {
        const wanted = !done && lineCount >= first;
        // `+ 1`: a final `\r` is not shown, but it is not known yet to be final.
        if (wanted && head.length < maxLineLength + 1) head += piece.slice(0, maxLineLength + 1);
        length += piece.length;
        last = piece[piece.length - 1] as string;
      }
      if (nl === -1) break;
      finishLine();
      head = '';
      length = 0;
      last = '';
      start = nl + 1;
    }
    if (text.length > 0) endsWithBreak = text.endsWith('\n');
  };

  while (position < size) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) break;
    take(decode(buffer.subarray(0, read), position));
    position += read;
    if (done && size > countLinesUpTo) break;
    if (performance.now() - sliceStart > sliceMs) {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
  const atEnd = !(done && size > countLinesUpTo) || position >= size;
  if (atEnd) {
    take(decode(undefined, position));
    if (!endsWithBreak || length > 0) finishLine();
  }
  const total = atEnd ? lineCount : undefined;
  if (total !== undefined && offset > total) {
    throw new ToolError(
      'bad-range',
      `offset ${offset} is past the end of \`${name}\`, which has ${total} line${total === 1 ? '' : 's'}.`,
    );
  }
  const through = shown();
  if (total === undefined || through < total) {
    const why = cutBySize ? ` (output capped at ${formatBytes(maxBytes)})` : '';
    const of = total === undefined ? ` of a file of ${formatBytes(size)}` : ` of ${total}`;
    out.push(
      `[Lines ${offset}-${through}${of}${why}. To read on, call read_file with offset: ${through + 1}.]`,
    );
  }
  return out.join('\n');
}

/**
 * The offset of the first byte that is not UTF-8 in the chunk at `chunkStart` (or in the
 * character the previous chunk left unfinished): the bytes before it decoded, so the scan starts
 * at the start of the last character begun before the chunk.
 */
function invalidOffset(fd: number, chunkStart: number, chunkLength: number): number {
  const back = Math.min(3, chunkStart);
  const bytes = Buffer.alloc(back + chunkLength);
  const read = readSync(fd, bytes, 0, bytes.length, chunkStart - back);
  let from = 0;
  // Continuation bytes (10xxxxxx) belong to a character begun earlier: start after them.
  while (from < back && ((bytes[from] as number) & 0xc0) === 0x80) from++;
  return chunkStart - back + from + firstInvalidUtf8(bytes.subarray(from, read));
}
