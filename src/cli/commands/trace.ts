import { readTrace, TraceFileError } from '../../trace/read-trace.js';
import { renderTimeline } from '../../trace/render-timeline.js';
import { summarizeRun } from '../../trace/summarize-run.js';
import { CliError, exitCodes } from '../cli-error.js';
import { type CliIo, useColor } from '../io.js';
import { sanitizeInline } from '../progress/sanitize-text.js';

/** `salvo trace <file>`: a saved run as a Gantt chart with its summary, in the terminal. */
export async function traceCommand(
  file: string,
  flags: { width?: number },
  io: CliIo,
): Promise<number> {
  let turns: Awaited<ReturnType<typeof readTrace>>;
  try {
    turns = await readTrace(file);
  } catch (error) {
    if (error instanceof TraceFileError) throw new CliError(error.message, exitCodes.failed);
    throw error;
  }
  // Ids and paths come from a model: never let them reach the terminal as escape sequences.
  turns = turns.map((t) => ({
    ...t,
    path: t.path.map(sanitizeInline),
    calls: t.calls.map((c) => ({
      ...c,
      id: sanitizeInline(c.id),
      name: sanitizeInline(c.name),
      waitedFor: c.waitedFor.map(sanitizeInline),
    })),
  }));
  const run = summarizeRun(turns);
  const columns = io.stdout.columns ?? 100;
  const width = flags.width ?? Math.max(20, Math.min(80, columns - 50));
  io.stdout.write(
    `${file}: ${run.turns} turn(s), ${run.calls} call(s), wall ${run.wallMs.toFixed(1)} ms, parallelism ${run.parallelism.toFixed(2)}x\n`,
  );
  io.stdout.write(`${renderTimeline(turns, { width, color: useColor(io) })}\n`);
  return 0;
}
