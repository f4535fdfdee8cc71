// The least wall time a run could take with the same model requests, calls, conflicts,
// approvals and limits: model time counts, so a run that waits on its model is judged fairly.

import { type AgentRun, type AgentRuns, type AgentStep, callKey } from './agent-runs.js';
import type { CallTrace } from './call-trace.js';
import { summarizeTurn } from './summarize-turn.js';

const maxDepth = 32;

/**
 * An agent's lower bound: its steps one after the other, each the larger of its model request
 * (from when it was ready: a subagent's wait for its slot is the limit's, as in the turn
 * bound) and the release of its first call plus its calls' lower bound (a `task` call counting
 * its subagent's bound). A step never counts for more than it took.
 */
export function agentBound(runs: AgentRuns, agent: AgentRun, depth = 0): number {
  let bound = 0;
  for (const step of agent.steps) bound += stepBound(runs, step, depth);
  return bound;
}

/** One step's bound, at most the step's own span. */
export function stepBound(runs: AgentRuns, step: AgentStep, depth = 0): number {
  const span = Math.max(0, step.end - step.start);
  const calls = callsBound(runs, step, depth);
  const m = step.model;
  if (!m) return Math.min(span, calls);
  const modelMs = Math.max(0, m.endedAt - m.queuedAt);
  // The calls were released this long into the request (during its stream).
  const offset = step.calls.length > 0 ? Math.max(0, step.callsStart - m.queuedAt) : 0;
  return Math.min(span, Math.max(modelMs, offset + calls));
}

/** The turn's lower bound, a subagent's call standing for its agent's own bound. */
function callsBound(runs: AgentRuns, step: AgentStep, depth: number): number {
  if (step.calls.length === 0) return 0;
  const turn = step.turn;
  const limits = turn.limits ?? {};
  let replaced = false;
  const calls = step.calls.map((c): CallTrace => {
    if (c.startedAt === undefined || depth >= maxDepth) return c;
    const under = runs.under.get(callKey(turn.turnId, c.id));
    if (!under || under.length === 0) return c;
    const inner = Math.max(...under.map((a) => agentBound(runs, a, depth + 1)));
    const run = c.endedAt - c.startedAt;
    if (!(inner < run)) return c;
    replaced = true;
    return { ...c, endedAt: c.startedAt + inner };
  });
  if (!replaced) {
    const own = turn.summary?.lowerBoundMs;
    if (typeof own === 'number' && Number.isFinite(own)) return own;
  }
  return summarizeTurn(calls, limits).lowerBoundMs;
}
