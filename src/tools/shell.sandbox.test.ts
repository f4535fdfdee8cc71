import { execFileSync } from 'node:child_process';
import { access, mkdir, realpath, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { builtinTools } from './builtin-tools.js';
import { detectSandbox, sandboxCommand } from './sandbox.js';
import { tempDir, textOf, writeTree } from './test-support.js';

// The shell's sandbox (bubblewrap): the workspace writable, the rest read-only, the home folder
// and other secrets hidden, no network, a scrubbed environment, a /proc of its own.

let root: string;
let outside: string;
let home: string;
let server: Server;
let port: number;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  const sandbox = await detectSandbox();
  if (!sandbox.available) {
    throw new Error(
      `The sandbox tests need bubblewrap: apt-get install -y bubblewrap (${sandbox.reason})`,
    );
  }
});

beforeEach(async () => {
  const folder = async (prefix: string) => {
    const t = await tempDir(prefix);
    cleanups.push(t.cleanup);
    return realpath(t.dir);
  };
  root = await folder('salvo-sandbox-root-');
  outside = await folder('salvo-sandbox-out-');
  home = await folder('salvo-sandbox-home-');
  await writeTree(home, { '.ssh/id_rsa': 'PRIVATE KEY\n' });
  await writeTree(outside, { 'secret.txt': 'outside secret\n' });
  server = createServer((_req, res) => res.end('reached'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterEach(async () => {
  await new Promise((resolve) => server.close(resolve));
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

/** Runs one command, approved, in the sandbox (or not), and returns its output. */
async function sh(command: string, sandbox: 'workspace' | 'off' = 'workspace') {
  const tools = builtinTools({
    root,
    sandbox,
    shellEnv: {
      PATH: process.env.PATH,
      HOME: home,
      ANTHROPIC_API_KEY: 'sk-ant-secret-123',
      OPENAI_API_KEY: 'sk-openai-secret-456',
      LANG: 'C',
    },
  });
  const scheduler = new Scheduler({ tools, approvalMode: 'yolo' });
  const { results } = await scheduler.run([{ id: 's', name: 'shell', input: { command } }]);
  return textOf(results[0] as never);
}

describe('the shell sandbox', () => {
  it('gives no capabilities, even to root: `/` cannot be remounted, nothing unmounted', async () => {
    const output = await sh(
      `grep CapEff /proc/self/status; mount -o remount,bind,rw / && touch '${outside}/escaped'; umount -l '${home}' && echo unmounted; echo end`,
    );
    expect(output).toMatch(/CapEff:\s+0+\n/);
    expect(output).not.toContain('unmounted');
    expect(await exists(join(outside, 'escaped'))).toBe(false);
  });

  it('runs commands that need no approval with the workspace read-only too', async () => {
    const [file, args] = sandboxCommand(
      { root, env: { PATH: process.env.PATH ?? '' }, readOnlyWorkspace: true },
      ['/bin/sh', '-c', 'touch written 2>&1; cat marker.txt'],
    );
    await writeTree(root, { 'marker.txt': 'readable\n' });
    const output = execFileSync(file, args, { encoding: 'utf8' });
    expect(output).toMatch(/Read-only file system/);
    expect(output).toContain('readable');
    expect(await exists(join(root, 'written'))).toBe(false);
  });

  it('cannot write outside the workspace', async () => {
    const output = await sh(`touch '${outside}/written'; echo done`);
    expect(output).toContain('done');
    expect(await exists(join(outside, 'written'))).toBe(false);
    // The control: without the sandbox the same command writes there.
    await sh(`touch '${outside}/written'`, 'off');
    expect(await exists(join(outside, 'written'))).toBe(true);
  });

  it('cannot read the home folder (~/.ssh) and hides other users', async () => {
    const output = await sh(`cat '${home}/.ssh/id_rsa'; ls /root /home 2>&1; echo end`);
    expect(output).not.toContain('PRIVATE KEY');
    expect(output).toContain('end');
    expect(await sh(`cat '${home}/.ssh/id_rsa'`, 'off')).toContain('PRIVATE KEY');
  });

  it('never sees a provider key, in its environment or in /proc', async () => {
    const output = await sh('env; cat /proc/self/environ | tr "\\0" "\\n"; cat /proc/1/environ');
    expect(output).not.toContain('sk-ant-secret-123');
    expect(output).not.toContain('sk-openai-secret-456');
    expect(output).toContain('LANG=C');
  });

  it('cannot reach 127.0.0.1', async () => {
    const script = `fetch('http://127.0.0.1:${port}').then(r => r.text()).then(t => console.log('got', t), e => console.log('failed', e.cause?.code ?? e.message))`;
    const command = `node -e "${script.replace(/"/g, '\\"')}"`;
    expect(await sh(command)).toContain('failed');
    expect(await sh(command, 'off')).toContain('got reached');
  });

  it('still runs git status, a test script and a build inside the workspace', async () => {
    await writeTree(root, {
      'package.json': JSON.stringify({ scripts: { test: 'node test.js' } }),
      'test.js': "require('fs').writeFileSync('test-ran.txt', 'ok'); console.log('tests pass')",
      'src/a.js': 'export const a = 1;\n',
    });
    execFileSync('git', ['init', '-q'], { cwd: root });
    const output = await sh(
      'git status --short && npm test --silent && mkdir -p dist && cp src/a.js dist/a.js && echo built',
    );
    expect(output).toContain('?? ');
    expect(output).toContain('tests pass');
    expect(output).toContain('built');
    expect(await exists(join(root, 'test-ran.txt'))).toBe(true);
    expect(await exists(join(root, 'dist/a.js'))).toBe(true);
    await mkdir(join(root, 'more'), { recursive: true });
    await writeFile(join(root, 'more/x.txt'), 'x');
    expect(await sh('cat more/x.txt')).toContain('x');
  });
});
