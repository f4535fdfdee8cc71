import { InvalidOptionError } from '../errors.js';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { sanitizeInline } from './sanitize-text.js';
import { duration, summarizeRun } from './summarize-run.js';
import { orderTurns } from './turn-order.js';

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

/**
 * The chart's lines in the order of {@link orderTurns}, with a `continued` header where a turn's
 * calls resume after a subagent turn listed under one of them.
 */
export function timelineOrder(turns: readonly TurnTrace[]): TimelineItem[] {
  const items: TimelineItem[] = [];
  const under = new Map<TurnTrace, string | undefined>();
  let current: TurnTrace | undefined;
  for (const row of orderTurns(turns).rows) {
    if (row.kind === 'turn') {
      under.set(row.turn, row.parentCall?.id);
      items.push({
        kind: 'turn',
        turn: row.turn,
        depth: row.depth,
        under: row.parentCall?.id,
        continued: false,
      });
    } else {
      if (row.turn !== current) {
        items.push({
          kind: 'turn',
          turn: row.turn,
          depth: row.depth,
          under: under.get(row.turn),
          continued: true,
        });
      }
      items.push({ kind: 'call', turn: row.turn, call: row.call, critical: row.critical });
    }
    current = row.turn;
  }
  return items;
}

/**
 * The run as a text Gantt chart for a terminal: one row per call, `·` while it waited (for a
 * conflict, an approval or a slot), `█` while it ran, then its status and what it waited for.
 * Every bar row is exactly as wide as the time axis above it. Turns are listed as
 * {@link timelineOrder} says, subagents' turns labelled with their path; a turn without calls
 * takes one line. Ids, tool names, paths and limit names come from a model or a file: they are
 * shown without their escape sequences and control characters, so the text is safe to print.
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
    // It names calls and limits.
    lines.push(sanitizeInline(s.recommendation));
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
      c.waitedFor.length > 0 ? `after ${c.waitedFor.map(sanitizeInline).join(',')}` : '',
      c.limitWaitedOn ? `slot ${sanitizeInline(c.limitWaitedOn)}` : '',
      c.sharedWith ? `shared ${sanitizeInline(c.sharedWith)}` : '',
      critical ? 'critical' : '',
    ].filter(Boolean);
    const name = sanitizeInline(`${c.id} ${c.name}`);
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
  const who = turn.path.length > 0 ? turn.path.map(sanitizeInline).join(' > ') : 'agent';
  const where = under === undefined || continued ? '' : `, under ${sanitizeInline(under)}`;
  const more = continued ? ', continued' : turn.calls.length === 0 ? ': no calls' : '';
  // Indented by level, up to a point: a hand-edited chain of parents can be any length.
  const id = sanitizeInline(String(turn.turnId));
  return `${'  '.repeat(Math.min(depth, 8))}-- turn ${id} (${who})${where}${more}`;
}
