import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Folders the search tools do not enter unless asked. */
export const defaultSkipDirs: ReadonlySet<string> = new Set(['.git', 'node_modules']);

/** Options of {@link walkFiles}. */
export interface WalkFilesOptions {
  /** The folder to walk (absolute). */
  dir: string;
  /** Folder names never entered (at any depth below `dir`). @default {@link defaultSkipDirs} */
  skipDirs?: ReadonlySet<string>;
  /** Stops the walk: the generator throws the signal's reason. @default undefined */
  signal?: AbortSignal | undefined;
}

/** A file met by {@link walkFiles}. */
export interface WalkEntry {
  /** Absolute path. */
  path: string;
  /** Relative to the walked folder, `/`-separated. */
  relative: string;
  /** Symlinks are reported, never followed (so a walk cannot leave the tree or loop). */
  kind: 'file' | 'symlink';
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function listing(dir: string): Promise<Dirent[]> {
  const promise = readdir(dir, { withFileTypes: true }).then((entries) => entries.sort(byName));
  // Prefetched listings may never be awaited when the walk stops early: never unhandled.
  promise.catch(() => {});
  return promise;
}

/**
 * Yields the files under a folder, depth first, each folder's entries in name order, so the
 * order is the same on every run. The listings of a folder's subfolders are read ahead while its
 * files are handled. Folders that vanish or cannot be read are skipped.
 */
export async function* walkFiles(options: WalkFilesOptions): AsyncGenerator<WalkEntry> {
  const { dir, skipDirs = defaultSkipDirs, signal } = options;
  yield* walkFolder(dir, '', listing(dir), skipDirs, signal);
}

async function* walkFolder(
  dir: string,
  relative: string,
  entries: Promise<Dirent[]>,
  skipDirs: ReadonlySet<string>,
  signal: AbortSignal | undefined,
): AsyncGenerator<WalkEntry> {
  signal?.throwIfAborted();
  let list: Dirent[];
  try {
    list = await entries;
  } catch {
    return;
  }
  const ahead = new Map<string, Promise<Dirent[]>>();
  for (const entry of list) {
    if (entry.isDirectory() && !skipDirs.has(entry.name)) {
      ahead.set(entry.name, listing(join(dir, entry.name)));
    }
  }
  for (const entry of list) {
    signal?.throwIfAborted();
    const path = join(dir, entry.name);
    const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
    const sub = ahead.get(entry.name);
    if (sub) {
      yield* walkFolder(path, rel, sub, skipDirs, signal);
    } else if (entry.isFile()) {
      yield { path, relative: rel, kind: 'file' };
    } else if (entry.isSymbolicLink()) {
      yield { path, relative: rel, kind: 'symlink' };
    }
  }
}
