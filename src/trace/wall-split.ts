// Where a run's wall time went, along its critical path: walked back from the end of the run
// through the agent that finished last, one step at a time, into the subagent a critical call
// waited for. Every millisecond lands in exactly one bucket, so the parts add up to the wall.

import { type AgentRun, type AgentRuns, type AgentStep, agentWaitedFor } from './agent-runs.js';
import type { CallTrace, TurnTrace } from './call-trace.js';

/** The wall time split by what the critical path was doing. `model + tools + waits + other = wall`. */
export interface WallSplit {
  /** Model requests: sent until the answer ended (the first token and the streaming). */
  modelMs: number;
  /** Tools running (after the model's answer ended: tools that ran while it streamed are free). */
  toolsMs: number;
  /** Calls and model requests held back. */
  waitsMs: number;
  waits: {
    /** A call waiting for a human's answer. */
    approvalMs: number;
    /** A call waiting for an earlier conflicting call of another agent or turn. */
    conflictsMs: number;
    /** A call waiting for a limit's slot; a subagent's request waiting for a subagent slot. */
    slotsMs: number;
  };
  /** Hand-overs, admission, and time between steps (the host's own work, or idle). */
  otherMs: number;
}

export interface WallWalk {
  split: WallSplit;
  /**
   * Wall time saved by starting tools while the model still streamed, on the critical path:
   * per step, how long its calls ran before the answer ended.
   */
  streamingSavedMs: number;
}

/** Deeper than any real nesting: a hand-edited trace cannot make the walk run away. */
const maxDepth = 32;

/**
 * Walks the critical path of the run backwards from `end` to `start` through `main` (the agent
 * that set the wall time): each step's tool calls that outlasted its answer (the turn's own
 * critical chain), its model request, the wait for its slot; a call that waited for a subagent
 * is explained by that subagent's steps.
 */
export function walkWall(runs: AgentRuns, main: AgentRun, start: number, end: number): WallWalk {
  const split: WallSplit = {
    modelMs: 0,
    toolsMs: 0,
    waitsMs: 0,
    waits: { approvalMs: 0, conflictsMs: 0, slotsMs: 0 },
    otherMs: 0,
  };
  let saved = 0;

  const agent = (run: AgentRun, from: number, to: number, depth: number): void => {
    let t = to;
    for (let i = run.steps.length - 1; i >= 0 && t > from; i--) {
      const step = run.steps[i] as AgentStep;
      if (step.start >= t) continue;
      const stepEnd = clamp(step.end, from, t);
      split.otherMs += t - stepEnd;
      t = explainStep(step, from, stepEnd, depth);
    }
    split.otherMs += Math.max(0, t - from);
  };

  /** Explains [.., t] with one step; returns where it stopped (at least `floor`). */
  const explainStep = (step: AgentStep, floor: number, to: number, depth: number): number => {
    const m = step.model;
    if (!m) return calls(step.turn, step, clamp(step.start, floor, to), to, depth);
    let t = to;
    const answered = clamp(m.endedAt, floor, t);
    if (step.calls.length > 0 && t > answered) {
      // Calls that outlasted the answer: only their time after it is on the path.
      calls(step.turn, step, answered, t, depth);
      t = answered;
    }
    if (step.calls.length > 0 && step.callsStart < m.endedAt) {
      saved += Math.max(0, Math.min(m.endedAt, step.callsEnd) - step.callsStart);
    }
    const sent = clamp(m.sentAt, floor, t);
    split.modelMs += t - sent;
    t = sent;
    const queued = clamp(m.queuedAt, floor, t);
    addWait('slotsMs', t - queued);
    return queued;
  };

  const addWait = (kind: keyof WallSplit['waits'], ms: number) => {
    if (ms <= 0) return;
    split.waits[kind] += ms;
    split.waitsMs += ms;
  };

  /**
   * Explains [lo, to] with a turn's calls, along the turn's critical chain (last call first):
   * each call's running time (or the subagent it waited for), the hand-over to it, and the
   * first call's own waits. Whatever the chain leaves, down to `lo`, is other time.
   */
  const calls = (
    turn: TurnTrace,
    step: AgentStep,
    lo: number,
    to: number,
    depth: number,
  ): number => {
    let t = to;
    const chain = criticalChain(turn, step);
    for (let k = chain.length - 1; k >= 0 && t > lo; k--) {
      const c = chain[k] as CallTrace;
      const ended = clamp(c.endedAt, lo, t);
      split.otherMs += t - ended;
      t = ended;
      if (c.startedAt !== undefined) {
        const started = clamp(c.startedAt, lo, t);
        if (t > started) {
          const sub = depth < maxDepth ? agentWaitedFor(runs, turn, c, started, t) : undefined;
          if (sub) {
            // The call's own running around its subagent's life is tool time.
            const subEnd = clamp(sub.end, started, t);
            const subStart = clamp(sub.start, started, subEnd);
            split.toolsMs += t - subEnd + (subStart - started);
            agent(sub, subStart, subEnd, depth + 1);
          } else split.toolsMs += t - started;
          t = started;
        }
      }
      // What held the first call of the chain back is the chain's start; later ones waited on
      // the call before them, whose time comes next.
      if (k === 0) t = ownWaits(c, clamp(c.queuedAt, lo, t), t);
    }
    split.otherMs += Math.max(0, t - lo);
    return lo;
  };

  /**
   * A call's own waits between `from` and `to`, each instant charged to what held it then: a
   * slot once it was ready, else approval while it was asked, else conflicts; the rest
   * (admission) is other time.
   */
  const ownWaits = (c: CallTrace, from: number, to: number): number => {
    const approvalEnd =
      c.approval === 'auto'
        ? Number.NEGATIVE_INFINITY
        : (c.approvedAt ?? (c.approval === 'pending' ? c.endedAt : Number.NEGATIVE_INFINITY));
    const slotFrom = clamp(c.readyAt ?? Number.POSITIVE_INFINITY, from, to);
    addWait('slotsMs', to - slotFrom);
    const approvalTo = clamp(approvalEnd, from, slotFrom);
    addWait('approvalMs', approvalTo - from);
    const conflictsFrom = clamp(c.admittedAt ?? c.queuedAt, approvalTo, slotFrom);
    const conflictsTo = clamp(c.conflictsClearedAt ?? c.endedAt, conflictsFrom, slotFrom);
    addWait('conflictsMs', conflictsTo - conflictsFrom);
    split.otherMs += slotFrom - approvalTo - (conflictsTo - conflictsFrom);
    return from;
  };

  agent(main, start, end, 0);
  return { split, streamingSavedMs: saved };
}

function clamp(t: number, lo: number, hi: number): number {
  return Number.isFinite(t) ? Math.min(hi, Math.max(lo, t)) : t > 0 ? hi : lo;
}

/** The turn's critical chain as calls, first to last; the call that ended last if it has none. */
function criticalChain(turn: TurnTrace, step: AgentStep): CallTrace[] {
  const byId = new Map<string, CallTrace>();
  for (const c of step.calls) if (!byId.has(c.id)) byId.set(c.id, c);
  const ids = Array.isArray(turn.summary?.criticalPath) ? turn.summary.criticalPath : [];
  const chain = ids.map((id) => byId.get(id)).filter((c): c is CallTrace => c !== undefined);
  if (chain.length > 0) return chain;
  let last: CallTrace | undefined;
  for (const c of step.calls) if (!last || c.endedAt >= last.endedAt) last = c;
  return last ? [last] : [];
}
