import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import type { ApprovalQueue } from './approval-queue.js';
import type { CliIo } from './io.js';
import { emptyOutcomes, outcomeOf } from './progress/call-outcomes.js';
import { sanitizeInline, visibleText } from './progress/index.js';
import { shellOutcome } from './progress/shell-outcome.js';
import type { Reporter, RunEnd } from './reporter.js';

/**
 * `--json`: one JSON object per line on stdout, each with an `event` field (`call.started`,
 * `agent.text-delta`, `run.end`...). Human lines go to stderr, so stdout stays parseable.
 */
export class JsonReporter implements Reporter {
  readonly #io: CliIo;
  /** The request the last prompt asked about (call ids may repeat across turns). */
  #lastHead: ApprovalRequest | undefined;
  /** The prompt's calls by how they ended, for `run.end`. */
  #outcomes = emptyOutcomes();

  constructor(io: CliIo) {
    this.#io = io;
  }

  #write(record: Record<string, unknown>): void {
    this.#io.stdout.write(`${jsonLine(record)}\n`);
  }

  schedulerEvent(event: SchedulerEvent): void {
    const { type, ...rest } = event;
    if ('input' in rest) rest.input = parsedInput(rest.input);
    if (event.type !== 'finished') {
      this.#write({ event: `call.${type}`, ...rest });
      return;
    }
    this.#outcomes[outcomeOf(event.result?.status)]++;
    // A shell command's exit code (or the signal that killed it), read by machines as a field.
    const exit = shellOutcome(String(event.toolName), event.result)?.exit;
    const fields = !exit
      ? {}
      : exit.code !== null
        ? { exitCode: exit.code }
        : { exitCode: null, signal: exit.signal };
    this.#write({ event: `call.${type}`, ...rest, ...fields });
  }

  agentEvent(event: AgentEvent): void {
    const { type, ...rest } = event;
    if (event.type === 'tool-call') {
      this.#write({
        event: 'agent.tool-call',
        ...rest,
        call: { ...event.call, input: parsedInput(event.call.input) },
      });
      return;
    }
    this.#write({ event: `agent.${type}`, ...rest });
  }

  approvals(queue: ApprovalQueue): void {
    const head = queue.pending[0];
    if (!head || head.request === this.#lastHead) return;
    this.#lastHead = head.request;
    const tool = sanitizeInline(head.request.toolName);
    // The whole input, as JSON, with the characters JSON leaves as they are (bidi overrides,
    // zero-width spaces, 8-bit controls) escaped too: what the user approves is what they read.
    const input = visibleText(String(JSON.stringify(head.request.input)), { json: true });
    this.#io.stderr.write(
      `salvo: approve ${tool} ${input}? [y] approve [n] deny [a] approve all ${tool} (${queue.pending.length} waiting)\n`,
    );
  }

  approvalAnswered(request: ApprovalRequest, approved: boolean): void {
    this.#write({ event: 'approval', callId: request.callId, path: request.path, approved });
  }

  info(line: string): void {
    this.#io.stderr.write(`${line}\n`);
  }

  warn(line: string): void {
    this.#io.stderr.write(`salvo: ${line}\n`);
    this.#write({ event: 'warning', message: line });
  }

  runStarted(prompt: string): void {
    this.#outcomes = emptyOutcomes();
    this.#write({ event: 'run.start', prompt });
  }

  runEnded(summary: RunEnd): void {
    this.#write({ event: 'run.end', outcomes: { ...this.#outcomes }, ...summary });
  }

  close(): void {}
}

/**
 * `record` as one line of JSON. What JSON cannot hold (a tool's error with cycles or BigInts in
 * `result.error.cause`) is replaced rather than losing the event's line.
 */
function jsonLine(record: Record<string, unknown>): string {
  try {
    return JSON.stringify(record, readable);
  } catch {
    const seen = new WeakSet<object>();
    try {
      return JSON.stringify(record, (key, raw: unknown) => {
        const value = readable(key, raw);
        if (typeof value !== 'object' || value === null) return value;
        if (seen.has(value)) return '[Circular]';
        seen.add(value);
        return value;
      });
    } catch (error) {
      const reason = error instanceof Error ? error.message : 'not JSON';
      return JSON.stringify({ event: record.event, callId: record.callId, unserializable: reason });
    }
  }
}

/** Errors as their name and message (`JSON.stringify` gives `{}`), BigInts as strings. */
function readable(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Error) return { name: value.name, message: value.message };
  return value;
}

/**
 * A call's input as JSON whatever event carries it: models send the arguments as a JSON string,
 * which is parsed; arguments that are not JSON stay the string the model sent.
 */
function parsedInput(input: unknown): unknown {
  if (typeof input !== 'string') return input;
  try {
    return JSON.parse(input);
  } catch {
    return input;
  }
}
