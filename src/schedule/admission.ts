import type { ApprovalMode } from '../approval/approval.js';
import { effectiveApproval } from '../approval/effective-approval.js';
import { type Claim, checkClaims } from '../tool/claims.js';
import type { Tool } from '../tool/define-tool.js';
import type { ValidationResult } from '../tool/input-schema.js';
import { parseToolInput } from '../tool/parse-tool-input.js';
import { errorMessage } from './call-record.js';

/** A call that named a known tool and whose input parsed; validation may still be running. */
export type CheckedCall =
  | {
      ok: true;
      tool: Tool;
      validation: ValidationResult<unknown> | Promise<ValidationResult<unknown>>;
    }
  | { ok: false; message: string; cause?: unknown };

/**
 * The checks every call passes before it can be admitted: a well-formed call with a fresh id,
 * a known tool, input that parses. Starts validation. Never throws.
 */
export function checkCall(
  call: { readable: boolean; id: unknown; name: unknown; input: unknown },
  seenIds: ReadonlySet<string>,
  tools: ReadonlyMap<string, Tool>,
  maxInputBytes: number,
): CheckedCall {
  const { readable, id, name, input } = call;
  if (!readable || typeof id !== 'string' || id === '') {
    return {
      ok: false,
      message: 'Malformed tool call: it needs a non-empty string `id` and a `name`.',
    };
  }
  if (seenIds.has(id)) {
    return {
      ok: false,
      message: `Duplicate tool call id \`${id}\` in this turn: every call needs its own id.`,
    };
  }
  const tool = typeof name === 'string' ? tools.get(name) : undefined;
  if (!tool) return { ok: false, message: unknownToolMessage(String(name ?? ''), tools) };
  const parsed = parseToolInput(input, { toolName: tool.name, maxInputBytes });
  if (!parsed.ok) return { ok: false, message: parsed.message };
  const crashMessage = (error: unknown) =>
    `Input validation failed for ${tool.name}: ${errorMessage(error)}`;
  const crashed = (error: unknown): ValidationResult<unknown> => ({
    ok: false,
    message: crashMessage(error),
  });
  try {
    const validation = tool.inputSchema.validate(parsed.value);
    return {
      ok: true,
      tool,
      validation: validation instanceof Promise ? validation.catch(crashed) : validation,
    };
  } catch (error) {
    return { ok: false, message: crashMessage(error), cause: error };
  }
}

/** What admission decided for a validated call. */
export type Admission =
  | {
      run: true;
      claims: readonly Claim[] | null;
      needsApproval: boolean;
      /** The policy asked for approval, and the host had given it already. */
      asked?: boolean;
    }
  | { run: false; status: 'error' | 'denied'; message: string; cause?: unknown };

/**
 * Works out a validated call's claims (`null`: exclusive) and whether it runs, asks or is
 * refused. A tool whose `claims` or `approval` function throws refuses the call with an error
 * result: the model gets a message, the host keeps running.
 */
export function admitCall(
  tool: Tool,
  input: unknown,
  mode: ApprovalMode,
  hasApprover: boolean,
  preApproved = false,
): Admission {
  let claims: readonly Claim[] | null;
  try {
    const declared = typeof tool.claims === 'function' ? tool.claims(input) : tool.claims;
    if (declared === undefined) {
      claims = null;
    } else if (declared === tool.claims) {
      claims = declared; // a static list, checked once by defineTool
    } else {
      const checked = checkClaims(declared);
      if (!checked.ok) throw new Error(checked.message);
      claims = checked.claims;
    }
  } catch (error) {
    const message = `Tool ${tool.name} could not compute its claims: ${errorMessage(error)}`;
    return { run: false, status: 'error', message, cause: error };
  }

  let declared: unknown;
  try {
    declared =
      typeof tool.approval === 'function' ? tool.approval(input) : (tool.approval ?? 'auto');
  } catch (error) {
    const message = `Tool ${tool.name} could not decide its approval: ${errorMessage(error)}`;
    return { run: false, status: 'error', message, cause: error };
  }
  if (declared !== 'auto' && declared !== 'ask' && declared !== 'deny') {
    const message = `Tool ${tool.name} could not decide its approval: expected 'auto', 'ask' or 'deny', got ${String(declared)}`;
    return { run: false, status: 'error', message };
  }
  if (declared === 'deny') {
    return {
      run: false,
      status: 'denied',
      message: `Denied: ${tool.name} does not allow this call.`,
    };
  }
  const policy = effectiveApproval(declared, mode, claims);
  if (policy === 'deny') {
    const message = `Denied: ${tool.name} needs approval, and approval mode is never-ask.`;
    return { run: false, status: 'denied', message };
  }
  if (policy === 'ask' && preApproved) {
    return { run: true, claims, needsApproval: false, asked: true };
  }
  if (policy === 'ask' && !hasApprover) {
    const message = `Denied: ${tool.name} needs approval, and no approver is configured.`;
    return { run: false, status: 'denied', message };
  }
  return { run: true, claims, needsApproval: policy === 'ask' };
}

/** For a call naming a tool that does not exist: the names the model can use instead. */
export function unknownToolMessage(name: string, tools: ReadonlyMap<string, Tool>): string {
  const names = [...tools.keys()];
  const shown = names.slice(0, 50).join(', ');
  const more = names.length > 50 ? ` and ${names.length - 50} more` : '';
  const quoted = JSON.stringify(name.length > 80 ? `${name.slice(0, 80)}…` : name);
  return names.length === 0
    ? `Unknown tool ${quoted}: no tools are available.`
    : `Unknown tool ${quoted}. Available tools: ${shown}${more}.`;
}

/** True when a signal was aborted by a deadline (`AbortSignal.timeout`, a framework's timeout). */
export function abortedByTimeout(signal: AbortSignal): boolean {
  return isTimeoutError(signal.reason);
}

/** True for a `TimeoutError` (by name: DOMException and SDK errors alike). Never throws. */
export function isTimeoutError(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as Error).name === 'TimeoutError';
  } catch {
    return false;
  }
}

/** Why a host's signal aborted, in words for a result. */
export function abortReason(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.message) return reason.message;
  if (typeof reason === 'string' && reason) return reason;
  return 'the turn was cancelled';
}
