import type { McpStartEvent } from '../mcp/hub.js';
import { sanitizeInline } from '../trace/sanitize-text.js';
import { CliError, exitCodes } from './cli-error.js';
import { type CliIo, isInteractiveOutput } from './io.js';
import { fitLine, LiveView, textWidth } from './progress/index.js';
import type { Reporter } from './reporter.js';
import { createRuntime, type Runtime, type RuntimeOptions } from './runtime.js';
import { Interrupt, type InterruptSource, type TerminalKeys } from './terminal-keys.js';

/** What the command shows the startup on, and reads its keys from. */
export interface StartupUi {
  /** Where the countdown is drawn (its stdout) when it is a terminal. */
  io: CliIo;
  reporter: Reporter;
  /** The command's one reader of keys: started for the startup, stopped after it. */
  keys: TerminalKeys;
  /** Where the command's key reader sends Ctrl-C: taken over during the startup, then given back. */
  ctrlC: { press: (source?: InterruptSource) => void };
  /** `--json`: no countdown and no start line (stdout is for the events). */
  json: boolean;
  /** @default performance.now */
  now?: () => number;
}

/** The keys that skip waiting: `s` and a lone Esc (not an arrow key's escape sequence). */
const skipKeys = new Set(['s', 'S', '\u001b']);

/**
 * `createRuntime` with the MCP servers' startup shown and under the user's control. On a
 * terminal, a line counts down to each server's timeout, redrawn several times a second
 * (`Starting MCP servers: slow (27 s left) — press s to skip waiting`); elsewhere one line when
 * they start. `s` or Esc stops waiting for the servers still starting: they are stopped and the
 * run goes on without their tools, said in one line. Ctrl-C (a key in raw mode, or SIGINT and
 * SIGTERM) stops every server started so far and throws a `CliError` with exit code 130; a
 * second Ctrl-C exits at once.
 */
export async function startRuntime(options: RuntimeOptions, ui: StartupUi): Promise<Runtime> {
  const { io, reporter, keys, json } = ui;
  const now = ui.now ?? (() => performance.now());
  const skip = new AbortController();
  const cancel = new AbortController();
  const canSkip = keys.available;
  /** The servers still starting, with their deadlines. */
  const starting = new Map<string, number>();
  const skipped: string[] = [];
  const live = !json && isInteractiveOutput(io);
  const view = live
    ? new LiveView({
        stream: io.stdout,
        intervalMs: 250,
        now,
        render: (frame) => countdown(starting, frame.now, canSkip, frame.columns),
      })
    : undefined;
  let announced = false;
  const announce = (timeoutMs: number) => {
    if (announced || json) return;
    announced = true;
    if (view) {
      view.start();
      return;
    }
    // Every server reports `starting` in the same tick: name them all in one line.
    queueMicrotask(() => {
      const names = [...starting.keys()].map(sanitizeInline).join(', ');
      const keysHint = canSkip ? '; press s to skip waiting' : '';
      reporter.info(`Starting MCP servers: ${names} (up to ${seconds(timeoutMs)}${keysHint})`);
    });
  };
  const onServerStart = (event: McpStartEvent) => {
    if (event.type === 'starting') {
      starting.set(event.server, now() + event.timeoutMs);
      announce(event.timeoutMs);
      return;
    }
    starting.delete(event.server);
    if (event.type === 'skipped') skipped.push(event.server);
    view?.redraw();
  };
  const warn = (line: string) => {
    // A warning goes above the countdown, never through it.
    const drawing = view?.active === true;
    view?.stop();
    options.warn(line);
    if (drawing) view?.start();
  };

  const exitNow = () => {
    view?.stop();
    keys.stop();
    io.stderr.write('salvo: exited at once (second Ctrl-C while the MCP servers started)\n');
    process.exit(exitCodes.cancelled);
  };
  const interrupt = new Interrupt({
    onCancel: () => cancel.abort(new Error('cancelled while the MCP servers were starting')),
    onForce: exitNow,
  });
  const onData = (data: Buffer | string) => {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    if (skipKeys.has(text) && !skip.signal.aborted) skip.abort();
  };
  const givenCtrlC = ui.ctrlC.press;
  ui.ctrlC.press = (source) => interrupt.press(source);
  const stopListening = interrupt.listen();
  keys.start();
  if (canSkip) io.stdin.on('data', onData);
  try {
    return await createRuntime({
      ...options,
      warn,
      onServerStart,
      skipStarting: skip.signal,
      signal: cancel.signal,
    });
  } catch (error) {
    if (cancel.signal.aborted) {
      throw new CliError(
        'cancelled while the MCP servers were starting (Ctrl-C); every server started was stopped',
        exitCodes.cancelled,
        { cause: error },
      );
    }
    throw error;
  } finally {
    view?.stop();
    io.stdin.off('data', onData);
    keys.stop();
    stopListening();
    ui.ctrlC.press = givenCtrlC;
    if (skipped.length > 0 && !cancel.signal.aborted) {
      reporter.info(
        `Skipped waiting for MCP servers: ${skipped.map(sanitizeInline).join(', ')}; salvo runs without their tools`,
      );
    }
  }
}

/**
 * `Starting MCP servers: slow (27 s left), db (29 s left) — press s to skip waiting`, in at most
 * `columns`: servers that do not fit are counted (`slow (27 s left), 2 more — press s...`), so
 * the key that skips is never cut off; when one server's name is too long for that, the key
 * goes on a row of its own.
 */
export function countdown(
  starting: ReadonlyMap<string, number>,
  at: number,
  canSkip: boolean,
  columns = Number.POSITIVE_INFINITY,
): string[] {
  if (starting.size === 0) return [];
  const servers = [...starting].map(
    ([name, deadline]) =>
      `${sanitizeInline(name)} (${Math.max(0, Math.ceil((deadline - at) / 1000))} s left)`,
  );
  const hint = canSkip ? ' — press s to skip waiting' : '';
  for (let shown = servers.length; shown >= 1; shown--) {
    const more = servers.length - shown;
    const list = [...servers.slice(0, shown), ...(more > 0 ? [`${more} more`] : [])];
    const line = `Starting MCP servers: ${list.join(', ')}${hint}`;
    if (textWidth(line) <= columns) return [line];
  }
  const more = servers.length > 1 ? `, ${servers.length - 1} more` : '';
  const first = fitLine(`Starting MCP servers: ${servers[0]}${more}`, columns);
  return canSkip ? [first, fitLine('  press s to skip waiting', columns)] : [first];
}

function seconds(ms: number): string {
  return `${Math.round(ms / 1000)} s`;
}
