import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { formatBytes, readTextFile } from './text-file.js';
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
  /** Larger files are refused (the model is told to use grep or `head`/`tail`). @default 10 MiB */
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
      `Refuses binary files and files over ${formatBytes(maxFileBytes)} (search those with grep instead).`,
      parallelNote,
    ].join(' '),
    input: readFileInput,
    claims: (input) => pathClaim(workspace, input.path, 'read'),
    approval: 'auto',
    async execute(input, ctx) {
      const file = workspace.resolve(input.path);
      const text = await readTextFile({
        workspace,
        file,
        maxFileBytes,
        signal: ctx.signal,
        tooLargeHint: `Search it with grep, or read parts of it with the shell tool (\`head -n 100 ${file.relative}\`, \`tail -n 100 ${file.relative}\`).`,
      });
      return renderLines({
        text,
        name: file.relative,
        offset: input.offset ?? 1,
        limit: input.limit ?? defaultLines,
        maxBytes: maxReadBytes,
        maxLineLength,
      });
    },
  });
}

interface RenderOptions {
  text: string;
  name: string;
  offset: number;
  limit: number;
  maxBytes: number;
  maxLineLength: number;
}

/** Numbered lines `offset` to `offset + limit - 1`, within `maxBytes`, with a note when cut. */
export function renderLines(options: RenderOptions): string {
  const { text, name, offset, limit, maxBytes, maxLineLength } = options;
  if (text === '') return `(\`${name}\` is empty)`;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const total = lines.length;
  if (offset > total) {
    throw new ToolError(
      'bad-range',
      `offset ${offset} is past the end of \`${name}\`, which has ${total} line${total === 1 ? '' : 's'}.`,
    );
  }
  const out: string[] = [];
  let bytes = 0;
  let cutBySize = false;
  const end = Math.min(total, offset - 1 + limit);
  let shown = offset - 1;
  for (let i = offset - 1; i < end; i++) {
    let line = (lines[i] as string).replace(/\r$/, '');
    if (line.length > maxLineLength) {
      const left = line.length - maxLineLength;
      line = `${line.slice(0, maxLineLength)}… [${left} more characters]`;
    }
    const rendered = `${i + 1}\t${line}`;
    const size = Buffer.byteLength(rendered) + 1;
    if (out.length > 0 && bytes + size > maxBytes) {
      cutBySize = true;
      break;
    }
    out.push(rendered);
    bytes += size;
    shown = i + 1;
  }
  if (shown < total) {
    const why = cutBySize ? ` (output capped at ${formatBytes(maxBytes)})` : '';
    out.push(
      `[Lines ${offset}-${shown} of ${total}${why}. To read on, call read_file with offset: ${shown + 1}.]`,
    );
  }
  return out.join('\n');
}
