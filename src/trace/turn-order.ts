// The order in which a run's turns and calls are shown, shared by the HTML report and the text
// chart: subagent turns right after the call they ran under.

import type { CallTrace, TurnTrace } from './call-trace.js';

export type OrderedRow =
  | { kind: 'turn'; turn: TurnTrace; depth: number; parentCall: CallTrace | undefined }
  | { kind: 'call'; turn: TurnTrace; call: CallTrace; depth: number; critical: boolean };

const key = (turnId: unknown, callId: unknown) => `${String(turnId)}\u0000${String(callId)}`;

function byStart(a: TurnTrace, b: TurnTrace): number {
  return (a.startedAt || 0) - (b.startedAt || 0) || a.turnId - b.turnId;
}

/** A turn's calls in index order (none when the trace holds no list). */
export function callsOf(turn: TurnTrace): CallTrace[] {
  return Array.isArray(turn.calls) ? [...turn.calls].sort((a, b) => a.index - b.index) : [];
}

/**
 * Top-level turns by start time, each call in index order, and right after a call the subagent
 * turns whose `parent` names it (by start time), one level deeper. A turn whose parent call is
 * not in the traces is a top-level turn; every turn is listed exactly once, whatever the ids say
 * (parent links that form a cycle included). `roots` are the top-level turns in that order.
 */
export function orderTurns(traces: readonly TurnTrace[]): {
  rows: OrderedRow[];
  roots: TurnTrace[];
} {
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

  const rows: OrderedRow[] = [];
  const listed = new Set<TurnTrace>();
  // Depth-first with a stack of its own: a hand-edited chain of parents can be any length.
  interface Frame {
    turn: TurnTrace;
    depth: number;
    parentCall: CallTrace | undefined;
    calls?: CallTrace[];
    next: number;
    critical: Set<string>;
    seen: Set<string>;
  }
  const stack: Frame[] = [];
  const push = (turn: TurnTrace, depth: number, parentCall: CallTrace | undefined) =>
    stack.push({ turn, depth, parentCall, next: 0, critical: new Set(), seen: new Set() });
  const list = (root: TurnTrace) => {
    push(root, 0, undefined);
    for (let f = stack.at(-1); f; f = stack.at(-1)) {
      if (!f.calls) {
        if (listed.has(f.turn)) {
          stack.pop();
          continue;
        }
        listed.add(f.turn);
        rows.push({ kind: 'turn', turn: f.turn, depth: f.depth, parentCall: f.parentCall });
        f.calls = callsOf(f.turn);
        f.critical = new Set(f.turn.summary?.criticalPath ?? []);
      }
      const call = f.calls[f.next++];
      if (!call) {
        stack.pop();
        continue;
      }
      // A repeated id is the error result for the repeat: the first one is the real call.
      const first = !f.seen.has(call.id);
      f.seen.add(call.id);
      const { turn, depth } = f;
      rows.push({ kind: 'call', turn, call, depth, critical: first && f.critical.has(call.id) });
      const under = first ? (children.get(key(turn.turnId, call.id)) ?? []) : [];
      // Reversed onto the stack, so the earliest is listed first.
      for (let i = under.length - 1; i >= 0; i--) push(under[i] as TurnTrace, depth + 1, call);
    }
  };
  for (const turn of [...roots]) list(turn);
  // Parent links that form a cycle leave turns unreached: list them at the top level too.
  for (const turn of [...traces].sort(byStart)) {
    if (!listed.has(turn)) {
      roots.push(turn);
      list(turn);
    }
  }
  return { rows, roots };
}
