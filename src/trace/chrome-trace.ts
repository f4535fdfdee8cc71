import { agentRuns, callKey } from './agent-runs.js';
import {
  type CallTrace,
  type ModelRequestTrace,
  rootAgentName,
  type TurnTrace,
} from './call-trace.js';
import { callPhases, type SubagentSpan } from './html-call.js';
import type { RunSource } from './run-advice.js';

/** One Trace Event Format event (the subset salvo writes). */
export interface ChromeTraceEvent {
  name: string;
  /** `X`: complete event with a duration; `M`: metadata (process and thread names). */
  ph: 'X' | 'M';
  /** Microseconds from the start of the run. */
  ts: number;
  dur?: number;
  pid: number;
  tid: number;
  cat?: string;
  args?: Record<string, unknown>;
}

/** The JSON object format: opens in Perfetto (ui.perfetto.dev) and chrome://tracing. */
export interface ChromeTrace {
  traceEvents: ChromeTraceEvent[];
  displayTimeUnit: 'ms';
  otherData: Record<string, unknown>;
}

/** The thread of an agent's model requests: its first lane, above its calls. */
const modelTid = 1;

/**
 * Exports turns as Chrome Trace Event JSON. Each agent (root, or a subagent path) is a process;
 * its model requests are its first thread (`model`), each one event from queued to the end of
 * its answer (`chat {model}`) with its phases nested: waiting for a slot, waiting for the first
 * token, streaming. Calls are packed into lanes (threads) below it so that nothing on one lane
 * overlaps without nesting. A call is one event from queued to settled, with its phases nested
 * inside it: waiting for conflicts, waiting for approval, waiting for a slot, running.
 */
export function toChromeTrace(
  trace: TurnTrace | readonly TurnTrace[],
  options: { source?: RunSource } = {},
): ChromeTrace {
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  // A loop, not Math.min(...list): spreading a very long list overflows the stack.
  let origin = Infinity;
  for (const turn of turns) {
    for (const call of turn.calls) origin = Math.min(origin, call.queuedAt);
    if (turn.model && Number.isFinite(turn.model.queuedAt)) {
      origin = Math.min(origin, turn.model.queuedAt);
    }
  }
  const us = (ms: number) => Math.round((ms - origin) * 1000);
  const events: ChromeTraceEvent[] = [];
  const pids = new Map<string, number>();
  const lanes = new Map<number, number[]>(); // pid -> end time (µs) of each lane's last call

  // The subagent each call ran: its wait for a slot and its work are not the call's running.
  const subagents = new Map<string, SubagentSpan>();
  for (const agent of agentRuns(turns).agents) {
    if (!agent.parent || !(agent.end > agent.start)) continue;
    subagents.set(callKey(agent.parent.turnId, agent.parent.callId), {
      queuedAt: agent.start,
      startedAt: Math.max(agent.start, agent.activeFrom),
      endedAt: agent.end,
    });
  }
  /** pid -> end time (µs) of its model lane's last request. */
  const modelLanes = new Map<number, number>();
  for (const turn of turns) {
    const agent = turn.path.length === 0 ? rootAgentName : turn.path.join(' > ');
    let pid = pids.get(agent);
    if (pid === undefined) {
      pid = pids.size + 1;
      pids.set(agent, pid);
      lanes.set(pid, []);
      events.push({ name: 'process_name', ph: 'M', ts: 0, pid, tid: 0, args: { name: agent } });
    }
    const laneEnds = lanes.get(pid) as number[];
    const lane = (start: number, end: number): number => {
      let free = laneEnds.findIndex((laneEnd) => laneEnd <= start);
      if (free < 0) {
        free = laneEnds.length;
        laneEnds.push(end);
        events.push({
          name: 'thread_name',
          ph: 'M',
          ts: 0,
          pid: pid as number,
          tid: free + 2,
          args: { name: `calls ${free + 1}` },
        });
      } else {
        laneEnds[free] = end;
      }
      return free + 2;
    };
    const m = turn.model;
    if (m) {
      const start = us(m.queuedAt);
      const end = Math.max(start, us(m.endedAt));
      const modelEnd = modelLanes.get(pid);
      if (modelEnd === undefined) {
        events.push({
          name: 'thread_name',
          ph: 'M',
          ts: 0,
          pid,
          tid: modelTid,
          args: { name: 'model' },
        });
      }
      // An agent asks one request at a time; a trace that says otherwise gets a call lane.
      let tid = modelTid;
      if (modelEnd !== undefined && modelEnd > start) tid = lane(start, end);
      else modelLanes.set(pid, end);
      events.push(...modelEvents(m, turn, pid, tid, us));
    }
    const calls = [...turn.calls].sort((a, b) => a.queuedAt - b.queuedAt || a.index - b.index);
    for (const call of calls) {
      const start = us(call.queuedAt);
      const end = Math.max(start, us(call.endedAt));
      const sub = subagents.get(callKey(turn.turnId, call.id));
      events.push(...callEvents(call, turn, pid, lane(start, end), us, sub));
    }
  }
  return {
    traceEvents: events,
    displayTimeUnit: 'ms',
    // The turns as salvo recorded them, for `salvo trace out.json`; viewers ignore it.
    otherData: {
      producer: 'salvo',
      turns: turns.length,
      ...(options.source ? { source: options.source } : {}),
      salvoTurns: JSON.parse(JSON.stringify(turns)),
    },
  };
}

/** A model request and its phases, on its agent's model lane (one request at a time per agent). */
function modelEvents(
  m: ModelRequestTrace,
  turn: TurnTrace,
  pid: number,
  tid: number,
  us: (ms: number) => number,
): ChromeTraceEvent[] {
  const start = us(m.queuedAt);
  const end = Math.max(start, us(m.endedAt));
  const span = (name: string, from: number, to: number): ChromeTraceEvent => {
    const ts = Math.min(Math.max(from, start), end);
    const dur = Math.max(0, Math.min(to, end) - ts);
    return { name, cat: 'model-phase', ph: 'X', ts, dur, pid, tid };
  };
  const sent = us(m.sentAt);
  const first = m.firstTokenAt === undefined ? end : us(m.firstTokenAt);
  const out: ChromeTraceEvent[] = [
    {
      name: `chat ${m.model}`,
      cat: 'model',
      ph: 'X',
      ts: start,
      dur: end - start,
      pid,
      tid,
      args: {
        provider: m.provider,
        model: m.model,
        step: m.step,
        turn: turn.turnId,
        finishReason: m.finishReason,
        ...(m.inputTokens === undefined ? {} : { inputTokens: m.inputTokens }),
        ...(m.outputTokens === undefined ? {} : { outputTokens: m.outputTokens }),
        ...(m.retries ? { retries: m.retries } : {}),
        ...(m.limitWaitedOn ? { limitWaitedOn: m.limitWaitedOn } : {}),
      },
    },
  ];
  if (sent > start) {
    out.push(span(`waiting: slot${m.limitWaitedOn ? ` (${m.limitWaitedOn})` : ''}`, start, sent));
  }
  if (first > sent) out.push(span('waiting: first token', sent, first));
  if (end > first) out.push(span('streaming', first, end));
  return out;
}

function callEvents(
  call: CallTrace,
  turn: TurnTrace,
  pid: number,
  tid: number,
  us: (ms: number) => number,
  subagent?: SubagentSpan,
): ChromeTraceEvent[] {
  const start = us(call.queuedAt);
  const end = Math.max(start, us(call.endedAt));
  const span = (name: string, from: number, to: number): ChromeTraceEvent => {
    // Phases stay inside their call, so the lane nests cleanly even with rounding.
    const ts = Math.min(Math.max(from, start), end);
    return { name, cat: 'phase', ph: 'X', ts, dur: Math.max(0, Math.min(to, end) - ts), pid, tid };
  };
  const out: ChromeTraceEvent[] = [
    {
      name: `${call.name} (${call.id})`,
      cat: call.status,
      ph: 'X',
      ts: start,
      dur: end - start,
      pid,
      tid,
      args: {
        callId: call.id,
        tool: call.name,
        status: call.status,
        turn: turn.turnId,
        index: call.index,
        approval: call.approval,
        waitedFor: call.waitedFor,
        ...(call.limitWaitedOn ? { limitWaitedOn: call.limitWaitedOn } : {}),
        ...(call.sharedWith ? { sharedWith: call.sharedWith } : {}),
        onCriticalPath: turn.summary.criticalPath.includes(call.id),
      },
    },
  ];
  // Waiting for conflicts and for approval start together; the shorter nests in the longer.
  const conflictsEnd = us(call.conflictsClearedAt ?? call.endedAt);
  const approvalEnd = call.approval === 'auto' ? start : us(call.approvedAt ?? call.endedAt);
  const waits = [
    { name: 'waiting: conflicts', to: conflictsEnd },
    { name: 'waiting: approval', to: approvalEnd },
  ]
    .filter((w) => w.to > start)
    .sort((a, b) => b.to - a.to);
  for (const w of waits) out.push(span(w.name, start, w.to));
  if (call.readyAt !== undefined && call.startedAt !== undefined && call.startedAt > call.readyAt) {
    out.push(
      span(
        `waiting: slot${call.limitWaitedOn ? ` (${call.limitWaitedOn})` : ''}`,
        us(call.readyAt),
        us(call.startedAt),
      ),
    );
  }
  if (call.startedAt !== undefined) {
    // Split as the HTML report draws it: a subagent's wait for its slot and its work apart.
    const names: Record<string, string> = {
      running: 'running',
      slot: 'waiting: slot (subagent)',
      subagent: 'subagent working',
    };
    for (const p of callPhases(call, subagent)) {
      const name = names[p.phase];
      if (!name || (p.phase === 'slot' && !subagent) || us(p.start) < us(call.startedAt)) continue;
      out.push(span(name, us(p.start), us(p.end)));
    }
  }
  return out;
}
