import { z } from 'zod';
import { defineTool, type Tool } from '../tool/define-tool.js';
import { writeFileAtomic } from './atomic-write.js';
import { nearestMatch } from './nearest-match.js';
import { formatBytes, readTextFile, writeError } from './text-file.js';
import { ToolError } from './tool-error.js';
import { defaults, parallelNote, pathClaim } from './tool-support.js';
import type { Workspace } from './workspace.js';

export const editFileInput = z.object({
  path: z.string().describe('The file to edit, relative to the workspace root.'),
  old_string: z
    .string()
    .describe(
      'The exact text to replace, whitespace included (without the line numbers read_file shows). It must occur once, unless replace_all is set.',
    ),
  new_string: z.string().describe('The text to put in its place.'),
  replace_all: z
    .boolean()
    .default(false)
    .describe('Replace every occurrence instead of requiring exactly one.'),
});

export type EditFileInput = z.infer<typeof editFileInput>;

/** Options of {@link editFileTool}. */
export interface EditFileToolOptions {
  workspace: Workspace;
  /** Larger files are refused. @default 10 MiB */
  maxFileBytes?: number;
}

/**
 * `edit_file`: exact string replacement, written atomically. Write claim on the file; asks for
 * approval. When the text is not found, the error shows the most similar lines.
 */
export function editFileTool(options: EditFileToolOptions): Tool<EditFileInput> {
  const { workspace, maxFileBytes = defaults.maxFileBytes } = options;
  return defineTool({
    name: 'edit_file',
    description: [
      'Replaces exact text in a file of the workspace: `old_string` must match the file exactly (whitespace included) and occur exactly once, unless `replace_all` is set.',
      'When it is not found, the error shows the most similar lines so you can correct the call; when it occurs more than once, include more surrounding lines.',
      `The write is atomic. Files over ${formatBytes(maxFileBytes)} and binary files cannot be edited. To create a file, use write_file.`,
      parallelNote,
      'Several edits of one file run one after the other, in the order given.',
    ].join(' '),
    input: editFileInput,
    claims: (input) => pathClaim(workspace, input.path, 'write'),
    approval: 'ask',
    async execute(input, ctx) {
      const file = workspace.resolve(input.path);
      if (input.old_string === '') {
        throw new ToolError(
          'bad-edit',
          'old_string is empty. To create a file or replace all of it, use write_file.',
        );
      }
      if (input.old_string === input.new_string) {
        throw new ToolError(
          'bad-edit',
          'old_string and new_string are the same: the edit would change nothing.',
        );
      }
      const text = await readTextFile({
        workspace,
        file,
        maxFileBytes,
        signal: ctx.signal,
        tooLargeHint: 'edit_file cannot edit it; use the shell tool.',
      });
      const { at, updated } = replaceText(text, input.old_string, input.new_string);
      if (at.length === 0) throw notFound(text, input.old_string, file.relative);
      if (at.length > 1 && !input.replace_all) {
        const lines = at.slice(0, 10).map((i) => lineOf(text, i));
        const more = at.length > 10 ? ', ...' : '';
        throw new ToolError(
          'text-not-unique',
          `old_string occurs ${at.length} times in \`${file.relative}\` (lines ${lines.join(', ')}${more}). Include more surrounding lines to make it unique, or set replace_all: true to replace every occurrence.`,
        );
      }
      ctx.signal.throwIfAborted();
      try {
        await writeFileAtomic({ path: file.path, content: updated, signal: ctx.signal });
      } catch (error) {
        throw writeError(file, error);
      }
      const first = lineOf(text, at[0] as number);
      return at.length === 1
        ? `Replaced 1 occurrence in \`${file.relative}\` (line ${first}).`
        : `Replaced ${at.length} occurrences in \`${file.relative}\` (first at line ${first}).`;
    },
  });
}

/**
 * Every occurrence of `oldText` in `text` replaced by `newText`, as edit_file writes it: `at`
 * holds where they start (none: `updated` is `text`). The model copies lines without their
 * `\r`, so in a CRLF file an `oldText` with bare `\n` matches its `\r\n` line breaks.
 */
export function replaceText(
  text: string,
  oldText: string,
  newText: string,
): { at: number[]; updated: string } {
  let at = occurrences(text, oldText);
  if (at.length === 0 && text.includes('\r\n') && /(?<!\r)\n/.test(oldText)) {
    const crlf = oldText.replace(/\r?\n/g, '\r\n');
    const found = occurrences(text, crlf);
    if (found.length > 0) {
      oldText = crlf;
      newText = newText.replace(/\r?\n/g, '\r\n');
      at = found;
    }
  }
  let updated = '';
  let from = 0;
  for (const i of at) {
    updated += text.slice(from, i) + newText;
    from = i + oldText.length;
  }
  return { at, updated: updated + text.slice(from) };
}

/** Start indices of the non-overlapping occurrences of `needle`, left to right. */
export function occurrences(text: string, needle: string): number[] {
  const found: number[] = [];
  for (let i = text.indexOf(needle); i !== -1; i = text.indexOf(needle, i + needle.length)) {
    found.push(i);
  }
  return found;
}

function lineOf(text: string, index: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < index; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const squash = (s: string) => s.replace(/\s+/g, '');

function notFound(text: string, needle: string, name: string): ToolError {
  const match = nearestMatch({ text, needle });
  if (!match) {
    return new ToolError(
      'text-not-found',
      `old_string was not found in \`${name}\`, and nothing similar either. Read the file again (read_file) to see its current content.`,
    );
  }
  // Results carry at most 2,000 characters: show the start of a long match, lines cut short.
  let shown = '';
  for (const [k, line] of match.lines.entries()) {
    const next = `${match.startLine + k}\t${line.length > 160 ? `${line.slice(0, 160)}…` : line}\n`;
    if (shown.length + next.length > 1200) {
      shown += '…\n';
      break;
    }
    shown += next;
  }
  const range =
    match.startLine === match.endLine
      ? `line ${match.startLine}`
      : `lines ${match.startLine}-${match.endLine}`;
  const how =
    squash(match.lines.join('\n')) === squash(needle)
      ? 'the same text with different whitespace'
      : `${Math.round(match.score * 100)}% similar`;
  return new ToolError(
    'text-not-found',
    `old_string was not found in \`${name}\`. The most similar text is at ${range} (${how}):\n${shown}Copy the text exactly as it is in the file (without the line numbers and tab read_file adds), whitespace included, and try again.`,
  );
}
