import { type AgentRun, agentRuns } from './agent-runs.js';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { type RunSource, recommend } from './run-advice.js';
import { type LostTime, lostTime } from './run-blame.js';
import { stepBound } from './run-bound.js';
import { type WallSplit, walkWall } from './wall-split.js';

export type { RunSource } from './run-advice.js';
export { duration } from './run-advice.js';
export type { LostTime, LostToBlocker, LostToLimit } from './run-blame.js';
export type { WallSplit } from './wall-split.js';

/** Every model request of the run, every agent's, summed. */
export interface ModelTotals {
  requests: number;
  /** Sent to the end of the answer, summed. */
  ms: number;
  /** Waiting for a slot before sending (a subagent's), summed. */
  queuedMs: number;
  /** Sent to the first token, summed. */
  firstTokenMs: number;
  inputTokens: number;
  outputTokens: number;
}

/** Where a run's time went, across turns and agents, with one recommendation. */
export interface RunSummary {
  turns: number;
  calls: number;
  /** First call or model request queued to the last result or answer, across every turn. */
  wallMs: number;
  /**
   * Sum of every call's running time while it held its slots: a `task` call waiting for its
   * subagent gives them back, so the subagent's calls count and the wait does not.
   */
  workMs: number;
  /** work / wall: low when the model, not the tools, took the time. See `toolParallelism`. */
  parallelism: number;
  /**
   * Tool work over the time any tool was running: how many calls ran at once, on average,
   * while any did (1 or more; 0 when no call ran).
   */
  toolParallelism: number;
  /** Subagents that ran, the most that worked at once, and how many on average while any did. */
  subagents: { count: number; mostAtOnce: number; parallelism: number };
  /** Model requests of every agent. */
  model: ModelTotals;
  /**
   * The wall time along the critical path, split by what it was spent on: model, tools,
   * waits, other. The parts add up to `wallMs`.
   */
  wallSplit: WallSplit;
  /**
   * Wall time saved by running tools while the model still streamed its answer, along the
   * critical path (per step: how long its calls ran before the answer ended).
   */
  streamingSavedMs: number;
  /**
   * The least time the root agent's steps could take with the same model requests, calls,
   * conflicts, approvals and limits: model time counts (sent to end), waits do not.
   */
  lowerBoundMs: number;
  /** lowerBound over the time the root agent's steps took (idle time between them left out), at most 1. */
  efficiency: number;
  lost: LostTime;
  /** The five longest-running calls. */
  slowest: { id: string; name: string; turnId: number; runMs: number }[];
  /** One line: the biggest avoidable cost and what to change, or that there was none. */
  recommendation: string;
}

export interface SummarizeRunOptions {
  /**
   * Where the run came from: the recommendation names CLI flags and config (`'cli'`:
   * `--approval auto-edit`) or library options (`'library'`: `approvalMode 'auto-edit'`).
   * @default 'library'
   */
  source?: RunSource;
}

/** Summarizes a run (one or more turns, subagents' included). */
export function summarizeRun(
  trace: TurnTrace | readonly TurnTrace[],
  options: SummarizeRunOptions = {},
): RunSummary {
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const calls = turns.flatMap((t) => t.calls.map((call) => ({ call, turn: t })));
  const runs = agentRuns(turns);
  // A loop, not Math.min(...list): spreading a very long list overflows the stack.
  let start = Infinity;
  let end = -Infinity;
  for (const agent of runs.agents) {
    start = Math.min(start, agent.start);
    end = Math.max(end, agent.end);
  }
  const wallMs = Number.isFinite(start) && end > start ? end - start : 0;
  const runMs = (c: CallTrace) =>
    c.startedAt === undefined ? 0 : Math.max(0, c.endedAt - c.startedAt);
  // A call waiting for its subagents gives its slots back: that time is theirs, not its work.
  const ownWork = (c: CallTrace) => Math.max(0, runMs(c) - (c.slotsYieldedMs ?? 0));
  let workMs = 0;
  for (const { call } of calls) workMs += ownWork(call);

  const roots = runs.agents.filter((a) => a.path.length === 0);
  let rootSpan = 0;
  let lowerBoundMs = 0;
  for (const agent of roots) {
    for (const step of agent.steps) {
      rootSpan += Math.max(0, step.end - step.start);
      lowerBoundMs += stepBound(runs, step);
    }
  }
  const main = roots[0] ?? lastEnding(runs.agents);
  const walk = main
    ? walkWall(runs, main, start, end)
    : {
        split: {
          modelMs: 0,
          toolsMs: 0,
          waitsMs: 0,
          waits: { approvalMs: 0, conflictsMs: 0, slotsMs: 0 },
          otherMs: 0,
        },
        streamingSavedMs: 0,
      };
  const lost = lostTime(turns);

  const summary: RunSummary = {
    turns: turns.length,
    calls: calls.length,
    wallMs,
    workMs,
    parallelism: wallMs > 0 ? workMs / wallMs : 0,
    toolParallelism: toolParallelism(
      calls.map((c) => c.call),
      ownWork,
    ),
    subagents: subagentFigures(runs.agents.filter((a) => a.path.length > 0)),
    model: modelTotals(turns),
    wallSplit: walk.split,
    streamingSavedMs: walk.streamingSavedMs,
    lowerBoundMs,
    efficiency: rootSpan > 0 ? Math.min(1, Math.max(0, lowerBoundMs / rootSpan)) : 1,
    lost,
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
  summary.recommendation = recommend(summary, options.source);
  return summary;
}

function lastEnding(agents: readonly AgentRun[]): AgentRun | undefined {
  let last: AgentRun | undefined;
  for (const a of agents) if (!last || a.end > last.end) last = a;
  return last;
}

/** Work over the union of the intervals calls worked in (each from its start, for its own work). */
function toolParallelism(calls: readonly CallTrace[], work: (c: CallTrace) => number): number {
  const spans: [number, number][] = [];
  let total = 0;
  for (const c of calls) {
    const w = work(c);
    if (c.startedAt === undefined || !(w > 0)) continue;
    spans.push([c.startedAt, c.startedAt + w]);
    total += w;
  }
  const busy = unionLength(spans);
  return busy > 0 ? total / busy : 0;
}

function subagentFigures(agents: readonly AgentRun[]): RunSummary['subagents'] {
  const spans: [number, number][] = agents
    .filter((a) => a.end > a.activeFrom)
    .map((a) => [a.activeFrom, a.end]);
  let total = 0;
  for (const [a, b] of spans) total += b - a;
  const busy = unionLength(spans);
  // Most at once: a sweep over starts and ends, an end before a start at the same time.
  const edges = spans.flatMap(([a, b]) => [
    [a, 1],
    [b, -1],
  ]) as [number, number][];
  edges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  let now = 0;
  let most = 0;
  for (const [, delta] of edges) {
    now += delta;
    most = Math.max(most, now);
  }
  return { count: agents.length, mostAtOnce: most, parallelism: busy > 0 ? total / busy : 0 };
}

function unionLength(spans: [number, number][]): number {
  spans.sort((a, b) => a[0] - b[0]);
  let busy = 0;
  let from = Number.NEGATIVE_INFINITY;
  let to = Number.NEGATIVE_INFINITY;
  for (const [a, b] of spans) {
    if (a > to) {
      if (to > from) busy += to - from;
      from = a;
      to = b;
    } else to = Math.max(to, b);
  }
  if (to > from) busy += to - from;
  return busy;
}

function modelTotals(turns: readonly TurnTrace[]): ModelTotals {
  const totals: ModelTotals = {
    requests: 0,
    ms: 0,
    queuedMs: 0,
    firstTokenMs: 0,
    inputTokens: 0,
    outputTokens: 0,
  };
  for (const turn of turns) {
    const m = turn.model;
    if (!m) continue;
    totals.requests++;
    totals.ms += Math.max(0, m.endedAt - m.sentAt);
    totals.queuedMs += Math.max(0, m.sentAt - m.queuedAt);
    if (m.firstTokenAt !== undefined) totals.firstTokenMs += Math.max(0, m.firstTokenAt - m.sentAt);
    totals.inputTokens += m.inputTokens ?? 0;
    totals.outputTokens += m.outputTokens ?? 0;
  }
  return totals;
}
