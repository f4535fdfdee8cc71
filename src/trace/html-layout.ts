// What the HTML report draws, before any markup: the rows of the Gantt chart (subagent turns
// nested under their parent call) and the run's totals.

import { agentRuns, callKey } from './agent-runs.js';
import type { TurnTrace } from './call-trace.js';
import type { SubagentSpan } from './html-call.js';
import { callsOf, type OrderedRow, orderTurns } from './turn-order.js';

export type ReportRow = OrderedRow;

/** What the chart needs about the whole run (the numbers come from `summarizeRun`). */
export interface ChartTotals {
  /** The time axis: earliest time in any trace, and the span to the latest. */
  origin: number;
  spanMs: number;
  /** Calls by status, in order of first appearance. */
  statuses: Map<string, number>;
  /** Every limit in force in any turn, by name (the largest capacity seen). */
  limits: Map<string, number>;
  /** By `callKey(turnId, callId)`: the subagent the call ran, when it waited and worked. */
  subagents: Map<string, SubagentSpan>;
}

export interface ReportLayout {
  rows: ReportRow[];
  /** Turns drawn at the top level, in the order drawn. */
  roots: TurnTrace[];
  totals: ChartTotals;
}

/**
 * Orders the traces for drawing (see {@link orderTurns}): subagent turns after the call they ran
 * under, indented one level deeper.
 */
export function layoutReport(traces: readonly TurnTrace[]): ReportLayout {
  const { rows, roots } = orderTurns(traces);
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
    if (turn.model) {
      extend(turn.model.queuedAt);
      extend(turn.model.endedAt);
    }
  }
  const subagents = new Map<string, SubagentSpan>();
  for (const agent of agentRuns(traces).agents) {
    if (!agent.parent || !(agent.end > agent.start)) continue;
    subagents.set(callKey(agent.parent.turnId, agent.parent.callId), {
      queuedAt: agent.start,
      startedAt: Math.max(agent.start, agent.activeFrom),
      endedAt: agent.end,
    });
  }
  const empty = !Number.isFinite(start);
  return {
    origin: empty ? 0 : start,
    spanMs: empty ? 0 : end - start,
    statuses,
    limits,
    subagents,
  };
}
