import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { quickStartCommands } from './readme-commands.js';

const readmePath = fileURLToPath(new URL('../README.md', import.meta.url));

describe('quickStartCommands', () => {
  it("finds the README's two commands: the demo, and set-up then the tests", () => {
    const commands = quickStartCommands(readFileSync(readmePath, 'utf8'));
    expect(commands).toHaveLength(2);
    expect(commands[0]).toMatch(/^npm ci && npm run demo\s+#/);
    expect(commands[1]).toMatch(/^npm ci && npm run setup && npm test\s+#/);
  });

  it('takes the first sh block only, without blank lines and whole-line comments', () => {
    const markdown = [
      '# title',
      '```ts',
      'const notAShellLine = 1;',
      '```',
      '```sh',
      '# a comment line',
      '',
      '  npm ci && npm run demo   # trailing comment, left to the shell',
      'npm test',
      '```',
      '```sh',
      'npm run later',
      '```',
    ].join('\n');
    expect(quickStartCommands(markdown)).toEqual([
      'npm ci && npm run demo   # trailing comment, left to the shell',
      'npm test',
    ]);
  });

  it('reads Windows line ends', () => {
    expect(quickStartCommands('```sh\r\nnpm test\r\n```\r\n')).toEqual(['npm test']);
  });

  it('refuses a README without a usable sh block, naming what is wrong', () => {
    expect(() => quickStartCommands('```bash\nnpm test\n```\n')).toThrow(/no ```sh block/);
    expect(() => quickStartCommands('```sh\nnpm test\n')).toThrow(/not closed/);
    expect(() => quickStartCommands('```sh\n# only a comment\n\n```\n')).toThrow(/no command/);
  });

  it('prints the commands one per line when run as a script, as .ci/run reads them', () => {
    const script = fileURLToPath(new URL('./readme-commands.js', import.meta.url));
    const output = execFileSync(process.execPath, [script, readmePath], { encoding: 'utf8' });
    expect(output.trimEnd().split('\n')).toEqual(
      quickStartCommands(readFileSync(readmePath, 'utf8')),
    );
  });
});
