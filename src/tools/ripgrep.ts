import { spawn } from 'node:child_process';
import { accessSync, constants, realpathSync, statSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { isWithin } from './workspace.js';

/** Options of {@link findRipgrep}. */
export interface FindRipgrepOptions {
  /** Its `PATH` is searched. @default process.env */
  env?: NodeJS.ProcessEnv | undefined;
  /** An `rg` inside it is never used: a repository must not choose the program that runs. */
  workspaceRoot: string;
}

/**
 * The real path of the `rg` program on `PATH`, or undefined. Relative `PATH` entries are skipped
 * (they would depend on the working folder), and so is an `rg` inside the workspace.
 */
export function findRipgrep(options: FindRipgrepOptions): string | undefined {
  const { env = process.env, workspaceRoot } = options;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, 'rg');
    try {
      accessSync(candidate, constants.X_OK);
      const real = realpathSync.native(candidate);
      if (!statSync(real).isFile() || isWithin(workspaceRoot, real)) continue;
      return real;
    } catch {
      // Not there, or not a program: on to the next folder.
    }
  }
  return undefined;
}

/** What a search walks: the same choices for `rg` and for the JavaScript walk. */
export interface WalkChoices {
  /** Read `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude`. */
  ignoreFiles: boolean;
  /** Folder names never entered below the folder searched (`.git`, `node_modules`). */
  skipDirs: readonly string[];
  /** Larger files are left out. @default every size */
  maxFileBytes?: number | undefined;
}

/**
 * The options every `rg` run of the tools starts with. Confined and predictable: no config file
 * from the environment (`--no-config`), symlinks not followed (no `--follow`), no preprocessor,
 * no global gitignore, no transcoding (a file is searched as its bytes, as the JavaScript walk
 * reads it), hidden files searched, folders in `skipDirs` never entered.
 */
export function ripgrepWalkArgs(choices: WalkChoices): string[] {
  const args = [
    '--no-config',
    '--hidden',
    '--no-ignore-global',
    '--encoding=none',
    '--no-messages',
  ];
  if (choices.maxFileBytes !== undefined) args.push(`--max-filesize=${choices.maxFileBytes}`);
  if (!choices.ignoreFiles) args.push('--no-ignore');
  for (const name of choices.skipDirs) args.push(`--glob=!${escapeGlobLiteral(name)}/`);
  return args;
}

function escapeGlobLiteral(name: string): string {
  return name.replace(/[\\*?[\]{}!,]/g, '\\$&');
}

/** Options of {@link runRipgrep}. */
export interface RunRipgrepOptions {
  /** The program (see {@link findRipgrep}). */
  rg: string;
  args: readonly string[];
  /** Its working folder: the workspace root. */
  cwd: string;
  /** Aborting it kills `rg` at once; the run rejects with the signal's reason once it is gone. */
  signal: AbortSignal;
  /** Called with each record of the output: the bytes before each NUL byte. */
  onRecord: (record: Buffer) => void;
  /** More output than this kills `rg`, and the run resolves with `overflow: true`. */
  maxOutputBytes: number;
}

/** How an `rg` run ended. */
export interface RipgrepExit {
  /** Its exit code: 0 found, 1 found nothing, 2 an error (maybe with results). */
  code: number | null;
  /** What followed the last NUL byte of the output (`--stats` prints its summary there). */
  tail: string;
  /** The start of what it wrote to stderr. */
  stderr: string;
  /** True when it wrote more than `maxOutputBytes` and was killed. */
  overflow: boolean;
}

const maxStderrBytes = 4096;

/**
 * Runs `rg` with its output streamed to `onRecord` (records separated by NUL bytes, as `--null`
 * writes them) in bounded memory: only the current record and the tail are held. `rg` gets an
 * empty environment and no input. It is killed when the signal aborts (a timeout, a cancel)
 * and the promise settles only once the process is gone.
 */
export function runRipgrep(options: RunRipgrepOptions): Promise<RipgrepExit> {
  const { rg, args, cwd, signal, onRecord, maxOutputBytes } = options;
  signal.throwIfAborted();
  return new Promise((resolve, reject) => {
    const child = spawn(rg, args, { cwd, env: {}, stdio: ['ignore', 'pipe', 'pipe'] });
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let total = 0;
    let overflow = false;
    let stderr = '';
    let spawnError: Error | undefined;
    const kill = () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => {
      if (overflow) return;
      total += chunk.length;
      if (total > maxOutputBytes) {
        overflow = true;
        kill();
        return;
      }
      let start = 0;
      for (let nul = chunk.indexOf(0); nul !== -1; nul = chunk.indexOf(0, start)) {
        const piece = chunk.subarray(start, nul);
        onRecord(pendingBytes === 0 ? piece : Buffer.concat([...pending, piece]));
        pending = [];
        pendingBytes = 0;
        start = nul + 1;
      }
      if (start < chunk.length) {
        pending.push(chunk.subarray(start));
        pendingBytes += chunk.length - start;
      }
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < maxStderrBytes) stderr += chunk.toString('utf8').slice(0, maxStderrBytes);
    });
    child.on('error', (error) => {
      spawnError = error;
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', onAbort);
      if (signal.aborted) {
        reject(signal.reason);
      } else if (spawnError) {
        reject(spawnError);
      } else {
        const tail = Buffer.concat(pending).toString('utf8');
        resolve({ code, tail, stderr: stderr.trim(), overflow });
      }
    });
  });
}

/**
 * Compares two `/`-separated relative paths in the order the JavaScript walk meets files: each
 * folder's entries by name (UTF-16 order), depth first. That is the order of the paths' code
 * units with `/` below every other character (a name is never empty and never holds NUL).
 */
export function compareWalkOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    if (x === 0x2f) return -1;
    if (y === 0x2f) return 1;
    return x - y;
  }
  return a.length - b.length;
}
