import { describe, expect, it } from 'vitest';
import { classifyShellCommand, readOnlyCommands } from './shell-classify.js';

const readOnly = [
  'git status',
  'git status --short',
  'git diff',
  'git diff HEAD~1 -- src/a.ts',
  'git log --oneline -n 10',
  'git --no-pager log -p',
  'git -C sub status',
  'git show HEAD:package.json',
  'git blame src/a.ts',
  'git ls-files',
  'git rev-parse HEAD',
  'git branch',
  'git branch --show-current',
  'git remote -v',
  'git stash list',
  'git config --get user.name',
  'git grep -n TODO',
  'ls',
  'ls -la src',
  'ls *.ts',
  'cat package.json',
  'head -n 50 src/a.ts',
  'tail -n 20 log.txt',
  'wc -l src/*.ts',
  'pwd',
  'echo hello world',
  "echo 'a > b'",
  'rg TODO src',
  "rg -n 'fn main' --type rust",
  'grep -rn "handleRequest" src',
  'grep -c export src/a.ts src/b.ts',
  "find . -name '*.ts'",
  'find src -type f -newer package.json',
  'find . -name "*.ts" | head -20',
  "sed -n '1,20p' src/a.ts",
  'sed 5q file.txt',
  "cat a.txt | sed 's/foo/bar/g'",
  'git log --format=%H | head -1',
  'sort names.txt | uniq -c',
  'cd src && ls',
  'git status && git diff --stat',
  'test -f package.json || echo missing',
  'diff a.txt b.txt',
  'du -sh src',
  'stat package.json',
  'file README.md',
  'which node',
  'sleep 1',
  'jq .name package.json',
];

const notReadOnly: [string, string][] = [
  ['rm -rf build', 'not on the read-only list'],
  ['echo hi > out.txt', 'redirection'],
  ['echo hi >> out.txt', 'redirection'],
  ['cat a <> b', 'redirection'],
  ['echo hi >| out.txt', 'redirection'],
  ['ls 2>&1', 'redirection'],
  ['cat < input.txt', 'redirection'],
  ['echo $(touch x)', 'expansion'],
  ['echo `touch x`', 'command substitution'],
  ['(ls)', 'subshell'],
  ['diff <(ls a) <(ls b)', 'redirection'],
  ['ls; rm x', 'not on the read-only list'],
  ['ls && touch x', 'not on the read-only list'],
  ['ls || mkdir x', 'not on the read-only list'],
  ['cat x | tee y', 'not on the read-only list'],
  ['cat script.sh | sh', 'not on the read-only list'],
  ['FOO=bar ls', 'variable assignment'],
  ['PATH=/tmp git status', 'variable assignment'],
  ['npm install', 'not on the read-only list'],
  ['node script.js', 'not on the read-only list'],
  ['./run.sh', 'not on the read-only list'],
  ['/bin/ls', 'not on the read-only list'],
  ['git commit -m x', 'not a read-only git command'],
  ['git push', 'not a read-only git command'],
  ['git checkout main', 'not a read-only git command'],
  ['git branch new-feature', 'not a read-only git command'],
  ['git remote add origin x', 'not a read-only git command'],
  ['git stash', 'not a read-only git command'],
  ['git config user.name x', 'not a read-only git command'],
  ['git -c core.pager=sh log', 'git option `-c`'],
  ['git diff --output=patch.txt', '--output'],
  ['git log --outp=x', '--output'],
  ['git grep -O vim TODO', 'pager'],
  ['sed -i s/a/b/ file', 'not a known read-only option'],
  ['sed --in-place s/a/b/ file', 'not a known read-only option'],
  ["sed 's/a/b/w out' file", 'may write files'],
  ["sed '1e date' file", 'may write files'],
  ["sed -n 'w out' file", 'may write files'],
  ['find . -exec rm {} ;', 'runs commands'],
  ['find . -delete', 'runs commands'],
  ["find . -name '*.o' -execdir rm {} +", 'runs commands'],
  ['find . -fprint out', 'runs commands'],
  ['find * -name x', 'could expand to an option'],
  ['rg --pre ./decode TODO', '--pre'],
  ['rg * -n', 'could expand'],
  ['sort -o out.txt in.txt', '-o'],
  ['sort --output=x in', '--output'],
  ['sort --compress-prog=sh in', '--compress-program'],
  ['uniq in.txt out.txt', 'writes the second'],
  ['file -C -m magic', '-C'],
  ['xargs rm', 'not on the read-only list'],
  ['awk \'{print > "x"}\' f', 'not on the read-only list'],
  ['tee out.txt', 'not on the read-only list'],
  ['sleep 100 &', 'background'],
  ['*', 'wildcard command name'],
  ['eval ls', 'not on the read-only list'],
  ['env rm x', 'not on the read-only list'],
  ['if true; then rm x; fi', 'not on the read-only list'],
  ['{ ls; }', 'wildcard command name'],
  ["echo 'unterminated", 'unterminated'],
  ['cat "$HOME/.bashrc"', 'expansion'],
  ['ls # comment', 'comment'],
];

describe('classifyShellCommand', () => {
  it('has more than 40 cases each way', () => {
    expect(readOnly.length).toBeGreaterThanOrEqual(40);
    expect(notReadOnly.length).toBeGreaterThanOrEqual(40);
  });

  it.each(readOnly)('read-only: %s', (command) => {
    expect(classifyShellCommand(command)).toMatchObject({ readOnly: true });
    expect(classifyShellCommand(command, { root: '/repo' })).toMatchObject({ readOnly: true });
  });

  it.each(notReadOnly)('not read-only: %s (%s)', (command, why) => {
    const result = classifyShellCommand(command);
    expect(result.readOnly).toBe(false);
    expect(result.readOnly === false && result.reason).toContain(why);
  });

  it('exposes the allow-list', () => {
    expect(readOnlyCommands).toContain('git');
    expect(readOnlyCommands).not.toContain('rm');
  });
});
