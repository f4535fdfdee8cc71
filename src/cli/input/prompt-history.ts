import { createHash } from 'node:crypto';
import { chmod, mkdir, open, realpath, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';

export interface PromptHistoryOptions {
  /** The user's home: the file goes to `<home>/.salvo/history/`. */
  home: string;
  /** The folder the prompts were typed in: each folder has its own history. */
  folder: string;
  /** Entries kept, oldest dropped first. @default 1000 */
  limit?: number;
  /** Longer prompts (a pasted log) are not kept. @default 100_000 */
  maxEntryChars?: number;
  /** Told once why the history cannot be read or written; the session goes on without it. */
  warn?: (line: string) => void;
}

/** Only the end of a file bigger than this is read: the newest entries are at its end. */
const maxReadBytes = 8 * 1024 * 1024;

/**
 * `<home>/.salvo/history/<folder name>-<hash of its real path>.jsonl`: one file per folder, the
 * folder's name in it so a person can tell which is which.
 */
export async function historyFile(home: string, folder: string): Promise<string> {
  let real = resolve(folder);
  try {
    real = await realpath(real);
  } catch {
    // A folder that cannot be resolved still gets a file, by the path given.
  }
  const hash = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const name =
    basename(real)
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 40) || 'root';
  return join(home, '.salvo', 'history', `${name}-${hash}.jsonl`);
}

/** One line of the file: `{"text":"...","time":"2025-01-01T00:00:00.000Z"}`. */
function parseLine(line: string): string | undefined {
  try {
    const value: unknown = JSON.parse(line);
    if (typeof value === 'string') return value;
    if (
      value &&
      typeof value === 'object' &&
      typeof (value as { text?: unknown }).text === 'string'
    ) {
      return (value as { text: string }).text;
    }
  } catch {
    // Not JSON: counted as damaged by the caller.
  }
  return undefined;
}

/**
 * The prompts typed in a folder, newest last, kept in a JSON-lines file readable only by the user
 * (0600). Each prompt is appended as it is sent; consecutive duplicates are kept once; past
 * `limit` entries the file is rewritten with the newest. A file that cannot be read, or has damaged
 * lines, never stops a session: what can be read is used, and a damaged file is never rewritten
 * (only appended to), so nothing in it is lost.
 */
export class PromptHistory {
  readonly file: string;
  readonly #limit: number;
  readonly #maxEntryChars: number;
  readonly #warn: (line: string) => void;
  #entries: string[];
  /** Lines in the file, to know when it is due for a rewrite. */
  #lines: number;
  /** Damaged lines were found: the file is only appended to. */
  #damaged: boolean;
  /** The file does not end with a line break (a write was cut): the next entry starts one. */
  #needsBreak: boolean;
  #warned = false;
  /** Writes one after the other, so entries keep their order. */
  #writing: Promise<void> = Promise.resolve();

  private constructor(
    file: string,
    options: PromptHistoryOptions,
    state: {
      entries: string[];
      lines: number;
      damaged: boolean;
      needsBreak: boolean;
      warned: boolean;
    },
  ) {
    this.file = file;
    this.#limit = Math.max(1, options.limit ?? 1000);
    this.#maxEntryChars = options.maxEntryChars ?? 100_000;
    this.#warn = options.warn ?? (() => {});
    this.#entries = state.entries.slice(-this.#limit);
    this.#lines = state.lines;
    this.#damaged = state.damaged;
    this.#needsBreak = state.needsBreak;
    this.#warned = state.warned;
  }

  /** Reads the folder's history; never throws (an unreadable file gives an empty history). */
  static async open(options: PromptHistoryOptions): Promise<PromptHistory> {
    const file = await historyFile(options.home, options.folder);
    const state = {
      entries: [] as string[],
      lines: 0,
      damaged: false,
      needsBreak: false,
      warned: false,
    };
    let text = '';
    try {
      text = await readTail(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // No file yet (or no folder for it): an empty history, nothing to say.
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        state.damaged = true;
        state.warned = true;
        options.warn?.(
          `could not read the prompt history ${file} (${code ?? String(error)}); Up shows nothing older`,
        );
      }
    }
    state.needsBreak = text !== '' && !text.endsWith('\n');
    const lines = text.split('\n').filter((line) => line.trim() !== '');
    let bad = 0;
    lines.forEach((line, i) => {
      const entry = parseLine(line);
      // A cut last line is what a crash mid-write leaves: dropped without a word.
      if (entry === undefined && !(state.needsBreak && i === lines.length - 1)) bad++;
      else if (entry !== undefined && entry !== state.entries[state.entries.length - 1]) {
        state.entries.push(entry);
      }
    });
    state.lines = lines.length;
    if (bad > 0) {
      state.damaged = true;
      options.warn?.(
        `the prompt history ${file} has ${bad} damaged ${bad === 1 ? 'line' : 'lines'}, skipped; delete the file to start it over`,
      );
    }
    return new PromptHistory(file, options, state);
  }

  /** Oldest first. */
  get entries(): readonly string[] {
    return this.#entries;
  }

  /**
   * Keeps `text` (unless blank, too long, or the same as the last entry) and saves it. Resolves
   * once written; never rejects (a failure is told to `warn` once).
   */
  add(text: string): Promise<void> {
    if (text.trim() === '' || text.length > this.#maxEntryChars) return this.#writing;
    if (this.#entries[this.#entries.length - 1] === text) return this.#writing;
    this.#entries.push(text);
    if (this.#entries.length > this.#limit)
      this.#entries.splice(0, this.#entries.length - this.#limit);
    const line = JSON.stringify({ text, time: new Date().toISOString() });
    this.#writing = this.#writing
      .then(() => this.#save(line))
      .catch((error: unknown) => this.#failed(error));
    return this.#writing;
  }

  async #save(line: string): Promise<void> {
    await mkdir(join(this.file, '..'), { recursive: true, mode: 0o700 });
    // Rewritten now and then, so the file stays near `limit` lines; appended to otherwise.
    if (!this.#damaged && this.#lines + 1 > this.#limit + Math.max(50, this.#limit / 2)) {
      await this.#rewrite();
      return;
    }
    const handle = await open(this.file, 'a', 0o600);
    try {
      await handle.writeFile(`${this.#needsBreak ? '\n' : ''}${line}\n`);
      // A file made by an older version, or copied in, may be readable by others.
      await handle.chmod(0o600);
    } finally {
      await handle.close();
    }
    this.#needsBreak = false;
    this.#lines++;
  }

  /** The newest `limit` entries, written to a new file that replaces the old in one step. */
  async #rewrite(): Promise<void> {
    const temporary = `${this.file}.${process.pid}.tmp`;
    const time = new Date().toISOString();
    const body = this.#entries.map((text) => `${JSON.stringify({ text, time })}\n`).join('');
    try {
      await writeFile(temporary, body, { mode: 0o600 });
      await chmod(temporary, 0o600);
      await rename(temporary, this.file);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    this.#needsBreak = false;
    this.#lines = this.#entries.length;
  }

  #failed(error: unknown): void {
    if (this.#warned) return;
    this.#warned = true;
    const code =
      (error as NodeJS.ErrnoException).code ??
      (error instanceof Error ? error.message : String(error));
    this.#warn(
      `could not save the prompt history to ${this.file} (${code}); prompts are not kept for next time`,
    );
  }
}

/** The file's text, or its last `maxReadBytes` from the first whole line on. */
async function readTail(file: string): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, maxReadBytes);
    const buffer = Buffer.alloc(length);
    const { bytesRead } = await handle.read(buffer, 0, length, size - length);
    const text = buffer.subarray(0, bytesRead).toString('utf8');
    return size > length ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}
