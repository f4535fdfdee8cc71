import { closeSync, readFileSync } from 'node:fs';
import { structuredPatch } from 'diff';
import type { ApprovalRequest } from '../approval/approval.js';
import { type OpenedFile, openRegularFile } from '../tools/open-file.js';
import { decodeUtf8, formatBytes, isBinary } from '../tools/text-file.js';
import { errnoCode, ToolError } from '../tools/tool-error.js';
import { defaults } from '../tools/tool-support.js';
import type { ResolvedPath, Workspace } from '../tools/workspace.js';
import { previewEdit } from './approval-diff-edit.js';
import {
  type DiffLineOptions,
  diffLineRows,
  dimRow,
  noteRow,
  renderHunks,
} from './approval-diff-lines.js';
import { visibleText, visibleTokens, wrapTokens } from './progress/index.js';

/** Options of {@link approvalDiff}. */
export interface ApprovalDiffOptions {
  /** The built-in tools' workspace: paths are resolved in it as the tools resolve them. */
  workspace: Workspace;
  /** Columns a row may take. */
  width: number;
  /** @default false */
  color?: boolean;
  /** Larger files are not read (edit_file refuses them). @default 10 MiB */
  maxFileBytes?: number;
  /** Time the diff may take before the change is shown another way. @default 300 */
  diffTimeoutMs?: number;
}

/**
 * What to show for an edit_file or write_file call instead of its raw input:
 * - `diff`: rows (after the `? Run ...` line) with the path and a unified diff of the file as it
 *   is now against what the call would write, every changed line in full;
 * - `input`: the input must be shown as it is, with a note under it: the call will fail (the
 *   text is not found or not unique, the path is outside the workspace...), or the change
 *   could not be compared.
 */
export type ApprovalDiff = { kind: 'diff'; rows: string[] } | { kind: 'input'; note: string };

type Current =
  | { kind: 'text'; text: string }
  | { kind: 'missing' }
  | { kind: 'not-text'; what: string }
  | { kind: 'fails'; message: string };

/** The diff for a built-in edit, or `undefined` for other calls (and inputs of another shape). */
export function approvalDiff(
  request: ApprovalRequest,
  options: ApprovalDiffOptions,
): ApprovalDiff | undefined {
  const input = request.input as Record<string, unknown> | null;
  if (typeof input !== 'object' || input === null || typeof input.path !== 'string') {
    return undefined;
  }
  const { path } = input;
  const isEdit =
    request.toolName === 'edit_file' &&
    typeof input.old_string === 'string' &&
    typeof input.new_string === 'string' &&
    (input.replace_all === undefined || typeof input.replace_all === 'boolean');
  const isWrite = request.toolName === 'write_file' && typeof input.content === 'string';
  if (!isEdit && !isWrite) return undefined;
  const color = options.color === true;
  const lineOptions: DiffLineOptions = { width: options.width, color };
  let file: ResolvedPath;
  try {
    file = options.workspace.resolve(path);
  } catch (error) {
    return fails(ToolError.isInstance(error) ? error.message : 'the path cannot be resolved');
  }
  const name = `\`${file.relative}\``;
  const current = readCurrent(options.workspace, file, options.maxFileBytes);
  if (current.kind === 'fails') return fails(current.message);
  const head = (note: string) => pathRows(path, file, note, options.width, color);

  if (isWrite) {
    const content = input.content as string;
    if (current.kind === 'not-text') {
      return {
        kind: 'diff',
        rows: [
          ...head(`(replaces ${current.what}, not compared)`),
          noteRow(`Every line below is the new content of ${visibleText(name)}:`, color),
          ...additions(content, lineOptions),
        ],
      };
    }
    const before = current.kind === 'text' ? current.text : '';
    const isNew = current.kind === 'missing';
    if (!isNew && before === content) {
      return {
        kind: 'diff',
        rows: [
          ...head(''),
          noteRow('The content is the file as it is now: nothing changes.', color),
        ],
      };
    }
    const diff = diffRows(before, content, options, isNew ? '(new file)' : '', head);
    if (diff) return { kind: 'diff', rows: diff };
    return {
      kind: 'diff',
      rows: [
        ...head('(too different to compare in time)'),
        noteRow(`Every line below is the new content of ${visibleText(name)}:`, color),
        ...additions(content, lineOptions),
      ],
    };
  }

  if (current.kind === 'missing') return fails(`${name} does not exist`);
  if (current.kind === 'not-text') return fails(`${name} is ${current.what}`);
  const edit = previewEdit(
    current.text,
    {
      old_string: input.old_string as string,
      new_string: input.new_string as string,
      replace_all: input.replace_all as boolean | undefined,
    },
    name,
  );
  if (!edit.ok) return fails(edit.message);
  const note = input.replace_all === true ? `(replace_all: ${edit.replaced} replaced)` : '';
  const diff = diffRows(current.text, edit.updated, options, note, head);
  if (diff) return { kind: 'diff', rows: diff };
  return {
    kind: 'input',
    note: 'The change is too large to compare in time: its input is shown whole.',
  };
}

function fails(message: string): ApprovalDiff {
  return { kind: 'input', note: `This call will fail: ${visibleText(message)}.` };
}

/** The path row(s): as given, where it really leads when that differs, and a note. */
function pathRows(
  given: string,
  file: ResolvedPath,
  note: string,
  width: number,
  color: boolean,
): string[] {
  const target = given === file.relative ? given : `${given} → ${file.relative}`;
  const tokens = visibleTokens(`path: ${target}${note ? ` ${note}` : ''}`);
  const rows = wrapTokens(tokens, () => Math.max(10, width - 4));
  return rows.map((row, i) => {
    const text = row
      .map((t) => (t.escaped && color ? `\u001b[7m${t.text}\u001b[27m` : t.text))
      .join('');
    return `${i === 0 ? '  ' : '    '}${text}`;
  });
}

function diffRows(
  before: string,
  after: string,
  options: ApprovalDiffOptions,
  note: string,
  head: (note: string) => string[],
): string[] | undefined {
  const patch = structuredPatch('a', 'b', before, after, undefined, undefined, {
    context: 3,
    timeout: options.diffTimeoutMs ?? 300,
  });
  if (!patch) return undefined;
  const color = options.color === true;
  let added = 0;
  let removed = 0;
  for (const hunk of patch.hunks) {
    for (const line of hunk.lines) {
      if (line[0] === '+') added++;
      else if (line[0] === '-') removed++;
    }
  }
  const crlf = allCrlf(before) && allCrlf(after);
  const counts = `(+${added} -${removed})`;
  return [
    ...head(note ? `${note} ${counts}` : counts),
    ...(crlf ? [dimRow('(line breaks are CRLF)', color)] : []),
    ...renderHunks(patch.hunks, { width: options.width, color, crlf }),
  ];
}

/** Has line breaks, and every one is CRLF. */
function allCrlf(text: string): boolean {
  return text.includes('\r\n') && !/(?<!\r)\n/.test(text);
}

/** Every line of `text` as an added line. */
function additions(text: string, options: DiffLineOptions): string[] {
  const lines = text.split('\n');
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  const rows = lines.flatMap((line) => diffLineRows('+', line, options));
  if (text !== '' && !text.endsWith('\n'))
    rows.push(dimRow('\\ No newline at end of file', options.color));
  return rows;
}

/** The file as it is now, read like the tools read it (never blocking, never leaving the workspace). */
function readCurrent(workspace: Workspace, file: ResolvedPath, maxFileBytes?: number): Current {
  const limit = maxFileBytes ?? defaults.maxFileBytes;
  const name = `\`${file.relative}\``;
  let opened: OpenedFile;
  try {
    opened = openRegularFile({ workspace, path: file.path });
  } catch (error) {
    const code = errnoCode(error);
    if (code === 'ENOENT') return { kind: 'missing' };
    if (code === 'ENOTDIR') {
      return { kind: 'fails', message: `a part of the path of ${name} is a file, not a folder` };
    }
    if (ToolError.isInstance(error)) return { kind: 'fails', message: error.message };
    return { kind: 'fails', message: `${name} cannot be read (${code ?? 'error'})` };
  }
  try {
    if (opened.size > limit)
      return {
        kind: 'not-text',
        what: `a file of ${formatBytes(opened.size)}, over the ${formatBytes(limit)} limit`,
      };
    const bytes = readFileSync(opened.fd);
    if (isBinary(bytes))
      return { kind: 'not-text', what: `a binary file of ${formatBytes(bytes.length)}` };
    // As edit_file reads it: a file that is not UTF-8 is refused there, never re-encoded.
    const text = decodeUtf8(bytes);
    if (text === undefined) return { kind: 'not-text', what: 'a file that is not UTF-8 text' };
    return { kind: 'text', text };
  } catch (error) {
    return { kind: 'fails', message: `${name} cannot be read (${errnoCode(error) ?? 'error'})` };
  } finally {
    closeSync(opened.fd);
  }
}
