import { findJsonError } from './find-json-error.js';

/**
 * Why `JSON.parse(text)` failed, for a config error: where (line and column, 1-based), what
 * `JSON.parse` said, and what to change, such as
 * ``invalid JSON at line 3, column 1: unexpected `}`; remove the trailing comma before it``.
 */
export function describeJsonError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const offset = errorOffset(text, message);
  let reason = reasonOf(message);
  if (offset === undefined) return `invalid JSON: ${reason}; fix the JSON syntax`;
  const { line, column } = lineColumn(text, offset);
  const c = text[offset];
  if (c !== undefined && /^unexpected token/i.test(reason)) reason = `unexpected \`${c}\``;
  return `invalid JSON at line ${line}, column ${column}: ${reason}; ${hintAt(text, offset, reason)}`;
}

/** The 1-based line and column of `offset` in `text`. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset);
  const lines = before.split('\n');
  return { line: lines.length, column: (lines.at(-1) ?? '').length + 1 };
}

/** The error's offset: from the message when it has one (Node 20 and later), else found anew. */
function errorOffset(text: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position) return Math.min(Number(position[1]), text.length);
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) {
    const lines = text.split('\n');
    const line = Number(lineColumn[1]);
    if (line >= 1 && line <= lines.length) {
      const start = lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0);
      return Math.min(start + Number(lineColumn[2]) - 1, text.length);
    }
  }
  return findJsonError(text);
}

/** `JSON.parse`'s message without its position and its quote of the text (which may be long). */
function reasonOf(message: string): string {
  const reason = message
    .replace(/, ".*" is not valid JSON$/s, '')
    .replace(/ in JSON at position \d+.*$/s, '')
    .replace(/ \(line \d+ column \d+\)/, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (/^Unexpected end of JSON input/.test(reason)) {
    return 'the text ends too early (a `}`, `]` or `"` missing?)';
  }
  return reason === '' ? 'not valid JSON' : reason.charAt(0).toLowerCase() + reason.slice(1);
}

/** What to change, from the character at the error. */
function hintAt(text: string, offset: number, reason: string): string {
  const c = text[offset];
  const previous = text.slice(0, offset).trimEnd().at(-1);
  if ((c === '}' || c === ']') && previous === ',') return 'remove the trailing comma before it';
  if (c === '/' || c === '#') return 'JSON has no comments, remove them';
  if (c === "'") return 'JSON strings need double quotes (`"`)';
  if (c !== undefined && /[A-Za-z_$]/.test(c) && /property name/.test(reason)) {
    return 'put property names in double quotes (`"name"`)';
  }
  if (c === undefined) return 'close every `{`, `[` and `"` that is open';
  return 'fix the JSON there';
}
