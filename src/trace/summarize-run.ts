import type { CallTrace, TurnTrace } from './call-trace.js';

export interface LostToLimit {
  limit: string;
  capacity: number;
  calls: number;
  ms: number;
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

/** Where a run's time went, across turns, with one recommendation. */
export interface RunSummary {
  turns: number;
  calls: number;
  /** First call queued to last result, across every turn. */
  wallMs: number;
  /**
   * Sum of every call's running time while it held its slots: a `task` call waiting for its
   * subagent gives them back, so the subagent's calls count and the wait does not.
   */
  workMs: number;
  /** work / wall. */
  parallelism: number;
  /** Sum of the turns' lower bounds over the sum of their walls (root turns only), at most 1. */
  efficiency: number;
  lost: {
    conflicts: { calls: number; ms: number; blockers: LostToBlocker[] };
    approvals: { calls: number; ms: number };
    limits: LostToLimit[];
  };
  /** The five longest-running calls. */
  slowest: { id: string; name: string; turnId: number; runMs: number }[];
  /** One line: the biggest avoidable cost and what to change, or that there was none. */
  recommendation: string;
}

/** Summarizes a run (one or more turns, subagents' included). */
export function summarizeRun(trace: TurnTrace | readonly TurnTrace[]): RunSummary {
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const calls = turns.flatMap((t) => t.calls.map((call) => ({ call, turn: t })));
  // A loop, not Math.min(...list): spreading a very long list overflows the stack.
  let start = Infinity;
  let end = -Infinity;
  for (const { call } of calls) {
    start = Math.min(start, call.queuedAt);
    end = Math.max(end, call.endedAt);
  }
  const wallMs = calls.length === 0 ? 0 : end - start;
  const runMs = (c: CallTrace) =>
    c.startedAt === undefined ? 0 : Math.max(0, c.endedAt - c.startedAt);
  // A call waiting for its subagents gives its slots back: that time is theirs, not its work.
  const workMs = calls.reduce(
    (sum, { call }) => sum + Math.max(0, runMs(call) - (call.slotsYieldedMs ?? 0)),
    0,
  );

  const roots = turns.filter((t) => t.path.length === 0);
  const rootWall = roots.reduce((sum, t) => sum + t.summary.wallMs, 0);
  const rootBound = roots.reduce(
    (sum, t) => sum + Math.min(t.summary.lowerBoundMs, t.summary.wallMs),
    0,
  );

  // Conflicts: a call's wait is charged to the call it waited for that settled last.
  const blockers = new Map<string, LostToBlocker>();
  const byId = new Map(turns.flatMap((t) => t.calls).map((c) => [c.id, c] as const));
  let conflictCalls = 0;
  let conflictMs = 0;
  for (const { call, turn } of calls) {
    const waited = (call.conflictsClearedAt ?? call.queuedAt) - (call.admittedAt ?? call.queuedAt);
    if (waited <= 0 || call.waitedFor.length === 0) continue;
    conflictCalls++;
    conflictMs += waited;
    const blocker = call.waitedFor
      .map((id) => turn.calls.find((c) => c.id === id) ?? byId.get(id))
      .filter((c): c is CallTrace => c !== undefined)
      .sort((a, b) => b.endedAt - a.endedAt)[0];
    if (!blocker) continue;
    const key = `${blocker.id}\u0000${blocker.name}`;
    const entry = blockers.get(key) ?? {
      id: blocker.id,
      name: blocker.name,
      exclusive: blocker.exclusive === true,
      calls: 0,
      ms: 0,
    };
    entry.calls++;
    entry.ms += waited;
    blockers.set(key, entry);
  }

  let approvalCalls = 0;
  let approvalMs = 0;
  for (const { call } of calls) {
    if (call.approval === 'auto') continue;
    approvalCalls++;
    approvalMs += Math.max(0, (call.approvedAt ?? call.endedAt) - call.queuedAt);
  }

  const limits = new Map<string, LostToLimit>();
  for (const { call, turn } of calls) {
    // Only calls a full limit held back: a tick between ready and start is not a wait.
    const limit = call.limitWaitedOn;
    if (limit === undefined || call.readyAt === undefined || call.startedAt === undefined) continue;
    if (call.startedAt <= call.readyAt) continue;
    const entry = limits.get(limit) ?? {
      limit,
      capacity: turn.limits[limit] ?? Infinity,
      calls: 0,
      ms: 0,
    };
    entry.calls++;
    entry.ms += call.startedAt - call.readyAt;
    limits.set(limit, entry);
  }

  const summary: RunSummary = {
    turns: turns.length,
    calls: calls.length,
    wallMs,
    workMs,
    parallelism: wallMs > 0 ? workMs / wallMs : 0,
    efficiency: rootWall > 0 ? Math.min(1, rootBound / rootWall) : 1,
    lost: {
      conflicts: {
        calls: conflictCalls,
        ms: conflictMs,
        blockers: [...blockers.values()].sort((a, b) => b.ms - a.ms),
      },
      approvals: { calls: approvalCalls, ms: approvalMs },
      limits: [...limits.values()].sort((a, b) => b.ms - a.ms),
    },
    slowest: calls
      .filter(({ call }) => call.startedAt !== undefined)
      .sort((a, b) => runMs(b.call) - runMs(a.call))
      .slice(0, 5)
      .map(({ call, turn }) => ({
        id: call.id,
        name: call.name,
        turnId: turn.turnId,
        runMs: runMs(call),
      })),
    recommendation: '',
  };
  summary.recommendation = recommend(summary);
  return summary;
}

/** The single most useful change, judged by the time it would have saved. */
function recommend(s: RunSummary): string {
  if (s.calls === 0) return 'No calls ran.';
  // Below this a cause is not worth a change: 5% of the wall, and at least 20 ms.
  const worth = Math.max(20, s.wallMs * 0.05);
  const limit = s.lost.limits[0];
  const blocker = s.lost.conflicts.blockers[0];
  const candidates: { ms: number; text: string }[] = [];
  if (limit) {
    const cap = Number.isFinite(limit.capacity) ? ` (${limit.capacity})` : '';
    const what = limit.limit === 'global' ? 'maxConcurrency' : `limit ${limit.limit}`;
    candidates.push({
      ms: limit.ms,
      text: `${plural(limit.calls, 'call')} waited ${duration(limit.ms)} on ${what}${cap}: raise it if the resource allows.`,
    });
  }
  if (blocker) {
    const fix = blocker.exclusive
      ? `${blocker.name} declares no claims, so it is exclusive: declare what it really touches.`
      : `check that ${blocker.name}'s claims are no wider than what it touches.`;
    candidates.push({
      ms: blocker.ms,
      text: `${plural(blocker.calls, 'call')} waited ${duration(blocker.ms)} behind ${blocker.name} (${blocker.id}): ${fix}`,
    });
  }
  if (s.lost.approvals.calls > 0) {
    candidates.push({
      ms: s.lost.approvals.ms,
      text: `${plural(s.lost.approvals.calls, 'call')} waited ${duration(s.lost.approvals.ms)} for approval: approve sooner, or use approvalMode 'auto-edit' for file edits.`,
    });
  }
  const best = candidates.filter((c) => c.ms >= worth).sort((a, b) => b.ms - a.ms)[0];
  if (best) return best.text;
  // No parallelism here: below 1 it only says the calls were short next to the model's time.
  return `Nothing worth changing: no call waited long for a limit, a conflict or an approval (efficiency ${Math.round(s.efficiency * 100)}%).`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `850 ms`, `2.1 s`. */
export function duration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}
