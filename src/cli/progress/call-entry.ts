import type { SchedulerEvent } from '../../schedule/events.js';
import type { CallResult } from '../../tool/call.js';
import type { ProgressInfo } from '../../tool/define-tool.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { describeCall } from './describe-call.js';
import type { CallState, CallView } from './progress-snapshot.js';

/** A call as `ProgressState` keeps it: its view plus what the view does not show. */
export interface CallEntry extends CallView {
  /** The id and tool name as the events gave them (the view's are sanitized). */
  rawId: string;
  rawTool: string;
  /** Whether the description was made from the input (not the tool name alone). */
  described: boolean;
  /** The raw ids behind `waitingOn`, to tell which blockers are still unfinished. */
  waitingOnRaw?: string[];
  /** For `task` calls: the subagent group the call is counted in. */
  groupKey?: string;
}

/** A new, queued call from its first event; described by its tool name until its input is known. */
export function createCallEntry(
  event: SchedulerEvent,
  key: string,
  path: readonly string[],
  descriptionWidth: number,
): CallEntry {
  const rawId = String(event.callId);
  const rawTool = String(event.toolName);
  return {
    key,
    turnId: event.turnId,
    callId: sanitizeInline(rawId),
    toolName: sanitizeInline(rawTool) || '?',
    index: event.index,
    path,
    description: describeCall(rawTool, undefined, descriptionWidth),
    status: 'queued',
    since: event.at,
    queuedAt: event.at,
    rawId,
    rawTool,
    described: false,
  };
}

/** Unfinished calls are kept in one insertion-ordered map per bucket. */
export type Bucket = 'awaiting' | 'running' | 'waiting' | 'queued';

export function bucketOf(status: CallState): Bucket | undefined {
  if (status === 'awaiting-approval') return 'awaiting';
  if (status === 'running') return 'running';
  if (status === 'waiting-conflict' || status === 'waiting-slot') return 'waiting';
  return status === 'queued' ? 'queued' : undefined;
}

const failures = new Set<string>(['error', 'denied', 'cancelled', 'timeout']);

/** The state a result leaves its call in (an unknown status counts as an error). */
export function finishedState(result: CallResult | undefined): CallState {
  const status = String(result?.status);
  return status === 'success' ? 'done' : failures.has(status) ? (status as CallState) : 'error';
}

/** A progress report with only numbers kept as numbers and a short, sanitized message. */
export function cleanProgress(info: ProgressInfo | undefined): NonNullable<CallView['progress']> {
  const progress: NonNullable<CallView['progress']> = {};
  if (typeof info?.progress === 'number') progress.progress = info.progress;
  if (typeof info?.total === 'number') progress.total = info.total;
  if (typeof info?.message === 'string') {
    const message = sanitizeInline(info.message.slice(0, 1000)).slice(0, 200);
    if (message) progress.message = message;
  }
  return progress;
}

/** The first line of what went wrong, at most 200 characters. */
export function shortError(result: CallResult | undefined): string {
  const first = Array.isArray(result?.content)
    ? result.content.find((b) => b?.type === 'text')
    : undefined;
  const message = result?.error?.message ?? (first?.type === 'text' ? first.text : '');
  const line = String(message).split('\n', 1)[0] ?? '';
  return sanitizeInline(line.slice(0, 1000)).slice(0, 200);
}

/**
 * A copy of the entry for renderers, without its bookkeeping; `isOpen` tells which blockers
 * are still unfinished (all are shown when none is known to be).
 */
export function toCallView(entry: CallEntry, isOpen: (rawId: string) => boolean): CallView {
  const { rawId, rawTool, described, waitingOnRaw, groupKey, ...view } = entry;
  if (entry.waitingOn && waitingOnRaw) {
    const open = entry.waitingOn.filter((_, i) => isOpen(waitingOnRaw[i] as string));
    view.waitingOn = open.length > 0 ? open : [...entry.waitingOn];
  }
  if (entry.progress) view.progress = { ...entry.progress };
  return view;
}
