import type { SchedulerEvent } from '../../schedule/events.js';
import { formatBlockers, pathPrefix } from './call-line.js';
import { formatDuration } from './format-duration.js';
import { formatProgress } from './format-progress.js';
import type { CallView } from './progress-snapshot.js';
import { shortId } from './short-id.js';
import { truncateEnd } from './text-width.js';

export interface PlainOptions {
  /** Progress lines per call at most one per this many ms (by event time). @default 1000 */
  progressIntervalMs?: number;
  /** Columns for a call's description. @default 80 */
  descriptionWidth?: number;
  /** Time 0 of the `[+1.2s]` stamps. @default the first event's time */
  startedAt?: number;
}

/** `denied: the user said no` rather than `denied: Denied: the user said no.` */
function reason(message: string | undefined): string {
  const text = (message ?? '').replace(
    /^(denied|cancelled|canceled|timeout|timed out|error):\s*/i,
    '',
  );
  return text.replace(/\.$/, '');
}

/** What happened to a finished call: `done in 0.4s`, `failed after 1.2s: exit code 1`, ... */
export function finishedText(call: CallView): string {
  const ran = call.startedAt !== undefined && call.endedAt !== undefined;
  const duration = ran ? formatDuration((call.endedAt as number) - (call.startedAt as number)) : '';
  const why = reason(call.error);
  const colon = why ? `: ${why}` : '';
  switch (call.status) {
    case 'done':
      return ran ? `done in ${duration}` : 'done';
    case 'timeout':
      return ran ? `timed out after ${duration}` : `timed out${colon}`;
    case 'denied':
      return `denied${colon}`;
    case 'cancelled':
      return `cancelled${ran ? ` after ${duration}` : ''}${colon}`;
    default:
      return `failed${ran ? ` after ${duration}` : ''}${colon}`;
  }
}

/**
 * The permanent line for one transition of a call, or `undefined` for those not worth a line
 * (queued). `call` is what `ProgressState.onSchedulerEvent` returned for the event. No colors,
 * no cursor movement; the same inputs always give the same line.
 */
export function plainLine(
  event: SchedulerEvent,
  call: CallView,
  options: { startedAt: number; descriptionWidth?: number },
): string | undefined {
  let what: string;
  switch (event.type) {
    case 'queued':
      return undefined;
    case 'started':
      what = 'started';
      break;
    case 'awaiting-approval':
      what = 'awaiting approval';
      break;
    case 'waiting':
      what =
        event.reason === 'conflict'
          ? `waits for ${formatBlockers(call.waitingOn ?? [])}`
          : `waits for a slot: ${call.slot ?? '?'}`;
      break;
    case 'progress': {
      const progress = formatProgress(call.progress);
      if (!progress) return undefined;
      what = progress;
      break;
    }
    case 'finished':
      what = finishedText(call);
      break;
    default:
      return undefined;
  }
  const stamp = `[+${formatDuration(event.at - options.startedAt)}]`;
  const description = truncateEnd(call.description, options.descriptionWidth ?? 80);
  return `${stamp} ${pathPrefix(call.path)}${description} (${shortId(call.callId)}): ${what}`;
}

/**
 * Lines for logs and CI: one per meaningful transition (started, waiting and why, awaiting
 * approval, finished with its duration and status), progress at most once a second per call
 * and only when it changed, and a line when a group of subagents is all done.
 */
export class PlainRenderer {
  readonly #interval: number;
  readonly #width: number;
  #startedAt: number | undefined;
  /** Per unfinished call: when its last progress line was written, and what it said. */
  readonly #lastProgress = new Map<string, { at: number; text: string }>();

  constructor(options: PlainOptions = {}) {
    this.#interval = options.progressIntervalMs ?? 1000;
    this.#width = options.descriptionWidth ?? 80;
    this.#startedAt = options.startedAt;
  }

  /** The lines (zero, one or two) for `event`; `call` is what the state returned for it. */
  lines(event: SchedulerEvent, call: CallView): string[] {
    this.#startedAt ??= event.at;
    const options = { startedAt: this.#startedAt, descriptionWidth: this.#width };
    if (event.type === 'progress') {
      const text = formatProgress(call.progress);
      const last = this.#lastProgress.get(call.key);
      if (!text || text === last?.text) return [];
      if (last && event.at - last.at < this.#interval) return [];
      this.#lastProgress.set(call.key, { at: event.at, text });
    }
    if (event.type === 'finished') this.#lastProgress.delete(call.key);
    const line = plainLine(event, call, options);
    const out = line === undefined ? [] : [line];
    const group = call.group;
    if (event.type === 'finished' && group && group.done === group.total && group.total > 1) {
      const stamp = `[+${formatDuration(event.at - this.#startedAt)}]`;
      out.push(`${stamp} ${pathPrefix(group.path)}${group.text}`);
    }
    return out;
  }
}
