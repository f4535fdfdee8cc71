import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { describeValue, SalvoError } from '../errors.js';
import { callStatuses } from '../tool/call.js';
import type { TurnTrace } from './call-trace.js';
import type { RunSource } from './run-advice.js';

/** A file is not a trace salvo wrote, or cannot be read. */
export class TraceFileError extends SalvoError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}

/** A trace file's turns, and where the run came from when the file says. */
export interface TraceFile {
  turns: TurnTrace[];
  /** `'cli'` for a trace the CLI wrote: advice names its flags. */
  source?: RunSource;
}

/**
 * Reads the turns back from a trace `writeTrace` wrote: the HTML report or the Chrome Trace
 * Event JSON (both carry the turns), or a plain JSON array of turn traces.
 */
export async function readTrace(path: string): Promise<TurnTrace[]> {
  return (await readTraceFile(path)).turns;
}

/** `readTrace`, with where the run came from (see `TraceFile`). */
export async function readTraceFile(path: string): Promise<TraceFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TraceFileError(path, `cannot read the trace: ${reason}`, { cause: error });
  }
  return parseTraceFile(path, text);
}

/** The turns in a trace file's text; `path` names the file in errors and picks the format. */
export function parseTrace(path: string, text: string): TurnTrace[] {
  return parseTraceFile(path, text).turns;
}

function withSource(turns: TurnTrace[], source: unknown): TraceFile {
  return source === 'cli' || source === 'library' ? { turns, source } : { turns };
}

/** `parseTrace`, with where the run came from (see `TraceFile`). */
export function parseTraceFile(path: string, text: string): TraceFile {
  const ext = extname(path).toLowerCase();
  if (ext === '.html' || ext === '.htm' || /^\s*<!doctype html/i.test(text)) {
    const match =
      /<template id="salvo-turns" data-encoding="base64"(?: data-source="([a-z]+)")?>([A-Za-z0-9+/=]*)<\/template>/.exec(
        text,
      );
    if (!match) {
      throw new TraceFileError(path, 'not a salvo HTML report (no embedded turns found)');
    }
    const turns = parseJson(path, Buffer.from(match[2] ?? '', 'base64').toString());
    if (!Array.isArray(turns)) throw new TraceFileError(path, 'the embedded turns are not a list');
    return withSource(checkTurns(path, turns), match[1]);
  }
  const data = parseJson(path, text);
  if (Array.isArray(data)) return { turns: checkTurns(path, data) };
  const record = data as Record<string, unknown> | null;
  const other = record?.otherData as Record<string, unknown> | undefined;
  if (other && Array.isArray(other.salvoTurns)) {
    return withSource(checkTurns(path, other.salvoTurns), other.source);
  }
  if (record && Array.isArray(record.traceEvents)) {
    throw new TraceFileError(path, 'a Chrome trace without salvo turns: write it with salvo 0.1+');
  }
  throw new TraceFileError(
    path,
    'not a salvo trace: expected an HTML report or JSON written with `--trace`',
  );
}

function parseJson(path: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TraceFileError(path, `not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/** Thrown by the checks below, then given the file's name. */
class Invalid extends Error {}

type Check<T> = (value: unknown, where: string) => T;

function fail(where: string, expected: string, value: unknown): never {
  const got = value === undefined ? 'nothing' : describeValue(value);
  throw new Invalid(`${where}: expected ${expected}, got ${got}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const object =
  (what: string): Check<Record<string, unknown>> =>
  (value, where) =>
    isRecord(value) ? value : fail(where, what, value);

/** JSON has no NaN, but `1e999` parses to Infinity: no timestamp or duration is infinite. */
const num: Check<number> = (value, where) =>
  typeof value === 'number' && Number.isFinite(value) ? value : fail(where, 'a number', value);

const str =
  (what: string): Check<string> =>
  (value, where) =>
    typeof value === 'string' ? value : fail(where, what, value);

const oneOf =
  <T extends string>(choices: readonly T[]): Check<T> =>
  (value, where) =>
    choices.includes(value as T)
      ? (value as T)
      : fail(where, `one of ${choices.map((c) => `'${c}'`).join(', ')}`, value);

const strings =
  (what: string, item: string): Check<string[]> =>
  (value, where) => {
    if (!Array.isArray(value)) return fail(where, what, value);
    for (const [i, x] of value.entries()) str(item)(x, `${where}[${i}]`);
    return value as string[];
  };

/** The field's value, checked. */
function field<T>(
  record: Record<string, unknown>,
  where: string,
  name: string,
  check: Check<T>,
): T {
  return check(record[name], `${where}.${name}`);
}

function optional<T>(
  record: Record<string, unknown>,
  where: string,
  name: string,
  check: Check<T>,
): void {
  // Absent is fine; JSON has no undefined, so a null is not.
  if (record[name] !== undefined) check(record[name], `${where}.${name}`);
}

const approvals = ['auto', 'approved', 'denied', 'pending'] as const;
const finishReasons = [
  'stop',
  'tool-calls',
  'length',
  'content-filter',
  'other',
  'error',
  'cancelled',
] as const;

function checkModel(value: unknown, where: string): void {
  const m = object('a model request trace (an object)')(value, where);
  field(m, where, 'provider', str('a provider name (a string)'));
  field(m, where, 'model', str('a model id (a string)'));
  for (const name of ['step', 'queuedAt', 'sentAt', 'endedAt']) field(m, where, name, num);
  for (const name of ['firstTokenAt', 'inputTokens', 'outputTokens', 'retries']) {
    optional(m, where, name, num);
  }
  optional(m, where, 'limitWaitedOn', str('a limit name (a string)'));
  field(m, where, 'finishReason', oneOf(finishReasons));
}

function checkCall(value: unknown, where: string): void {
  const c = object('a call trace (an object)')(value, where);
  field(c, where, 'id', str('a call id (a string)'));
  field(c, where, 'name', str('a tool name (a string)'));
  field(c, where, 'index', num);
  field(c, where, 'status', oneOf(callStatuses));
  field(c, where, 'queuedAt', num);
  for (const name of ['admittedAt', 'conflictsClearedAt', 'approvedAt', 'readyAt', 'startedAt']) {
    optional(c, where, name, num);
  }
  field(c, where, 'endedAt', num);
  field(c, where, 'waitedFor', strings('an array of call ids', 'a call id (a string)'));
  optional(c, where, 'limitWaitedOn', str('a limit name (a string)'));
  field(c, where, 'limits', strings('an array of limit names', 'a limit name (a string)'));
  optional(c, where, 'exclusive', (v, w) =>
    typeof v === 'boolean' ? v : fail(w, 'true or false', v),
  );
  optional(c, where, 'slotsYieldedMs', num);
  optional(c, where, 'sharedWith', str('a call id (a string)'));
  field(c, where, 'approval', oneOf(approvals));
}

function checkSummary(value: unknown, where: string): void {
  const s = object('a turn summary (an object)')(value, where);
  for (const name of ['wallMs', 'workMs', 'parallelism']) field(s, where, name, num);
  field(s, where, 'criticalPath', strings('an array of call ids', 'a call id (a string)'));
  for (const name of ['criticalPathMs', 'lowerBoundMs', 'efficiency']) field(s, where, name, num);
  const waits = field(s, where, 'waits', object('an object of wait times'));
  for (const name of ['conflictsMs', 'approvalMs', 'slotMs']) {
    field(waits, `${where}.waits`, name, num);
  }
}

/**
 * A turn trace checked field by field, with its limits made whole again: JSON has no Infinity,
 * so an unlimited limit was written as null.
 */
function checkTurn(value: unknown, where: string): TurnTrace {
  const t = object('a turn trace (an object)')(value, where);
  field(t, where, 'turnId', num);
  field(t, where, 'path', strings('an array of agent names', 'an agent name (a string)'));
  optional(t, where, 'parent', (v, w) => {
    const parent = object('the call the turn ran under ({ turnId, callId })')(v, w);
    field(parent, w, 'turnId', num);
    field(parent, w, 'callId', str('a call id (a string)'));
  });
  field(t, where, 'startedAt', num);
  field(t, where, 'endedAt', num);
  optional(t, where, 'model', checkModel);
  const calls = field(t, where, 'calls', (v, w) =>
    Array.isArray(v) ? v : fail(w, 'an array of call traces', v),
  );
  for (const [i, call] of calls.entries()) checkCall(call, `${where}.calls[${i}]`);
  const limits = field(t, where, 'limits', object('an object of limit capacities'));
  for (const [name, capacity] of Object.entries(limits)) {
    const ok = capacity === null || (typeof capacity === 'number' && Number.isFinite(capacity));
    if (!ok)
      fail(`${where}.limits[${JSON.stringify(name)}]`, 'a number, or null for no limit', capacity);
  }
  checkSummary(t.summary, `${where}.summary`);
  return {
    ...(t as unknown as TurnTrace),
    limits: Object.fromEntries(
      Object.entries(limits).map(([name, capacity]) => [name, capacity ?? Infinity]),
    ) as Record<string, number>,
  };
}

/** Every field the renderers read, checked; the first problem is reported with where it is. */
function checkTurns(path: string, turns: unknown[]): TurnTrace[] {
  if (turns.length === 0) throw new TraceFileError(path, 'the trace holds no turns');
  try {
    return turns.map((turn, i) => checkTurn(turn, `turns[${i}]`));
  } catch (error) {
    if (error instanceof Invalid) throw new TraceFileError(path, error.message);
    throw error;
  }
}
