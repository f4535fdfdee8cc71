import type { CallResult } from '../../tool/call.js';
import { sanitizePlain } from '../../trace/sanitize-text.js';

/** How a shell command ended: its exit code, or the signal that killed it. */
export interface ShellExit {
  /** `null` when a signal ended it. */
  code: number | null;
  signal?: string;
}

/** The last lines of a command's output, cleaned for a terminal, and how many came before. */
export interface OutputTail {
  lines: string[];
  omitted: number;
}

/** Lines of output kept per command: what a failure shows at most. */
export const maxTailLines = 5;
/** Characters of one output line looked at: a minified file is one huge line. */
const maxLineChars = 1000;

// The line the shell tool ends its result with (see src/tools/shell.ts).
const exitLine = /(?:^|\n)\[(?:exit code (-?\d{1,9})|killed by signal ([A-Za-z0-9]{1,16}))\]$/;

/**
 * For a call of the built-in `shell` tool that ran to its end (success, or an error with an exit
 * code): its exit and the tail of its output. `undefined` for any other call, or a result that
 * does not end with the tool's exit line. Never throws.
 */
export function shellOutcome(
  toolName: string,
  result: CallResult | undefined,
): { exit: ShellExit; tail: OutputTail } | undefined {
  if (toolName !== 'shell') return undefined;
  try {
    if (result?.status !== 'success' && result?.status !== 'error') return undefined;
    const block = Array.isArray(result.content) ? result.content[0] : undefined;
    if (block?.type !== 'text' || typeof block.text !== 'string') return undefined;
    const text = block.text;
    const match = exitLine.exec(text);
    if (!match) return undefined;
    const exit: ShellExit =
      match[1] !== undefined ? { code: Number(match[1]) } : { code: null, signal: match[2] };
    const body = text.slice(0, match.index);
    return { exit, tail: body === '(no output)' ? { lines: [], omitted: 0 } : tailOf(body) };
  } catch {
    return undefined;
  }
}

/** `exit 3`, `killed by SIGKILL`. */
export function exitText(exit: ShellExit): string {
  return exit.code !== null ? `exit ${exit.code}` : `killed by ${exit.signal ?? 'a signal'}`;
}

/** The last `maxTailLines` lines of `output` that hold anything, cleaned; O(lines kept). */
export function tailOf(output: string, max = maxTailLines): OutputTail {
  let end = output.length;
  while (end > 0 && /\s/.test(output[end - 1] as string)) end--;
  if (end === 0) return { lines: [], omitted: 0 };
  const lines: string[] = [];
  while (end > 0 && lines.length < max) {
    const start = output.lastIndexOf('\n', end - 1) + 1;
    lines.unshift(cleanLine(output.slice(start, end)));
    end = start - 1;
  }
  let omitted = 0;
  if (end >= 0) {
    omitted = 1;
    for (let i = output.indexOf('\n'); i >= 0 && i < end; i = output.indexOf('\n', i + 1)) {
      omitted++;
    }
  }
  return { lines, omitted };
}

/**
 * One output line as a terminal would have left it: what follows its last carriage return (a
 * progress bar redrawn in place), no escape sequence or control character, tabs as spaces.
 */
function cleanLine(line: string): string {
  // Only the end of a huge line can be what the terminal shows last.
  const shown = (line.length > 65_536 ? line.slice(-65_536) : line)
    .split('\r')
    .reverse()
    .find((part) => part.trim() !== '');
  return sanitizePlain((shown ?? '').slice(0, maxLineChars))
    .replace(/\t/g, '    ')
    .trimEnd();
}
