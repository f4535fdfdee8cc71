import { compareWalkOrder, ripgrepWalkArgs, runRipgrep, type WalkChoices } from './ripgrep.js';

/** Options of {@link Ripgrep}. */
export interface RipgrepOptions {
  /**
   * ripgrep's output is a path per file; more than this and it is stopped, and the search goes
   * on without it. @default 64 MiB (about a million paths)
   */
  maxOutputBytes?: number;
}

/** Where a search runs and what it walks. */
export interface RipgrepWalk {
  /** The working folder: the workspace root (a relative `gitdir:` is resolved there). */
  cwd: string;
  /** The folder searched: absolute, symlinks resolved. */
  target: string;
  choices: WalkChoices;
  /**
   * Only files whose name matches this glob (ripgrep's `--type-add`, which keeps ignore rules,
   * unlike `--glob`); see {@link typeGlob}. @default every file
   */
  nameGlob?: string | undefined;
  signal: AbortSignal;
}

/** Files found, relative to the folder searched, in the JavaScript walk's order. */
export interface RipgrepListing {
  files: string[];
  /** `rg --stats`: files searched (binary ones too, not those over the size limit). */
  searched: number | undefined;
}

/**
 * The `rg` program of a set of tools, or none. A run that cannot serve a search returns
 * undefined and the tool searches without it; a program that fails to start, or refuses its
 * options (too old), is not tried again.
 */
export class Ripgrep {
  #path: string | undefined;
  readonly #maxOutputBytes: number;

  constructor(path: string | undefined, options: RipgrepOptions = {}) {
    this.#path = path;
    this.#maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  }

  /** True while there is a program to try. */
  get available(): boolean {
    return this.#path !== undefined;
  }

  /**
   * The files under `walk.target` with a line matching `pattern` (ripgrep's syntax), or
   * undefined when ripgrep cannot tell (the pattern does not compile in ripgrep, too much output).
   */
  filesWithMatches(walk: RipgrepWalk, pattern: string): Promise<RipgrepListing | undefined> {
    return this.#list(walk, ['--files-with-matches', '--stats', '--regexp', pattern]);
  }

  /** Every file under `walk.target` a search would read. */
  files(walk: RipgrepWalk): Promise<RipgrepListing | undefined> {
    return this.#list(walk, ['--files']);
  }

  async #list(walk: RipgrepWalk, mode: readonly string[]): Promise<RipgrepListing | undefined> {
    const rg = this.#path;
    if (rg === undefined) return undefined;
    const { cwd, target, choices, nameGlob, signal } = walk;
    const args = [...ripgrepWalkArgs(choices), '--null'];
    if (nameGlob !== undefined) args.push(`--type-add=salvo:${nameGlob}`, '--type=salvo');
    args.push(...mode, '--', target);
    const prefix = `${target}/`;
    const files: string[] = [];
    let exit: Awaited<ReturnType<typeof runRipgrep>>;
    try {
      exit = await runRipgrep({
        rg,
        args,
        cwd,
        signal,
        maxOutputBytes: this.#maxOutputBytes,
        onRecord: (record) => {
          // A name that is not UTF-8 reads as the JavaScript walk reads it (and cannot open it).
          const path = record.toString('utf8');
          if (path.startsWith(prefix)) files.push(path.slice(prefix.length));
        },
      });
    } catch (error) {
      if (signal.aborted) throw error;
      this.#path = undefined; // it does not start
      return undefined;
    }
    if (exit.overflow) return undefined;
    const stats = /(\d+) files? searched/.exec(exit.tail);
    if (exit.code === 2 && files.length === 0 && !stats) {
      // Nothing ran: a pattern ripgrep refuses, a folder gone, or options it does not know (a
      // version too old), which would fail every time.
      if (/argument|flag|option|usage/i.test(exit.stderr)) this.#path = undefined;
      return undefined;
    }
    files.sort(compareWalkOrder);
    return { files, searched: stats ? Number(stats[1]) : undefined };
  }
}

/**
 * The glob as a ripgrep file type, when both read it the same way: a name only (no `/`), of
 * letters, digits, `.`, `_`, `-`, `*`, `?` and `{a,b}` alternatives (not nested, with a comma).
 * Else undefined: the caller filters ripgrep's files itself.
 */
export function typeGlob(glob: string): string | undefined {
  if (!/^[A-Za-z0-9._*?{},-]+$/.test(glob)) return undefined;
  let open = false;
  let comma = false;
  for (const c of glob) {
    if (c === '{') {
      if (open) return undefined;
      open = true;
      comma = false;
    } else if (c === '}') {
      if (!open || !comma) return undefined;
      open = false;
    } else if (c === ',') {
      if (!open) return undefined;
      comma = true;
    }
  }
  return open ? undefined : glob;
}
