import { type ShellWord, tokenizeShell } from '../../tools/shell-tokenize.js';
import { visibleText } from '../progress/index.js';
import {
  type ForbiddenOption,
  isInterpreter,
  isPython,
  packageRunnerForbid,
  packageRunners,
  programs,
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

/** `cd src`: a relative folder with no `..`, which cannot leave the workspace by its words. */
function isNeutralCd(words: readonly ShellWord[]): boolean {
  const [name, target, ...more] = words;
  if (name?.value !== 'cd' || name.raw !== 'cd' || more.length > 0 || !isPlain(target)) {
    return false;
  }
  const path = target.value;
  return !path.startsWith('/') && !path.startsWith('~') && !path.split('/').includes('..');
}

/** The first option of `args` that `forbidden` names, as written. */
function forbiddenOption(
  forbidden: readonly ForbiddenOption[] | undefined,
  sub: string | undefined,
  args: readonly ShellWord[],
  singleDashLong = false,
): string | undefined {
  if (!forbidden) return undefined;
  for (const arg of args) {
    const value = arg.value;
    // After `--` too: a `--` may be an option's value, and fail-closed costs only a question.
    if (!value.startsWith('-') || value === '-' || value === '--') continue;
    const long = value.startsWith('--') || singleDashLong;
    const name = value.replace(/^--?/, '').split('=')[0] as string;
    for (const rule of forbidden) {
      if (rule.sub !== undefined && rule.sub !== sub) continue;
      if (long && name !== '') {
        // GNU getopt takes unambiguous abbreviations (`--ex` for `--exec`); Go's flags do not.
        const abbreviates = (l: string) =>
          value.startsWith('--') && (l.startsWith(name) || name.startsWith(l));
        if (rule.long?.some((l) => l === name || abbreviates(l))) return value;
      }
      if (!long && rule.short && [...value.slice(1)].some((c) => rule.short?.includes(c))) {
        return value;
      }
    }
  }
  return undefined;
}

/**
 * The rule prefix of one simple command (its words as the tokenizer gives them), or why no
 * rule may allow it: the program (its path as written), plus its subcommand for tools that
 * have them (`git commit`), plus what a runner runs (`npm run lint`, `npx prettier`,
 * `python -m pytest`, `node build.js`). Programs too broad to allow whatever their arguments
 * (`rm`, `curl`, `xargs`, `sh -c`), options before a subcommand, options that run other
 * programs (`git rebase --exec`) and variable assignments are refused.
 */
export function prefixOfCommand(command: readonly ShellWord[]): ShellPrefixVerdict {
  const [name, ...args] = command;
  if (!name || name.value === '') return refuse('an empty command');
  if (assignment.test(name.raw) || assignment.test(name.value)) {
    return refuse(`a variable assignment (\`${show(name.raw)}\`) changes how the command runs`);
  }
  if (name.expands) return refuse(`a wildcard in the command name (\`${show(name.raw)}\`)`);
  const program = name.value.slice(name.value.lastIndexOf('/') + 1);
  const shown = show(program);
  const words = [name.value];
  if (program === 'cd') return refuse('`cd` to a folder that may be outside the workspace');
  if (isInterpreter(program)) {
    const [first, second] = args;
    if (isPython(program) && first?.value === '-m') {
      if (!isPlain(second)) return refuse(`\`${shown} -m\` without a module name right after it`);
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
    const option = forbiddenOption(packageRunnerForbid, undefined, rest);
    if (option) return refuse(`\`${shown} ${show(option)}\` runs other commands`);
    return accept([...words, pkg.value], true);
  }
  const broad = own(tooBroad, program);
  if (broad) return refuse(`\`${shown}\` ${broad}: approve each such command once`);
  const spec = own(programs, program);
  if (!spec?.subcommand) return accept(words, true);
  const [sub, ...afterSub] = args;
  if (sub === undefined) return accept(words, false);
  if (!plainValue(sub)) {
    return refuse(`an option before \`${shown}\`'s subcommand (\`${show(sub.raw)}\`)`);
  }
  words.push(sub.value);
  let rest = afterSub;
  let what = sub.value;
  if (spec.runners?.includes(sub.value)) {
    const [next, ...afterNext] = rest;
    if (next !== undefined) {
      if (!plainValue(next)) {
        return refuse(
          `\`${shown} ${show(sub.value)}\` needs what it runs right after it (not \`${show(next.raw)}\`)`,
        );
      }
      words.push(next.value);
      what = `${sub.value} ${next.value}`;
      rest = afterNext;
    }
  }
  const refusal = own(spec.refuse, sub.value) ?? own(spec.refuse, what);
  if (refusal) return refuse(`\`${shown} ${show(what)}\` ${refusal}`);
  const option = forbiddenOption(spec.forbid, sub.value, rest, spec.singleDashLong);
  if (option) {
    return refuse(`\`${shown} ${show(sub.value)} ${show(option)}\` runs other programs`);
  }
  const override = spec.noAssignments ? rest.find((w) => assignment.test(w.value)) : undefined;
  if (override) {
    return refuse(`\`${shown} ${show(override.value)}\` changes what ${shown} runs`);
  }
  // `npm run` alone (it lists the scripts) is all its rule allows: `npm run x` has its own.
  const runnerAlone = spec.runners?.includes(sub.value) === true && words.length === 2;
  return accept(words, !runnerAlone);
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

/**
 * True when every part of `command` is allowed by one of `rules` (each a prefix's words):
 * each simple command's own prefix must equal a rule, so `npm test; rm -rf ~` or
 * `npm test && curl x | sh` are never covered by `npm test`, nor `git -c x=y commit` by
 * `git commit`. A relative `cd` inside the workspace needs no rule.
 */
export function shellCommandCovered(
  command: string,
  rules: readonly (readonly string[])[],
): boolean {
  const verdict = shellRulePrefixes(command);
  return verdict.ok && verdict.prefixes.every((p) => rules.some((r) => sameWords(r, p.words)));
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
