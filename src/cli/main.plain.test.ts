import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { roleChunk } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { faultServerCommand } from '../mcp/fixtures/fault-server-command.js';
import { cleanEnv, runSalvo, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';

// The real binary with no terminal: plain output, --json, and one clear line for every mistake.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const openai = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

function expectOneLineError(
  run: { code: number; stdout: string; stderr: string },
  message: RegExp,
) {
  expect(run.code).not.toBe(0);
  expect(run.stderr).toMatch(/^salvo: /);
  expect(run.stderr).toMatch(message);
  expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe('salvo without a terminal', () => {
  it('runs a prompt with --json: one JSON event per line, the calls, the end, the transcript', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([
        { id: 'c1', name: 'read_file', input: { path: 'src/a.ts' } },
        { id: 'c2', name: 'list_dir', input: { path: 'src' } },
      ]),
      textAnswer('Both files are fine.'),
    );
    const run = await runSalvo(['run', '--json', '-m', 'test-model', 'check the files'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const finished = events.filter((e) => e.event === 'call.finished');
    expect(finished.map((e) => [e.callId, e.result.status])).toEqual(
      expect.arrayContaining([
        ['c1', 'success'],
        ['c2', 'success'],
      ]),
    );
    const end = events.at(-1);
    expect(end).toMatchObject({
      event: 'run.end',
      finishReason: 'stop',
      text: 'Both files are fine.',
      calls: 2,
    });
    const saved = JSON.parse(readFileSync(end.transcriptFile, 'utf8'));
    expect(end.transcriptFile.startsWith(join(home, '.salvo', 'sessions'))).toBe(true);
    expect(saved.messages.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'Both files are fine.',
    });
    expect(saved.messages[2].results.map((r: { status: string }) => r.status)).toEqual([
      'success',
      'success',
    ]);
  });

  it("counts the subagents' tokens in the run's total", async () => {
    const { dir, home } = tempProject();
    // Every answer uses 10 + 20 tokens: the root's two requests and the subagent's one.
    server.enqueue(
      toolCallsAnswer([{ id: 't1', name: 'task', input: { description: 'd', prompt: 'look' } }]),
      textAnswer('Nothing to report.'),
      textAnswer('The subagent found nothing.'),
    );
    const run = await runSalvo(['run', '--json', '-m', 'm', 'delegate'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.code).toBe(0);
    const end = JSON.parse(run.stdout.trimEnd().split('\n').at(-1) as string);
    expect(end).toMatchObject({ event: 'run.end', usage: { inputTokens: 30, outputTokens: 60 } });
  });

  it('prints plain lines, no escape codes, and writes the trace that `salvo trace` renders', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([
        { id: 'c1', name: 'grep', input: { pattern: 'export' } },
        { id: 'c2', name: 'read_file', input: { path: 'README.md' } },
      ]),
      textAnswer('Found two exports.'),
    );
    const trace = join(dir, 'out.html');
    const run = await runSalvo(['run', '-m', 'm', '--trace', trace, 'find exports'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\u001b');
    expect(run.stdout).toMatch(/grep.*export/);
    expect(run.stdout).toMatch(/read_file.*README\.md/);
    expect(run.stdout).toContain('Found two exports.');
    expect(existsSync(trace)).toBe(true);
    const rendered = await runSalvo(['trace', trace], { cwd: dir, env: openai(home) });
    expect(rendered.code).toBe(0);
    expect(rendered.stdout).toMatch(/2 calls/);
    expect(rendered.stdout).toMatch(/grep/);
  });

  it('denies a call that needs approval when nobody can be asked, and says how to allow it', async () => {
    const { dir, home } = tempProject();
    const write = { id: 'w1', name: 'write_file', input: { path: 'new.txt', content: 'hi' } };
    server.enqueue(toolCallsAnswer([write]), textAnswer('Could not write.'));
    const denied = await runSalvo(['run', '--json', '-m', 'm', 'write it'], {
      cwd: dir,
      env: openai(home),
    });
    expect(denied.code).toBe(0);
    const finished = denied.stdout
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l))
      .find((e) => e.event === 'call.finished');
    expect(finished.result.status).toBe('denied');
    expect(JSON.stringify(finished.result)).toMatch(/--approval auto-edit/);
    expect(existsSync(join(dir, 'new.txt'))).toBe(false);

    server.enqueue(toolCallsAnswer([write]), textAnswer('Written.'));
    const allowed = await runSalvo(['run', '--approval', 'auto-edit', '-m', 'm', 'write it'], {
      cwd: dir,
      env: openai(home),
    });
    expect(allowed.code).toBe(0);
    expect(readFileSync(join(dir, 'new.txt'), 'utf8')).toBe('hi');
  });

  it('reads the prompt from stdin with "-"', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('hello back'));
    const before = server.requests.length;
    const run = await runSalvo(['run', '-m', 'm', '-'], {
      cwd: dir,
      env: openai(home),
      input: 'say hello\n',
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('hello back');
    const body = server.requests[before]?.body as {
      messages: { role: string; content: unknown }[];
    };
    expect(JSON.stringify(body.messages)).toContain('say hello');
  });
});

describe('salvo mistakes: one clear line and a non-zero exit', () => {
  it.each([
    ['an unknown flag', ['run', '--jsn', 'x'], {}, /unknown option '--jsn'.*--json/],
    ['an unknown command', ['frobnicate'], {}, /unknown command "frobnicate"/],
    [
      'a bad approval mode',
      ['run', '--approval', 'maybe', 'x'],
      {},
      /Allowed choices are ask, auto-edit, yolo, never-ask/,
    ],
    ['a bad count', ['run', '--max-concurrency', '0', 'x'], {}, /whole number from 1 and up/],
    ['a bad trace name', ['run', '--trace', 'out.txt', 'x'], {}, /\.html or \.json/],
    [
      'no provider at all',
      ['run', 'x'],
      {},
      /no model provider: set ANTHROPIC_API_KEY or OPENAI_API_KEY/,
    ],
    [
      'a missing Anthropic key',
      ['run', '--provider', 'anthropic', 'x'],
      {},
      /ANTHROPIC_API_KEY is not set/,
    ],
    [
      'a local server without a model',
      ['run', 'x'],
      { OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
      /--model/,
    ],
    ['an empty prompt', ['run', ' '], { OPENAI_API_KEY: 'k' }, /the prompt is empty/],
    [
      'a missing trace file',
      ['trace', 'nope.json'],
      {},
      /nope\.json: cannot read the trace: no such file/,
    ],
    ['no MCP servers to list', ['mcp', 'tools'], {}, /no MCP servers configured/],
    ['interactive mode without a terminal', [], { OPENAI_API_KEY: 'k' }, /needs a terminal/],
  ])('%s', async (_name, args, env, message) => {
    const { dir, home } = tempProject();
    const run = await runSalvo(args, {
      cwd: dir,
      env: cleanEnv(home, env as Record<string, string>),
    });
    expectOneLineError(run, message);
  });

  it('a bad project config names the file, the field and what is expected', async () => {
    const { dir, home } = tempProject();
    writeFileSync(join(dir, 'salvo.json'), JSON.stringify({ maxConcurrency: 'lots' }));
    const run = await runSalvo(['run', 'x'], {
      cwd: dir,
      env: cleanEnv(home, { OPENAI_API_KEY: 'k' }),
    });
    expectOneLineError(run, /salvo\.json: `maxConcurrency` must be a whole number/);
    expect(run.code).toBe(2);
  });

  it('an unreachable model server fails the run with one line naming it; the transcript is kept', async () => {
    const { dir, home } = tempProject();
    const run = await runSalvo(['run', '-m', 'm', 'x'], {
      cwd: dir,
      env: cleanEnv(home, { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' }),
    });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
    // The retries the provider makes are announced, one line each, then the failure in one line.
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines.at(-1)).toMatch(/^salvo: cannot reach http:\/\/127\.0\.0\.1:9\/v1/);
    for (const line of lines.slice(0, -1))
      expect(line).toMatch(/retrying in [\d.]+ s \(attempt \d of \d\)$/);
    const kept = readdirSync(join(home, '.salvo', 'sessions'));
    expect(kept.filter((name) => !name.endsWith('.trace.json'))).toHaveLength(1);
  });

  it('a stream cut mid-answer is reported as a broken connection, not an unreachable server', async () => {
    const { dir, home } = tempProject();
    server.enqueue({ type: 'stream', steps: [roleChunk(), { drop: true }] });
    const before = server.requests.length;
    const run = await runSalvo(['run', '-m', 'm', 'x'], { cwd: dir, env: openai(home) });
    // A stream that began is not retried: nothing is left queued for the next test.
    expect(server.requests.length - before).toBe(1);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /salvo: the connection to http:\/\/127\.0\.0\.1:\d+\/v1 broke mid-answer/,
    );
    expect(run.stderr).not.toMatch(/cannot reach/);
  });

  it("a garbled stream gives salvo's one line, without the SDK's own logging", async () => {
    const { dir, home } = tempProject();
    server.enqueue({ type: 'stream', steps: [roleChunk(), { data: 'not json at all' }] });
    const run = await runSalvo(['run', '-m', 'm', 'x'], { cwd: dir, env: openai(home) });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^salvo: /);
    expect(run.stderr).not.toMatch(/Could not parse message/);
  });

  it('an MCP server that cannot start: a warning, and the run goes on without it', async () => {
    const { dir, home } = tempProject();
    writeFileSync(
      join(dir, 'salvo.json'),
      JSON.stringify({ mcpServers: { broken: { command: join(dir, 'no-such-server') } } }),
    );
    server.enqueue(textAnswer('ok'));
    const run = await runSalvo(['run', '--trust-project', '-m', 'm', 'x'], {
      cwd: dir,
      env: openai(home),
    });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/MCP server `broken` is not available/);
    const tools = await runSalvo(['mcp', 'tools', '--trust-project'], {
      cwd: dir,
      env: openai(home),
    });
    expectOneLineError(tools, /MCP server `broken` is not available/);
  });

  it('mcp tools: says how trust changes the claims, and when every server is disabled', async () => {
    const { dir, home } = tempProject();
    const config = (mcpServers: object) =>
      writeFileSync(join(dir, 'salvo.json'), JSON.stringify({ mcpServers }));
    config({ f: faultServerCommand(), off: { command: 'nothing', disabled: true } });
    const listed = await runSalvo(['mcp', 'tools', '--trust-project'], {
      cwd: dir,
      env: cleanEnv(home),
    });
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/f__sleep/);
    expect(listed.stdout).toMatch(/Set "trust": "annotations" on a server you trust/);
    config({ off: { command: 'nothing', disabled: true } });
    const none = await runSalvo(['mcp', 'tools'], { cwd: dir, env: cleanEnv(home) });
    expectOneLineError(none, /every configured MCP server is disabled \(off\)/);
  });
});

describe('salvo options before the command apply to it', () => {
  const lines = (text: string) =>
    text
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));

  it('--json before `run`: JSON lines on stdout', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('hi back'));
    const run = await runSalvo(['--json', 'run', '-m', 'm', 'hi'], { cwd: dir, env: openai(home) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(lines(run.stdout).at(-1)).toMatchObject({ event: 'run.end', text: 'hi back' });
  });

  it('-m before `run` is the model asked; -m after it wins over the one before', async () => {
    const { dir, home } = tempProject();
    const model = async (args: string[]) => {
      server.enqueue(textAnswer('ok'));
      const before = server.requests.length;
      const run = await runSalvo(args, { cwd: dir, env: openai(home) });
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      return (server.requests[before]?.body as { model?: string } | undefined)?.model;
    };
    expect(await model(['-m', 'root-model', 'run', 'hi'])).toBe('root-model');
    expect(await model(['-m', 'root-model', 'run', '-m', 'own-model', 'hi'])).toBe('own-model');
  });

  it("-C and --json before `mcp tools`: that directory's salvo.json, listed as JSON", async () => {
    const { dir, home } = tempProject();
    writeFileSync(
      join(dir, 'salvo.json'),
      JSON.stringify({ mcpServers: { fault: faultServerCommand() } }),
    );
    // Started elsewhere: without -C there is no salvo.json, hence no server.
    const run = await runSalvo(['-C', dir, '--json', '--trust-project', 'mcp', 'tools'], {
      cwd: home,
      env: cleanEnv(home),
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const listing = JSON.parse(run.stdout);
    expect(listing.servers).toEqual([
      expect.objectContaining({ name: 'fault', state: 'connected' }),
    ]);
    expect(JSON.stringify(listing.tools)).toContain('sleep');
  });

  it('--trace and --json before `demo`: the report goes to that file', {
    timeout: 90_000,
  }, async () => {
    const { dir, home } = tempProject();
    const trace = join(dir, 'reports', 'demo.html');
    const run = await runSalvo(['--trace', trace, '--json', 'demo', '--speed', '1000'], {
      cwd: dir,
      env: cleanEnv(home),
      timeoutMs: 80_000,
    });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ trace, errors: [] });
    expect(existsSync(trace)).toBe(true);
  });

  it('demo: a trace it cannot write still leaves the timings, and says why', {
    timeout: 90_000,
  }, async () => {
    const { dir, home } = tempProject();
    writeFileSync(join(dir, 'taken'), 'a file, not a folder');
    const run = await runSalvo(
      ['demo', '--speed', '1000', '--trace', join(dir, 'taken', 'd.html')],
      {
        cwd: dir,
        env: cleanEnv(home),
        timeoutMs: 80_000,
      },
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/wall time/);
    // Faster or not (timings vary under load), the comparison is said in words.
    expect(run.stdout).toMatch(/salvo (finished the same review|was not faster this time)/);
    expect(run.stdout).not.toMatch(/Trace|Perfetto|d\.html/);
    expect(run.stderr).toMatch(
      /salvo: demo problem: could not write the trace to .*taken\/d\.html/,
    );
    expect(run.stderr).not.toMatch(/internal error/);
  });

  it.each([
    [
      ['-m', 'm', 'demo'],
      '--model does not apply to `salvo demo`; leave it out (its options: --trace, --speed, --json)',
    ],
    [
      ['--json', 'trace', 'out.json'],
      '--json does not apply to `salvo trace`; leave it out (its options: --width)',
    ],
    [
      ['--approval', 'yolo', 'mcp', 'tools'],
      '--approval does not apply to `salvo mcp tools`; leave it out (its options: --json, --cwd, --config, --trust-project)',
    ],
  ])('an option before a command that has no use for it: salvo %j', async (args, message) => {
    const { dir, home } = tempProject();
    const run = await runSalvo(args, { cwd: dir, env: cleanEnv(home) });
    expect(run.stderr).toBe(`salvo: ${message}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});

describe('salvo help and words that are no command', () => {
  it.each([
    [['help'], 'Usage: salvo [options] [command]'],
    [['help', 'run'], 'Usage: salvo run [options] <prompt...>'],
    [['help', 'mcp', 'tools'], 'Usage: salvo mcp tools [options]'],
    [['mcp', 'help', 'tools'], 'Usage: salvo mcp tools [options]'],
  ])('salvo %j shows the help on stdout and exits 0', async (args, usage) => {
    const { dir, home } = tempProject();
    const run = await runSalvo(args, { cwd: dir, env: cleanEnv(home) });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(usage);
  });

  it('the root help lists the commands, help among them', async () => {
    const { dir, home } = tempProject();
    const run = await runSalvo(['help'], { cwd: dir, env: cleanEnv(home) });
    const commands = run.stdout.slice(run.stdout.indexOf('Commands:'));
    for (const name of ['run', 'demo', 'trace', 'mcp', 'help']) {
      expect(commands).toMatch(new RegExp(`^  ${name} `, 'm'));
    }
  });

  it.each([
    [
      ['frobnicate'],
      'unknown command "frobnicate"; to send a prompt: salvo run "<prompt>" or salvo -p "<prompt>"',
    ],
    [
      ['rn', 'x'],
      'unknown command "rn" (did you mean "run"?); to send a prompt: salvo run "<prompt>" or salvo -p "<prompt>"',
    ],
    [
      ['--approval', 'yolo', 'fix', 'the', 'bug'],
      'unknown command "fix"; to send a prompt: salvo run "<prompt>" or salvo -p "<prompt>"',
    ],
    [
      ['mcp', 'tols'],
      'unknown command "mcp tols" (did you mean "mcp tools"?); see salvo mcp --help',
    ],
    [
      ['help', 'demmo'],
      'unknown command "demmo" (did you mean "demo"?); salvo help lists the commands',
    ],
    [['run', '--jsn', 'x'], "unknown option '--jsn' (Did you mean --json?)"],
  ])('salvo %j: one line, exit 2', async (args, message) => {
    const { dir, home } = tempProject();
    const run = await runSalvo(args, { cwd: dir, env: cleanEnv(home, { OPENAI_API_KEY: 'k' }) });
    expect(run.stderr).toBe(`salvo: ${message}\n`);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
  });
});
