import { randomBytes } from 'node:crypto';
import { lstat, mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { AgentMessage } from '../../agent/model.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import { CliError, exitCodes } from '../cli-error.js';

/**
 * Sessions: one transcript file per conversation in `~/.salvo/sessions/<id>.json`, written again
 * after every prompt, with its run trace beside it (`<id>.trace.json`). `salvo -c`, `--resume`
 * and `/resume` read them back.
 */

export interface SessionFile {
  version: 1 | 2;
  /** The file name without `.json`: `2026-12-05T04-08-23-123Z-4242`. */
  id: string;
  savedAt: string;
  startedAt?: string;
  provider: string;
  model: string;
  /** The project folder the session ran in. */
  cwd: string;
  /** The first prompt, on one line: what the session list shows. */
  title?: string;
  finishReason: string;
  /** salvo's own format: every tool call with its result. */
  messages: AgentMessage[];
  /** The same, in the provider's message format (ready to send again). */
  transcript: unknown[];
  usage: { inputTokens: number; outputTokens: number };
}

/** What the session list shows of a session, without its messages. */
export interface SessionSummary {
  id: string;
  file: string;
  cwd: string;
  title: string;
  savedAt: Date;
  provider: string;
  model: string;
  /** User prompts in the conversation. */
  prompts: number;
}

/** Where sessions live. */
export function sessionsDir(home: string): string {
  return join(home, '.salvo', 'sessions');
}

/** A new session's id: its start time (sortable) and a few random characters. */
export function newSessionId(now: Date = new Date()): string {
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Where a session's transcript goes unless `--transcript` says. */
export function defaultTranscriptPath(home: string, id: string = newSessionId()): string {
  return join(sessionsDir(home), `${id}.json`);
}

/** The run trace kept with a transcript: `x.json` → `x.trace.json`. */
export function tracePathFor(transcriptFile: string): string {
  return transcriptFile.replace(/(\.json)?$/i, '.trace.json');
}

/** A transcript file's session id: its name without `.json`. */
export function sessionIdOf(file: string): string {
  return basename(file).replace(/\.json$/i, '');
}

/**
 * Creates `dir` and its missing parents one level at a time. `mkdir -p` through node's
 * `recursive` spins forever on some special file systems (a path under /proc); one level at a
 * time fails with a plain error instead.
 */
export async function ensureDir(dir: string): Promise<void> {
  const target = resolve(dir);
  try {
    const info = await stat(target);
    if (info.isDirectory()) return;
    throw new CliError(`${target} is not a folder`, exitCodes.failed);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const parent = dirname(target);
  if (parent === target) throw new CliError(`${target} does not exist`, exitCodes.failed);
  await ensureDir(parent);
  try {
    await mkdir(target, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Writes `text` to `file` whole or not at all (a temp file renamed over it), readable by the
 * user only: transcripts hold what the tools read. Refuses anything but a regular file.
 */
export async function writePrivateFile(file: string, text: string): Promise<void> {
  const target = resolve(file);
  try {
    const info = await lstat(target);
    if (!info.isFile()) {
      throw new CliError(`${target} exists and is not a regular file`, exitCodes.failed);
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await ensureDir(dirname(target));
  const temp = `${target}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', 0o600);
  try {
    await handle.writeFile(text);
  } finally {
    await handle.close();
  }
  try {
    await rename(temp, target);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Writes a session's transcript; written again after every prompt. */
export async function saveSession(
  file: string,
  data: Omit<SessionFile, 'version' | 'savedAt' | 'id'>,
): Promise<void> {
  const record: SessionFile = {
    version: 2,
    id: sessionIdOf(file),
    savedAt: new Date().toISOString(),
    ...data,
  };
  await writePrivateFile(file, `${JSON.stringify(record, null, 2)}\n`);
}

/** The biggest transcript `readSession` loads (a bigger one is not a salvo transcript). */
const maxSessionBytes = 256 * 1024 * 1024;

/**
 * Reads a transcript back. Anything wrong with it (not JSON, not salvo's, messages of the wrong
 * shape) is one clear error naming the file; nothing in it is trusted beyond its messages.
 */
export async function readSession(file: string): Promise<SessionFile> {
  let text: string;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a regular file');
    if (info.size > maxSessionBytes) throw new Error('too big to be a transcript');
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new CliError(
      `cannot read the session ${file}: ${(error as Error).message}`,
      exitCodes.failed,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new CliError(`${file} is not a salvo session (not JSON)`, exitCodes.failed);
  }
  const problem = sessionProblem(data);
  if (problem) throw new CliError(`${file} is not a salvo session: ${problem}`, exitCodes.failed);
  const session = data as SessionFile;
  return {
    ...session,
    id: sessionIdOf(file),
    title: session.title ?? titleOf(session.messages),
  };
}

function sessionProblem(data: unknown): string | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return 'not an object';
  const record = data as Record<string, unknown>;
  if (record.version !== 1 && record.version !== 2) return 'unknown version';
  if (!Array.isArray(record.messages)) return 'no messages';
  for (const [i, message] of (record.messages as unknown[]).entries()) {
    const problem = messageProblem(message);
    if (problem) return `message ${i + 1} ${problem}`;
  }
  const unanswered = unansweredCall(record.messages as AgentMessage[]);
  if (unanswered !== undefined) return `message ${unanswered + 1} has calls without results`;
  for (const field of ['provider', 'model', 'cwd'] as const) {
    if (typeof record[field] !== 'string') return `no ${field}`;
  }
  return undefined;
}

/** The index of an assistant message whose calls the next message does not answer, one by one. */
function unansweredCall(messages: readonly AgentMessage[]): number | undefined {
  for (const [i, message] of messages.entries()) {
    if (message.role !== 'assistant' || message.toolCalls.length === 0) continue;
    const next = messages[i + 1];
    const ids = next?.role === 'tool' ? next.results.map((r) => r.id) : [];
    if (message.toolCalls.some((call, k) => ids[k] !== call.id)) return i;
  }
  return undefined;
}

const isString = (value: unknown): value is string => typeof value === 'string';

/** What is wrong with one message of a transcript, if anything: it goes back to a provider. */
function messageProblem(message: unknown): string | undefined {
  if (message === null || typeof message !== 'object') return 'is not an object';
  const m = message as Record<string, unknown>;
  switch (m.role) {
    case 'user':
      return isString(m.content) ? undefined : '(user) has no text';
    case 'assistant': {
      if (!isString(m.content)) return '(assistant) has no text';
      if (!Array.isArray(m.toolCalls)) return '(assistant) has no tool call list';
      const bad = m.toolCalls.some((c: unknown) => {
        const call = c as Record<string, unknown> | null;
        return !call || !isString(call.id) || !isString(call.name) || !isString(call.input);
      });
      if (bad) return '(assistant) has a tool call without id, name or input';
      if (m.reasoning !== undefined && !Array.isArray(m.reasoning))
        return '(assistant) has reasoning that is not a list';
      return undefined;
    }
    case 'tool': {
      if (!Array.isArray(m.results)) return '(tool) has no results';
      const bad = m.results.some((r: unknown) => {
        const result = r as Record<string, unknown> | null;
        return (
          !result ||
          !isString(result.id) ||
          !isString(result.status) ||
          !Array.isArray(result.content)
        );
      });
      return bad ? '(tool) has a result without id, status or content' : undefined;
    }
    default:
      return 'has an unknown role';
  }
}

/** The first user prompt on one line, capped: a session's title. */
export function titleOf(messages: readonly AgentMessage[]): string {
  for (const message of messages) {
    if (message.role !== 'user') continue;
    const line = sanitizeInline(message.content.replace(/\s+/g, ' ').trim());
    if (line !== '') return line.length > 80 ? `${line.slice(0, 79)}…` : line;
  }
  return '(no prompt)';
}

/** Transcript files, newest first by modification time; unreadable entries skipped. */
async function sessionFiles(home: string): Promise<{ file: string; mtime: Date }[]> {
  const dir = sessionsDir(home);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return [];
  }
  const files = await Promise.all(
    names
      .filter((name) => name.endsWith('.json') && !name.endsWith('.trace.json'))
      .map(async (name) => {
        const file = join(dir, name);
        try {
          const info = await stat(file);
          return info.isFile() ? { file, mtime: info.mtime } : undefined;
        } catch {
          return undefined;
        }
      }),
  );
  return files
    .filter((f): f is { file: string; mtime: Date } => f !== undefined)
    .sort((a, b) => b.mtime.getTime() - a.mtime.getTime());
}

/**
 * Sessions, newest first: those of the folder `cwd` when given. Reads at most `scan` files (the
 * newest), so a long history stays quick; files that are not sessions are skipped.
 */
export async function listSessions(
  home: string,
  options: { cwd?: string; limit?: number; scan?: number } = {},
): Promise<SessionSummary[]> {
  const { limit = 20, scan = 500 } = options;
  const found: SessionSummary[] = [];
  for (const { file, mtime } of (await sessionFiles(home)).slice(0, scan)) {
    let session: SessionFile;
    try {
      session = await readSession(file);
    } catch {
      continue;
    }
    if (options.cwd !== undefined && resolve(session.cwd) !== resolve(options.cwd)) continue;
    found.push({
      id: session.id,
      file,
      cwd: session.cwd,
      title: session.title ?? titleOf(session.messages),
      savedAt: mtime,
      provider: session.provider,
      model: session.model,
      prompts: session.messages.filter((m) => m.role === 'user').length,
    });
    if (found.length >= limit) break;
  }
  return found;
}

/**
 * The session `query` names: a transcript file's path, an id, or the start of one (unique).
 * Errors say what there is to choose from.
 */
export async function findSession(home: string, query: string, cwd: string): Promise<string> {
  if (query.endsWith('.json') || query.includes('/')) {
    const file = resolve(cwd, query);
    await readSession(file);
    return file;
  }
  const files = await sessionFiles(home);
  const exact = files.find((f) => sessionIdOf(f.file) === query);
  if (exact) return exact.file;
  const matches = files.filter((f) => sessionIdOf(f.file).startsWith(query));
  if (matches.length === 1 && matches[0]) return matches[0].file;
  if (matches.length > 1) {
    throw new CliError(
      `--resume ${sanitizeInline(query)} matches ${matches.length} sessions (${matches
        .slice(0, 3)
        .map((m) => sessionIdOf(m.file))
        .join(', ')}…): give more of the id`,
    );
  }
  throw new CliError(
    `no session "${sanitizeInline(query)}" in ${sessionsDir(home)}: salvo --resume without an id lists them`,
  );
}
