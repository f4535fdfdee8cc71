import type { ApprovalRequest } from '../approval/approval.js';
import type { Workspace } from '../tools/workspace.js';
import { type ApprovalDiff, approvalDiff } from './approval-diff.js';
import { type ApprovalQueue, approvalKeys, type ReasonDraft } from './approval-queue.js';
import {
  sanitizeInline,
  textWidth,
  type VisibleToken,
  visibleText,
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

function question(request: ApprovalRequest, waiting: number): string {
  return `? ${runWhat(request)}${waitingNote(waiting)}`;
}

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
  const lines = [question(request, options.waiting ?? 0)];
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

export interface ApprovalDetailsOptions extends ApprovalInputOptions {
  /**
   * The built-in tools' workspace: edit_file and write_file calls are shown as a diff of their
   * file. Without it, their input is shown as it is.
   */
  workspace?: Workspace | undefined;
}

/**
 * Everything printed about a request before it is asked: for edit_file and write_file, the path
 * and a coloured unified diff of what the call would change (every changed line; a new file is
 * all additions); for a call that will fail (text not found or not unique, a path outside the
 * workspace), its whole input and why it will fail; for any other call, its whole input
 * ({@link approvalInput}).
 */
export function approvalDetails(
  request: ApprovalRequest,
  options: ApprovalDetailsOptions,
): string[] {
  const color = options.color === true;
  let diff: ApprovalDiff | undefined;
  if (options.workspace) {
    try {
      diff = approvalDiff(request, { workspace: options.workspace, width: options.width, color });
    } catch {
      diff = {
        kind: 'input',
        note: 'The change cannot be shown as a diff: its input is shown whole.',
      };
    }
  }
  if (diff?.kind === 'diff') return [question(request, options.waiting ?? 0), ...diff.rows];
  const lines = approvalInput(request, options);
  if (diff?.kind === 'input')
    lines.push(...wrapped(diff.note, options.width, color ? 'yellow' : undefined));
  return lines;
}

const sgr = { yellow: ['\u001b[33m', '\u001b[39m'] } as const;

/** Text (visible characters only) as indented rows of at most `width` columns. */
function wrapped(text: string, width: number, style?: keyof typeof sgr): string[] {
  const room = Math.max(minValueWidth, Math.floor(width) - indent.length);
  return wrapTokens(visibleTokens(text), () => room).map((row) => {
    const body = row.map((t) => t.text).join('');
    return indent + (style ? `${sgr[style][0]}${body}${sgr[style][1]}` : body);
  });
}

/** `[a] always allow "npm test …"`, or `(no [a]: \`rm\` can delete ...)`. */
function alwaysText(queue: ApprovalQueue): string | undefined {
  const proposal = queue.proposal();
  if (!proposal) return undefined;
  return proposal.ok
    ? `[${approvalKeys.always}] ${proposal.label}`
    : `(no [${approvalKeys.always}]: ${proposal.reason})`;
}

const keysText = `${indent}[${approvalKeys.approve}] approve  [${approvalKeys.deny}] deny`;

/**
 * The keys and what they do, one row: `[a]` says the rule it adds (`always allow "npm test …"`),
 * or why there is none for this call. When that does not fit in `width`, the row points above,
 * where {@link approvalAlwaysRows} printed it in full: what `a` adds is never cut.
 */
export function approvalKeysLines(queue: ApprovalQueue, width = Infinity): string[] {
  const always = alwaysText(queue);
  if (always === undefined) return [];
  const one = `${keysText}  ${always}`;
  if (textWidth(one) <= width) return [one];
  const proposal = queue.proposal();
  return [
    `${keysText}  ${proposal?.ok ? `[${approvalKeys.always}] add the rule shown above` : `(no [${approvalKeys.always}]: see above)`}`,
  ];
}

/**
 * Rows to print with the details of the head request when the keys row cannot hold what `a`
 * adds (or why it adds nothing): wrapped to `width`, every character kept. None otherwise.
 */
export function approvalAlwaysRows(queue: ApprovalQueue, width: number): string[] {
  const always = alwaysText(queue);
  if (always === undefined || textWidth(`${keysText}  ${always}`) <= width) return [];
  return wordWrapped(always, width);
}

/**
 * Text as indented rows of at most `width` columns, broken between words (a word wider than a
 * row is broken inside it): every character kept.
 */
function wordWrapped(text: string, width: number): string[] {
  const room = Math.max(minValueWidth, Math.floor(width) - indent.length);
  const rows: string[] = [];
  let row = '';
  for (const word of visibleText(text).split(' ')) {
    const next = row === '' ? word : `${row} ${word}`;
    if (textWidth(next) <= room) {
      row = next;
      continue;
    }
    if (row !== '') rows.push(indent + row);
    if (textWidth(word) <= room) row = word;
    else {
      const pieces = wrapped(word, width);
      rows.push(...pieces.slice(0, -1));
      row = (pieces.at(-1) ?? indent).slice(indent.length);
    }
  }
  if (row !== '') rows.push(indent + row);
  return rows;
}

/** The row a reason is typed on after `n`; its end shows when it is wider than the row. */
export function reasonLine(draft: ReasonDraft, width = Infinity, color = false): string {
  if (draft.withdrawn) return `${indent}The call was cancelled meanwhile: Enter or Esc to go on.`;
  const label = `${indent}reason (Enter to send, Esc for none): `;
  const cursor = color ? '\u001b[7m \u001b[27m' : '';
  let text = visibleText(draft.text);
  const room = width - textWidth(label) - 1;
  if (textWidth(text) > room && room > 1) {
    const chars = [...text];
    while (chars.length > 0 && textWidth(chars.join('')) > room - 1) chars.shift();
    text = `…${chars.join('')}`;
  }
  return `${label}${text}${cursor}`;
}

/**
 * The prompt kept under the live block while the oldest request waits; its input was printed in
 * full above (`approvalDetails`), where no redraw or resize can cut it. After `n`, the row a
 * reason is typed on.
 */
export function approvalPrompt(
  queue: ApprovalQueue,
  options: { width?: number; color?: boolean } = {},
): string[] {
  const width = options.width ?? Infinity;
  const draft = queue.reason;
  if (draft) {
    const first = draft.withdrawn
      ? `? ${runWhat(draft.request)}: cancelled while the reason was typed`
      : `? ${runWhat(draft.request)}: denied, and the model reads why${waitingNote(queue.pending.length - 1)}`;
    return [first, reasonLine(draft, width, options.color === true)];
  }
  const head = queue.pending[0];
  if (!head) return [];
  return [
    `? ${runWhat(head.request)}, as shown above${waitingNote(queue.pending.length - 1)}`,
    ...approvalKeysLines(queue, width),
  ];
}
