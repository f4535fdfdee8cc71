import { execFile } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// .ci/run in a copy of the repository whose README holds harmless commands.
const repository = fileURLToPath(new URL('..', import.meta.url));

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function ciRun(readme: string): Promise<{ code: number; stdout: string }> {
  root = mkdtempSync(join(tmpdir(), 'salvo-ci-'));
  mkdirSync(join(root, '.ci'));
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(repository, '.ci', 'run'), join(root, '.ci', 'run'));
  copyFileSync(
    join(repository, 'scripts', 'readme-commands.js'),
    join(root, 'scripts', 'readme-commands.js'),
  );
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(root, 'README.md'), readme);
  return new Promise((resolve) => {
    execFile('bash', [join(root, '.ci', 'run')], { cwd: tmpdir() }, (error, stdout) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout });
    });
  });
}

describe('.ci/run', () => {
  it("runs the lines of the README's first sh block in order, from the repository", async () => {
    const result = await ciRun(
      [
        '# project',
        '```sh',
        'echo one >> out.txt && pwd >> out.txt   # the first command',
        'echo two >> out.txt',
        '```',
        '```sh',
        'echo later >> out.txt',
        '```',
      ].join('\n'),
    );
    expect(result.code).toBe(0);
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe(`one\n${root}\ntwo\n`);
    expect(result.stdout).toContain('+ echo two >> out.txt');
  });

  it('stops at the first command that fails, a failing pipe included', async () => {
    const result = await ciRun('```sh\necho one >> out.txt | false\necho never >> out.txt\n```\n');
    expect(result.code).not.toBe(0);
    expect(readFileSync(join(root, 'out.txt'), 'utf8')).toBe('one\n');
  });

  it('fails without running anything when the README has no sh block', async () => {
    const result = await ciRun('no commands here\n');
    expect(result.code).not.toBe(0);
    expect(existsSync(join(root, 'out.txt'))).toBe(false);
  });
});
