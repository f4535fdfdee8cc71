import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeShellPrefix,
  shellCommandCovered,
  shellRulePrefixes,
  validRulePrefix,
} from './shell-rule-prefix.js';

// Commands a reviewer had covered by "always allow" rules although they did more than the
// rules' words say (each ran a program or reached outside the workspace). None may be covered.

const covered = (command: string, ...rules: string[][]) => shellCommandCovered(command, rules);

/** The rule labels a command would get, or `refused: <reason>`. */
function labels(command: string): string {
  const verdict = shellRulePrefixes(command);
  return verdict.ok
    ? verdict.prefixes.map(describeShellPrefix).join(' | ')
    : `refused: ${verdict.reason}`;
}

describe('npm, pnpm and yarn read single-dash words as long options', () => {
  it.each([
    'npm test -script-shell=evil.sh',
    'npm test -node-options=--require=./evil.js',
    'npm test -userconfig=evil.npmrc',
    'npm test -globalconfig=evil.npmrc',
    'npm test -scr=evil.sh',
    'npm test --script_shell=evil.sh',
    'npm test --scriptShell=evil.sh',
    'npm test --Script-Shell=evil.sh',
    'npm test -- -script-shell=evil.sh',
    'npm test -C node_modules/evil',
    'npm test --prefix=node_modules/evil',
    'npm install -g evil',
    'npm install --location=global evil',
    'pnpm test --config.script-shell=evil.sh',
    'pnpm test -C packages/evil',
    'yarn test --cwd=packages/evil',
    'npx vitest -node-options=--require=./evil.js',
  ])('%j is not covered', (command) => {
    const [program, sub] = command.split(' ') as [string, string];
    expect(covered(command, [program, sub])).toBe(false);
    expect(shellRulePrefixes(command).ok).toBe(false);
  });
});

describe('git options that run programs or set config, after any subcommand', () => {
  it.each([
    ['git clone -c protocol.ext.allow=always x vendor/x', ['git', 'clone']],
    ['git clone -cprotocol.ext.allow=always x vendor/x', ['git', 'clone']],
    ['git clone --config=core.fsmonitor=evil.sh x vendor/x', ['git', 'clone']],
    ['git clone -u evil.sh x vendor/x', ['git', 'clone']],
    ["git clone 'ext::sh -c touch% pwned' vendor/x", ['git', 'clone']],
    ['git fetch evil::x', ['git', 'fetch']],
    ['git remote add evil ext::sh', ['git', 'remote']],
    ['git init --bare sub', ['git', 'init']],
    ['git init --separate-git-dir=sub x', ['git', 'init']],
    ['git clone --template=hooks x vendor/x', ['git', 'clone']],
    ['git push --receive-pack=evil.sh', ['git', 'push']],
    ['git apply evil.diff', ['git', 'apply']],
    ['git credential fill', ['git', 'credential']],
    ['git send-email --smtp-server=evil.sh x.patch', ['git', 'send-email']],
  ])('%j is not covered by %j', (command, rule) => {
    expect(covered(command, rule)).toBe(false);
    expect(validRulePrefix(rule).ok && shellRulePrefixes(command).ok).toBe(false);
  });

  it('keeps the common git commands covered', () => {
    for (const command of [
      'git commit -m "msg"',
      'git commit -am "fix: a thing in src/a.ts"',
      'git switch -c feature',
      'git reset HEAD~1',
      'git clone https://github.com/a/b.git vendor/b',
      'git init',
    ]) {
      const verdict = shellRulePrefixes(command);
      expect(verdict.ok, command).toBe(true);
      if (verdict.ok) expect(covered(command, ...verdict.prefixes.map((p) => p.words))).toBe(true);
    }
  });
});

describe('make: every argument with `=` that is not an option sets a variable', () => {
  it.each([
    "make test 'X!=touch pwned'",
    "make test 'X:=$(shell touch pwned)'",
    "make test 'SHELL:=evil.sh'",
    "make test '.SHELLFLAGS=-c'",
    "make test 'X+=y'",
    'make test CC=evil.sh',
    "make 'X!=touch pwned'",
    'make test -- X=1',
    'make test -e',
    'make test --eval=x',
    'make test -f evil.mk',
    'make test -C sub',
    'make test -I inc',
  ])('%j is not covered by make test', (command) => {
    expect(covered(command, ['make', 'test'], ['make'])).toBe(false);
  });

  it('keeps plain targets and options covered', () => {
    expect(covered('make test', ['make', 'test'])).toBe(true);
    expect(covered('make test -j4 --keep-going', ['make', 'test'])).toBe(true);
  });
});

describe('what a runner runs is checked as a command of its own', () => {
  it.each([
    ['npm exec node -- -e x', 'needs asking: `node` runs any code'],
    ['npm x rm -- -rf src', '`rm` can delete'],
    ['uv run python -c x', '`python` runs any code'],
    ['uv run rm -rf src', '`rm` can delete'],
    ['uv run sh -c x', '`sh` runs any code'],
    ['uv tool run python -c x', '`python` runs any code'],
    ['poetry run python -c x', '`python` runs any code'],
    ['pipenv run bash -c x', '`bash` runs any code'],
    ['bundle exec ruby -e x', '`ruby` runs any code'],
    ['npx tsx -e x', '`tsx` runs any code'],
    ['npx node -e x', '`node` runs any code'],
    ['npx rimraf src', '`rimraf` can delete'],
    ['pnpm node -e x', '`node` runs any code'],
    ['yarn node -e x', '`node` runs any code'],
    ['pnpm exec node -e x', '`node` runs any code'],
    ['bun x cross-env A=1 node x.js', '`cross-env` runs other commands'],
  ])('refuses %j: %s', (command, reason) => {
    const verdict = shellRulePrefixes(command);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(reason);
  });

  it('a rule for the runner and the program it ran covers only that', () => {
    expect(covered('uv run python -c x', ['uv', 'run', 'python'])).toBe(false);
    expect(covered('poetry run python -c x', ['poetry', 'run', 'python'])).toBe(false);
    expect(covered('npx tsx -e x', ['npx', 'tsx'])).toBe(false);
    expect(covered('npm exec node -- -e x', ['npm', 'exec', 'node'])).toBe(false);
    // The rule such a command now gets holds the script, as `node x.js` does.
    expect(labels('uv run python manage.py test')).toBe('uv run python manage.py …');
    expect(labels('npx tsx scripts/gen.ts')).toBe('npx tsx scripts/gen.ts …');
    expect(labels('uv run pytest -x')).toBe('uv run pytest …');
    expect(labels('pnpm rm lodash')).toBe('pnpm rm …');
    for (const words of [
      ['uv', 'run', 'python'],
      ['npx', 'tsx'],
      ['npx', 'node'],
      ['npm', 'exec', 'node'],
    ]) {
      expect(validRulePrefix(words).ok, words.join(' ')).toBe(false);
    }
  });
});

describe('shell reserved words are never programs', () => {
  it.each([
    ['if npm test; then echo ok; fi', '`if` is shell syntax'],
    ['! rm -rf ~', '`!` is shell syntax'],
    ['while npm test; do sleep 1; done', '`while` is shell syntax'],
    ['for x in a; do npm test; done', '`for` is shell syntax'],
    ['then rm -rf x', '`then` is shell syntax'],
  ])('refuses %j: %s', (command, reason) => {
    const verdict = shellRulePrefixes(command);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain(reason);
  });

  it('a saved rule for one is not valid, and could never cover what follows it', () => {
    for (const word of ['if', 'then', 'fi', 'do', 'done', '!', 'while', 'case', '}']) {
      expect(validRulePrefix([word]).ok, word).toBe(false);
    }
    expect(covered('if true; then rm -rf ~; fi', ['if'], ['then'], ['fi'], ['true'])).toBe(false);
    expect(covered('! rm -rf ~', ['!'])).toBe(false);
  });
});

describe('words the shell may expand are never covered', () => {
  it.each([
    "npm test {'--node-options=--require=./evil.js',}",
    'npm test {--script-shell=evil.sh,}',
    'npm test src/*.test.ts',
    'git commit -m x -- [a]',
    'cargo build --features=a?',
  ])('%j', (command) => {
    const [program, sub] = command.split(' ') as [string, string];
    expect(covered(command, [program, sub])).toBe(false);
    const verdict = shellRulePrefixes(command);
    expect(verdict.ok).toBe(false);
    if (!verdict.ok) expect(verdict.reason).toContain('wildcard or braces');
  });
});

describe('arguments that reach outside the workspace or into what decides what runs', () => {
  it.each([
    ['python -m pytest --basetemp=src', ['python', '-m', 'pytest']],
    ['python -m pytest --base src', ['python', '-m', 'pytest']],
    ['pytest --basetemp src', ['pytest']],
    ['python -m pytest -o cache_dir=src', ['python', '-m', 'pytest']],
    ['cargo clean --target-dir src', ['cargo', 'clean']],
    ['cargo build --target-dir .git', ['cargo', 'build']],
    ['npm test --prefix /other', ['npm', 'test']],
    ['git commit -F /etc/hostname', ['git', 'commit']],
    ['git commit -F/etc/hostname', ['git', 'commit']],
    ['git commit --file=/etc/hostname', ['git', 'commit']],
    ['git commit -F ../secret', ['git', 'commit']],
    ['git commit -F ~/.ssh/id_rsa', ['git', 'commit']],
    ['git commit -t x:/etc/hostname', ['git', 'commit']],
    ['git clone file:///home/me/secret vendor/x', ['git', 'clone']],
    ['git add .git/hooks/pre-commit', ['git', 'add']],
    ['git mv x.json .mcp.json', ['git', 'mv']],
    ['node ../outside.js', ['node', '../outside.js']],
    ['cmake -E rm -rf src', ['cmake']],
    ['tar -xf evil.tar', ['tar']],
    ['patch -p1 -i evil.diff', ['patch']],
  ])('%j is not covered by %j', (command, rule) => {
    expect(covered(command, rule)).toBe(false);
  });

  it('cd into a protected folder is no neutral cd', () => {
    expect(covered('cd .git && git commit', ['git', 'commit'])).toBe(false);
    expect(covered('cd src && git commit', ['git', 'commit'])).toBe(true);
  });

  it('asks resolvesInside about every word and every folder a cd may leave it in', () => {
    const asked: string[] = [];
    const inside = (path: string) => {
      asked.push(path);
      return !path.startsWith('link');
    };
    const rules = [['git', 'commit']];
    expect(shellCommandCovered('git commit -F msg.txt', rules, { resolvesInside: inside })).toBe(
      true,
    );
    expect(asked).toContain('msg.txt');
    expect(shellCommandCovered('git commit -F link/x', rules, { resolvesInside: inside })).toBe(
      false,
    );
    expect(shellCommandCovered('git commit -Flink/x', rules, { resolvesInside: inside })).toBe(
      false,
    );
    expect(shellCommandCovered('cd link && git commit', rules, { resolvesInside: inside })).toBe(
      false,
    );
    // `cd a` may fail: the next word is checked from the root as well as from `a`.
    asked.length = 0;
    expect(shellCommandCovered('cd a; git commit -F m', rules, { resolvesInside: inside })).toBe(
      true,
    );
    expect(asked).toEqual(expect.arrayContaining(['a', 'm', 'a/m']));
  });
});

// A grammar of what has made a rule cover too much: each fragment, wherever it goes in or
// around an allowed command, leaves the command not covered.
describe('property: no dangerous fragment is ever covered', () => {
  const rules = [
    ['npm', 'test'],
    ['npm', 'run', 'build'],
    ['git', 'commit'],
    ['git', 'clone'],
    ['cargo', 'build'],
    ['cargo', 'clean'],
    ['python', '-m', 'pytest'],
    ['npx', 'vitest'],
    ['make', 'test'],
    ['uv', 'run', 'pytest'],
  ];
  const harmless = [
    'npm test',
    'npm test -- --watch=false',
    'npm run build',
    'git commit -m "msg"',
    'git clone https://github.com/a/b.git vendor/b',
    'cargo build --release',
    'cargo clean',
    'python -m pytest -x tests/',
    'npx vitest run',
    'make test',
    'uv run pytest -x',
  ];
  const harmlessArgs = ['-x', '--verbose', 'tests/unit', 'src', '--watch=false', '"a message"'];
  /** Words that, as an argument of any of the commands above, make it do more. */
  const dangerousEverywhere = [
    '~/x',
    '/etc/passwd',
    '-F /etc/passwd',
    '--file=../x',
    '-o../x',
    'file:///etc',
    '{-e,x}',
    'src/*.ts',
    'a?',
    '.git/config',
    '.mcp.json',
    '.vscode/tasks.json',
  ];
  /** Words that make one program do more, by the program of the command (its first words). */
  const dangerousFor: Record<string, string[]> = {
    npm: [
      '-script-shell=evil.sh',
      '--node-options=--require=./evil.js',
      '--scriptShell=evil.sh',
      '-C node_modules/x',
      '--prefix=x',
      '-g',
      '--userconfig=x',
      '-- --script-shell=x',
    ],
    npx: ['--package=x', '-p x', '--call=x', '-node-options=x', '-c x'],
    git: ['--config=core.fsmonitor=x', '--upload-pack=evil', "'ext::sh -c x'", '--exec=evil'],
    'git clone': ['-c protocol.ext.allow=always', '-u evil', '--template=x'],
    'git commit': ['--template=x', '-F /etc/passwd'],
    'cargo clean': ['--target-dir=src'],
    cargo: ['--config=x', '-Zunstable-options', '--target-dir=.git'],
    make: ["'X!=touch pwned'", "'SHELL:=evil'", 'X+=y', 'CC=x', '-f evil.mk', '--eval=x', '-e'],
    python: ['--basetemp=src', '--base=src', '-o cache_dir=x'],
    uv: ['--basetemp=src', '-o cache_dir=x'],
  };
  const dangerousArgs = (base: string) => {
    const [program, sub] = base.split(' ');
    return [
      ...dangerousEverywhere,
      ...(dangerousFor[program as string] ?? []),
      ...(dangerousFor[`${program} ${sub}`] ?? []),
    ];
  };
  /** Whole commands and prefixes that run something else. */
  const dangerousCommands = [
    'rm -rf ~',
    'curl evil.example',
    'sh -c x',
    'node -e x',
    'python -c x',
    'uv run python -c x',
    'npx tsx -e x',
    'npm exec node -- -e x',
    'if true',
    'then rm -rf x',
    '! rm -rf ~',
    'FOO=1 npm test',
    'PATH=. npm test',
    'git -c core.pager=evil commit',
    'cd .. && npm test',
    'cd /tmp && npm test',
    'cd .git && make test',
  ];
  /** Text around or between commands that the shell reads as more than words. */
  const dangerousSyntax = ['$(id)', '`id`', '> x', '< x', '& id', '|& id', '(id)', '#; id'];
  const separators = ['; ', ' && ', ' || ', ' | ', '\n'];

  it('a harmless form alone, and with harmless arguments, is covered', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...harmless),
        fc.array(fc.constantFrom(...harmlessArgs), { maxLength: 3 }),
        (base, args) => {
          // `make test` takes no arguments with `=`; the rest take these as they come.
          const extra = base.startsWith('make') ? args.filter((a) => !a.includes('=')) : args;
          const command = [base, ...extra].join(' ');
          expect(shellCommandCovered(command, rules), command).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('an allowed command with a dangerous argument, anywhere, is never covered', () => {
    fc.assert(
      fc.property(
        fc
          .constantFrom(...harmless)
          .chain((base) => fc.tuple(fc.constant(base), fc.constantFrom(...dangerousArgs(base)))),
        fc.array(fc.constantFrom(...harmlessArgs), { maxLength: 2 }),
        fc.nat({ max: 3 }),
        ([base, bad], args, at) => {
          const words = [...args];
          words.splice(Math.min(at, words.length), 0, bad);
          const command = [base, ...words].join(' ');
          expect(shellCommandCovered(command, rules), command).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('a line with a dangerous command or syntax among allowed ones is never covered', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...harmless), { maxLength: 3 }),
        fc.oneof(
          fc.constantFrom(...dangerousCommands),
          fc
            .tuple(fc.constantFrom(...harmless), fc.constantFrom(...dangerousSyntax))
            .map(([a, b]) => `${a} ${b}`),
        ),
        fc.array(fc.constantFrom(...separators), { minLength: 4, maxLength: 4 }),
        fc.nat({ max: 3 }),
        (safe, bad, seps, at) => {
          const parts = [...safe];
          parts.splice(Math.min(at, parts.length), 0, bad);
          const command = parts.reduce((line, part, i) =>
            i === 0 ? part : line + seps[i - 1] + part,
          );
          expect(shellCommandCovered(command, rules), command).toBe(false);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
