import { closeSync, fstatSync, readFileSync, readSync } from 'node:fs';
import { compileGlob } from './glob-pattern.js';
import { createMatcher, type FileMatches, matchLines } from './grep-match.js';
import { IgnoreRules } from './ignore-rules.js';
import { openRegularFile, openWalkedFile } from './open-file.js';
import { walkFiles } from './walk.js';
import { createWorkspace } from './workspace.js';

/** What to search: plain data, so that it can go to a worker thread. */
export interface GrepJob {
  /** The workspace root (real path). */
  root: string;
  /** The file or folder searched (real path, inside the root). */
  target: string;
  /** Whether `target` is a folder, walked, or a file. */
  isDir: boolean;
  pattern: string;
  ignoreCase: boolean;
  /** Only files whose path (relative to `target`) matches; without `/`, the name at any depth. */
  glob: string | undefined;
  /** Lines of context before and after each match. */
  context: number;
  /** Stop after this many matching lines. */
  max: number;
  /** Larger files are skipped. */
  maxFileBytes: number;
  /** Leave out what `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude` leave out. */
  ignoreFiles: boolean;
  /** Folder names never entered below `target`. */
  skipDirs: readonly string[];
  /**
   * Search these files (absolute paths, in walk order) instead of walking `target`: the files
   * ripgrep found. Each is opened as safely as a file the walk meets, and searched the same way.
   */
  candidates?: readonly string[] | undefined;
  /**
   * Give up on a walk that meets more files than this before it is done or has found `max`
   * lines: the result says `unfinished`, and another search (ripgrep) can take over.
   * @default every file
   */
  budgetFiles?: number | undefined;
}

/** What a search found. */
export interface GrepFound {
  /** Files with matches, in walk order; paths relative to the root. */
  results: { path: string; file: FileMatches }[];
  /** Files searched: binary files count, files over the size limit do not. */
  searched: number;
  /** True when the search stopped at `max` matching lines. */
  capped: boolean;
  /** True when the walk gave up at `budgetFiles` files: the results are not the answer. */
  unfinished?: boolean;
}

/** Options of {@link searchFiles} besides the job. */
export interface SearchFilesOptions {
  /** Checked between files: the search throws its reason. @default undefined */
  signal?: AbortSignal | undefined;
  /** Called with each folder's path once it is listed, before anything in it is read. */
  onListed?: ((folder: string) => unknown) | undefined;
}

/**
 * Files are read synchronously, in slices of at most this many milliseconds, and the event loop
 * gets a turn between slices (other calls, timers, aborts). On local disks a synchronous read of
 * a small file costs a fraction of an asynchronous one (6 µs against 30-40 µs a file here).
 */
const sliceMs = 4;
/** A file open to search, and its size when it was looked at. */
type Opened = { fd: number; size: number | undefined };

/** Most files fit: one read each, into a buffer reused for the whole search. */
const scratchBytes = 64 * 1024;

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * grep's search in JavaScript: walks the target, reads each file and matches its lines. It
 * yields to the event loop between files, but matching one file takes as long as the pattern
 * takes: only a pattern that cannot backtrack (`isLinearPattern`) may run on the main thread;
 * run the others in a worker (grep-worker.ts), which can be terminated.
 */
export async function searchFiles(
  job: GrepJob,
  options: SearchFilesOptions = {},
): Promise<GrepFound> {
  const { signal, onListed } = options;
  signal?.throwIfAborted();
  const workspace = createWorkspace({ root: job.root });
  const matcher = createMatcher(job.pattern, job.ignoreCase);
  const filter = job.glob ? compileGlob({ pattern: job.glob, matchBase: true }).regex : undefined;
  const scratch = Buffer.allocUnsafe(scratchBytes);
  const found: GrepFound = { results: [], searched: 0, capped: false };
  let matched = 0;
  /** Searches one file; true once `max` matching lines are found. */
  const search = (path: string, open: () => Opened): boolean => {
    const bytes = readForSearch(open, scratch, job.maxFileBytes);
    if (bytes === 'unreadable' || bytes === 'large') return false;
    found.searched++;
    // Binary: a NUL byte anywhere, as ripgrep tells (it stops reading at the first one).
    if (bytes.includes(0)) return false;
    const text = bytes.toString('utf8');
    const file = matchLines({ text, matcher, context: job.context, limit: job.max - matched });
    if (file.matches === 0) return false;
    found.results.push({ path: workspace.relative(path), file });
    matched += file.matches;
    found.capped = matched >= job.max;
    return found.capped;
  };
  if (!job.isDir) {
    search(job.target, () => openRegularFile({ workspace, path: job.target }));
    return found;
  }
  let sliceStart = performance.now();
  const yieldNow = async () => {
    if (performance.now() - sliceStart > sliceMs) {
      await nextTick();
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  };
  if (job.candidates) {
    const prefix = `${job.target}/`;
    for (const path of job.candidates) {
      if (!path.startsWith(prefix)) continue;
      if (filter && !filter.test(path.slice(prefix.length))) continue;
      await yieldNow();
      if (search(path, () => openRegularFile({ workspace, path }))) break;
    }
    signal?.throwIfAborted();
    return found;
  }
  const walk = walkFiles({
    dir: job.target,
    signal,
    onListed,
    skipDirs: new Set(job.skipDirs),
    ignoreRules: job.ignoreFiles
      ? IgnoreRules.forTarget({ target: job.target, cwd: job.root })
      : undefined,
  });
  const budget = job.budgetFiles ?? Number.POSITIVE_INFINITY;
  let walked = 0;
  for await (const entry of walk) {
    if (entry.kind !== 'file') continue;
    if (walked++ === budget) {
      found.unfinished = true;
      break;
    }
    if (filter && !filter.test(entry.relative)) continue;
    await yieldNow();
    if (search(entry.path, () => openWalkedFile(workspace, entry))) break;
  }
  signal?.throwIfAborted();
  return found;
}

/**
 * A file's bytes, or why it is left out. The result may be a view of `scratch`: use it before the
 * next call. Never blocks, and never reads outside the workspace (see `open-file.ts`).
 */
function readForSearch(
  open: () => Opened,
  scratch: Buffer,
  maxFileBytes: number,
): Buffer | 'large' | 'unreadable' {
  let opened: Opened;
  try {
    opened = open();
  } catch {
    // Vanished, not readable, not a regular file, or swapped to lead out: left out, not fatal.
    return 'unreadable';
  }
  const { fd, size } = opened;
  try {
    if (size !== undefined && size > maxFileBytes) return 'large';
    const read = readSync(fd, scratch, 0, scratch.length, 0);
    if (read < scratch.length) return scratch.subarray(0, read);
    // A large file: its size, and what it is (a device swapped in would read on for good).
    const info = fstatSync(fd);
    if (!info.isFile()) return 'unreadable';
    if (info.size > maxFileBytes) return 'large';
    return readFileSync(fd);
  } catch {
    return 'unreadable';
  } finally {
    closeSync(fd);
  }
}
