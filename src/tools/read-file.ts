import { closeSync, readSync } from 'node:fs';
import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { type OpenedFile, openRegularFile } from './open-file.js';
import { readLineRange } from './read-range.js';
import { binarySniffBytes, fileError, formatBytes, isBinary } from './text-file.js';
import { ToolError } from './tool-error.js';
import { defaults, parallelNote, pathClaim } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const readFileInput = z.object({
  path: z.string().describe('The file, relative to the workspace root (or absolute inside it).'),
  offset: z
    .int()
    .min(1)
    .optional()
    .describe('First line to read, 1-based. Default: 1. Use it to read on after a cut.'),
  limit: z
    .int()
    .min(1)
    .optional()
    .describe('How many lines to read (default and byte cap: see the tool description).'),
});

export type ReadFileInput = z.infer<typeof readFileInput>;

/** Options of {@link readFileTool}. */
export interface ReadFileToolOptions {
  workspace: Workspace;
  /**
   * Files up to this size are read to the end (to count their lines); larger ones only as far as
   * the range asked for, so any part of a file of any size can be read. @default 10 MiB
   */
  maxFileBytes?: number;
  /** Text returned per call, in UTF-8 bytes; the rest is left for a call with `offset`. @default 100_000 */
  maxReadBytes?: number;
  /** Lines returned when the call sets no `limit`. @default 2000 */
  defaultLines?: number;
  /** Longer lines are cut, saying how many characters were left out. @default 2000 */
  maxLineLength?: number;
}

/** `read_file`: a text file's lines, numbered, with a range and a size cap. Read claim on the file. */
export function readFileTool(options: ReadFileToolOptions): Tool<ReadFileInput> {
  const {
    workspace,
    maxFileBytes = defaults.maxFileBytes,
    maxReadBytes = defaults.maxReadBytes,
    defaultLines = defaults.readLines,
    maxLineLength = defaults.maxLineLength,
  } = options;
  return defineTool({
    name: 'read_file',
    description: [
      'Reads a UTF-8 text file of the workspace. Each output line starts with its line number and a tab (not part of the file).',
      `Returns at most ${defaultLines} lines and ${formatBytes(maxReadBytes)} per call; when the output is cut, it ends with the \`offset\` to read on from. Lines over ${maxLineLength} characters are shortened.`,
      `Refuses binary files. Files over ${formatBytes(maxFileBytes)} are read only as far as the range asked for: page through them with \`offset\`, or search them with grep.`,
      parallelNote,
    ].join(' '),
    input: readFileInput,
    claims: (input) => pathClaim(workspace, input.path, 'read'),
    approval: 'auto',
    async execute(input, ctx) {
      const file = workspace.resolve(input.path);
      ctx.signal.throwIfAborted();
      let opened: OpenedFile;
      try {
        opened = openRegularFile({ workspace, path: file.path });
      } catch (error) {
        throw ToolError.isInstance(error) ? error : await fileError(workspace, file, error);
      }
      try {
        const start = Buffer.alloc(Math.min(binarySniffBytes, opened.size));
        const read = readSync(opened.fd, start, 0, start.length, 0);
        if (isBinary(start.subarray(0, read))) {
          throw new ToolError(
            'binary-file',
            `\`${file.relative}\` is a binary file (it has NUL bytes in its first 8 KB); only text files can be read. Use the shell tool to inspect it (\`file ${file.relative}\`, \`od -c ${file.relative} | head\`).`,
          );
        }
        return await readLineRange({
          fd: opened.fd,
          size: opened.size,
          name: file.relative,
          offset: input.offset ?? 1,
          limit: input.limit ?? defaultLines,
          maxBytes: maxReadBytes,
          maxLineLength,
          countLinesUpTo: maxFileBytes,
          signal: ctx.signal,
        });
      } finally {
        closeSync(opened.fd);
      }
    },
  });
}
