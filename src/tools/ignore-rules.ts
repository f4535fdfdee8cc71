import { closeSync, constants, fstatSync, openSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import ignore, { type Ignore } from 'ignore';

/**
 * The ignore files of a folder, in ripgrep's order of precedence, lowest first: a rule of a later
 * kind wins over any rule of an earlier kind, and within a kind a deeper folder's rule wins.
 */
const kinds = ['exclude', 'gitignore', 'ignore', 'rgignore'] as const;
type Kind = (typeof kinds)[number];

/** The file each kind is read from, in its folder (`exclude` is found through `.git`). */
const fileNames = { gitignore: '.gitignore', ignore: '.ignore', rgignore: '.rgignore' } as const;

/** Larger ignore files are left out rather than read into memory. */
const maxIgnoreFileBytes = 10 * 1024 * 1024;

/** Non-blocking: an ignore file that is a named pipe must not hang the walk. */
const readFlags = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** One folder on the way from `/` to a folder walked: what it adds to the rules. */
interface Level {
  /** Whether the folder has a `.git` (a folder, a file or a link to either). */
  hasGit: boolean;
  /** Its rules of each kind, written for `ignore` relative to `/`. */
  rules: Record<Kind, readonly string[]>;
}

/** Where to look for the files of one folder. */
interface FolderFiles {
  /** The folder's absolute path. */
  dir: string;
  /** The path to open its entries by (a held folder), else `dir`. */
  via: string;
  /** Its entry names when listed; undefined: look each file up. */
  names?: ReadonlySet<string> | undefined;
}

/** Options of {@link IgnoreRules.forTarget}. */
export interface IgnoreRulesOptions {
  /** The folder walked: absolute, with its symlinks resolved. */
  target: string;
  /**
   * Where a relative `gitdir:` in a `.git` file is resolved from: ripgrep resolves it from its
   * working folder, which the tools set to the workspace root.
   */
  cwd: string;
}

/**
 * What `.gitignore`, `.ignore`, `.rgignore` and `.git/info/exclude` leave out of a walk, decided
 * the way ripgrep 13 decides it, so that the search tools return the same files with or without
 * ripgrep:
 * - the folder walked is always walked, even when a rule matches it; rules are tested on what
 *   is below it, each against the entry's own path (a folder left out is not entered);
 * - the rules of every folder from `/` down to an entry's folder apply, relative to their folder;
 * - `.gitignore` and `.git/info/exclude` apply only inside a git repository (a folder with
 *   `.git`), and only from the nearest such folder down (a nested repository starts afresh);
 * - precedence: `.rgignore` over `.ignore` over `.gitignore` over `exclude`; within a kind, the
 *   deeper folder; within a file, the last matching line; `!` lines let an entry back in;
 * - lines follow ripgrep's glob syntax: `{a,b}` alternatives are expanded, and a line ripgrep
 *   refuses (an unclosed `[` or `{`) is left out.
 *
 * The patterns are matched by the `ignore` package. Each folder's rules are rewritten relative
 * to `/` and stacked in the order of precedence in one matcher, so that `ignore`'s own rule (a
 * path inside a left-out folder is left out) agrees with the walk's decisions.
 */
export class IgnoreRules {
  readonly #levels: readonly Level[];
  /** `!` rules that keep the walked folder and the folders above it: they are never tested. */
  readonly #keepTarget: readonly string[];
  readonly #cwd: string;
  /** Built on first use; shared with the folders below that add no rules. */
  readonly #matcher: { built?: Ignore };

  private constructor(
    levels: readonly Level[],
    keepTarget: readonly string[],
    cwd: string,
    matcher: { built?: Ignore } = {},
  ) {
    this.#levels = levels;
    this.#keepTarget = keepTarget;
    this.#cwd = cwd;
    this.#matcher = matcher;
  }

  /** The rules above a walked folder: those of the folders from `/` down to its parent. */
  static forTarget(options: IgnoreRulesOptions): IgnoreRules {
    const { target, cwd } = options;
    const folders: string[] = [];
    for (let dir = dirname(target); ; dir = dirname(dir)) {
      folders.unshift(dir);
      if (dirname(dir) === dir) break;
    }
    const levels = folders.map((dir) => readLevel({ dir, via: dir }, cwd));
    const keepTarget = [...folders.slice(1), target].map(
      (dir) => `!/${escapeGlob(relativeToRoot(dir))}/`,
    );
    return new IgnoreRules(levels, keepTarget, cwd);
  }

  /**
   * The rules for the entries of a folder listed by the walk (the walked folder itself, or one
   * below it that was not left out): these rules, and the folder's own ignore files.
   */
  child(folder: FolderFiles): IgnoreRules {
    const level = readLevel(folder, this.#cwd);
    const levels = [...this.#levels, level];
    // Nothing new: the same rules apply, through the same matcher and its cache.
    const same = !level.hasGit && kinds.every((k) => level.rules[k].length === 0);
    return new IgnoreRules(levels, this.#keepTarget, this.#cwd, same ? this.#matcher : {});
  }

  /** Whether an entry of the folder these rules are for is left out. `path` is absolute. */
  excludes(path: string, isDir: boolean): boolean {
    this.#matcher.built ??= this.#build();
    const relative = relativeToRoot(path);
    return this.#matcher.built.ignores(isDir ? `${relative}/` : relative);
  }

  #build(): Ignore {
    const levels = this.#levels;
    // `.gitignore` and `exclude` count only inside a repository, from the nearest `.git` down.
    const inRepo = levels.some((l) => l.hasGit);
    const repoTop = levels.findLastIndex((l) => l.hasGit);
    const matcher = ignore({ ignorecase: false });
    for (const kind of kinds) {
      const git = kind === 'exclude' || kind === 'gitignore';
      if (git && !inRepo) continue;
      for (const [index, level] of levels.entries()) {
        if (git && index < repoTop) continue;
        if (level.rules[kind].length > 0) matcher.add(level.rules[kind]);
      }
    }
    matcher.add(this.#keepTarget);
    return matcher;
  }
}

/** Reads what one folder adds to the rules. Unreadable files add nothing. */
function readLevel(folder: FolderFiles, cwd: string): Level {
  const { dir, via, names } = folder;
  const prefix = relativeToRoot(dir);
  const rules = { exclude: [], gitignore: [], ignore: [], rgignore: [] } as Record<Kind, string[]>;
  for (const kind of ['gitignore', 'ignore', 'rgignore'] as const) {
    const name = fileNames[kind];
    if (names && !names.has(name)) continue;
    const text = readIgnoreFile(join(via, name));
    if (text !== undefined) rules[kind] = rebaseLines(text, prefix);
  }
  let gitType: 'dir' | 'file' | undefined;
  if (!names || names.has('.git')) {
    try {
      // Followed like ripgrep follows it: a link to a repository is a repository.
      const info = statSync(join(via, '.git'));
      gitType = info.isFile() ? 'file' : 'dir';
    } catch {
      gitType = undefined;
    }
  }
  if (gitType) {
    const common = gitCommonDir(join(via, '.git'), gitType, cwd);
    const text = common === undefined ? undefined : readIgnoreFile(join(common, 'info/exclude'));
    if (text !== undefined) rules.exclude = rebaseLines(text, prefix);
  }
  return { hasGit: gitType !== undefined, rules };
}

/**
 * Where a repository's shared files are, as ripgrep finds them: the `.git` folder, or for a
 * `.git` file (a worktree, a submodule) the `commondir` of the folder its `gitdir:` names; a
 * `.git` file without one has no exclude file.
 */
function gitCommonDir(dotGit: string, type: 'dir' | 'file', cwd: string): string | undefined {
  if (type === 'dir') return dotGit;
  const firstLine = (path: string) => readIgnoreFile(path)?.split(/\r?\n/, 1)[0];
  const line = firstLine(dotGit);
  if (!line?.startsWith('gitdir: ')) return undefined;
  const gitDir = resolve(cwd, line.slice('gitdir: '.length));
  const common = firstLine(join(gitDir, 'commondir'));
  if (common === undefined) return undefined;
  return common.startsWith('.') ? join(gitDir, common) : resolve(cwd, common);
}

/** A regular file's text, or undefined: missing, not a regular file, too large or unreadable. */
function readIgnoreFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, readFlags);
  } catch {
    return undefined;
  }
  try {
    const info = fstatSync(fd);
    if (!info.isFile() || info.size > maxIgnoreFileBytes) return undefined;
    return validUtf8Prefix(readFileSync(fd));
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** ripgrep stops reading an ignore file at its first line that is not valid UTF-8. */
function validUtf8Prefix(bytes: Buffer): string {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return decoder.decode(bytes);
  } catch {
    const lines: string[] = [];
    let start = 0;
    while (start <= bytes.length) {
      const end = bytes.indexOf(10, start);
      const line = bytes.subarray(start, end === -1 ? bytes.length : end);
      try {
        lines.push(decoder.decode(line));
      } catch {
        break;
      }
      if (end === -1) break;
      start = end + 1;
    }
    return lines.join('\n');
  }
}

/** `/a/b` -> `a/b`; `/` -> ``: paths as `ignore` takes them, relative to `/`. */
function relativeToRoot(path: string): string {
  return path.replace(/^\/+/, '');
}

/** A folder's path as a literal part of a pattern. */
function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]{}]/g, '\\$&');
}

/**
 * The lines of an ignore file in folder `prefix` (relative to `/`) as `ignore` patterns relative
 * to `/`, read as ripgrep's gitignore builder reads them.
 */
export function rebaseLines(text: string, prefix: string): string[] {
  const out: string[] = [];
  const base = prefix === '' ? '' : `${escapeGlob(prefix)}/`;
  for (const raw of text.split('\n')) {
    const rule = parseLine(raw.endsWith('\r') ? raw.slice(0, -1) : raw);
    if (!rule) continue;
    const alternatives = globAlternatives(rule.glob);
    if (!alternatives) continue;
    for (const glob of alternatives) {
      out.push(`${rule.negated ? '!' : ''}/${base}${glob}${rule.onlyDir ? '/' : ''}`);
    }
  }
  return out;
}

interface ParsedLine {
  glob: string;
  negated: boolean;
  onlyDir: boolean;
}

/** Rust's `trim_end`: Unicode White_Space (which, unlike JavaScript's `\s`, has U+0085, not U+FEFF). */
const whiteSpaceAtEnd =
  /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

/** One line as ripgrep's `GitignoreBuilder::add_line` reads it; undefined for none. */
function parseLine(line: string): ParsedLine | undefined {
  if (line.startsWith('#')) return undefined;
  let rest = line.endsWith('\\ ') ? line : line.replace(whiteSpaceAtEnd, '');
  if (rest === '') return undefined;
  let negated = false;
  let anchored = false;
  if (rest.startsWith('\\!') || rest.startsWith('\\#')) {
    rest = rest.slice(1);
    anchored = rest.startsWith('/');
  } else {
    if (rest.startsWith('!')) {
      negated = true;
      rest = rest.slice(1);
    }
    if (rest.startsWith('/')) {
      rest = rest.slice(1);
      anchored = true;
    }
  }
  let onlyDir = false;
  if (rest.endsWith('/')) {
    onlyDir = true;
    rest = rest.slice(0, -1);
  }
  let glob = rest;
  if (!anchored && !rest.includes('/') && !(glob.startsWith('**/') || glob === '**')) {
    glob = `**/${glob}`;
  }
  if (glob.endsWith('/**')) glob = `${glob}/*`;
  // Paths tested never start with `/`, and `ignore` would take `!` or `#` there as syntax.
  if (glob === '' || glob.startsWith('/')) return undefined;
  return { glob, negated, onlyDir };
}

/**
 * The `{a,b}` alternatives of a glob as ripgrep's globset reads it, expanded (`ignore` has no
 * braces), or undefined when globset refuses the glob: nested or unbalanced braces, an unclosed
 * or reversed `[...]` class, a trailing `\`. Inside a class every character is literal.
 */
export function globAlternatives(glob: string): string[] | undefined {
  const before: string[] = [''];
  let options: string[] | undefined; // inside `{...}`: its alternatives so far
  let current = '';
  const emit = (text: string) => {
    if (options) current += text;
    else for (let i = 0; i < before.length; i++) before[i] += text;
  };
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === '\\') {
      if (i + 1 >= glob.length) return undefined;
      emit(glob.slice(i, i + 2));
      i++;
    } else if (c === '[') {
      const end = classEnd(glob, i);
      if (end === undefined) return undefined;
      emit(classForIgnore(glob.slice(i, end + 1)));
      i = end;
    } else if (c === '{') {
      if (options) return undefined;
      options = [];
      current = '';
    } else if (c === '}') {
      if (!options) return undefined;
      options.push(current);
      const expanded: string[] = [];
      for (const head of before) for (const option of options) expanded.push(head + option);
      if (expanded.length > 256) return undefined;
      before.splice(0, before.length, ...expanded);
      options = undefined;
    } else if (c === ',' && options) {
      options.push(current);
      current = '';
    } else {
      emit(c);
    }
  }
  return options ? undefined : before;
}

/** Where the class starting at `open` ends (its `]`), as globset parses it; undefined: invalid. */
function classEnd(glob: string, open: number): number | undefined {
  let i = open + 1;
  if (glob[i] === '!' || glob[i] === '^') i++;
  let first = true;
  /** The start of the last range (a lone character is a range of one). */
  let start = '';
  let inRange = false;
  for (; i < glob.length; i++) {
    const c = glob[i] as string;
    if (c === ']' && !first) return i;
    if (c === '-' && !first && !inRange) {
      inRange = true;
    } else if (inRange) {
      if (c < start) return undefined;
      inRange = false;
    } else {
      start = c;
    }
    first = false;
  }
  return undefined;
}

/** A globset class written for `ignore`, where `\` escapes: globset takes `\` literally. */
function classForIgnore(cls: string): string {
  const negated = cls[1] === '!' || cls[1] === '^';
  const body = cls.slice(negated ? 2 : 1, -1);
  return `[${negated ? '!' : ''}${body.replace(/\\/g, '\\\\')}]`;
}
