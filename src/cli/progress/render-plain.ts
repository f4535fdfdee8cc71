import type { SchedulerEvent } from '../../schedule/events.js';
import { formatBlockers, pathPrefix } from './call-line.js';
import { finishedText } from './finished-text.js';
import { formatDuration } from './format-duration.js';
import { formatProgress } from './format-progress.js';
import { counted } from './pluralize.js';
import type { CallView } from './progress-snapshot.js';
import { shortId } from './short-id.js';
import { renderSegments, type Segment } from './style.js';
import { textWidth, truncateEnd } from './text-width.js';

export { finishedText } from './finished-text.js';

export interface PlainOptions {
  /** Progress lines per call at most one per this many ms (by event time). @default 1000 */
  progressIntervalMs?: number;
  /** Columns for a call's description. @default 80 */
  descriptionWidth?: number;
  /** Time 0 of the `[+1.2s]` stamps. @default the first event's time */
  startedAt?: number;
  /**
   * Columns a finished call's lines may take (a function: terminals resize): its output lines
   * are cut to it, and with `marks` its own line too. @default 160
   */
  columns?: number | (() => number);
  /** Start finished calls' lines with `✓` or `✗` (the live view's permanent lines). @default false */
  marks?: boolean;
  /** Color the marks, dim the output lines. @default false */
  color?: boolean;
}

/** Output lines shown under a finished shell command: where a failure says what went wrong. */
export const failedTailLines = 5;
/**
 * Under a command that succeeded: its last lines (a test run's summary, a build's last word), as
 * Claude Code and Codex show them, but fewer, and only the main agent's: five subagents' reads
 * at once would bury the run under their output, and their own agent reads it anyway.
 */
export const succeededTailLines = 3;

/**
 * The permanent line for one transition of a call, or `undefined` for those not worth a line
 * (queued). `call` is what `ProgressState.onSchedulerEvent` returned for the event. No colors,
 * no cursor movement; the same inputs always give the same line. With `width`, the description
 * is cut so the whole line fits.
 */
export function plainLine(
  event: SchedulerEvent,
  call: CallView,
  options: { startedAt: number; descriptionWidth?: number; width?: number },
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
  const prefix = pathPrefix(call.path);
  const id = ` (${shortId(call.callId)}): `;
  let descriptionWidth = options.descriptionWidth ?? 80;
  if (options.width !== undefined) {
    const rest = textWidth(`${stamp} ${prefix}${id}${what}`);
    descriptionWidth = Math.min(descriptionWidth, Math.max(4, options.width - rest));
  }
  const line = `${stamp} ${prefix}${truncateEnd(call.description, descriptionWidth)}${id}${what}`;
  return options.width === undefined ? line : truncateEnd(line, options.width);
}

/** How many of a finished call's output lines to show under it. */
export function tailLinesShown(call: CallView): number {
  if (!call.tail || call.tail.lines.length === 0) return 0;
  if (call.status === 'error') return failedTailLines;
  return call.status === 'done' && call.path.length === 0 ? succeededTailLines : 0;
}

/**
 * The last lines of a finished shell command's output, to print under its line: `  │ ` and the
 * line, cut to `width`, after `  │ … 12 earlier lines` when there were more.
 */
export function tailLines(call: CallView, width: number, color = false): string[] {
  const count = tailLinesShown(call);
  const tail = call.tail;
  if (count === 0 || !tail) return [];
  const lines = tail.lines.slice(-count);
  const earlier = tail.omitted + tail.lines.length - lines.length;
  const room = Math.max(1, width - 4);
  const out = earlier > 0 ? [`… ${counted(earlier, 'earlier line')}`] : [];
  out.push(...lines.map((line) => truncateEnd(line, room)));
  return out.map((line) =>
    renderSegments([{ text: `  │ ${line}`.trimEnd(), style: 'dim' }], Infinity, color),
  );
}

/** `✓` for done, `✗` for the rest: red when it failed, yellow when denied, dim when cancelled. */
function mark(call: CallView): Segment {
  switch (call.status) {
    case 'done':
      return { text: '✓', style: 'green' };
    case 'denied':
      return { text: '✗', style: 'yellow' };
    case 'cancelled':
      return { text: '✗', style: 'dim' };
    default:
      return { text: '✗', style: 'red' };
  }
}

/**
 * Lines for logs and CI: one per meaningful transition (started, waiting and why, awaiting
 * approval, finished with its duration and status, a shell command's last output lines under
 * it), progress at most once a second per call and only when it changed, and a line when a
 * group of subagents is all done.
 */
export class PlainRenderer {
  readonly #interval: number;
  readonly #width: number;
  readonly #columns: () => number;
  readonly #marks: boolean;
  readonly #color: boolean;
  #startedAt: number | undefined;
  /** Per unfinished call: when its last progress line was written, and what it said. */
  readonly #lastProgress = new Map<string, { at: number; text: string }>();

  constructor(options: PlainOptions = {}) {
    this.#interval = options.progressIntervalMs ?? 1000;
    this.#width = options.descriptionWidth ?? 80;
    this.#startedAt = options.startedAt;
    const columns = options.columns ?? 160;
    this.#columns = typeof columns === 'function' ? columns : () => columns;
    this.#marks = options.marks === true;
    this.#color = options.color === true;
  }

  /** The lines for `event`; `call` is what the state returned for it. */
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
    if (event.type !== 'finished') {
      const line = plainLine(event, call, options);
      return line === undefined ? [] : [line];
    }
    this.#lastProgress.delete(call.key);
    const columns = Math.max(20, Math.floor(this.#columns()) || 20);
    const out: string[] = [];
    if (this.#marks) {
      const line = plainLine(event, call, { ...options, width: columns - 2 }) as string;
      out.push(renderSegments([mark(call), { text: ` ${line}` }], Infinity, this.#color));
    } else {
      out.push(plainLine(event, call, options) as string);
    }
    out.push(...tailLines(call, columns, this.#color));
    const group = call.group;
    if (group && group.done === group.total && group.total > 1) {
      const stamp = `[+${formatDuration(event.at - this.#startedAt)}]`;
      out.push(`${stamp} ${pathPrefix(group.path)}${group.text}`);
    }
    return out;
  }
}
