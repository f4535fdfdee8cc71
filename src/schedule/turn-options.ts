import { InvalidOptionError } from '../errors.js';
import type { TurnParent } from '../tool/define-tool.js';
import type { ModelRequestTrace } from '../trace/call-trace.js';
import type { TurnHold } from './turn-hold.js';

export interface TurnOptions {
  /**
   * Aborting it cancels every call of the turn that has no result yet. `done` still waits for
   * `end()`: call it in a `finally` when the model's stream stops, however it stops.
   */
  signal?: AbortSignal;
  /** Cancel the rest of the turn when a call fails or times out. @default false */
  cancelOnError?: boolean;
  /** Who is asking, for approval requests and traces: empty for the root agent. @default [] */
  path?: readonly string[];
  /**
   * The call this turn's work belongs to (a subagent's turn under its `task` call:
   * `ctx.asParent`). The turn's calls never wait for it, and take its place in the order: a
   * call the parent's turn made after it waits for them when they conflict.
   */
  parent?: TurnParent;
  /**
   * The only tools this turn's calls may use (a subagent's allowlist); others get an "unknown
   * tool" result listing these. @default every tool of the scheduler
   */
  tools?: readonly string[];
  /** The agent's own slot, which its running calls hold too (a subagent's; see `TurnHold`). */
  hold?: TurnHold;
}

export interface TurnEndOptions {
  /**
   * The model request whose answer made the turn's calls, for the turn's trace (`runAgent` passes
   * it, so the trace shows the model's time next to the tools').
   */
  model?: ModelRequestTrace;
}

/** Options are a developer's: a mistake throws at once, naming the option. */
export function checkTurnOptions(options: unknown): asserts options is TurnOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const { signal, cancelOnError, path, tools, parent, hold } = options as Record<string, unknown>;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' ||
      signal === null ||
      typeof (signal as AbortSignal).addEventListener !== 'function' ||
      typeof (signal as AbortSignal).aborted !== 'boolean')
  ) {
    throw new InvalidOptionError('signal', 'an AbortSignal', signal);
  }
  if (cancelOnError !== undefined && typeof cancelOnError !== 'boolean') {
    throw new InvalidOptionError('cancelOnError', 'a boolean', cancelOnError);
  }
  if (path !== undefined && !(Array.isArray(path) && path.every((p) => typeof p === 'string'))) {
    throw new InvalidOptionError('path', 'an array of strings', path);
  }
  if (tools !== undefined && !(Array.isArray(tools) && tools.every((t) => typeof t === 'string'))) {
    throw new InvalidOptionError('tools', 'an array of tool names', tools);
  }
  if (parent !== undefined) {
    const p = parent as Partial<TurnParent> | null;
    if (
      typeof p !== 'object' ||
      p === null ||
      typeof p.turnId !== 'number' ||
      typeof p.callId !== 'string' ||
      (p.lineage !== undefined &&
        !(Array.isArray(p.lineage) && p.lineage.every((n) => Number.isFinite(n))))
    ) {
      throw new InvalidOptionError('parent', '{ turnId, callId, lineage? } (ctx.asParent)', parent);
    }
  }
  if (
    hold !== undefined &&
    (typeof hold !== 'object' ||
      hold === null ||
      typeof (hold as TurnHold).acquire !== 'function' ||
      typeof (hold as TurnHold).pause !== 'function' ||
      typeof (hold as TurnHold).resume !== 'function')
  ) {
    throw new InvalidOptionError('hold', 'a TurnHold', hold);
  }
}

/** How one call joins a turn (`turn.add(call, options)`). */
export interface AddOptions {
  /**
   * The call was approved elsewhere (a framework's pause-and-resume approval flow): it does not
   * ask the scheduler's approver, and still waits for conflicting calls and free slots. A tool or
   * mode that denies the call still denies it. @default false
   */
  approved?: boolean;
  /**
   * The call starts no earlier than this settles: its claims take their place in call order now,
   * so later conflicting calls wait for it, while it holds no slot. Rejecting it cancels the call
   * with the rejection's message (a framework that will not run the call after all).
   * @default undefined (ready now)
   */
  ready?: PromiseLike<unknown>;
}

/** Options are a developer's: a mistake throws at once, naming the option. */
export function checkAddOptions(options: unknown): asserts options is AddOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const { approved, ready } = options as Record<string, unknown>;
  if (approved !== undefined && typeof approved !== 'boolean') {
    throw new InvalidOptionError('approved', 'a boolean', approved);
  }
  if (
    ready !== undefined &&
    (typeof ready !== 'object' ||
      ready === null ||
      typeof (ready as PromiseLike<unknown>).then !== 'function')
  ) {
    throw new InvalidOptionError('ready', 'a promise', ready);
  }
}
