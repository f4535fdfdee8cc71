// A run's turns grouped by the agent that ran them, each agent's steps in order, and which
// agent ran under which call: what the run summary walks to split the wall time.

import type { CallTrace, ModelRequestTrace, TurnTrace } from './call-trace.js';

/** One step of an agent: its model request (when traced) and the turn of calls it made. */
export interface AgentStep {
  turn: TurnTrace;
  model: ModelRequestTrace | undefined;
  calls: readonly CallTrace[];
  /** Earliest time of the step: its request queued, or its first call queued. */
  start: number;
  /** Latest time of the step: its last result, or the end of its request. */
  end: number;
  /** First call queued and last call settled; ±Infinity without calls. */
  callsStart: number;
  callsEnd: number;
}

export interface AgentRun {
  /** The agent's path: empty for the root. */
  path: readonly string[];
  /** Its steps by start time. */
  steps: AgentStep[];
  start: number;
  end: number;
  /** When it first held its slot and worked: its first request sent, or its first step's start. */
  activeFrom: number;
  /** The call it ran under (a subagent's `task` or `agent start` call). */
  parent: { turnId: number; callId: string } | undefined;
}

export interface AgentRuns {
  agents: AgentRun[];
  /** Agents that ran under a call, by `callKey(turnId, callId)`. */
  under: Map<string, AgentRun[]>;
  /** Agents by their parent's path key (`pathKey`): who an agent started. */
  startedBy: Map<string, AgentRun[]>;
}

export const callKey = (turnId: number, callId: string) => `${turnId}\u0000${callId}`;
export const pathKey = (path: readonly string[]) => path.join('\u0000');

function finite(t: number | undefined): t is number {
  return t !== undefined && Number.isFinite(t);
}

/** A step's bounds from its own times, not the turn's `startedAt`/`endedAt` (hand-built traces omit them). */
export function stepOf(turn: TurnTrace): AgentStep {
  const calls = Array.isArray(turn.calls) ? turn.calls : [];
  let callsStart = Number.POSITIVE_INFINITY;
  let callsEnd = Number.NEGATIVE_INFINITY;
  for (const c of calls) {
    if (finite(c.queuedAt)) callsStart = Math.min(callsStart, c.queuedAt);
    if (finite(c.endedAt)) callsEnd = Math.max(callsEnd, c.endedAt);
  }
  const m = turn.model;
  const model = m && finite(m.queuedAt) && finite(m.sentAt) && finite(m.endedAt) ? m : undefined;
  let start = callsStart;
  let end = callsEnd;
  if (model) {
    start = Math.min(start, model.queuedAt);
    end = Math.max(end, model.endedAt);
  }
  if (!Number.isFinite(start)) start = finite(turn.startedAt) ? turn.startedAt : 0;
  if (!Number.isFinite(end)) end = Math.max(start, finite(turn.endedAt) ? turn.endedAt : start);
  return { turn, model, calls, start, end, callsStart, callsEnd };
}

/** Groups turns by agent path; a path's turns are one agent (its id in the path makes it unique). */
export function agentRuns(turns: readonly TurnTrace[]): AgentRuns {
  const byPath = new Map<string, AgentRun>();
  for (const turn of turns) {
    const path = Array.isArray(turn.path) ? turn.path : [];
    const key = pathKey(path);
    let agent = byPath.get(key);
    if (!agent) {
      agent = {
        path,
        steps: [],
        start: Number.POSITIVE_INFINITY,
        end: Number.NEGATIVE_INFINITY,
        activeFrom: Number.POSITIVE_INFINITY,
        parent: undefined,
      };
      byPath.set(key, agent);
    }
    const step = stepOf(turn);
    agent.steps.push(step);
    agent.start = Math.min(agent.start, step.start);
    agent.end = Math.max(agent.end, step.end);
    agent.activeFrom = Math.min(agent.activeFrom, step.model ? step.model.sentAt : step.start);
    agent.parent ??= turn.parent;
  }
  const under = new Map<string, AgentRun[]>();
  const startedBy = new Map<string, AgentRun[]>();
  for (const agent of byPath.values()) {
    agent.steps.sort((a, b) => a.start - b.start || a.turn.turnId - b.turn.turnId);
    if (agent.parent) {
      const key = callKey(agent.parent.turnId, agent.parent.callId);
      under.set(key, [...(under.get(key) ?? []), agent]);
    }
    if (agent.path.length > 0) {
      const key = pathKey(agent.path.slice(0, -1));
      startedBy.set(key, [...(startedBy.get(key) ?? []), agent]);
    }
  }
  return { agents: [...byPath.values()], under, startedBy };
}

/**
 * The agent whose work a running call waited for between `from` and `to`: one that ran under
 * it (a `task` call's subagent), else, for a call that gave its slots back to wait (`agent
 * wait`), one its agent started that worked then. The one that ended last wins.
 */
export function agentWaitedFor(
  runs: AgentRuns,
  turn: TurnTrace,
  call: CallTrace,
  from: number,
  to: number,
): AgentRun | undefined {
  const overlapping = (list: readonly AgentRun[] | undefined) =>
    (list ?? []).filter((a) => a.start < to && a.end > from);
  let candidates = overlapping(runs.under.get(callKey(turn.turnId, call.id)));
  if (candidates.length === 0 && (call.slotsYieldedMs ?? 0) > 0) {
    candidates = overlapping(
      runs.startedBy.get(pathKey(Array.isArray(turn.path) ? turn.path : [])),
    );
  }
  let best: AgentRun | undefined;
  for (const agent of candidates) {
    const end = Math.min(agent.end, to);
    if (!best || end > Math.min(best.end, to)) best = agent;
  }
  return best;
}
