import { posix } from 'node:path';
import { type ShellWord, tokenizeShell } from '../../tools/shell-tokenize.js';
import { visibleText } from '../progress/index.js';
import { relativePathPieces, wordPathProblem } from './shell-rule-paths.js';
import {
  type ForbiddenOption,
  isInterpreter,
  isPython,
  type ProgramSpec,
  packageRunnerForbid,
  packageRunners,
  programs,
  pythonModuleForbid,
  reservedWords,
  tooBroad,
} from './shell-rule-programs.js';

/** The words an "always allow" rule for shell commands holds, as the command receives them. */
export interface ShellRulePrefix {
  words: string[];
  /**
   * Arguments may follow (`npm test --watch`). False when the words are the whole command
   * (`make` alone: `make deploy` has a rule of its own).
   */
  open: boolean;
}

export type ShellPrefixVerdict =
  | { ok: true; prefix: ShellRulePrefix }
  | { ok: false; reason: string };

export type ShellRuleVerdict =
  | { ok: true; prefixes: ShellRulePrefix[] }
  | { ok: false; reason: string };

const assignment = /^[A-Za-z_][A-Za-z0-9_]*=/;

const refuse = (reason: string): { ok: false; reason: string } => ({ ok: false, reason });
const accept = (words: string[], open: boolean): ShellPrefixVerdict => ({
  ok: true,
  prefix: { words, open },
});

function own<T>(table: Readonly<Record<string, T>> | undefined, key: string): T | undefined {
  return table && Object.hasOwn(table, key) ? table[key] : undefined;
}

/** A word that can name what a command does: no option, no wildcard, no assignment. */
function isPlain(word: ShellWord | undefined): word is ShellWord {
  return word !== undefined && plainValue(word);
}

function plainValue(word: ShellWord): boolean {
  return (
    !word.expands &&
    word.value !== '' &&
    !word.value.startsWith('-') &&
    !word.value.startsWith('+') &&
    !assignment.test(word.value)
  );
}

/**
 * `cd src`: a relative folder with no `..` and no protected name, which cannot leave the
 * workspace by its words (symlinks are checked by {@link shellCommandCovered}'s caller).
 */
function isNeutralCd(words: readonly ShellWord[]): boolean {
  const [name, target, ...more] = words;
  if (name?.value !== 'cd' || name.raw !== 'cd' || more.length > 0 || !isPlain(target)) {
    return false;
  }
  return wordPathProblem(target.value) === undefined;
}

/** `--scriptShell`, `--script_shell`, `--Script-Shell`: one name, as npm's parser reads them. */
function optionName(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replaceAll('_', '-');
}

/** The first option of `args` that `forbidden` names, as written. */
function forbiddenOption(
  forbidden: readonly ForbiddenOption[] | undefined,
  sub: string | undefined,
  args: readonly ShellWord[],
  style: ProgramSpec['options'],
): string | undefined {
  if (!forbidden) return undefined;
  for (const arg of args) {
    const value = arg.value;
    // After `--` too: a `--` may be an option's value, and fail-closed costs only a question.
    if (!value.startsWith('-') || value === '-' || value === '--') continue;
    const double = value.startsWith('--');
    const long = double || style === 'go' || (style === 'nopt' && value.length > 2);
    const short = !double && style !== 'go';
    const name = optionName(value.replace(/^--?/, '').split('=')[0] as string);
    // pnpm's `--config.script-shell=x` sets the setting after the dot.
    const names = [name, ...name.split('.')];
    // GNU getopt and npm take unambiguous abbreviations (`--ex` for `--exec`); Go does not.
    const abbreviates = (l: string) =>
      (double || style === 'nopt') && style !== 'go' && (l.startsWith(name) || name.startsWith(l));
    for (const rule of forbidden) {
      if (rule.sub !== undefined && rule.sub !== sub) continue;
      if (long && name !== '') {
        const forbiddenNames = rule.long?.map(optionName) ?? [];
        if (forbiddenNames.some((l) => names.includes(l) || abbreviates(l))) return value;
      }
      if (short && rule.short && [...value.slice(1)].some((c) => rule.short?.includes(c))) {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * Why some argument of a command keeps it from having a rule, or `undefined`: a word the shell
 * may expand into others (`*`, `?`, `[`, braces: `{'--node-options=x',}` is an option), or one
 * that names a path outside the workspace or a file that decides what runs.
 */
function argumentProblem(args: readonly ShellWord[]): string | undefined {
  for (const arg of args) {
    if (arg.expands) {
      return `\`${show(arg.raw)}\` has a wildcard or braces, which the shell may turn into other words`;
    }
    const problem = wordPathProblem(arg.value);
    if (problem) return `\`${show(arg.value)}\`: ${problem}`;
  }
  return undefined;
}

/**
 * The rule prefix of one simple command (its words as the tokenizer gives them), or why no
 * rule may allow it: the program (its path as written), plus its subcommand for tools that
 * have them (`git commit`), plus what a runner runs (`npm run lint`, `npx prettier`,
 * `python -m pytest`, `node build.js`, `uv run pytest`: a runner's command is checked as a
 * command of its own). Programs too broad to allow whatever their arguments (`rm`, `curl`,
 * `xargs`, `sh -c`), reserved words (`if`, `!`), options before a subcommand, options that run
 * other programs (`git rebase --exec`), variable assignments, wildcards and braces, and paths
 * outside the workspace are refused.
 */
export function prefixOfCommand(command: readonly ShellWord[]): ShellPrefixVerdict {
  const [name, ...args] = command;
  if (!name || name.value === '') return refuse('an empty command');
  if (assignment.test(name.raw) || assignment.test(name.value)) {
    return refuse(`a variable assignment (\`${show(name.raw)}\`) changes how the command runs`);
  }
  if (name.expands) return refuse(`a wildcard in the command name (\`${show(name.raw)}\`)`);
  if (reservedWords.has(name.value)) {
    return refuse(`\`${show(name.value)}\` is shell syntax: approve such commands each time`);
  }
  const verdict = programPrefix(name, args);
  // The program's own reason first (`rm -rf ~`: rm), then whatever any argument reaches.
  if (!verdict.ok) return verdict;
  const problem = argumentProblem(args);
  return problem ? refuse(problem) : verdict;
}

/** The prefix of a command whose name is a program, by what that program is. */
function programPrefix(name: ShellWord, args: readonly ShellWord[]): ShellPrefixVerdict {
  const program = name.value.slice(name.value.lastIndexOf('/') + 1);
  const shown = show(program);
  const words = [name.value];
  if (program === 'cd') return refuse('`cd` to a folder that may be outside the workspace');
  if (isInterpreter(program)) {
    const [first, second, ...rest] = args;
    if (isPython(program) && first?.value === '-m') {
      if (!isPlain(second)) return refuse(`\`${shown} -m\` without a module name right after it`);
      const option = forbiddenOption(
        own(pythonModuleForbid, second.value),
        undefined,
        rest,
        undefined,
      );
      if (option)
        return refuse(
          `\`${shown} -m ${show(second.value)} ${show(option)}\` reaches past what it names`,
        );
      return accept([...words, '-m', second.value], true);
    }
    if (!isPlain(first)) {
      const how = isPython(program) ? ` or \`${shown} -m <module>\`` : '';
      return refuse(
        `\`${shown}\` runs any code: only \`${shown} <script>\`${how} can be always allowed`,
      );
    }
    return accept([...words, first.value], true);
  }
  if (packageRunners.has(program)) {
    const [pkg, ...rest] = args;
    if (!isPlain(pkg)) return refuse(`\`${shown}\` needs the package name right after it`);
    const option = forbiddenOption(packageRunnerForbid, undefined, rest, 'nopt');
    if (option) return refuse(`\`${shown} ${show(option)}\` runs other commands`);
    return runs(words, shown, args);
  }
  const broad = own(tooBroad, program);
  if (broad) return refuse(`\`${shown}\` ${broad}: approve each such command once`);
  const spec = own(programs, program);
  if (!spec) return accept(words, true);
  if (spec.noEquals) {
    const setting = args.find((w) => w.value.includes('=') && !w.value.startsWith('-'));
    if (setting) {
      return refuse(
        `\`${shown} ${show(setting.value)}\` sets a variable, which changes what ${shown} runs`,
      );
    }
  }
  if (!spec.subcommand) {
    const option = forbiddenOption(spec.forbid, undefined, args, spec.options);
    if (option) return refuse(`\`${shown} ${show(option)}\` runs other programs`);
    return accept(words, true);
  }
  const [sub, ...afterSub] = args;
  if (sub === undefined) return accept(words, false);
  if (!plainValue(sub)) {
    return refuse(`an option before \`${shown}\`'s subcommand (\`${show(sub.raw)}\`)`);
  }
  if (spec.noRemoteHelpers) {
    const helper = args.find((w) => w.value.includes('::'));
    if (helper)
      return refuse(`\`${show(helper.value)}\` names a remote helper, a program ${shown} runs`);
  }
  words.push(sub.value);
  let rest = afterSub;
  let what = sub.value;
  if (spec.groups?.includes(sub.value)) {
    const [next, ...afterNext] = rest;
    // `git submodule` alone lists them: its rule allows only that.
    if (next === undefined) return accept(words, false);
    if (!plainValue(next)) {
      return refuse(
        `\`${shown} ${show(sub.value)}\` needs what it runs right after it (not \`${show(next.raw)}\`)`,
      );
    }
    words.push(next.value);
    what = `${sub.value} ${next.value}`;
    rest = afterNext;
  }
  const refusal = own(spec.refuse, sub.value) ?? own(spec.refuse, what);
  if (refusal) return refuse(`\`${shown} ${show(what)}\` ${refusal}`);
  const option = forbiddenOption(spec.forbid, sub.value, rest, spec.options);
  if (option) {
    return refuse(`\`${shown} ${show(sub.value)} ${show(option)}\` runs other programs`);
  }
  const [target] = rest;
  if (spec.scriptRunners?.includes(what) || spec.programRunners?.includes(what)) {
    // `npm run` alone (it lists the scripts) is all its rule allows: `npm run x` has its own.
    if (target === undefined) return accept(words, false);
    if (!plainValue(target)) {
      return refuse(
        `\`${shown} ${show(what)}\` needs what it runs right after it (not \`${show(target.raw)}\`)`,
      );
    }
    if (spec.scriptRunners?.includes(what)) return accept([...words, target.value], true);
    return runs(words, `${shown} ${show(what)}`, rest);
  }
  // `pnpm node -e x` runs node, `pnpm curl x` curl: checked as such (`pnpm rm x` is pnpm's).
  const runsOther = isInterpreter(sub.value) || own(tooBroad, sub.value) !== undefined;
  if (spec.runsPrograms && runsOther && !packageManagerCommands.has(sub.value)) {
    return runs([name.value], shown, args);
  }
  return accept(words, true);
}

/** Commands of pnpm, yarn and bun named like programs no rule may allow (`pnpm rm lodash`). */
const packageManagerCommands = new Set(['rm', 'unlink', 'install', 'env', 'set', 'exec']);

/** The prefix of a runner (`npx`, `uv run`) followed by the command it runs, checked as one. */
function runs(
  words: readonly string[],
  runner: string,
  command: readonly ShellWord[],
): ShellPrefixVerdict {
  const inner = prefixOfCommand(command);
  if (!inner.ok) return refuse(`\`${runner}\` runs a command that needs asking: ${inner.reason}`);
  return accept([...words, ...inner.prefix.words], inner.prefix.open);
}

/**
 * The rule prefixes a command line needs, one per distinct simple command (`npm test &&
 * npm run lint` needs `npm test` and `npm run lint`; `cd pkg` needs none), or why it can have
 * none: anything the tokenizer cannot prove plain (substitutions, redirections, background
 * jobs...), or a part that {@link prefixOfCommand} refuses.
 */
export function shellRulePrefixes(command: string): ShellRuleVerdict {
  const parsed = tokenizeShell(command);
  if (!parsed.ok) return refuse(`the command has ${parsed.reason}`);
  const prefixes: ShellRulePrefix[] = [];
  for (const words of parsed.commands) {
    if (isNeutralCd(words)) continue;
    const verdict = prefixOfCommand(words);
    if (!verdict.ok) return verdict;
    if (!prefixes.some((p) => sameWords(p.words, verdict.prefix.words))) {
      prefixes.push(verdict.prefix);
    }
  }
  if (prefixes.length === 0) return refuse('it only changes folder');
  return { ok: true, prefixes };
}

/** Options of {@link shellCommandCovered}. */
export interface CoveredOptions {
  /**
   * True when a path relative to the workspace root (`/`-separated, no `..`) stays inside it,
   * symbolic links followed. Every word of a covered command, and every folder it `cd`s to, is
   * checked with it: `git commit -F link/x` where `link` leads out is not covered. Without it
   * only the words themselves are checked.
   */
  resolvesInside?: (relative: string) => boolean;
}

/** The folders a command line may be in after this many `cd`s: more are not worked out. */
const maxFolders = 16;

/**
 * True when every part of `command` is allowed by one of `rules` (each a prefix's words):
 * each simple command's own prefix must equal a rule, so `npm test; rm -rf ~` or
 * `npm test && curl x | sh` are never covered by `npm test`, nor `git -c x=y commit` by
 * `git commit`. A relative `cd` inside the workspace needs no rule.
 */
export function shellCommandCovered(
  command: string,
  rules: readonly (readonly string[])[],
  options: CoveredOptions = {},
): boolean {
  const verdict = shellRulePrefixes(command);
  if (!verdict.ok || !verdict.prefixes.every((p) => rules.some((r) => sameWords(r, p.words)))) {
    return false;
  }
  const { resolvesInside } = options;
  if (!resolvesInside) return true;
  const parsed = tokenizeShell(command);
  if (!parsed.ok) return false;
  // A `cd` that fails leaves the folder as it was: every folder the line may be in is checked.
  let folders = [''];
  const inside = (path: string) => folders.every((f) => resolvesInside(posix.join(f, path)));
  for (const words of parsed.commands) {
    if (isNeutralCd(words)) {
      const target = (words[1] as ShellWord).value;
      if (!inside(target)) return false;
      folders = [...new Set([...folders, ...folders.map((f) => posix.join(f, target))])];
      if (folders.length > maxFolders) return false;
      continue;
    }
    for (const word of words.slice(1)) {
      if (!relativePathPieces(word.value).every(inside)) return false;
    }
  }
  return true;
}

/**
 * The prefix of a rule read back from a file: valid only when the words are a prefix the
 * rules would give themselves (no `rm`, no `sh -c`, no `make CC=x`).
 */
export function validRulePrefix(words: readonly string[]): ShellPrefixVerdict {
  const asWords = words.map((value) => ({ value, raw: value, expands: false }));
  const verdict = prefixOfCommand(asWords);
  if (verdict.ok && !sameWords(verdict.prefix.words, words)) {
    return refuse('not the prefix of a command');
  }
  return verdict;
}

export function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((word, i) => word === b[i]);
}

/** `npm test …`: the words as a shell would take them back, hidden characters as escapes. */
export function describeShellPrefix(prefix: ShellRulePrefix): string {
  return prefix.words.map(quoteWord).join(' ') + (prefix.open ? ' …' : '');
}

function quoteWord(word: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word)) return word;
  return visibleText(`'${word.replaceAll("'", `'\\''`)}'`);
}

/** Text of the command for a reason: hidden characters as escapes, long words cut. */
function show(text: string): string {
  const visible = visibleText(text);
  return visible.length > 40 ? `${visible.slice(0, 40)}…` : visible;
}
