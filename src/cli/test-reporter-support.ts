// Shared by the reporters' tests: captured streams, a CliIo around them, approval requests.
import type { ApprovalRequest } from '../approval/approval.js';
import type { CliIo } from './io.js';

/** A stream that keeps what is written to it (not a terminal). */
export class Capture {
  text = '';
  isTTY = false;
  write(s: string): boolean {
    this.text += s;
    return true;
  }
}

/** A CliIo over the given streams, for a project at `/project`. */
export function testIo(
  stdout: object,
  stderr: Capture,
  options: { tty?: boolean; env?: Record<string, string> } = {},
): CliIo {
  return {
    stdout,
    stderr,
    stdin: { isTTY: options.tty ?? false },
    env: options.env ?? {},
    cwd: '/project',
    home: '/home',
  } as unknown as CliIo;
}

/** An approval request nobody cancels. */
export function approvalRequest(
  callId: string,
  toolName: string,
  input: unknown,
  path: string[] = [],
): ApprovalRequest {
  return { callId, toolName, input, claims: [], path, signal: new AbortController().signal };
}

/** Text without its white space: rows of wrapped text, joined, compare equal to what they hold. */
export function squash(text: string): string {
  return text.replace(/\s+/g, '');
}
