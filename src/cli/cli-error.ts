import { SalvoError } from '../errors.js';
import { sanitizeInline } from '../trace/sanitize-text.js';

/** Exit codes: 1 the run failed, 2 the command line or config is wrong, 130 cancelled (Ctrl-C). */
export const exitCodes = { failed: 1, usage: 2, cancelled: 130 } as const;

/** A problem the user can fix, told in one line; `exitCode` says how the process ends. */
export class CliError extends SalvoError {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = exitCodes.usage, options?: { cause?: unknown }) {
    super(message, options);
    this.exitCode = exitCode;
  }
}

/** An error as one line for the terminal: never a stack, never a control character. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return sanitizeInline(text);
}
