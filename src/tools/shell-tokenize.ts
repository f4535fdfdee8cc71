/** A word of a simple command, quotes removed. */
export interface ShellWord {
  /** The word as the command receives it (quotes and escapes removed). */
  value: string;
  /** The word as written. */
  raw: string;
  /** Has an unquoted `*`, `?`, `[` or `{`: the shell may expand it into other words. */
  expands: boolean;
}

/** How simple commands are joined: `;` (or a newline), `&&`, `||` or `|`. */
export type ShellOperator = ';' | '&&' | '||' | '|';

/** A command line split into simple commands, or why it cannot be proven simple. */
export type ShellParse =
  | { ok: true; commands: ShellWord[][]; operators: ShellOperator[] }
  | { ok: false; reason: string };

const globChars = new Set(['*', '?', '[', '{']);

/**
 * Splits a POSIX shell command line into simple commands and their words, for a fail-closed
 * check: anything beyond plain words joined by `;`, `&&`, `||` and `|` is refused with a
 * reason: redirections, expansions (`$`, backquotes), subshells and groups, background `&`,
 * comments, unterminated quotes. Quotes (`'...'`, `"..."`) and backslash escapes are honoured.
 */
export function tokenizeShell(command: string): ShellParse {
  const commands: ShellWord[][] = [[]];
  const operators: ShellOperator[] = [];
  let word: ShellWord | undefined;
  const current = () => commands[commands.length - 1] as ShellWord[];
  const endWord = () => {
    if (word) current().push(word);
    word = undefined;
  };
  const startWord = (): ShellWord => {
    word ??= { value: '', raw: '', expands: false };
    return word;
  };
  const operator = (op: ShellOperator): string | undefined => {
    endWord();
    if (current().length === 0) {
      // `; ls`, `ls && && pwd`: a missing command. A trailing `;` or newline is fine.
      if (op === ';' && (commands.length === 1 || operators.at(-1) === ';')) return undefined;
      return `\`${op}\` without a command before it`;
    }
    operators.push(op);
    commands.push([]);
    return undefined;
  };

  for (let i = 0; i < command.length; i++) {
    const c = command[i] as string;
    const next = command[i + 1];
    if (c === ' ' || c === '\t') {
      endWord();
    } else if (c === '\n' || c === ';') {
      if (c === ';' && next === ';') return { ok: false, reason: '`;;` (case syntax)' };
      const error = operator(';');
      if (error) return { ok: false, reason: error };
    } else if (c === '&') {
      if (next !== '&') return { ok: false, reason: 'a background `&` or `&>` redirection' };
      i++;
      const error = operator('&&');
      if (error) return { ok: false, reason: error };
    } else if (c === '|') {
      if (next === '&') return { ok: false, reason: '`|&` (pipes stderr)' };
      if (next === '|') i++;
      const error = operator(next === '|' ? '||' : '|');
      if (error) return { ok: false, reason: error };
    } else if (c === '<' || c === '>') {
      return { ok: false, reason: `a redirection (\`${c}\`)` };
    } else if (c === '(' || c === ')') {
      return { ok: false, reason: 'a subshell or process substitution (`(`)' };
    } else if (c === '$') {
      return { ok: false, reason: 'an expansion (`$`)' };
    } else if (c === '`') {
      return { ok: false, reason: 'a command substitution (`` ` ``)' };
    } else if (c === '#' && word === undefined) {
      return { ok: false, reason: 'a comment (`#`)' };
    } else if (c === "'") {
      const end = command.indexOf("'", i + 1);
      if (end === -1) return { ok: false, reason: 'an unterminated single quote' };
      const w = startWord();
      w.value += command.slice(i + 1, end);
      w.raw += command.slice(i, end + 1);
      i = end;
    } else if (c === '"') {
      const w = startWord();
      let j = i + 1;
      let closed = false;
      for (; j < command.length; j++) {
        const d = command[j] as string;
        if (d === '"') {
          closed = true;
          break;
        }
        if (d === '$' || d === '`') {
          return { ok: false, reason: `an expansion inside double quotes (\`${d}\`)` };
        }
        if (d === '\\') {
          const e = command[j + 1];
          if (e === '"' || e === '\\' || e === '$' || e === '`') {
            w.value += e;
            j++;
          } else if (e === '\n') {
            j++; // line continuation
          } else {
            w.value += d;
          }
        } else {
          w.value += d;
        }
      }
      if (!closed) return { ok: false, reason: 'an unterminated double quote' };
      w.raw += command.slice(i, j + 1);
      i = j;
    } else if (c === '\\') {
      if (next === undefined) return { ok: false, reason: 'a trailing backslash' };
      i++;
      if (next === '\n') continue; // line continuation
      const w = startWord();
      w.value += next;
      w.raw += c + next;
    } else {
      const w = startWord();
      w.value += c;
      w.raw += c;
      if (globChars.has(c)) w.expands = true;
    }
  }
  endWord();
  if (current().length === 0) {
    if (commands.length === 1) return { ok: false, reason: 'an empty command' };
    if (operators.at(-1) !== ';') {
      return { ok: false, reason: `\`${operators.at(-1)}\` without a command after it` };
    }
    commands.pop();
    operators.pop();
  }
  return { ok: true, commands, operators };
}
