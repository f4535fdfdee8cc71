// Time calls and model requests were held back, charged to what held them: a limit, a human's
// approval (a call waiting behind a call that waited for approval included), or the call
// whose claims were in the way.

import type { CallTrace, TurnTrace } from './call-trace.js';

export interface LostToLimit {
  limit: string;
  capacity: number;
  /** Calls that waited for one of its slots. */
  calls: number;
  ms: number;
  /** Model requests that waited for one of its slots (a subagent's, for `subagent`). */
  requests?: number;
}

export interface LostToBlocker {
  /** The call others waited for. */
  id: string;
  name: string;
  exclusive: boolean;
  /** Calls that waited for it. */
  calls: number;
  ms: number;
}

export interface LostTime {
  /** Waits behind a running call whose claims overlapped, by the call waited for. */
  conflicts: { calls: number; ms: number; blockers: LostToBlocker[] };
  /**
   * Waits for a human: `calls` asked and waited `ms` in all (`pending` of them never got an
   * answer: the run ended first); `behind` waited for a call that was itself waiting for its
   * approval, which is where their time went.
   */
  approvals: { calls: number; ms: number; pending: number; behind: { calls: number; ms: number } };
  limits: LostToLimit[];
}

/** Deep enough for any real chain of waits; a cycle in a hand-edited trace stops here. */
const maxChain = 16;

/** When a call's approval let it go: its answer, or its end when none came. */
export function approvalEnd(call: CallTrace): number {
  if (call.approval === 'auto') return Number.NEGATIVE_INFINITY;
  return call.approvedAt ?? call.endedAt;
}

export function lostTime(turns: readonly TurnTrace[]): LostTime {
  const byId = new Map<string, CallTrace>();
  for (const turn of turns) for (const c of turn.calls) if (!byId.has(c.id)) byId.set(c.id, c);

  const approvals = { calls: 0, ms: 0, pending: 0, behind: { calls: 0, ms: 0 } };
  const blockers = new Map<string, LostToBlocker>();
  const limits = new Map<string, LostToLimit>();
  let conflictCalls = 0;
  let conflictMs = 0;

  for (const turn of turns) {
    const inTurn = new Map<string, CallTrace>();
    for (const c of turn.calls) if (!inTurn.has(c.id)) inTurn.set(c.id, c);
    /** The call `c` waited for that settled last: the one that let it go. */
    const blockerOf = (c: CallTrace): CallTrace | undefined => {
      let last: CallTrace | undefined;
      for (const id of c.waitedFor) {
        const b = inTurn.get(id) ?? byId.get(id);
        if (b && b !== c && (!last || b.endedAt > last.endedAt)) last = b;
      }
      return last;
    };

    for (const c of turn.calls) {
      if (c.approval !== 'auto') {
        approvals.calls++;
        approvals.ms += Math.max(0, approvalEnd(c) - c.queuedAt);
        if (c.approval === 'pending') approvals.pending++;
      }
      const limit = c.limitWaitedOn;
      if (limit !== undefined && c.readyAt !== undefined && c.startedAt !== undefined) {
        // Only calls a full limit held back: a tick between ready and start is not a wait.
        if (c.startedAt > c.readyAt) {
          const entry = limitEntry(limits, limit, turn);
          entry.calls++;
          entry.ms += c.startedAt - c.readyAt;
        }
      }
      if (c.waitedFor.length === 0) continue;
      // While the call itself waited for approval, conflicts were not what held it back.
      const from = Math.max(c.admittedAt ?? c.queuedAt, approvalEnd(c));
      const to = c.conflictsClearedAt ?? c.endedAt;
      if (!(to > from)) continue;
      const charged = { conflicts: new Map<CallTrace, number>(), approval: 0 };
      charge(blockerOf(c), from, to, 0, charged, blockerOf);
      if (charged.approval > 0) {
        approvals.behind.calls++;
        approvals.behind.ms += charged.approval;
      }
      let own = 0;
      for (const [b, ms] of charged.conflicts) {
        own += ms;
        const key = `${b.id}\u0000${b.name}`;
        const entry = blockers.get(key) ?? {
          id: b.id,
          name: b.name,
          exclusive: b.exclusive === true,
          calls: 0,
          ms: 0,
        };
        entry.calls++;
        entry.ms += ms;
        blockers.set(key, entry);
      }
      if (own > 0) {
        conflictCalls++;
        conflictMs += own;
      }
    }

    const m = turn.model;
    if (m?.limitWaitedOn !== undefined && m.sentAt > m.queuedAt) {
      const entry = limitEntry(limits, m.limitWaitedOn, turn);
      entry.requests = (entry.requests ?? 0) + 1;
      entry.ms += m.sentAt - m.queuedAt;
    }
  }

  return {
    conflicts: {
      calls: conflictCalls,
      ms: conflictMs,
      blockers: [...blockers.values()].sort((a, b) => b.ms - a.ms),
    },
    approvals,
    limits: [...limits.values()].sort((a, b) => b.ms - a.ms),
  };
}

function limitEntry(limits: Map<string, LostToLimit>, limit: string, turn: TurnTrace): LostToLimit {
  let entry = limits.get(limit);
  if (!entry) {
    const capacity = turn.limits?.[limit];
    entry = {
      limit,
      capacity: typeof capacity === 'number' && !Number.isNaN(capacity) ? capacity : Infinity,
      calls: 0,
      ms: 0,
    };
    limits.set(limit, entry);
  }
  return entry;
}

/**
 * Charges [from, to], a wait behind `b`, to what held `b` then: its approval (the wait was a
 * human's), its own wait behind another call (followed), or else `b` itself, running.
 */
function charge(
  b: CallTrace | undefined,
  from: number,
  to: number,
  depth: number,
  out: { conflicts: Map<CallTrace, number>; approval: number },
  blockerOf: (c: CallTrace) => CallTrace | undefined,
): void {
  // Waiting on after `b` settled is the hand-over, not `b`'s doing.
  to = Math.min(to, b?.endedAt ?? to);
  if (!b || !(to > from)) return;
  const add = (call: CallTrace, ms: number) => {
    if (ms > 0) out.conflicts.set(call, (out.conflicts.get(call) ?? 0) + ms);
  };
  if (depth >= maxChain) {
    add(b, to - from);
    return;
  }
  // Its approval wait: [queuedAt, approvalEnd].
  const asked = approvalEnd(b);
  const approvalFrom = Math.max(from, b.queuedAt);
  const approvalTo = Math.min(to, asked);
  if (approvalTo > approvalFrom) out.approval += approvalTo - approvalFrom;
  // The rest: before it was queued (nothing of it to blame) and after its approval.
  const pieces: [number, number][] = [];
  if (approvalTo > approvalFrom) {
    if (approvalFrom > from) pieces.push([from, approvalFrom]);
    if (to > approvalTo) pieces.push([approvalTo, to]);
  } else pieces.push([from, to]);
  const next = b.waitedFor.length > 0 ? blockerOf(b) : undefined;
  const waitFrom = b.admittedAt ?? b.queuedAt;
  const waitTo = b.conflictsClearedAt ?? b.endedAt;
  for (const [lo, hi] of pieces) {
    // While `b` itself waited behind another call, that call held both.
    const innerFrom = Math.max(lo, waitFrom);
    const innerTo = Math.min(hi, waitTo);
    if (next && innerTo > innerFrom) {
      add(b, innerFrom - lo + (hi - innerTo));
      charge(next, innerFrom, innerTo, depth + 1, out, blockerOf);
    } else add(b, hi - lo);
  }
}
