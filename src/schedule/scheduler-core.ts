import type { Tracer } from '@opentelemetry/api';
import type { ApprovalMode, Approver } from '../approval/approval.js';
import type { CallResult } from '../tool/call.js';
import type { Tool } from '../tool/define-tool.js';
import type { TurnTrace } from '../trace/call-trace.js';
import type { AbortFanout } from './abort-fanout.js';
import type { CallRecord } from './call-record.js';
import type { ConflictTracker } from './conflict-tracker.js';
import type { EventChannel, SchedulerEvent } from './events.js';
import type { TaskGraph } from './task-graph.js';
import type { TurnHold } from './turn-hold.js';

/** What a turn shares with its scheduler. Internal. */
export interface SchedulerCore {
  tools: ReadonlyMap<string, Tool>;
  graph: TaskGraph<CallRecord>;
  tracker: ConflictTracker<CallRecord>;
  /** `global` and the tool's groups, computed once per tool. */
  limitsOf(tool: Tool): readonly string[];
  events: EventChannel;
  aborts: AbortFanout;
  limits: Record<string, number>;
  approvalMode: ApprovalMode;
  approver: Approver | undefined;
  defaultTimeoutMs: number;
  maxInputBytes: number;
  /** Makes a span per call; `undefined` when the host turned tracing off. */
  tracer: Tracer | undefined;
  /** Identical read-only calls of a turn run once and share the result. */
  dedupeReads: boolean;
  /** Bumped whenever a call that writes (or is exclusive) is admitted: shared reads go stale. */
  writeEpoch: number;
  now: () => number;
  onTurnEnd: ((trace: TurnTrace) => void) | undefined;
  /** Turns not finished yet, by id: a turn opened under `{ turnId, callId }` finds its parent. */
  turns: Map<number, TurnPort>;
  /** A turn's `tools` list, resolved: by the list's identity, for the tools it was made from. */
  allowedTools: WeakMap<
    readonly string[],
    { from: ReadonlyMap<string, Tool>; allowed: ReadonlyMap<string, Tool> }
  >;
  nextSeq(): number;
  nextTurnId(): number;
}

/** Set on `ctx.asParent`: the call itself, so a turn opened under it needs no lookup. */
export const parentRecordKey = Symbol('salvo.parentRecord');

/** An event as a turn emits it: the turn fills in the call and the time. */
export type CallEvent = DistributiveOmit<
  SchedulerEvent,
  'at' | 'turnId' | 'callId' | 'toolName' | 'index' | 'path'
>;

/**
 * What the parts of a turn (admission, execution) and the task graph's hooks reach the turn
 * through: every call's `owner`. Internal.
 */
export interface TurnPort {
  readonly id: number;
  readonly core: SchedulerCore;
  readonly path: readonly string[];
  /** The agent's own slot, for a subagent's turn. */
  readonly hold: TurnHold | undefined;
  /** The host's signal of the turn (the agent run's). */
  readonly signal: AbortSignal | undefined;
  /** Why the turn was cancelled, once it was. */
  readonly cancelReason: string | undefined;
  /** The turn was stopped by a deadline (its signal aborted with a `TimeoutError`). */
  readonly cancelledByTimeout: boolean;
  resolve(record: CallRecord, result: CallResult): void;
  emit(record: CallRecord, event: CallEvent): void;
  /** A call of the turn took (+1) or gave back (-1) a ticket of the agent's slot. */
  ticketsChanged(delta: 1 | -1): void;
  /** The turn's call with this id (the last one, should the model have repeated an id). */
  find(callId: string): CallRecord | undefined;
}

export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
