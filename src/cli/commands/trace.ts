import type { TurnTrace } from '../../trace/call-trace.js';
import { readTrace, TraceFileError } from '../../trace/read-trace.js';
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
  try {
    turns = (await readTrace(file)).map(sanitizeTurn);
  } catch (error) {
    if (error instanceof TraceFileError) throw new CliError(error.message, exitCodes.failed);
    throw error;
  }
  const run = summarizeRun(turns);
  const columns = io.stdout.columns ?? 100;
  const width = flags.width ?? Math.max(20, Math.min(80, columns - 50));
  // The chart lists every turn once (one without calls on a line of its own): count the same.
  io.stdout.write(
    `${file}: ${counted(turns.length, 'turn')}, ${counted(run.calls, 'call')}, wall ${run.wallMs.toFixed(1)} ms, parallelism ${run.parallelism.toFixed(2)}x\n`,
  );
  io.stdout.write(`${renderTimeline(turns, { width, color: useColor(io) })}\n`);
  return 0;
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
  return clean;
}
