import type { CallTrace, TurnTrace } from './call-trace.js';
import { duration, summarizeRun } from './summarize-run.js';

export interface RenderTimelineOptions {
  /** Columns for the bars. @default 60 */
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

/**
 * The run as a text Gantt chart for a terminal: one row per call, `·` while it waited (for a
 * conflict, an approval or a slot), `█` while it ran, then its status and what it waited for.
 * Subagents' turns are labelled with their path.
 */
export function renderTimeline(
  trace: TurnTrace | readonly TurnTrace[],
  options: RenderTimelineOptions = {},
): string {
  const { width = 60, color = false, summary = true } = options;
  const turns: readonly TurnTrace[] = Array.isArray(trace) ? trace : [trace as TurnTrace];
  const calls = turns.flatMap((t) => t.calls);
  if (calls.length === 0) return 'No calls.';
  const start = Math.min(...calls.map((c) => c.queuedAt));
  const end = Math.max(...calls.map((c) => c.endedAt));
  const span = Math.max(end - start, 1);
  const col = (t: number) => Math.round(((t - start) / span) * width);
  const paint = (code: string, text: string) =>
    color && text ? `${code}${text}${ansi.reset}` : text;
  const label = 18;
  const lines = [
    `${'call'.padEnd(label)}|${'0 ms'.padEnd(width - 8)}${duration(span).padStart(8)}|`,
  ];

  for (const turn of turns) {
    if (turns.length > 1 || turn.path.length > 0) {
      const who = turn.path.length > 0 ? turn.path.join(' > ') : 'agent';
      lines.push(paint(ansi.dim, `-- turn ${turn.turnId} (${who})`));
    }
    const critical = new Set(turn.summary.criticalPath);
    for (const c of turn.calls) lines.push(row(c, critical.has(c.id)));
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
    const begin = c.startedAt ?? c.endedAt;
    const waits = '·'.repeat(Math.max(0, col(begin) - col(c.queuedAt)));
    const ran = c.startedAt === undefined ? 0 : Math.max(col(c.endedAt) - col(begin), 1);
    const runColor =
      c.status === 'success'
        ? ansi.green
        : c.status === 'error' || c.status === 'timeout'
          ? ansi.red
          : ansi.yellow;
    const bar =
      ' '.repeat(col(c.queuedAt)) + paint(ansi.dim, waits) + paint(runColor, '█'.repeat(ran));
    const visible = col(c.queuedAt) + waits.length + ran;
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
    return `${shown}|${bar}${' '.repeat(Math.max(0, width + 1 - visible))}| ${notes.join(' ')}`;
  }
}
