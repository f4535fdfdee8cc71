import type { CallTrace, TurnTrace } from '../trace/call-trace.js';
import { summarizeTurn } from '../trace/summarize-turn.js';
import type { CallRecord } from './call-record.js';

/** The trace of a finished turn: every call's phases and the turn's summary. */
export function buildTrace(
  records: readonly CallRecord[],
  limits: Record<string, number>,
  now: number,
  turn: Pick<TurnTrace, 'turnId' | 'path' | 'parent' | 'model'> & {
    /** The agent's own slot (a subagent's), in force for its model requests and calls. */
    holdLimit?: { name: string; capacity: number } | undefined;
  },
): TurnTrace {
  const calls = records.map(traceOf);
  let startedAt = Infinity;
  let endedAt = -Infinity;
  for (const c of calls) {
    startedAt = Math.min(startedAt, c.queuedAt);
    endedAt = Math.max(endedAt, c.endedAt);
  }
  const model = turn.model;
  if (model) {
    startedAt = Math.min(startedAt, model.queuedAt);
    endedAt = Math.max(endedAt, model.endedAt);
  }
  const trace: TurnTrace = {
    turnId: turn.turnId,
    path: turn.path,
    startedAt: Number.isFinite(startedAt) ? startedAt : now,
    endedAt: Number.isFinite(endedAt) ? endedAt : now,
    calls,
    // The agent's own slot (a subagent's) is a limit in force too.
    limits: turn.holdLimit ? { ...limits, [turn.holdLimit.name]: turn.holdLimit.capacity } : limits,
    summary: summarizeTurn(calls, limits),
  };
  if (turn.parent) trace.parent = turn.parent;
  if (model) trace.model = model;
  return trace;
}

export function traceOf(record: CallRecord): CallTrace {
  const trace: CallTrace = {
    id: record.id,
    name: record.name,
    index: record.index,
    status: record.result?.status ?? 'cancelled',
    queuedAt: record.queuedAt,
    endedAt: record.endedAt ?? record.queuedAt,
    waitedFor: [...record.waitedFor],
    limits: [...record.limits],
    approval: record.approval,
  };
  if (record.admittedAt !== undefined) trace.admittedAt = record.admittedAt;
  if (record.conflictsClearedAt !== undefined) trace.conflictsClearedAt = record.conflictsClearedAt;
  if (record.approvedAt !== undefined) trace.approvedAt = record.approvedAt;
  if (record.readyAt !== undefined) trace.readyAt = record.readyAt;
  if (record.startedAt !== undefined) trace.startedAt = record.startedAt;
  if (record.limitWaitedOn !== undefined) trace.limitWaitedOn = record.limitWaitedOn;
  if (record.sharedWith !== undefined) trace.sharedWith = record.sharedWith;
  // A call that ended with its slots given back (cancelled while waiting) yielded to its end.
  const yielded =
    record.slotsYieldedMs +
    (record.slotsYieldedSince === undefined ? 0 : trace.endedAt - record.slotsYieldedSince);
  if (yielded > 0) trace.slotsYieldedMs = yielded;
  // Admitted calls have limits; only they had claims to speak of.
  if (record.limits.length > 0 && record.claims === null) trace.exclusive = true;
  return trace;
}
