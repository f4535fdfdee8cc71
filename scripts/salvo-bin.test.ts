import { execFile } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { snapshotSources, stampFile } from './build-stamp.js';

// bin/salvo.js in a package of its own, whose src/ and dist/ say which one ran.
const repository = fileURLToPath(new URL('..', import.meta.url));

let root = '';
afterEach(() => rmSync(root, { recursive: true, force: true }));

function makePackage(options: { checkout: boolean; build: boolean; tsx: boolean }): void {
  root = mkdtempSync(join(tmpdir(), 'salvo-bin-'));
  writeFileSync(join(root, 'package.json'), '{ "type": "module" }\n');
  mkdirSync(join(root, 'bin'));
  copyFileSync(join(repository, 'bin', 'salvo.js'), join(root, 'bin', 'salvo.js'));
  if (options.checkout) {
    mkdirSync(join(root, 'scripts'));
    copyFileSync(
      join(repository, 'scripts', 'build-stamp.js'),
      join(root, 'scripts', 'build-stamp.js'),
    );
    mkdirSync(join(root, 'src', 'cli'), { recursive: true });
    // TypeScript syntax: only tsx can run it.
    writeFileSync(
      join(root, 'src', 'cli', 'main.ts'),
      "export async function runMain(): Promise<void> {\n  console.log(['source', ...process.argv.slice(2)].join(' '));\n}\n",
    );
  }
  if (options.build) {
    mkdirSync(join(root, 'dist', 'cli'), { recursive: true });
    writeFileSync(
      join(root, 'dist', 'cli', 'main.js'),
      "export async function runMain() {\n  console.log(['build', ...process.argv.slice(2)].join(' '));\n}\n",
    );
    if (options.checkout) stamp();
  }
  if (options.tsx) symlinkSync(join(repository, 'node_modules'), join(root, 'node_modules'));
}

function stamp(): void {
  const snapshot = snapshotSources(join(root, 'src'));
  writeFileSync(join(root, 'dist', stampFile), JSON.stringify(snapshot));
}

function editSource(): void {
  const later = new Date(Date.now() + 60_000);
  utimesSync(join(root, 'src', 'cli', 'main.ts'), later, later);
}

function salvo(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(root, 'bin', 'salvo.js'), ...args],
      { cwd: root, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

describe('bin/salvo.js', () => {
  it('runs the build when it is current, with the arguments', async () => {
    makePackage({ checkout: true, build: true, tsx: true });
    expect(await salvo('--version')).toEqual({ code: 0, stdout: 'build --version\n', stderr: '' });
  });

  it('runs the sources through tsx once they changed after the build', async () => {
    makePackage({ checkout: true, build: true, tsx: true });
    editSource();
    expect(await salvo('run', 'x')).toEqual({ code: 0, stdout: 'source run x\n', stderr: '' });
  });

  it('runs the sources when the build never finished (no stamp)', async () => {
    makePackage({ checkout: true, build: true, tsx: true });
    rmSync(join(root, 'dist', stampFile));
    expect((await salvo()).stdout).toBe('source\n');
  });

  it('runs the build of an installed package: no src/, no scripts/, no tsx', async () => {
    makePackage({ checkout: false, build: true, tsx: false });
    expect(await salvo('demo')).toEqual({ code: 0, stdout: 'build demo\n', stderr: '' });
  });

  it('runs a stale build when there is no tsx to run the sources', async () => {
    makePackage({ checkout: true, build: true, tsx: false });
    editSource();
    expect((await salvo('demo')).stdout).toBe('build demo\n');
  });

  it('says in one line what to do when there is neither a build nor tsx', async () => {
    makePackage({ checkout: true, build: false, tsx: false });
    const result = await salvo('--version');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^salvo: there is no build in dist\/.*npm run build.*\n$/);
  });
});
