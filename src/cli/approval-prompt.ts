import type { ApprovalRequest } from '../approval/approval.js';
import { type ApprovalQueue, approvalKeys } from './approval-queue.js';
import {
  sanitizeInline,
  textWidth,
  type VisibleToken,
  visibleTokens,
  wrapTokens,
} from './progress/index.js';

export interface ApprovalInputOptions {
  /** Columns a row may take (at least 20 are used). */
  width: number;
  /** Escapes in reverse video, so they cannot pass for the characters they are made of. @default false */
  color?: boolean;
  /** Other requests waiting behind this one, said on the first line. @default 0 */
  waiting?: number;
}

/** Rows of a value wrapped under its label may not get narrower than this. */
const minValueWidth = 20;
const indent = '  ';
const inverse = ['\u001b[7m', '\u001b[27m'] as const;

/** `Run shell`, or `reviewer#1 › critic wants to run shell`. */
function runWhat(request: ApprovalRequest): string {
  const tool = sanitizeInline(String(request.toolName)) || '?';
  const who = request.path.map(sanitizeInline).join(' › ');
  return who ? `${who} wants to run ${tool}` : `Run ${tool}`;
}

function waitingNote(waiting: number): string {
  return waiting > 0 ? `  (${waiting} more waiting)` : '';
}

/**
 * What the user is asked to approve, in full: the question, then every field of the call's input
 * (`command: ...`; other values as JSON), wrapped to `width` with every row kept however many
 * there are. Characters that draw nothing, drive the terminal or reorder text are shown as
 * escapes (`\t`, `\x1b`, `\u200b`, `\u202e`); a newline as `\n` ending its row, so a second
 * command on a line of its own is plain to see. What runs is exactly what these rows show.
 */
export function approvalInput(request: ApprovalRequest, options: ApprovalInputOptions): string[] {
  const width = Math.max(minValueWidth + indent.length, Math.floor(options.width) || 0);
  const lines = [`? ${runWhat(request)}${waitingNote(options.waiting ?? 0)}`];
  const { input } = request;
  const fields: [string | undefined, unknown][] =
    input !== null && typeof input === 'object' && !Array.isArray(input)
      ? Object.entries(input)
      : [[undefined, input]];
  if (fields.length === 0) lines.push(`${indent}(no input)`);
  for (const [key, value] of fields) {
    const label = key === undefined ? '' : `${render(visibleTokens(key), false)}: `;
    for (const row of valueRows(value, width - indent.length, textWidth(label))) {
      lines.push(indent + (row.first ? label : '') + row.text(options.color === true));
    }
  }
  return lines;
}

/** A value's rows: the first after its label, the others under it (or less indented when narrow). */
function valueRows(
  value: unknown,
  width: number,
  labelWidth: number,
): { first: boolean; text: (color: boolean) => string }[] {
  const under = width - labelWidth >= minValueWidth ? labelWidth : 2;
  // A string as it is, its newlines shown; anything else as JSON laid out on lines of its own.
  const text =
    typeof value === 'string'
      ? value === ''
        ? '""'
        : value
      : String(JSON.stringify(value, null, 2));
  const logical = text.split('\n');
  if (logical.length > 1 && logical[logical.length - 1] === '') logical.pop();
  const newline: VisibleToken[] = typeof value === 'string' ? visibleTokens('\n') : [];
  const rows: { first: boolean; text: (color: boolean) => string }[] = [];
  logical.forEach((line, i) => {
    const tokens = visibleTokens(line);
    if (i < logical.length - 1 || text.endsWith('\n')) tokens.push(...newline);
    const wrapped = wrapTokens(tokens, (row) =>
      rows.length === 0 && row === 0 ? width - labelWidth : width - under,
    );
    for (const row of wrapped.length > 0 ? wrapped : [[]]) {
      const first = rows.length === 0;
      const pad = first ? '' : ' '.repeat(under);
      rows.push({ first, text: (color) => pad + render(row, color) });
    }
  });
  return rows;
}

function render(tokens: readonly VisibleToken[], color: boolean): string {
  let out = '';
  for (const token of tokens) {
    out += token.escaped && color ? `${inverse[0]}${token.text}${inverse[1]}` : token.text;
  }
  return out;
}

/** The keys and what they do. */
export function approvalKeysLine(request: ApprovalRequest): string {
  const tool = sanitizeInline(String(request.toolName)) || '?';
  return `${indent}[${approvalKeys.approve}] approve  [${approvalKeys.deny}] deny  [${approvalKeys.approveTool}] approve every ${tool} call this session`;
}

/**
 * The prompt kept under the live block while the oldest request waits; its input was printed in
 * full above (`approvalInput`), where no redraw or resize can cut it.
 */
export function approvalPrompt(queue: ApprovalQueue): string[] {
  const head = queue.pending[0];
  if (!head) return [];
  return [
    `? ${runWhat(head.request)}, as shown above${waitingNote(queue.pending.length - 1)}`,
    approvalKeysLine(head.request),
  ];
}
