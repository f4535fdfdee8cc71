import { isAbsolute, relative, resolve } from 'node:path';
import { type ShellWord, tokenizeShell } from './shell-tokenize.js';

/** Whether a command line is proven read-only, and if not, why not. */
export type ShellClassification =
  | {
      readOnly: true;
      /** False when every command of the line touches no file (`sleep`, `echo`): it claims nothing. */
      touchesFiles: boolean;
      /**
       * The folders git runs in (after `cd` and `-C`), absolute, when a `root` was given: the
       * repositories whose own config must be checked before git runs without asking.
       */
      gitFolders: string[];
      /** Path arguments, absolute, when a `root` was given: to check for symlinks that lead out. */
      paths: string[];
    }
  | { readOnly: false; reason: string };

/** Options of {@link classifyShellCommand}. */
export interface ShellClassifyOptions {
  /**
   * The workspace root the command runs in. With it, a command that names a path outside it
   * (`/etc/hostname`, `~/.ssh/id_rsa`, `../x`, `cd ..`, `git -C /other`) is not read-only.
   */
  root?: string;
}

/** Checks a command's arguments: a reason when they may write or run other programs. */
type ArgsCheck = (args: readonly ShellWord[]) => string | undefined;

interface Rule {
  /**
   * Refuse unquoted wildcards in the arguments: a file named like an option (`-delete`,
   * `--pre=sh`) would be expanded into one. Set for commands with options that write or run.
   */
  strict: boolean;
  check?: ArgsCheck;
}

/**
 * Every word that looks like an option, `--` or not: a `--` may be the value of an option
 * (`-e --`), and the options after it are options all the same. A file operand named like an
 * option after a real `--` is refused too: fail-closed.
 */
function optionsOf(args: readonly ShellWord[]): string[] {
  const out: string[] = [];
  for (const arg of args) {
    if (arg.value.startsWith('-') && arg.value !== '-' && arg.value !== '--') out.push(arg.value);
  }
  return out;
}

/**
 * Refuses short options whose letter is in `short` (in any cluster: `-rno`) and long options that
 * are a forbidden name, an abbreviation of one (GNU getopt accepts unambiguous prefixes), or start
 * with one.
 */
function forbid(command: string, short: string, long: readonly string[]): ArgsCheck {
  return (args) => {
    for (const option of optionsOf(args)) {
      if (option.startsWith('--')) {
        const name = option.slice(2).split('=')[0] as string;
        const hit = long.find((f) => name !== '' && (f.startsWith(name) || name.startsWith(f)));
        if (hit) return `\`${command} --${hit}\` writes files or runs programs`;
      } else {
        const letter = [...option.slice(1)].find((c) => short.includes(c));
        if (letter) return `\`${command} -${letter}\` writes files or runs programs`;
      }
    }
    return undefined;
  };
}

const findActions = new Set([
  // Follow symbolic links: a link in the workspace would lead the walk outside it.
  '-L',
  '-follow',
  '-exec',
  '-execdir',
  '-ok',
  '-okdir',
  '-delete',
  '-fprint',
  '-fprint0',
  '-fprintf',
  '-fls',
]);

const checkFind: ArgsCheck = (args) => {
  const action = args.find((a) => findActions.has(a.value));
  return action ? `\`find ${action.value}\` runs commands or changes files` : undefined;
};

const checkUniq: ArgsCheck = (args) => {
  // `uniq IN OUT` writes OUT. After `--` every word is an operand, `-x` included.
  let operands = 0;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const value = (args[i] as ShellWord).value;
    if (options && value === '--') options = false;
    else if (options && (value === '-f' || value === '-s' || value === '-w')) i++;
    else if (!options || !value.startsWith('-') || value === '-') operands++;
  }
  return operands > 1 ? '`uniq` with two file operands writes the second one' : undefined;
};

/** A sed command that only prints, deletes from the output, quits or substitutes (no `w`/`e`). */
function safeSedCommand(command: string): boolean {
  const body = command.trim().replace(/^(?:\d+|\$)(?:,(?:\d+|\$))?\s*/, '');
  if (/^[pdq=]?$/.test(body)) return true;
  if (body[0] !== 's' || body.length < 4) return false;
  const delimiter = body[1] as string;
  if (/[\s\\\w]/.test(delimiter)) return false;
  let i = 2;
  let parts = 0;
  while (i < body.length && parts < 2) {
    if (body[i] === '\\') i += 2;
    else if (body[i++] === delimiter) parts++;
  }
  return parts === 2 && /^[gpiI0-9]*$/.test(body.slice(i));
}

const checkSed: ArgsCheck = (args) => {
  const scripts: string[] = [];
  let operands = 0;
  for (let i = 0; i < args.length; i++) {
    const value = (args[i] as ShellWord).value;
    if (value === '--quiet' || value === '--silent' || value === '--regexp-extended') continue;
    if (value.startsWith('-') && value !== '-') {
      if (!/^-[nEr]*e?$/.test(value)) return `\`sed ${value}\` is not a known read-only option`;
      if (value.endsWith('e')) scripts.push((args[++i] as ShellWord | undefined)?.value ?? '');
      continue;
    }
    if (scripts.length === 0 && operands === 0) scripts.push(value);
    operands++;
  }
  const unsafe = scripts.flatMap((s) => s.split(/[;\n]/)).find((c) => !safeSedCommand(c));
  return unsafe === undefined ? undefined : `the sed command \`${unsafe.trim()}\` may write files`;
};

const gitGlobalFlags = new Set(['--no-pager', '-P', '--no-optional-locks', '--literal-pathspecs']);
const gitReadOnly = new Set([
  'status',
  'diff',
  'log',
  'show',
  'blame',
  'ls-files',
  'ls-tree',
  'rev-parse',
  'rev-list',
  'cat-file',
  'shortlog',
  'describe',
  'merge-base',
  'grep',
]);
const gitBranchFlags = new Set([
  '-a',
  '-r',
  '-v',
  '-vv',
  '--all',
  '--remotes',
  '--verbose',
  '--list',
  '--show-current',
  '--no-color',
  '--merged',
  '--no-merged',
]);
// Options that write a file, or run a program a repository's config names (textconv drivers,
// external diff, clean/smudge filters).
const gitOutputOptions = forbid('git', '', [
  'output',
  'open-files-in-pager',
  'ext-diff',
  'textconv',
  'filters',
  'recurse-submodules',
]);

const checkGit: ArgsCheck = (args) => {
  let i = 0;
  for (; i < args.length; i++) {
    const value = (args[i] as ShellWord).value;
    if (!value.startsWith('-')) break;
    if (value === '-C') i++;
    else if (value.startsWith('-C') && value.length > 2) continue;
    else if (!gitGlobalFlags.has(value))
      return `the git option \`${value}\` is not known to be safe`;
  }
  const sub = args[i]?.value;
  if (sub === undefined) return '`git` without a subcommand';
  const rest = args.slice(i + 1);
  const values = rest.map((a) => a.value);
  const readOnly =
    gitReadOnly.has(sub) ||
    (sub === 'branch' && values.every((v) => gitBranchFlags.has(v))) ||
    (sub === 'remote' && values.every((v) => v === '-v' || v === '--verbose')) ||
    (sub === 'stash' && (values[0] === 'list' || values[0] === 'show')) ||
    (sub === 'config' &&
      ['--get', '--get-all', '--get-regexp', '--list', '-l'].includes(values[0] ?? ''));
  if (!readOnly) {
    return `\`git ${[sub, ...values].join(' ').slice(0, 60)}\` is not a read-only git command`;
  }
  if (sub === 'grep' && values.some((v) => /^-[^-]*O/.test(v))) {
    return '`git grep -O` runs a pager';
  }
  return gitOutputOptions(rest);
};

const plain: Rule = { strict: false };

/** Commands proven read-only, with the checks their arguments need. */
const rules: Record<string, Rule> = {
  ls: { strict: false, check: forbid('ls', 'L', ['dereference']) },
  cat: plain,
  head: plain,
  tail: plain,
  wc: { strict: false, check: forbid('wc', '', ['files0-from']) },
  pwd: plain,
  echo: plain,
  printf: plain,
  true: plain,
  false: plain,
  sleep: plain,
  cd: plain,
  test: plain,
  basename: plain,
  dirname: plain,
  realpath: plain,
  readlink: plain,
  stat: plain,
  du: { strict: false, check: forbid('du', 'L', ['dereference', 'files0-from']) },
  df: plain,
  cut: plain,
  tr: plain,
  nl: plain,
  tac: plain,
  rev: plain,
  paste: plain,
  column: plain,
  fold: plain,
  od: plain,
  hexdump: plain,
  md5sum: plain,
  sha1sum: plain,
  sha256sum: plain,
  cmp: plain,
  comm: plain,
  diff: plain,
  // `-R` follows every symbolic link it meets: out of the workspace.
  grep: { strict: false, check: forbid('grep', 'R', ['dereference-recursive']) },
  egrep: { strict: false, check: forbid('egrep', 'R', ['dereference-recursive']) },
  fgrep: { strict: false, check: forbid('fgrep', 'R', ['dereference-recursive']) },
  which: plain,
  whoami: plain,
  uname: plain,
  jq: plain,
  file: { strict: true, check: forbid('file', 'C', ['compile']) },
  sort: {
    strict: true,
    check: forbid('sort', 'oT', [
      'output',
      'compress-program',
      'temporary-directory',
      'files0-from',
    ]),
  },
  uniq: { strict: true, check: checkUniq },
  find: { strict: true, check: checkFind },
  rg: {
    strict: true,
    check: forbid('rg', 'L', ['pre', 'pre-glob', 'hostname-bin', 'follow']),
  },
  sed: { strict: true, check: checkSed },
  git: { strict: true, check: checkGit },
};

/** The names of the commands the allow-list knows (each may still refuse some arguments). */
export const readOnlyCommands: readonly string[] = Object.keys(rules);

/** Commands that open no file and run nothing: a line of only these claims nothing. */
const touchNothing = new Set([
  'echo',
  'printf',
  'true',
  'false',
  'sleep',
  'pwd',
  'whoami',
  'uname',
  'basename',
  'dirname',
]);

/** Commands whose arguments are never paths they read: no path check. */
const noPathArgs = new Set(['echo', 'printf', 'true', 'false', 'sleep', 'basename', 'dirname']);

const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/;

/**
 * Decides whether a shell command line is proven read-only, fail-closed: every simple command of
 * it (joined by `;`, `&&`, `||` or `|`) must be on the allow-list with arguments that cannot
 * write or run other programs, and the line may hold no redirection, expansion, substitution,
 * subshell, background job or variable assignment. With a `root`, it may also name no path
 * outside it. Anything else is not read-only, with the reason.
 */
export function classifyShellCommand(
  command: string,
  options: ShellClassifyOptions = {},
): ShellClassification {
  const parsed = tokenizeShell(command);
  if (!parsed.ok) return { readOnly: false, reason: parsed.reason };
  const root = options.root === undefined ? undefined : resolve(options.root);
  /** Where the next command may run: `cd` in a `||` or `;` chain may or may not have happened. */
  let cwds = root === undefined ? [] : [root];
  const gitFolders = new Set<string>();
  const paths = new Set<string>();
  let touchesFiles = false;
  for (const words of parsed.commands) {
    const [name, ...args] = words as [ShellWord, ...ShellWord[]];
    if (assignment.test(name.raw)) {
      return { readOnly: false, reason: `a variable assignment (\`${name.raw}\`)` };
    }
    if (name.expands)
      return { readOnly: false, reason: `a wildcard command name (\`${name.raw}\`)` };
    const rule = Object.hasOwn(rules, name.value) ? rules[name.value] : undefined;
    if (!rule) {
      return { readOnly: false, reason: `\`${name.value}\` is not on the read-only list` };
    }
    const reason = rule.check?.(args);
    if (reason) return { readOnly: false, reason };
    const wild = rule.strict ? args.find((a) => a.expands) : undefined;
    if (wild) {
      return {
        readOnly: false,
        reason: `an unquoted wildcard in a \`${name.value}\` argument (\`${wild.raw}\`) could expand to an option`,
      };
    }
    if (!touchNothing.has(name.value)) touchesFiles = true;
    if (root === undefined) continue;
    if (name.value === 'cd') {
      // `cd -P dir`, `cd -- dir`: options first; `cd -` and `cd` alone go elsewhere.
      const target = args.find((a) => a.value === '-' || !a.value.startsWith('-'));
      if (!target || target.value === '-' || target.value.startsWith('~') || target.expands) {
        return { readOnly: false, reason: '`cd` to a folder that may be outside the workspace' };
      }
      const next = cwds.map((cwd) => resolve(cwd, target.value));
      const out = next.find((dir) => !inside(root, dir));
      if (out) return outsideReason(target.value);
      // Checked for symbolic links that lead out, like any path.
      for (const dir of next) paths.add(dir);
      cwds = [...new Set([...cwds, ...next])];
      continue;
    }
    if (name.value === 'git') {
      const folders = gitFolderArgs(args, cwds);
      const out = folders.find((dir) => !inside(root, dir));
      if (out) return outsideReason(out);
      for (const folder of folders) gitFolders.add(folder);
    }
    if (noPathArgs.has(name.value)) continue;
    for (const { value, expands } of pathArgs(name.value, args)) {
      if (value.startsWith('~')) return outsideReason(value);
      // `.?` and `.*` match `..`: a wildcard that begins a path part with a dot can climb out.
      if (expands && value.split('/').some((part) => part.startsWith('.') && /[*?[]/.test(part))) {
        return {
          readOnly: false,
          reason: `a wildcard that can match \`..\` (\`${value}\`) may lead outside the workspace`,
        };
      }
      for (const cwd of cwds) {
        const path = resolve(cwd, value);
        if (!inside(root, path)) return outsideReason(value);
        paths.add(path);
      }
    }
  }
  return { readOnly: true, touchesFiles, gitFolders: [...gitFolders], paths: [...paths] };
}

function outsideReason(path: string): ShellClassification {
  return { readOnly: false, reason: `it names a path outside the workspace (\`${path}\`)` };
}

/** True when `path` is `root` or below it. */
function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The folders a git command runs in: each `-C` applies to the one before. */
function gitFolderArgs(args: readonly ShellWord[], cwds: readonly string[]): string[] {
  let folders = [...cwds];
  for (let i = 0; i < args.length; i++) {
    const value = (args[i] as ShellWord).value;
    if (!value.startsWith('-')) break;
    const dir = value === '-C' ? args[++i]?.value : value.startsWith('-C') ? value.slice(2) : null;
    if (dir === null) continue;
    if (dir === undefined) break;
    folders = folders.map((cwd) => resolve(cwd, dir));
  }
  return folders;
}

/** Options that give the pattern (or script) in their value: then no operand is a pattern. */
const patternOptions: Record<string, { short: string; long: readonly string[] }> = {
  grep: { short: 'ef', long: ['regexp', 'file'] },
  egrep: { short: 'ef', long: ['regexp', 'file'] },
  fgrep: { short: 'ef', long: ['regexp', 'file'] },
  rg: { short: 'ef', long: ['regexp', 'file', 'files', 'type-list'] },
  sed: { short: 'ef', long: ['expression', 'file'] },
  jq: { short: 'f', long: ['from-file'] },
};

/** Options whose value is a file the command reads. */
const fileOptions: Record<string, { short: string; long: readonly string[] }> = {
  grep: { short: 'f', long: ['file', 'exclude-from'] },
  egrep: { short: 'f', long: ['file', 'exclude-from'] },
  fgrep: { short: 'f', long: ['file', 'exclude-from'] },
  rg: { short: 'f', long: ['file', 'ignore-file'] },
  sed: { short: 'f', long: ['file'] },
  jq: { short: 'f', long: ['from-file'] },
};

/** jq options followed by a name and then a value (`--rawfile name FILE` reads FILE). */
const jqPairs = new Set(['--arg', '--argjson', '--rawfile', '--slurpfile']);

/**
 * The words of a command that may name a path it reads: operands and option values
 * (`--file=x`, `-fx`), but not a pattern or script given as the first operand. Fail-closed: a
 * "pattern" that looks like a path outside (`/etc/x`, `../x`) is checked as one too, and a word
 * that is only a name inside the workspace costs nothing.
 */
function pathArgs(
  command: string,
  args: readonly ShellWord[],
): { value: string; expands: boolean }[] {
  const out: { value: string; expands: boolean }[] = [];
  const push = (value: string | undefined, expands = false) => {
    if (value !== undefined && value !== '' && value !== '-') out.push({ value, expands });
  };
  const patterns = patternOptions[command];
  const files = fileOptions[command];
  let patternGiven = patterns === undefined;
  let options = true;
  for (let i = 0; i < args.length; i++) {
    const word = args[i] as ShellWord;
    const value = word.value;
    if (options && value === '--') {
      options = false;
      continue;
    }
    if (options && value.startsWith('--')) {
      const [long = '', attached] = value.slice(2).split(/=(.*)/s);
      if (command === 'jq' && jqPairs.has(value)) {
        const second = args[i + 2]?.value;
        if (value === '--rawfile' || value === '--slurpfile') push(second);
        i += 2;
        continue;
      }
      if (patterns?.long.includes(long)) patternGiven = true;
      if (files?.long.includes(long)) {
        push(attached ?? args[++i]?.value);
        continue;
      }
      // `--regexp PATTERN`: its value is the next word, and it is a pattern.
      if ((long === 'regexp' || long === 'expression') && attached === undefined) {
        const given = args[++i]?.value;
        if (given !== undefined && looksOutside(given)) push(given);
        continue;
      }
      push(attached);
      continue;
    }
    if (options && value.startsWith('-') && value !== '-') {
      // A cluster: the letters up to one that takes a value, which is the rest or the next word.
      const letters = value.slice(1);
      for (let j = 0; j < letters.length; j++) {
        const letter = letters[j] as string;
        const isPattern = patterns?.short.includes(letter) === true;
        const isFile = files?.short.includes(letter) === true;
        if (!isPattern && !isFile) continue;
        const rest = letters.slice(j + 1);
        const given = rest !== '' ? rest : args[++i]?.value;
        patternGiven = true;
        if (isFile) push(given);
        else if (given !== undefined && looksOutside(given)) push(given);
        break;
      }
      // Any other attached value that looks like a path (`-C/other`) is checked.
      if (/[/~]/.test(value.slice(2)) && !/^-[a-zA-Z]*[ef]/.test(value)) push(value.slice(2));
      continue;
    }
    if (!patternGiven) {
      patternGiven = true;
      if (!looksOutside(value)) continue;
    }
    push(value, word.expands);
  }
  return out;
}

/** A word that would name a path outside the workspace if it were one. */
function looksOutside(value: string): boolean {
  return value.startsWith('/') || value.startsWith('~') || value.split('/').includes('..');
}
