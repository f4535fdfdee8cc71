import type { AsyncResource } from 'node:async_hooks';
import type { Span } from '@opentelemetry/api';
import type { CallResult, CallStatus } from '../tool/call.js';
import type { Claim } from '../tool/claims.js';
import type { Tool } from '../tool/define-tool.js';
import type { CallTrace } from '../trace/call-trace.js';
import type { Lineage } from './lineage.js';
import type { Task } from './task-graph.js';
import type { HoldTicket } from './turn-hold.js';

const noIds: readonly string[] = Object.freeze([]);
const noSeqs: Lineage = Object.freeze([]);

/** Everything the scheduler knows about one call while it lives. */
export class CallRecord {
  tool: Tool | undefined = undefined;
  /** The async context the call was added in; its tool runs there. */
  scope: AsyncResource | undefined = undefined;
  /** The validated input, once validation finished. */
  input: unknown = undefined;
  /** Validation still running (async Standard Schema): admission waits for it, in call order. */
  validating: Promise<unknown> | undefined = undefined;
  claims: readonly Claim[] | null = null;
  limits: readonly string[] = [];
  task: Task<CallRecord> | undefined = undefined;
  /** The running call's context: aborting it aborts the tool's signal. */
  context: { abort(reason: unknown): void } | undefined = undefined;
  /** Aborts a pending approval request. */
  approvalController: AbortController | undefined = undefined;
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  /** True while `execute` has not settled: claims and slots stay held until then. */
  running = false;
  /** `execute` has returned or thrown: its result is being recorded, nothing is left to abort. */
  returned = false;
  result: CallResult | undefined = undefined;
  // Trace.
  admittedAt: number | undefined = undefined;
  conflictsClearedAt: number | undefined = undefined;
  approvedAt: number | undefined = undefined;
  readyAt: number | undefined = undefined;
  startedAt: number | undefined = undefined;
  endedAt: number | undefined = undefined;
  /** Time spent with its slots given back (`ctx.waitFor`), finished stretches only. */
  slotsYieldedMs = 0;
  /** When the slots were given back, while they are. */
  slotsYieldedSince: number | undefined = undefined;
  waitedFor: readonly string[] = noIds;
  limitWaitedOn: string | undefined = undefined;
  approval: CallTrace['approval'] = 'auto';
  /** The earlier identical read whose result this call shares. */
  sharedWith: string | undefined = undefined;
  /** The call's OpenTelemetry span, open until its result. */
  span: Span | undefined = undefined;
  /** The call whose run this one shares. */
  leader: CallRecord | undefined = undefined;
  /** Identical later reads waiting for this call's result. */
  followers: CallRecord[] | undefined = undefined;
  /** Where its turn's calls stand in the order of nested work: under their parent call. */
  parentLineage: Lineage = noSeqs;
  #lineage: Lineage | undefined = undefined;
  /** Concurrent `ctx.waitFor` waits in progress: its slots are given back while there are any. */
  waits = 0;
  /** Turns open with this call as their parent (its own nested work). */
  childTurns = 0;
  /**
   * Calls before it in the order that wait for it only because it was running its own work:
   * they stop waiting once it is suspended on nested work (`waits` or `childTurns`).
   */
  backWaiters: CallRecord[] | undefined = undefined;
  /** Takes back the slots its first concurrent `ctx.waitFor` gave back. */
  takeBack: (() => Promise<void>) | undefined = undefined;
  /** Its agent's slot (a subagent's), held while it runs or is ready to. */
  ticket: HoldTicket | undefined = undefined;
  /** Ready, waiting behind a gate for its agent's slot. */
  awaitingHold = false;
  /** Approved by the host before it was added (`turn.add(call, { approved: true })`). */
  preApproved = false;
  /** Its `ready` promise has not settled: a gate of its task stays closed until it does. */
  awaitingReady = false;
  /** Settles the promise `turn.add` returned, once the call has its result. */
  deliver: ((result: CallResult) => void) | undefined = undefined;
  /** What `turn.add` returned: the call's result, as it settles. */
  settled: Promise<CallResult> | undefined = undefined;

  constructor(
    readonly turnId: number,
    readonly index: number,
    /** Scheduler-wide order: serves waiting calls first-come in call order across turns. */
    readonly seq: number,
    readonly id: string,
    readonly name: string,
    readonly queuedAt: number,
    /** The turn the call belongs to. */
    readonly owner: object,
  ) {}

  /** Its place in the order of nested work: its ancestors' `seq`, then its own. */
  get lineage(): Lineage {
    this.#lineage ??= [...this.parentLineage, this.seq];
    return this.#lineage;
  }

  /** Suspended on nested work: running, but its own work waits for its descendants. */
  get suspended(): boolean {
    return this.waits > 0 || this.childTurns > 0;
  }
}

/** A result for anything but success: a short message the model can act on. */
export function failure(
  record: CallRecord,
  status: Exclude<CallStatus, 'success'>,
  message: string,
  cause?: unknown,
): CallResult {
  const error: CallResult['error'] = cause === undefined ? { message } : { message, cause };
  return {
    id: record.id,
    name: record.name,
    status,
    isError: true,
    content: [{ type: 'text', text: message }],
    error,
  };
}

/** Longest message a result carries: a model needs the gist, not a 100 KB stack. */
export const maxMessageLength = 2000;

/** `text` cut to `max` characters, marking the cut. */
export function truncate(text: string, max = maxMessageLength): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length - max} more characters)` : text;
}

/** The message of whatever was thrown, short enough for a model. Never throws. */
export function errorMessage(error: unknown): string {
  let text: string;
  try {
    if (error instanceof Error) text = String(error.message || error.name || 'Error');
    else if (typeof error === 'string') text = error;
    else text = JSON.stringify(error) ?? String(error);
  } catch {
    text = `a thrown ${error === null ? 'null' : typeof error}`;
  }
  return truncate(text);
}
