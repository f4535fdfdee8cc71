import type { CallTrace, TurnSummary } from './call-trace.js';

/** One call, in index order, with what every pass needs precomputed. */
interface Entry {
  call: CallTrace;
  /** Position in index order: the tie-breaker that makes (endedAt, pos) a total order. */
  pos: number;
  /** endedAt − startedAt, or 0 when the call never started. */
  run: number;
  /** Positions of the earlier calls in `waitedFor`; unknown and later ids are dropped. */
  deps: number[];
}

const EMPTY: TurnSummary = {
  wallMs: 0,
  workMs: 0,
  parallelism: 0,
  criticalPath: [],
  criticalPathMs: 0,
  lowerBoundMs: 0,
  efficiency: 1,
  waits: { conflictsMs: 0, approvalMs: 0, slotMs: 0 },
};

/**
 * Summarizes one turn from its call traces: where the time went, how parallel it was, the chain
 * of calls that set the wall time, and how close it came to what a perfect scheduler could reach.
 *
 * - `wallMs`: last `endedAt` − first `queuedAt`. `workMs`: summed running time
 *   (`endedAt − startedAt`, 0 for calls that never started). `parallelism`: work / wall.
 * - `waits`: per call, conflicts `(conflictsClearedAt ?? endedAt) − (admittedAt ?? queuedAt)`; approval
 *   `(approvedAt ?? endedAt) − queuedAt` when approval was not `'auto'`; slot
 *   `(startedAt ?? endedAt) − readyAt` when the call became ready. Summed; negative terms count 0.
 * - `criticalPath`: from the call that ended last (ties: the later index), walk back to whatever
 *   made each call start (or settle) when it did: the latest of its arrival, its approval, the
 *   end of each call it waited for, and, when it waited for a slot, the call of its
 *   `limitWaitedOn` limit that ended last at or before its start. A call cause is prepended and
 *   followed (it wins ties); arrival or approval ends the walk (an approval still pending when
 *   the call ended counts as given at its end: a human's time, not the scheduler's). Ids are listed first to last, in
 *   non-decreasing `endedAt`.
 * - `criticalPathMs`: the running time of every call on the path, plus the approval wait of the
 *   first call when approval is what started the chain. The pieces never overlap, so it is at
 *   most `wallMs`; gaps (slot hand-over, late arrival) are not counted.
 * - `lowerBoundMs`: the larger of the longest release-plus-duration path through the
 *   `waitedFor` graph, and, for each limit of finite capacity `c`, `t + W(t) / c` maximized over
 *   release times `t`, where `W(t)` is the running time of the limit's calls that could not
 *   start before `t`. Denied calls settle at their approval; other calls that never started
 *   take no time and settle no later than they did.
 * - `efficiency`: lowerBound / wall in [0, 1]; 1 for an empty or instantaneous turn.
 *
 * Runs in O(calls · log calls + edges): it runs after every turn, and turns reach 10,000 calls.
 *
 * @param calls The turn's call traces, in any order (sorted by `index` here).
 * @param limits Capacity by limit name; `global` is `maxConcurrency`. Limits missing here, or
 *   not a finite positive number, are treated as unbounded.
 */
export function summarizeTurn(
  calls: readonly CallTrace[],
  limits: Record<string, number>,
): TurnSummary {
  if (calls.length === 0) return { ...EMPTY, criticalPath: [], waits: { ...EMPTY.waits } };
  const entries = buildEntries(calls);

  let turnStart = Number.POSITIVE_INFINITY;
  let turnEnd = Number.NEGATIVE_INFINITY;
  let workMs = 0;
  const waits = { conflictsMs: 0, approvalMs: 0, slotMs: 0 };
  for (const { call, run } of entries) {
    turnStart = Math.min(turnStart, call.queuedAt);
    turnEnd = Math.max(turnEnd, call.endedAt);
    workMs += run;
    // From admission: parsing and validating the input is not waiting for a conflict.
    const admitted = call.admittedAt ?? call.queuedAt;
    waits.conflictsMs += nonNegative((call.conflictsClearedAt ?? call.endedAt) - admitted);
    if (call.approval !== 'auto') {
      waits.approvalMs += nonNegative((call.approvedAt ?? call.endedAt) - call.queuedAt);
    }
    if (call.readyAt !== undefined) {
      waits.slotMs += nonNegative((call.startedAt ?? call.endedAt) - call.readyAt);
    }
  }
  const wallMs = nonNegative(turnEnd - turnStart);
  const byLimit = startedByLimit(entries);
  const path = criticalPath(entries, byLimit);
  const lowerBoundMs = lowerBound(entries, byLimit, limits, turnStart);

  return {
    wallMs,
    workMs,
    parallelism: wallMs > 0 ? workMs / wallMs : 0,
    criticalPath: path.ids,
    criticalPathMs: Math.min(path.ms, wallMs),
    lowerBoundMs,
    efficiency: wallMs > 0 ? Math.min(1, Math.max(0, lowerBoundMs / wallMs)) : 1,
    waits,
  };
}

function nonNegative(ms: number): number {
  return Math.max(ms, 0);
}

/**
 * When approval let the call go: its answer, or its end when it never came (the run was
 * cancelled while it was asked). Approval holds a call back only when one was asked for.
 */
function approvalRelease(call: CallTrace): number {
  if (call.approval === 'auto') return Number.NEGATIVE_INFINITY;
  if (call.approvedAt !== undefined) return call.approvedAt;
  return call.approval === 'pending' ? call.endedAt : Number.NEGATIVE_INFINITY;
}

function buildEntries(calls: readonly CallTrace[]): Entry[] {
  // Stable sort: equal indexes (malformed input) keep their given order.
  const sorted = [...calls].sort((a, b) => a.index - b.index);
  const positionOf = new Map<string, number>();
  return sorted.map((call, pos) => {
    const deps: number[] = [];
    // A call that shared another's result could not finish before it.
    const after =
      call.sharedWith === undefined ? call.waitedFor : [...call.waitedFor, call.sharedWith];
    for (const id of after) {
      const dep = positionOf.get(id);
      // Only earlier calls: keeps the graph acyclic whatever the trace says.
      if (dep !== undefined) deps.push(dep);
    }
    // First occurrence wins: a duplicate id is the error result, never a conflict partner.
    if (!positionOf.has(call.id)) positionOf.set(call.id, pos);
    const run = call.startedAt === undefined ? 0 : nonNegative(call.endedAt - call.startedAt);
    return { call, pos, run, deps };
  });
}

/** Started calls of each limit, as positions; sorted by (endedAt, pos) on first use. */
type ByLimit = Map<string, { positions: number[]; sorted: boolean }>;

function startedByLimit(entries: readonly Entry[]): ByLimit {
  const byLimit: ByLimit = new Map();
  for (const { call, pos } of entries) {
    // A call that never started never held a slot, so it neither freed one nor used capacity.
    if (call.startedAt === undefined) continue;
    for (const name of new Set(call.limits)) {
      const group = byLimit.get(name);
      if (group) group.positions.push(pos);
      else byLimit.set(name, { positions: [pos], sorted: false });
    }
  }
  return byLimit;
}

function at(entries: readonly Entry[], pos: number): Entry {
  return entries[pos] as Entry;
}

/** (endedAt, pos) order: strictly decreasing along the walk, so it always ends. */
function endsBefore(entries: readonly Entry[], a: number, b: number): boolean {
  const ea = at(entries, a).call.endedAt;
  const eb = at(entries, b).call.endedAt;
  return ea < eb || (ea === eb && a < b);
}

function criticalPath(entries: readonly Entry[], byLimit: ByLimit): { ids: string[]; ms: number } {
  let cur = 0;
  for (let pos = 1; pos < entries.length; pos++) {
    if (at(entries, pos).call.endedAt >= at(entries, cur).call.endedAt) cur = pos;
  }
  const chain: string[] = [];
  let ms = 0;
  for (;;) {
    const { call, run, deps } = at(entries, cur);
    chain.push(call.id);
    ms += run;
    let cause = -1;
    const consider = (pos: number) => {
      if (pos < 0 || !endsBefore(entries, pos, cur)) return;
      if (cause < 0 || endsBefore(entries, cause, pos)) cause = pos;
    };
    for (const dep of deps) consider(dep);
    const { startedAt, readyAt } = call;
    if (startedAt !== undefined && readyAt !== undefined && startedAt > readyAt) {
      // Without a recorded limit, any of the call's limits may have been the one that freed up.
      const names = call.limitWaitedOn !== undefined ? [call.limitWaitedOn] : call.limits;
      for (const name of names) consider(slotFreer(entries, byLimit, name, cur, startedAt));
    }
    const approval = approvalRelease(call);
    if (cause >= 0 && at(entries, cause).call.endedAt >= Math.max(call.queuedAt, approval)) {
      cur = cause;
      continue;
    }
    if (approval > call.queuedAt) ms += approval - call.queuedAt;
    break;
  }
  return { ids: chain.reverse(), ms };
}

/** The started call of `limit` that ended last at or before `startedAt` (and before `cur`), or -1. */
function slotFreer(
  entries: readonly Entry[],
  byLimit: ByLimit,
  limit: string,
  cur: number,
  startedAt: number,
): number {
  const group = byLimit.get(limit);
  if (!group) return -1;
  if (!group.sorted) {
    group.positions.sort((a, b) => (endsBefore(entries, a, b) ? -1 : 1));
    group.sorted = true;
  }
  const list = group.positions;
  // Both conditions hold on a prefix of the sorted list: find its last element.
  const ok = (pos: number) =>
    at(entries, pos).call.endedAt <= startedAt && endsBefore(entries, pos, cur);
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ok(list[mid] as number)) lo = mid + 1;
    else hi = mid;
  }
  return lo > 0 ? (list[lo - 1] as number) : -1;
}

function lowerBound(
  entries: readonly Entry[],
  byLimit: ByLimit,
  limits: Record<string, number>,
  turnStart: number,
): number {
  // earliest[pos]: the soonest the call could start (or settle) given releases and conflicts.
  const earliest = new Float64Array(entries.length);
  const finish = new Float64Array(entries.length);
  let bound = 0;
  for (const { call, pos, run, deps } of entries) {
    const approval = approvalRelease(call);
    const release = Math.max(call.queuedAt, approval) - turnStart;
    let ready = release;
    for (const dep of deps) ready = Math.max(ready, finish[dep] as number);
    let end: number;
    if (call.startedAt !== undefined) end = ready + run;
    // A denial settles the call at once, whatever it conflicts with.
    else if (call.approval === 'denied' || call.status === 'denied') end = release;
    // Cancelled or failed before starting: settled by an outside event, no later than it did.
    else end = Math.max(release, Math.min(ready, call.endedAt - turnStart));
    earliest[pos] = ready;
    finish[pos] = end;
    bound = Math.max(bound, end);
  }
  for (const [name, group] of byLimit) {
    const capacity = limits[name];
    if (capacity === undefined || !Number.isFinite(capacity) || capacity <= 0) continue;
    // Work that cannot start before t needs W(t) / c after t; scan t from the latest release.
    const byRelease = group.positions
      .filter((pos) => at(entries, pos).run > 0)
      .sort((a, b) => (earliest[b] as number) - (earliest[a] as number));
    let work = 0;
    for (const pos of byRelease) {
      work += at(entries, pos).run;
      bound = Math.max(bound, (earliest[pos] as number) + work / capacity);
    }
  }
  return nonNegative(bound);
}
