import { finishedText } from './finished-text.js';
import { formatDuration } from './format-duration.js';
import { formatProgress } from './format-progress.js';
import type { Blocker, CallView, GroupView } from './progress-snapshot.js';
import { shortId } from './short-id.js';
import { type Segment, segmentsWidth } from './style.js';
import { textWidth, truncateEnd, truncateStart } from './text-width.js';

/** `reviewer#2 › helper#5 › `: the agent a call belongs to, `''` for the root. */
export function pathPrefix(path: readonly string[]): string {
  return path.length > 0 ? `${path.join(' › ')} › ` : '';
}

/** `read_file (c1), grep (c3) +2`: the first two blockers and how many more. */
export function formatBlockers(blockers: readonly Blocker[]): string {
  const named = blockers
    .slice(0, 2)
    .map((b) => (b.toolName ? `${b.toolName} (${shortId(b.callId)})` : shortId(b.callId)));
  const more = blockers.length > 2 ? ` +${blockers.length - 2}` : '';
  return named.join(', ') + more;
}

/** Why a call is not running, or how far it got: the right-hand part of its line. */
export function callDetail(call: CallView): Segment {
  switch (call.status) {
    case 'awaiting-approval':
      return { text: 'awaiting approval', style: 'yellow' };
    case 'waiting-conflict':
      return {
        text: call.waitingOn?.length ? `waits for ${formatBlockers(call.waitingOn)}` : 'waits',
        style: 'dim',
      };
    case 'waiting-slot':
      return { text: `waits for a slot: ${call.slot ?? '?'}`, style: 'dim' };
    case 'queued':
      return { text: 'queued', style: 'dim' };
    case 'running':
      return { text: formatProgress(call.progress) };
    default:
      return { text: finishedText(call), style: call.status === 'done' ? 'green' : 'red' };
  }
}

/** Time in the current state: running since it started, waiting since it began to wait. */
export function callElapsed(call: CallView, now: number): string {
  return formatDuration(
    now - (call.status === 'running' ? (call.startedAt ?? call.since) : call.since),
  );
}

/** The left part, path and description, cut to `width` columns (the path gives way first). */
export function callLabel(call: CallView, width: number): Segment[] {
  const prefix = pathPrefix(call.path);
  if (textWidth(prefix) + textWidth(call.description) <= width) {
    return [{ text: prefix, style: 'dim' }, { text: call.description }];
  }
  const prefixWidth = Math.min(textWidth(prefix), Math.floor(width * 0.4));
  const shownPrefix = prefixWidth > 2 ? truncateStart(prefix, prefixWidth) : '';
  return [
    { text: shownPrefix, style: 'dim' },
    { text: truncateEnd(call.description, width - textWidth(shownPrefix)) },
  ];
}

export interface LineLayout {
  columns: number;
  now: number;
  /** The spinner character of this frame, for running calls. */
  spinner: string;
  /** Columns for the left part, so elapsed times line up; 0 lays lines out without columns. */
  labelWidth: number;
}

/** One call's line: icon, path and description, elapsed time, detail. */
export function callSegments(call: CallView, layout: LineLayout): Segment[] {
  const icon: Segment =
    call.status === 'running'
      ? { text: layout.spinner, style: 'cyan' }
      : call.status === 'awaiting-approval'
        ? { text: '?', style: 'yellow' }
        : { text: '·', style: 'dim' };
  const elapsed = callElapsed(call, layout.now);
  const detail = callDetail(call);
  if (layout.labelWidth <= 0) {
    const label = callLabel(call, Math.max(8, layout.columns - 2 - elapsed.length - 1));
    const gap = detail.text ? ' ' : '';
    return [icon, { text: ' ' }, ...label, { text: ` ${elapsed}${gap}`, style: 'dim' }, detail];
  }
  const label = callLabel(call, layout.labelWidth);
  const padding = ' '.repeat(Math.max(0, layout.labelWidth - segmentsWidth(label)));
  return [
    icon,
    { text: ' ' },
    ...label,
    { text: padding },
    { text: `  ${elapsed.padStart(6)}${detail.text ? '  ' : ''}`, style: 'dim' },
    detail,
  ];
}

/** A group's line: `⠿ planner#1 › reviewers 3/5 done  2 running`. */
export function groupSegments(group: GroupView): Segment[] {
  const segments: Segment[] = [
    { text: '⠿ ', style: 'cyan' },
    { text: pathPrefix(group.path), style: 'dim' },
    { text: group.text, style: group.failed > 0 ? 'red' : undefined },
  ];
  if (group.running > 0) segments.push({ text: `  ${group.running} running`, style: 'dim' });
  return segments;
}

/** The label column width for a set of calls: their widest label, within a share of the line. */
export function labelColumn(calls: readonly CallView[], columns: number): number {
  if (columns < 40) return 0;
  let widest = 0;
  for (const call of calls) {
    widest = Math.max(widest, textWidth(pathPrefix(call.path)) + textWidth(call.description));
  }
  return Math.min(widest, Math.max(12, Math.floor((columns - 2) * 0.55)));
}
