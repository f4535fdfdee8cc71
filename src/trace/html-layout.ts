// What the HTML report draws, before any markup: the rows of the Gantt chart (subagent turns
// nested under their parent call) and the run's totals.

import type { CallTrace, TurnTrace } from './call-trace.js';

export type ReportRow =
  | { kind: 'turn'; turn: TurnTrace; depth: number; parentCall: CallTrace | undefined }
  | { kind: 'call'; turn: TurnTrace; call: CallTrace; depth: number; critical: boolean };

/** What the chart needs about the whole run (the numbers come from `summarizeRun`). */
export interface ChartTotals {
  /** The time axis: earliest time in any trace, and the span to the latest. */
  origin: number;
  spanMs: number;
  /** Calls by status, in order of first appearance. */
  statuses: Map<string, number>;
  /** Every limit in force in any turn, by name (the largest capacity seen). */
  limits: Map<string, number>;
}

export interface ReportLayout {
  rows: ReportRow[];
  /** Turns drawn at the top level, in the order drawn. */
  roots: TurnTrace[];
  totals: ChartTotals;
}

const key = (turnId: unknown, callId: unknown) => `${String(turnId)}\u0000${String(callId)}`;

function byStart(a: TurnTrace, b: TurnTrace): number {
  return (a.startedAt || 0) - (b.startedAt || 0);
}

function callsOf(turn: TurnTrace): CallTrace[] {
  return Array.isArray(turn.calls) ? [...turn.calls].sort((a, b) => a.index - b.index) : [];
}

/**
 * Orders the traces for drawing: top-level turns by start time; after each call, the subagent
 * turns whose `parent` names it, indented one level deeper. A turn whose parent call is not among
 * the traces is drawn at the top level; each turn is drawn exactly once, whatever the ids say.
 */
export function layoutReport(traces: readonly TurnTrace[]): ReportLayout {
  const callKeys = new Set<string>();
  for (const turn of traces)
    for (const call of callsOf(turn)) callKeys.add(key(turn.turnId, call.id));
  const children = new Map<string, TurnTrace[]>();
  const roots: TurnTrace[] = [];
  for (const turn of traces) {
    const parent = turn.parent;
    const k = parent ? key(parent.turnId, parent.callId) : undefined;
    if (k === undefined || !callKeys.has(k)) {
      roots.push(turn);
      continue;
    }
    const list = children.get(k);
    if (list) list.push(turn);
    else children.set(k, [turn]);
  }
  for (const list of children.values()) list.sort(byStart);
  roots.sort(byStart);

  const rows: ReportRow[] = [];
  const drawn = new Set<TurnTrace>();
  const walk = (turn: TurnTrace, depth: number, parentCall: CallTrace | undefined) => {
    if (drawn.has(turn)) return;
    drawn.add(turn);
    rows.push({ kind: 'turn', turn, depth, parentCall });
    const critical = new Set(turn.summary?.criticalPath ?? []);
    const seen = new Set<string>();
    for (const call of callsOf(turn)) {
      // A duplicate id is the error result for the repeat: the first one is the real call.
      const first = !seen.has(call.id);
      seen.add(call.id);
      rows.push({ kind: 'call', turn, call, depth, critical: first && critical.has(call.id) });
      if (!first) continue;
      for (const child of children.get(key(turn.turnId, call.id)) ?? [])
        walk(child, depth + 1, call);
    }
  };
  for (const turn of roots) walk(turn, 0, undefined);
  // Parent links that form a cycle leave turns unreached: draw them at the top level too.
  for (const turn of traces) {
    if (!drawn.has(turn)) {
      roots.push(turn);
      walk(turn, 0, undefined);
    }
  }
  return { rows, roots, totals: chartTotals(traces) };
}

function chartTotals(traces: readonly TurnTrace[]): ChartTotals {
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  const extend = (t: number | undefined) => {
    if (t === undefined || !Number.isFinite(t)) return;
    start = Math.min(start, t);
    end = Math.max(end, t);
  };
  const statuses = new Map<string, number>();
  const limits = new Map<string, number>();
  for (const turn of traces) {
    extend(turn.startedAt);
    extend(turn.endedAt);
    for (const [name, capacity] of Object.entries(turn.limits ?? {})) {
      // Unbounded is Infinity, which a JSON round trip turns into null.
      const c = typeof capacity === 'number' && !Number.isNaN(capacity) ? capacity : Infinity;
      limits.set(name, Math.max(limits.get(name) ?? Number.NEGATIVE_INFINITY, c));
    }
    for (const call of callsOf(turn)) {
      extend(call.queuedAt);
      extend(call.endedAt);
      statuses.set(call.status, (statuses.get(call.status) ?? 0) + 1);
    }
  }
  const empty = !Number.isFinite(start);
  return { origin: empty ? 0 : start, spanMs: empty ? 0 : end - start, statuses, limits };
}
