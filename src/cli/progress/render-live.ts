import { callSegments, groupSegments, labelColumn } from './call-line.js';
import { formatDuration } from './format-duration.js';
import { pluralize } from './pluralize.js';
import type { CallView, GroupView, ProgressSnapshot } from './progress-snapshot.js';
import type { ProgressState } from './progress-state.js';
import { renderSegments, type Segment } from './style.js';

export const spinnerFrames = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'] as const;

export interface LiveBlockOptions {
  /** The snapshot's clock (ms). */
  now: number;
  /** Columns each line may take. */
  columns: number;
  /** The terminal's rows: the block takes at most `rows - 4` of them. */
  rows: number;
  /** The frame number, for the spinner. */
  frame: number;
  /** ANSI colors. @default false */
  color?: boolean;
  /** Lines at most, whatever the rows. @default 20 */
  maxLines?: number;
}

/** Lines the block may take: at most `maxLines`, leaving 4 rows of the terminal, at least 1. */
export function liveBlockHeight(rows: number, maxLines = 20): number {
  const fromRows = Number.isFinite(rows) ? Math.floor(rows) - 4 : maxLines;
  return Math.max(1, Math.min(maxLines, fromRows));
}

type Item = { call: CallView } | { group: GroupView };

/**
 * The live block: a header with counts and elapsed time, then, most important first, calls
 * awaiting approval, subagent groups, running calls (longest first), waiting and queued calls,
 * and a `… and 12 more running, 3 waiting` line for what does not fit. Every line fits in
 * `columns`; the cost is O(lines shown).
 */
export function renderLiveBlock(snapshot: ProgressSnapshot, options: LiveBlockOptions): string[] {
  const columns = Math.max(1, Math.floor(options.columns) || 1);
  const color = options.color ?? false;
  const height = liveBlockHeight(options.rows, options.maxLines);
  const spinner = spinnerFrames[Math.abs(Math.floor(options.frame)) % spinnerFrames.length] ?? '';
  const lines = [renderSegments(header(snapshot, options.now, spinner), columns, color)];

  const approvals = snapshot.calls.filter((c) => c.status === 'awaiting-approval');
  const others = snapshot.calls.filter((c) => c.status !== 'awaiting-approval');
  const items: Item[] = [
    ...approvals.map((call) => ({ call })),
    ...snapshot.groups.map((group) => ({ group })),
    ...others.map((call) => ({ call })),
  ];
  const body = height - 1;
  let shown = items.slice(0, body);
  if (hidden(snapshot, shown).total > 0) shown = items.slice(0, Math.max(0, body - 1));

  const shownCalls = shown.flatMap((item) => ('call' in item ? [item.call] : []));
  const layout = {
    columns,
    now: options.now,
    spinner,
    labelWidth: labelColumn(shownCalls, columns),
  };
  for (const item of shown) {
    const segments = 'call' in item ? callSegments(item.call, layout) : groupSegments(item.group);
    lines.push(renderSegments(segments, columns, color));
  }
  const rest = hidden(snapshot, shown);
  if (rest.total > 0 && body > 0) {
    lines.push(renderSegments([{ text: rest.text, style: 'dim' }], columns, color));
  }
  return lines;
}

function header(snapshot: ProgressSnapshot, now: number, spinner: string): Segment[] {
  const { counts, agent } = snapshot;
  const active: Segment[] = [];
  const add = (list: Segment[], count: number, label: string, style?: Segment['style']) => {
    if (count <= 0) return;
    if (list.length > 0) list.push({ text: ', ' });
    list.push({ text: `${count} ${label}`, style });
  };
  add(active, counts.awaitingApproval, 'awaiting approval', 'yellow');
  add(active, counts.running, 'running');
  add(active, counts.waiting, 'waiting');
  add(active, counts.queued, 'queued');
  const finished: Segment[] = [];
  add(finished, counts.done, 'done', 'green');
  add(finished, counts.failed, 'failed', 'red');
  add(finished, counts.denied, 'denied', 'yellow');
  add(finished, counts.cancelled, 'cancelled');
  if (active.length === 0) {
    const phase = {
      idle: 'idle',
      thinking: 'thinking',
      writing: 'writing',
      calling: 'calling tools',
    };
    active.push({ text: phase[agent.phase] });
  }
  const parts: Segment[][] = [];
  if (agent.step > 0) parts.push([{ text: `step ${agent.step}`, style: 'dim' }]);
  parts.push(active);
  if (finished.length > 0) parts.push(finished);
  parts.push([{ text: formatDuration(now - snapshot.startedAt), style: 'dim' }]);
  const out: Segment[] = [{ text: spinner, style: 'cyan' }, { text: ' ' }];
  parts.forEach((part, i) => {
    if (i > 0) out.push({ text: ' · ', style: 'dim' });
    out.push(...part);
  });
  return out;
}

/** What the shown items leave out, by kind, and the line that says so. */
function hidden(
  snapshot: ProgressSnapshot,
  shown: readonly Item[],
): { total: number; text: string } {
  const seen = { 'awaiting-approval': 0, running: 0, waiting: 0, queued: 0, group: 0 };
  for (const item of shown) {
    if ('group' in item) seen.group++;
    else if (item.call.status.startsWith('waiting')) seen.waiting++;
    else if (item.call.status in seen) seen[item.call.status as keyof typeof seen]++;
  }
  const { counts } = snapshot;
  const rest: [number, string][] = [
    [counts.awaitingApproval - seen['awaiting-approval'], 'awaiting approval'],
    [counts.running - seen.running, 'running'],
    [counts.waiting - seen.waiting, 'waiting'],
    [counts.queued - seen.queued, 'queued'],
    [snapshot.groupCount - seen.group, pluralize('group', snapshot.groupCount - seen.group)],
  ];
  const parts = rest.filter(([n]) => n > 0).map(([n, label]) => `${n} ${label}`);
  const total = rest.reduce((sum, [n]) => sum + Math.max(0, n), 0);
  return {
    total,
    text: parts.length > 0 ? `… and ${parts.join(', ').replace(/^(\d+)/, '$1 more')}` : '',
  };
}

/**
 * A `render` for `LiveView`: a snapshot of `state` no larger than the block can show, rendered.
 */
export function liveRenderer(
  state: ProgressState,
  options: { color?: boolean; maxLines?: number } = {},
): (frame: { now: number; columns: number; rows: number; frame: number }) => string[] {
  return (frame) => {
    const height = liveBlockHeight(frame.rows, options.maxLines);
    return renderLiveBlock(state.snapshot(frame.now, height), { ...frame, ...options });
  };
}
