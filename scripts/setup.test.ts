import { execFile } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

// scripts/setup.sh run with a PATH of stubs only: the programs it looks for, and an apt-get
// (and sudo) that record what they were asked to do instead of installing anything.
const setup = fileURLToPath(new URL('./setup.sh', import.meta.url));
const everything = ['chromium', 'tmux', 'rg', 'bwrap', 'redis-server'];
const isRoot = process.getuid?.() === 0;
// Whether this machine has package lists: setup.sh fetches them first only when it has none.
const hasAptLists =
  existsSync('/var/lib/apt/lists') &&
  readdirSync('/var/lib/apt/lists').some((name) => name.includes('_Packages'));

interface Stubs {
  present: readonly string[];
  /** `ok`: installs; `needs-update`: fails until `apt-get update` ran; `fails`: always fails. */
  aptGet?: 'ok' | 'needs-update' | 'fails';
  sudo?: boolean;
}

let dir = '';
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function stub(name: string, body: string): void {
  const path = join(dir, 'bin', name);
  writeFileSync(path, `#!/bin/bash\n${body}\n`);
  chmodSync(path, 0o755);
}

function runSetup(stubs: Stubs): Promise<{ code: number; stdout: string; stderr: string }> {
  dir = mkdtempSync(join(tmpdir(), 'salvo-setup-'));
  const log = join(dir, 'log');
  writeFileSync(log, '');
  mkdirSync(join(dir, 'bin'));
  for (const name of stubs.present) stub(name, 'exit 0');
  // setup.sh runs apt-get through env, to hand it DEBIAN_FRONTEND even through sudo.
  symlinkSync('/usr/bin/env', join(dir, 'bin', 'env'));
  if (stubs.aptGet) {
    const updated = join(dir, 'updated');
    const install =
      stubs.aptGet === 'ok'
        ? 'exit 0'
        : stubs.aptGet === 'fails'
          ? 'exit 100'
          : `[ -e '${updated}' ] || exit 100`;
    stub(
      'apt-get',
      [
        `echo "apt-get $DEBIAN_FRONTEND $*" >> '${log}'`,
        `if [ "$1" = update ]; then : > '${updated}'; exit 0; fi`,
        install,
      ].join('\n'),
    );
  }
  if (stubs.sudo) stub('sudo', `echo sudo >> '${log}'\nexec "$@"`);
  return new Promise((resolve) => {
    execFile('/bin/bash', [setup], { env: { PATH: join(dir, 'bin') } }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

function aptLog(): string[] {
  return readFileSync(join(dir, 'log'), 'utf8').split('\n').filter(Boolean);
}

describe('npm run setup (scripts/setup.sh)', () => {
  it('says "all present" and installs nothing when every program is there', async () => {
    const result = await runSetup({ present: everything, aptGet: 'ok', sudo: true });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^salvo setup: all present/);
    expect(aptLog()).toEqual([]);
  });

  it('installs the Debian packages of the missing programs, non-interactively', async () => {
    const result = await runSetup({
      present: ['chromium', 'tmux', 'bwrap'],
      aptGet: 'ok',
      sudo: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('installing ripgrep redis-server');
    const install = 'apt-get noninteractive install -y -qq ripgrep redis-server';
    const calls = aptLog().filter((line) => line !== 'sudo');
    expect(calls).toEqual(hasAptLists ? [install] : ['apt-get noninteractive update -qq', install]);
    // sudo only when not root.
    expect(aptLog().includes('sudo')).toBe(!isRoot);
  });

  it('fetches the package lists and tries again when the install fails on stale lists', async () => {
    const result = await runSetup({
      present: ['tmux', 'rg', 'bwrap'],
      aptGet: 'needs-update',
      sudo: true,
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('installed chromium redis-server');
    const calls = aptLog().filter((line) => line !== 'sudo');
    expect(calls.slice(-2)).toEqual([
      'apt-get noninteractive update -qq',
      'apt-get noninteractive install -y -qq chromium redis-server',
    ]);
    expect(calls.filter((line) => line.includes(' update '))).toHaveLength(1);
  });

  it('fails when apt-get cannot install', async () => {
    const result = await runSetup({
      present: ['tmux', 'rg', 'bwrap', 'redis-server'],
      aptGet: 'fails',
      sudo: true,
    });
    expect(result.code).not.toBe(0);
    expect(result.stdout).not.toContain('installed chromium');
  });

  it('names the packages to install by hand where there is no apt-get', async () => {
    const result = await runSetup({ present: ['chromium', 'tmux', 'rg'] });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'Install these packages by hand (Debian names): bubblewrap redis-server',
    );
  });
});
