import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { completionStream, textChunk } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { salvoBin } from './test-terminal.js';

// Each test runs the binary a few times on a small, busy machine.
vi.setConfig({ testTimeout: 120_000 });

// Sessions from the outside: the binary with no terminal, against the scripted model server.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const openai = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

interface WireMessage {
  role: string;
  content?: unknown;
}

function userTexts(body: unknown): string[] {
  return (body as { messages: WireMessage[] }).messages
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

function sessionFiles(home: string): string[] {
  const dir = join(home, '.salvo', 'sessions');
  return readdirSync(dir).filter((f) => f.endsWith('.json') && !f.endsWith('.trace.json'));
}

describe('salvo -p', () => {
  it('writes the answer alone to stdout; calls and the end line go to stderr', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([{ id: 'c1', name: 'read_file', input: { path: 'src/a.ts' } }]),
      textAnswer('# Answer\n\na.ts exports a = 1.'),
    );
    const run = await runSalvo(['-m', 'm', '-p', 'what does a.ts export?'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('# Answer\n\na.ts exports a = 1.\n');
    expect(run.stderr).toMatch(/read_file.*src\/a\.ts/);
  });

  it('reads the prompt from stdin with -p -', async () => {
    const { dir, home } = tempProject();
    const before = server.requests.length;
    server.enqueue(textAnswer('ok'));
    const run = await runSalvo(['-m', 'm', '-p', '-'], {
      cwd: dir,
      env: openai(home),
      input: 'from stdin\n',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('ok\n');
    expect(userTexts(server.requests[before]?.body)).toEqual(['from stdin\n']);
  });
});

describe('sessions', () => {
  it('-c carries on the last session of this folder, in the same transcript, with its trace', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([{ id: 'c1', name: 'read_file', input: { path: 'src/a.ts' } }]),
      textAnswer('a = 1'),
    );
    const first = await runSalvo(['run', '-m', 'm', 'read a.ts'], { cwd: dir, env: openai(home) });
    expect(first.code).toBe(0);
    const [file] = sessionFiles(home);
    expect(file).toBeDefined();
    const traceFile = join(
      home,
      '.salvo',
      'sessions',
      (file as string).replace(/\.json$/, '.trace.json'),
    );
    expect(statSync(traceFile).isFile()).toBe(true);

    const before = server.requests.length;
    server.enqueue(textAnswer('still 1'));
    const second = await runSalvo(['run', '-c', '-m', 'm', 'and now?'], {
      cwd: dir,
      env: openai(home),
    });
    expect(second.code).toBe(0);
    expect(userTexts(server.requests[before]?.body)).toEqual(['read a.ts', 'and now?']);
    expect(sessionFiles(home)).toEqual([file]);
    const saved = JSON.parse(
      readFileSync(join(home, '.salvo', 'sessions', file as string), 'utf8'),
    );
    expect(saved.messages.filter((m: WireMessage) => m.role === 'user')).toHaveLength(2);
    expect(saved.cwd).toBe(dir);

    // `salvo trace` renders the session's kept trace: the first run's call is in it.
    const rendered = await runSalvo(['trace', traceFile], { cwd: dir, env: openai(home) });
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toMatch(/read_file/);
  });

  it('--resume <id> picks that session; a wrong id or -c with nothing to continue is one line, exit 2', async () => {
    const { dir, home } = tempProject();
    const none = await runSalvo(['run', '-c', '-m', 'm', 'x'], { cwd: dir, env: openai(home) });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/^salvo: no earlier session in .* to continue/);

    server.enqueue(textAnswer('one'));
    await runSalvo(['run', '-m', 'm', 'first topic'], { cwd: dir, env: openai(home) });
    const [file] = sessionFiles(home);
    const id = (file as string).replace(/\.json$/, '');
    server.enqueue(textAnswer('two'));
    await runSalvo(['run', '-m', 'm', 'second topic'], { cwd: dir, env: openai(home) });

    const before = server.requests.length;
    server.enqueue(textAnswer('back'));
    const resumed = await runSalvo(['run', '--resume', id, '-m', 'm', 'more'], {
      cwd: dir,
      env: openai(home),
    });
    expect(resumed.code).toBe(0);
    expect(userTexts(server.requests[before]?.body)).toEqual(['first topic', 'more']);

    const wrong = await runSalvo(['run', '--resume', 'nope', '-m', 'm', 'x'], {
      cwd: dir,
      env: openai(home),
    });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^salvo: no session "nope"/);
  });

  it('-C names the project folder in the transcript, not the folder salvo started in', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('ok'));
    const run = await runSalvo(['run', '-C', 'src', '-m', 'm', 'hi'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.code).toBe(0);
    const [file] = sessionFiles(home);
    const saved = JSON.parse(
      readFileSync(join(home, '.salvo', 'sessions', file as string), 'utf8'),
    );
    expect(saved.cwd).toBe(join(dir, 'src'));
  });

  it('a transcript path under /proc fails with one warning instead of spinning', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('ok'));
    const run = await runSalvo(
      ['run', '-m', 'm', '--transcript', '/proc/salvo-none/t.json', 'hi'],
      { cwd: dir, env: openai(home), timeoutMs: 20_000 },
    );
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/could not save the transcript to \/proc\/salvo-none\/t\.json/);
  });
});

describe('stopping a run', () => {
  it('SIGTERM stops the run, says so in its own words, and exits 130 with the files written', async () => {
    const { dir, home } = tempProject();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    server.enqueue(completionStream([textChunk('thinking…'), { wait: held }, textChunk('done')]));
    const before = server.requests.length;
    const child = spawn(process.execPath, [salvoBin, 'run', '--json', '-m', 'm', 'slow'], {
      cwd: dir,
      env: openai(home),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    await server.request(before);
    // The request arrived; wait until the first text reached salvo's output.
    while (!stdout.includes('thinking')) await new Promise((r) => setTimeout(r, 20));
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    release();
    expect(code).toBe(130);
    expect(stdout).not.toMatch(/Ctrl-C/);
    const end = JSON.parse(stdout.trimEnd().split('\n').at(-1) as string);
    expect(end).toMatchObject({ event: 'run.end', finishReason: 'cancelled' });
    expect(JSON.stringify(end)).toMatch(/SIGTERM/);
    expect(stderr).not.toMatch(/Ctrl-C/);
    expect(sessionFiles(home)).toHaveLength(1);
  });
});
