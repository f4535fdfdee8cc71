const marker = Symbol.for('salvo.tool-error');

/** Why a built-in tool refused a call. */
export type ToolErrorCode =
  | 'invalid-path'
  | 'outside-workspace'
  | 'not-found'
  | 'not-a-file'
  | 'not-a-directory'
  | 'binary-file'
  | 'file-too-large'
  | 'bad-range'
  | 'invalid-pattern'
  | 'bad-edit'
  | 'text-not-found'
  | 'text-not-unique';

/**
 * A built-in tool's refusal, written for the model: what was wrong and what to do instead. The
 * scheduler turns it into an error result; hosts and tests can read `code` from the result's
 * `error.cause`.
 */
export class ToolError extends Error {
  readonly [marker] = true;
  readonly code: ToolErrorCode;

  constructor(code: ToolErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolError';
    this.code = code;
  }

  static isInstance(value: unknown): value is ToolError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/** The Node.js error code of `error` (`ENOENT`...), if it has one. */
export function errnoCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
