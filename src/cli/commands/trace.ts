import type { TurnTrace } from '../../trace/call-trace.js';
import { readTraceFile, TraceFileError } from '../../trace/read-trace.js';
import { renderTimeline } from '../../trace/render-timeline.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { summarizeRun } from '../../trace/summarize-run.js';
import { CliError, exitCodes } from '../cli-error.js';
import { type CliIo, useColor } from '../io.js';
import { counted } from '../progress/pluralize.js';

/** The widest chart `--width` may ask for. */
const maxWidth = 1000;

/** `salvo trace <file>`: a saved run as a Gantt chart with its summary, in the terminal. */
export async function traceCommand(
  file: string,
  flags: { width?: number },
  io: CliIo,
): Promise<number> {
  if (flags.width !== undefined && flags.width > maxWidth) {
    throw new CliError(`--width takes a whole number from 1 to ${maxWidth}.`, exitCodes.usage);
  }
  let turns: TurnTrace[];
  let source: 'cli' | 'library';
  try {
    const read = await readTraceFile(file);
    turns = read.turns.map(sanitizeTurn);
    // Read in the CLI, a trace says which flags to change unless a library run wrote it.
    source = read.source ?? 'cli';
  } catch (error) {
    if (error instanceof TraceFileError) throw new CliError(error.message, exitCodes.failed);
    throw error;
  }
  const run = summarizeRun(turns, { source });
  const columns = io.stdout.columns ?? 100;
  const { labelWidth, width } = chartColumns(turns, columns, flags.width);
  // The chart lists every turn once (one without calls on a line of its own): count the same.
  const requests =
    run.model.requests > 0 ? `, ${counted(run.model.requests, 'model request')}` : '';
  io.stdout.write(
    `${file}: ${counted(turns.length, 'turn')}${requests}, ${counted(run.calls, 'call')}\n`,
  );
  io.stdout.write(
    `${renderTimeline(turns, { width, labelWidth, color: useColor(io), source, summary: true })}\n`,
  );
  return 0;
}

/**
 * Labels as wide as the longest needs, up to about a third of the terminal; bars get what is
 * left after the notes (`--width` sets the bars).
 */
export function chartColumns(
  turns: readonly TurnTrace[],
  columns: number,
  asked: number | undefined,
): { labelWidth: number; width: number } {
  let longest = 0;
  for (const turn of turns) {
    for (const c of turn.calls) longest = Math.max(longest, c.id.length + 1 + c.name.length);
    if (turn.model) longest = Math.max(longest, 5 + turn.model.model.length);
  }
  const room = Math.max(18, Math.min(48, Math.floor(columns * 0.35)));
  const labelWidth = Math.max(18, Math.min(longest, room));
  // Notes after the bar ("success after c1 critical") take about 30 columns.
  const width = asked ?? Math.max(20, Math.min(80, columns - labelWidth - 2 - 30));
  return { labelWidth, width };
}

/**
 * Ids, names and paths come from a model: never let them reach the terminal as escape
 * sequences. Every place an id is named is cleaned alike, so ids still match each other.
 */
function sanitizeTurn(turn: TurnTrace): TurnTrace {
  const s = sanitizeInline;
  const clean: TurnTrace = {
    ...turn,
    path: turn.path.map(s),
    calls: turn.calls.map((c) => {
      const call = {
        ...c,
        id: s(c.id),
        name: s(c.name),
        waitedFor: c.waitedFor.map(s),
        limits: c.limits.map(s),
      };
      if (c.limitWaitedOn !== undefined) call.limitWaitedOn = s(c.limitWaitedOn);
      if (c.sharedWith !== undefined) call.sharedWith = s(c.sharedWith);
      return call;
    }),
    limits: Object.fromEntries(Object.entries(turn.limits).map(([name, n]) => [s(name), n])),
    summary: { ...turn.summary, criticalPath: turn.summary.criticalPath.map(s) },
  };
  if (turn.parent) clean.parent = { ...turn.parent, callId: s(turn.parent.callId) };
  if (turn.model) {
    const model = { ...turn.model, provider: s(turn.model.provider), model: s(turn.model.model) };
    if (turn.model.limitWaitedOn !== undefined) model.limitWaitedOn = s(turn.model.limitWaitedOn);
    clean.model = model;
  }
  return clean;
}
