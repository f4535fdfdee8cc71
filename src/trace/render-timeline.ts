import { InvalidOptionError } from '../errors.js';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { duration, summarizeRun } from './summarize-run.js';

export interface RenderTimelineOptions {
  /** Columns for the bars, from 1 to 1000. @default 60 */
  width?: number;
  /** ANSI colours: waits dim, runs by status. @default false */
  color?: boolean;
  /** Print the run summary and recommendation under the chart. @default true */
  summary?: boolean;
}

const ansi = {
  dim: '\u001b[2m',
  red: '\u001b[31m',
  yellow: '\u001b[33m',
  green: '\u001b[32m',
  reset: '\u001b[0m',
};

/** Columns of the call label, left of the bars. */
const label = 18;
const maxWidth = 1000;

/** One line of the chart, before drawing: a turn's header or one of its calls. */
export type TimelineItem =
  | {
      kind: 'turn';
      turn: TurnTrace;
      /** 0 for a top-level turn, one more per subagent level. */
      depth: number;
      /** The id of the call the turn ran under, when that call is in the chart. */
      under: string | undefined;
      /** The turn's rows resume after a subagent turn drawn under one of its calls. */
      continued: boolean;
    }
  | { kind: 'call'; turn: TurnTrace; call: CallTrace; critical: boolean };

const key = (turnId: number, callId: string) => `${turnId}\u0000${callId}`;
const byStart = (a: TurnTrace, b: TurnTrace) => a.startedAt - b.startedAt || a.turnId - b.turnId;

/**
 * The turns in the order the chart lists them: top-level turns by start time, each call in index
 * order, and right after a call the subagent turns whose `parent` names it (by start time). A
 * turn whose parent call is not in the trace is listed at the top level; every turn is listed
 * exactly once, whatever the ids say (parent links that form a cycle included).
 */
export function timelineOrder(turns: readonly TurnTrace[]): TimelineItem[] {
  const callKeys = new Set<string>();
  for (const turn of turns) for (const call of turn.calls) callKeys.add(key(turn.turnId, call.id));
  const children = new Map<string, TurnTrace[]>();
  const roots: TurnTrace[] = [];
  for (const turn of turns) {
    const k = turn.parent ? key(turn.parent.turnId, turn.parent.callId) : undefined;
    if (k === undefined || !callKeys.has(k)) roots.push(turn);
    else {
      const list = children.get(k);
      if (list) list.push(turn);
      else children.set(k, [turn]);
    }
  }
  for (const list of children.values()) list.sort(byStart);

  const items: TimelineItem[] = [];
  const listed = new Set<TurnTrace>();
  // Depth-first with a stack of its own: a hand-edited chain of parents can be any length.
  interface Frame {
    turn: TurnTrace;
    depth: number;
    under: string | undefined;
    calls: CallTrace[];
    next: number;
    critical: Set<string>;
    seen: Set<string>;
    /** Subagent turns to list under the call just listed, from `pendingAt` on. */
    pending: readonly TurnTrace[];
    pendingAt: number;
    resumed: boolean;
  }
  const frames: Frame[] = [];
  const open = (turn: TurnTrace, depth: number, under: string | undefined) => {
    listed.add(turn);
    items.push({ kind: 'turn', turn, depth, under, continued: false });
    const calls = [...turn.calls].sort((x, y) => x.index - y.index);
    const critical = new Set(turn.summary.criticalPath);
    frames.push({
      turn,
      depth,
      under,
      calls,
      next: 0,
      critical,
      seen: new Set(),
      pending: [],
      pendingAt: 0,
      resumed: false,
    });
  };
  const list = (root: TurnTrace) => {
    open(root, 0, undefined);
    for (let f = frames.at(-1); f; f = frames.at(-1)) {
      const child = f.pending[f.pendingAt++];
      if (child) {
        if (listed.has(child)) continue;
        f.resumed = true;
        open(child, f.depth + 1, f.calls[f.next - 1]?.id);
        continue;
      }
      const call = f.calls[f.next++];
      if (!call) {
        frames.pop();
        continue;
      }
      const { turn, depth, under } = f;
      if (f.resumed) items.push({ kind: 'turn', turn, depth, under, continued: true });
      f.resumed = false;
      // A repeated id is the error result for the repeat: the first one is the real call.
      const first = !f.seen.has(call.id);
      f.seen.add(call.id);
      items.push({ kind: 'call', turn, call, critical: first && f.critical.has(call.id) });
      f.pending = (first && children.get(key(turn.turnId, call.id))) || [];
      f.pendingAt = 0;
    }
  };
  for (const turn of roots.sort(byStart)) if (!listed.has(turn)) list(turn);
  for (const turn of [...turns].sort(byStart)) if (!listed.has(turn)) list(turn);
  return items;
}

/**
 * The run as a text Gantt chart for a terminal: one row per call, `·` while it waited (for a
 * conflict, an approval or a slot), `█` while it ran, then its status and what it waited for.
 * Every bar row is exactly as wide as the time axis above it. Turns are listed as
 * {@link timelineOrder} says, subagents' turns labelled with their path; a turn without calls
 * takes one line.
 */
export function renderTimeline(
  trace: TurnTrace | readonly TurnTrace[],
  options: RenderTimelineOptions = {},
): string {
  const { width = 60, color = false, summary = true } = options;
  if (!Number.isInteger(width) || width < 1 || width > maxWidth) {
    throw new InvalidOptionError('width', `a whole number from 1 to ${maxWidth}`, width);
  }
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const calls = turns.flatMap((t) => t.calls);
  if (calls.length === 0) return 'No calls.';
  // Not Math.min(...): spreading a very long list overflows the stack.
  let start = Number.POSITIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const c of calls) {
    start = Math.min(start, c.queuedAt);
    end = Math.max(end, c.endedAt);
  }
  const span = Math.max(end - start, 1);
  // A boundary between columns, 0 (left edge) to `width` (right edge).
  const col = (t: number) => {
    const at = Math.round(((t - start) / span) * width);
    return Number.isNaN(at) ? 0 : Math.min(width, Math.max(0, at));
  };
  const paint = (code: string, text: string) =>
    color && text ? `${code}${text}${ansi.reset}` : text;
  const lines = [`${'call'.padEnd(label)}|${axis(width, duration(span))}|`];

  const headers = turns.length > 1 || turns.some((t) => t.path.length > 0);
  for (const item of timelineOrder(turns)) {
    if (item.kind === 'call') lines.push(row(item.call, item.critical));
    else if (headers) lines.push(paint(ansi.dim, header(item)));
  }
  if (summary) {
    const s = summarizeRun(turns);
    lines.push('');
    lines.push(
      `wall ${duration(s.wallMs)}, work ${duration(s.workMs)}, parallelism ${s.parallelism.toFixed(2)}, efficiency ${Math.round(s.efficiency * 100)}%`,
    );
    lines.push(s.recommendation);
  }
  return lines.join('\n');

  function row(c: CallTrace, critical: boolean): string {
    // Column boundaries: queued, started (or settled, for a call that never ran), ended.
    let queued = col(c.queuedAt);
    let begin = Math.max(queued, col(c.startedAt ?? c.endedAt));
    const ran = c.startedAt === undefined ? 0 : Math.max(col(c.endedAt) - begin, 1);
    if (begin + ran > width) {
      // A run shorter than a column at the right edge: draw it in the last column.
      begin = width - ran;
      queued = Math.min(queued, begin);
    }
    const runColor =
      c.status === 'success'
        ? ansi.green
        : c.status === 'error' || c.status === 'timeout'
          ? ansi.red
          : ansi.yellow;
    const bar =
      ' '.repeat(queued) +
      paint(ansi.dim, '·'.repeat(begin - queued)) +
      paint(runColor, '█'.repeat(ran)) +
      ' '.repeat(width - begin - ran);
    const notes = [
      c.status,
      c.approval !== 'auto' ? c.approval : '',
      c.waitedFor.length > 0 ? `after ${c.waitedFor.join(',')}` : '',
      c.limitWaitedOn ? `slot ${c.limitWaitedOn}` : '',
      c.sharedWith ? `shared ${c.sharedWith}` : '',
      critical ? 'critical' : '',
    ].filter(Boolean);
    const name = `${c.id} ${c.name}`;
    const shown = name.length > label ? `${name.slice(0, label - 1)}…` : name.padEnd(label);
    return `${shown}|${bar}| ${notes.join(' ')}`;
  }
}

/** The time axis, exactly `width` columns: `0 ms` at the left, the span at the right. */
function axis(width: number, span: string): string {
  const origin = '0 ms';
  if (width >= origin.length + 1 + span.length)
    return origin + span.padStart(width - origin.length);
  return span.length <= width ? span.padStart(width) : ' '.repeat(width);
}

function header(item: Extract<TimelineItem, { kind: 'turn' }>): string {
  const { turn, depth, under, continued } = item;
  const who = turn.path.length > 0 ? turn.path.join(' > ') : 'agent';
  const where = under === undefined || continued ? '' : `, under ${under}`;
  const more = continued ? ', continued' : turn.calls.length === 0 ? ': no calls' : '';
  // Indented by level, up to a point: a hand-edited chain of parents can be any length.
  return `${'  '.repeat(Math.min(depth, 8))}-- turn ${turn.turnId} (${who})${where}${more}`;
}
