import type { Dirent } from 'node:fs';
import { readdir, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { type HeldFolder, holdFolder } from './held-folder.js';
import type { IgnoreRules } from './ignore-rules.js';

/** Folders the search tools do not enter unless asked. */
export const defaultSkipDirs: ReadonlySet<string> = new Set(['.git', 'node_modules']);

/** Options of {@link walkFiles}. */
export interface WalkFilesOptions {
  /** The folder to walk (absolute). */
  dir: string;
  /** Folder names never entered (at any depth below `dir`). @default {@link defaultSkipDirs} */
  skipDirs?: ReadonlySet<string>;
  /**
   * The ignore rules above `dir` (see {@link IgnoreRules.forTarget}): the walk adds each
   * folder's own ignore files and leaves out what the rules leave out. `dir` itself is always
   * walked. @default undefined: no ignore files are read
   */
  ignoreRules?: IgnoreRules | undefined;
  /** Stops the walk: the generator throws the signal's reason. @default undefined */
  signal?: AbortSignal | undefined;
  /**
   * Called with each folder's absolute path once it is listed and held open, before its
   * subfolders are listed and its files yielded; the walk waits for it. A seam for tests of
   * races (a folder swapped for a symlink). @default undefined
   */
  onListed?: ((folder: string) => unknown) | undefined;
}

/** A file met by {@link walkFiles}. */
export interface WalkEntry {
  /** Absolute path. */
  path: string;
  /** Relative to the walked folder, `/`-separated. */
  relative: string;
  /** Symlinks are reported, never followed (so a walk cannot leave the tree or loop). */
  kind: 'file' | 'symlink';
  /**
   * The path to open the file by, valid until the walk goes on: through its folder, held open by
   * the walk (see {@link HeldFolder}), or its path when the system cannot hold folders.
   */
  open: string;
  /**
   * True when `open` goes through the held folder, so no swap of a folder on the path can
   * redirect it. False: check where the file opened really is.
   */
  pinned: boolean;
}

/**
 * Subfolders of a folder whose listings are read ahead. Each keeps its folder open until the walk
 * is done with it, so a walk holds at most this many plus one folders open per level.
 */
const maxAhead = 4;

/** A folder's entries, and the folder, held open until the walk is done with it. */
interface Listing {
  entries: Dirent[];
  folder: HeldFolder;
}

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/**
 * A folder's entries in name order, or undefined when the folder is not at `real`, where the walk
 * expects it: the walk follows no symlink, so a folder elsewhere was swapped for a symlink after
 * its parent was listed, and what it lists (maybe outside the workspace) is left out.
 */
function listing(dir: string, real: string): Promise<Listing | undefined> {
  const promise = (async () => {
    const folder = holdFolder(dir, real);
    if (!folder) return undefined;
    try {
      const entries = await readdir(folder.via, { withFileTypes: true });
      // Not pinned, the folder was read by its path, which a swap may have redirected meanwhile.
      if (!folder.pinned && (await realpath(dir)) !== real) throw new Error('swapped');
      return { entries: entries.sort(byName), folder };
    } catch {
      folder.close();
      return undefined;
    }
  })();
  // Listings read ahead may never be awaited when the walk stops early: never unhandled.
  promise.catch(() => {});
  return promise;
}

/** Closes the folder of a listing read ahead that the walk will not use. */
function drop(ahead: Promise<Listing | undefined>): void {
  ahead.then((listed) => listed?.folder.close());
}

/**
 * Yields the files under a folder, depth first, each folder's entries in name order, so the
 * order is the same on every run. The listings of a folder's next subfolders are read ahead
 * while its files are handled. Folders that vanish or cannot be read are skipped, and so are
 * folders swapped for a symlink after they were seen: every folder is listed, and its files are
 * to be opened, through the folder held open (see {@link WalkEntry.open}).
 */
export async function* walkFiles(options: WalkFilesOptions): AsyncGenerator<WalkEntry> {
  let real: string;
  try {
    real = await realpath(options.dir);
  } catch {
    return;
  }
  yield* walkFolder(
    options,
    options.dir,
    real,
    '',
    listing(options.dir, real),
    options.ignoreRules,
  );
}

async function* walkFolder(
  options: WalkFilesOptions,
  dir: string,
  real: string,
  relative: string,
  listed: Promise<Listing | undefined>,
  rulesAbove: IgnoreRules | undefined,
): AsyncGenerator<WalkEntry> {
  const { skipDirs = defaultSkipDirs, signal, onListed } = options;
  const ahead = new Map<string, Promise<Listing | undefined>>();
  const { entries, folder } = (await listed) ?? {};
  if (!entries || !folder) return; // gone, unreadable, or swapped
  try {
    signal?.throwIfAborted();
    if (onListed) await onListed(dir);
    // The folder's own ignore files, read through the folder held open.
    const rules = rulesAbove?.child({
      dir,
      via: folder.via,
      names: new Set(entries.map((e) => e.name)),
    });
    const left = (entry: Dirent) =>
      rules?.excludes(join(dir, entry.name), entry.isDirectory()) ?? false;
    const subfolders = entries.filter((e) => e.isDirectory() && !skipDirs.has(e.name) && !left(e));
    let next = 0;
    const readAhead = () => {
      for (; next < subfolders.length && ahead.size < maxAhead; next++) {
        const { name } = subfolders[next] as Dirent;
        ahead.set(name, listing(join(dir, name), join(real, name)));
      }
    };
    readAhead();
    for (const entry of entries) {
      signal?.throwIfAborted();
      const path = join(dir, entry.name);
      const rel = relative === '' ? entry.name : `${relative}/${entry.name}`;
      const sub = ahead.get(entry.name);
      if (sub) {
        ahead.delete(entry.name);
        readAhead();
        yield* walkFolder(options, path, join(real, entry.name), rel, sub, rules);
      } else if ((entry.isFile() || entry.isSymbolicLink()) && !left(entry)) {
        const kind = entry.isFile() ? 'file' : 'symlink';
        const open = `${folder.via}/${entry.name}`;
        yield { path, relative: rel, kind, open, pinned: folder.pinned };
      }
    }
  } finally {
    folder.close();
    for (const rest of ahead.values()) drop(rest);
  }
}
