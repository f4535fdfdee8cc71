import type { ToolOutput } from './content.js';

const marker = Symbol.for('salvo.tool-failure');

/**
 * Thrown by a tool whose run failed but produced output the model must read in full: a shell
 * command that exited non-zero, a test run with failures. The call's result is an `error` whose
 * content is `output` as it is (any `ToolOutput`), where another thrown error would give only its
 * message, cut to 2,000 characters. `message` says in a few words what failed (`exit code 3`):
 * it becomes the result's `error.message`, for hosts and logs.
 */
export class ToolFailure extends Error {
  readonly [marker] = true;
  readonly output: ToolOutput;

  constructor(message: string, output: ToolOutput, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ToolFailure';
    this.output = output;
  }

  /** Never throws, even for a hostile value (a proxy whose traps throw). */
  static isInstance(value: unknown): value is ToolFailure {
    try {
      return typeof value === 'object' && value !== null && marker in value;
    } catch {
      return false;
    }
  }
}
