import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { SalvoError } from '../errors.js';
import type { TurnTrace } from './call-trace.js';

/** A file is not a trace salvo wrote, or cannot be read. */
export class TraceFileError extends SalvoError {
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}

/**
 * Reads the turns back from a trace `writeTrace` wrote: the HTML report or the Chrome Trace
 * Event JSON (both carry the turns), or a plain JSON array of turn traces.
 */
export async function readTrace(path: string): Promise<TurnTrace[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new TraceFileError(path, `cannot read the trace: ${reason}`, { cause: error });
  }
  return parseTrace(path, text);
}

/** The turns in a trace file's text; `path` names the file in errors and picks the format. */
export function parseTrace(path: string, text: string): TurnTrace[] {
  const ext = extname(path).toLowerCase();
  if (ext === '.html' || ext === '.htm' || /^\s*<!doctype html/i.test(text)) {
    const match =
      /<template id="salvo-turns" data-encoding="base64">([A-Za-z0-9+/=]*)<\/template>/.exec(text);
    if (!match) {
      throw new TraceFileError(path, 'not a salvo HTML report (no embedded turns found)');
    }
    const turns = parseJson(path, Buffer.from(match[1] ?? '', 'base64').toString());
    if (!Array.isArray(turns)) throw new TraceFileError(path, 'the embedded turns are not a list');
    return checkTurns(path, turns);
  }
  const data = parseJson(path, text);
  if (Array.isArray(data)) return checkTurns(path, data);
  const record = data as Record<string, unknown> | null;
  const other = record?.otherData as Record<string, unknown> | undefined;
  if (other && Array.isArray(other.salvoTurns)) return checkTurns(path, other.salvoTurns);
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

function checkTurns(path: string, turns: unknown[]): TurnTrace[] {
  for (const [i, turn] of turns.entries()) {
    const t = turn as Partial<TurnTrace> | null;
    const ok =
      typeof t === 'object' &&
      t !== null &&
      typeof t.turnId === 'number' &&
      Array.isArray(t.path) &&
      Array.isArray(t.calls) &&
      typeof t.summary === 'object' &&
      t.calls.every(
        (c) =>
          typeof c === 'object' &&
          c !== null &&
          typeof c.id === 'string' &&
          typeof c.name === 'string' &&
          typeof c.queuedAt === 'number' &&
          typeof c.endedAt === 'number',
      );
    if (!ok) throw new TraceFileError(path, `turn ${i + 1} is not a salvo turn trace`);
  }
  // JSON has no Infinity: an unlimited limit was written as null.
  for (const turn of turns as TurnTrace[]) {
    const limits = (turn.limits ?? {}) as Record<string, number | null>;
    for (const [name, value] of Object.entries(limits)) if (value === null) limits[name] = Infinity;
  }
  return turns as TurnTrace[];
}
