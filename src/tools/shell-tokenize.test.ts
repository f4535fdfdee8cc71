import { describe, expect, it } from 'vitest';
import { tokenizeShell } from './shell-tokenize.js';

const words = (command: string) => {
  const parsed = tokenizeShell(command);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.commands.map((c) => c.map((w) => w.value));
};

const reason = (command: string) => {
  const parsed = tokenizeShell(command);
  return parsed.ok ? undefined : parsed.reason;
};

describe('tokenizeShell', () => {
  it('splits words and simple commands on ; && || | and newlines', () => {
    expect(words('git status')).toEqual([['git', 'status']]);
    expect(words('ls -la  src\tlib')).toEqual([['ls', '-la', 'src', 'lib']]);
    expect(words('a && b || c | d; e\nf')).toEqual([['a'], ['b'], ['c'], ['d'], ['e'], ['f']]);
    const parsed = tokenizeShell('a && b || c | d; e');
    expect(parsed.ok && parsed.operators).toEqual(['&&', '||', '|', ';']);
  });

  it('removes quotes and escapes', () => {
    expect(words(`grep 'a b' "c d" e\\ f`)).toEqual([['grep', 'a b', 'c d', 'e f']]);
    expect(words(`echo "say \\"hi\\" \\\\ \\n"`)).toEqual([['echo', 'say "hi" \\ \\n']]);
    expect(words(`echo 'it''s'`)).toEqual([['echo', 'its']]);
    expect(words(`echo ''`)).toEqual([['echo', '']]);
    expect(words('echo a\\\nb')).toEqual([['echo', 'ab']]);
  });

  it('keeps operators inside quotes as text', () => {
    expect(words(`echo '>' "|" ';' '$(x)' "&&"`)).toEqual([['echo', '>', '|', ';', '$(x)', '&&']]);
  });

  it('marks unquoted wildcards only', () => {
    const parsed = tokenizeShell(`ls *.ts '*.md' "?" a\\*`);
    expect(parsed.ok && parsed.commands[0]?.map((w) => w.expands)).toEqual([
      false,
      true,
      false,
      false,
      false,
    ]);
  });

  it('accepts a trailing ; or newline, not a trailing && or |', () => {
    expect(words('ls;\n\n')).toEqual([['ls']]);
    expect(reason('ls &&')).toContain('without a command after it');
    expect(reason('ls |')).toContain('without a command after it');
    expect(reason('&& ls')).toContain('without a command before it');
  });

  it.each([
    ['echo hi > out', 'redirection'],
    ['cat < in', 'redirection'],
    ['echo $(rm x)', 'expansion'],
    ['echo $HOME', 'expansion'],
    ['echo "$HOME"', 'expansion inside double quotes'],
    ['echo `id`', 'command substitution'],
    ['(cd x && rm y)', 'subshell'],
    ['sleep 1 &', 'background'],
    ['ls |& cat', 'pipes stderr'],
    ['ls # comment', 'comment'],
    ["echo 'open", 'unterminated single quote'],
    ['echo "open', 'unterminated double quote'],
    ['echo \\', 'trailing backslash'],
    ['', 'empty command'],
    ['case x in a) ;; esac', 'subshell'],
  ])('refuses %j (%s)', (command, why) => {
    expect(reason(command)).toContain(why);
  });
});
