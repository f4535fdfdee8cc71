import { type CliIo, isInteractiveOutput } from './io.js';
import { JsonReporter } from './json-reporter.js';
import { LiveReporter } from './live-reporter.js';
import { PlainReporter } from './plain-reporter.js';
import type { Reporter } from './reporter.js';

/**
 * JSON lines with `--json`; the live display on a terminal; plain lines otherwise (pipes, CI).
 * `quiet`: the live block only, no per-call or final lines (the demo prints its own).
 */
export function createReporter(io: CliIo, options: { json: boolean; quiet?: boolean }): Reporter {
  if (options.json) return new JsonReporter(io);
  const quiet = { quiet: options.quiet === true };
  return isInteractiveOutput(io) ? new LiveReporter(io, quiet) : new PlainReporter(io, quiet);
}
