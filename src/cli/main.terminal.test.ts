import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  completionStream,
  roleChunk,
  textChunk,
  toolStart,
} from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { faultServerCommand } from '../mcp/fixtures/fault-server-command.js';
import { processRuns } from '../mcp/fixtures/process-runs.js';
import { cleanEnv, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { squash } from './test-reporter-support.js';
import { TestTerminal } from './test-terminal.js';

// The real binary in a real pseudo-terminal (tmux): the live display, approvals, Ctrl-C.

let server: TestServer;
const terminals: TestTerminal[] = [];
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());
afterEach(async () => {
  await Promise.all(terminals.splice(0).map((t) => t.close()));
});

async function salvo(args: string[], dir: string, home: string): Promise<TestTerminal> {
  const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
  const terminal = await TestTerminal.start({ args, cwd: dir, env });
  terminals.push(terminal);
  return terminal;
}

describe('salvo in a terminal', () => {
  it('asks for approval in one place while the other calls run, and does what the user says', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([
        { id: 'w1', name: 'write_file', input: { path: 'one.txt', content: '1' } },
        { id: 'r1', name: 'read_file', input: { path: 'src/a.ts' } },
        { id: 'w2', name: 'write_file', input: { path: 'two.txt', content: '2' } },
      ]),
      textAnswer('All done.'),
    );
    const t = await salvo(['run', '-m', 'm', 'write two files'], dir, home);
    // The read runs (and finishes) while the first write waits for its answer.
    const asking = await t.waitFor(/\? Run write_file, as shown above {2}\(1 more waiting\)/);
    // A write shows as the diff it makes: here a new file, every line an addition.
    expect(asking).toMatch(
      /\? Run write_file\n {2}path: one\.txt \(new file\) \(\+1 -0\)\n {2}@@ -0,0 \+1 @@\n {2}\+1\n/,
    );
    expect(asking).toMatch(/\[y\] approve {2}\[n\] deny {2}\[a\] allow all edits this session/);
    await t.waitFor(/read_file src\/a\.ts.*done/);
    expect(existsSync(join(dir, 'one.txt'))).toBe(false);
    await t.type('n');
    // `n` asks for a reason for the model; Enter sends none.
    await t.waitFor(/reason \(Enter to send, Esc for none\)/);
    await t.press('Enter');
    await t.waitFor(/\? Run write_file\n {2}path: two\.txt/);
    await t.type('y');
    expect(await t.exitCode()).toBe(0);
    expect(await t.history()).toContain('All done.');
    expect(existsSync(join(dir, 'one.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'two.txt'), 'utf8')).toBe('2');
  });

  it('shows the whole command before it takes y: a newline and a long tail included', async () => {
    const { dir, home } = tempProject();
    const tail = `${'x'.repeat(300)} END`;
    const command = `echo ok\ntouch approved.txt # ${tail}`;
    server.enqueue(
      toolCallsAnswer([{ id: 's1', name: 'shell', input: { command } }]),
      textAnswer('Ran it.'),
    );
    const t = await salvo(['run', '-m', 'm', 'run it'], dir, home);
    const screen = await t.waitForScreen(/\[y\] approve/);
    // On the screen now, nothing cut: rows joined hold the whole command, the newline shown.
    expect(squash(screen)).toContain(squash(`command: echo ok\\ntouch approved.txt # ${tail}`));
    expect(screen).toMatch(/command: echo ok\\n\n +touch approved\.txt/);
    expect(existsSync(join(dir, 'approved.txt'))).toBe(false);
    await t.type('y');
    expect(await t.exitCode()).toBe(0);
    expect(existsSync(join(dir, 'approved.txt'))).toBe(true);
  });

  it('model text cannot hide the prompt: no attribute it sets reaches the terminal', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      completionStream(
        [
          textChunk('Running it.\u001b[8m\u001b[30;40m'),
          toolStart(0, 's1', 'shell', JSON.stringify({ command: 'touch hidden.txt' })),
        ],
        'tool_calls',
      ),
      textAnswer('Ran it.'),
    );
    const t = await salvo(['run', '-m', 'm', 'run it'], dir, home);
    await t.waitForScreen(/\[y\] approve/);
    const seen = await t.seenScreen();
    expect(seen).toContain('Running it.');
    expect(seen).toMatch(/\? Run shell/);
    expect(seen).toContain('touch hidden.txt');
    expect(seen).toContain('[y] approve');
    await t.type('y');
    expect(await t.exitCode()).toBe(0);
    // What follows salvo (here the line the test's shell prints) can be seen too.
    expect(await t.seenScreen()).toContain('[exit 0]');
  });

  it('Ctrl-C cancels the run: the transcript is written and the exit code is 130', async () => {
    const { dir, home } = tempProject();
    const never = new Promise(() => {});
    server.enqueue({ type: 'stream', steps: [roleChunk(), { wait: never }] });
    const trace = join(dir, 'run.json');
    const t = await salvo(['run', '-m', 'm', '--trace', trace, 'think forever'], dir, home);
    await server.request(server.requests.length === 0 ? 0 : server.requests.length - 1);
    await t.waitFor(/thinking|⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    await t.press('C-c');
    expect(await t.exitCode()).toBe(130);
    expect(await t.history()).toMatch(/cancelled/);
    // The transcript, and beside it the session's trace (kept for `salvo --resume`).
    const files = readdirSync(join(home, '.salvo', 'sessions'));
    const sessions = files.filter((name) => !name.endsWith('.trace.json'));
    expect(sessions).toHaveLength(1);
    expect(files.filter((name) => name.endsWith('.trace.json')).length).toBeLessThanOrEqual(1);
    const saved = JSON.parse(
      readFileSync(join(home, '.salvo', 'sessions', sessions[0] as string), 'utf8'),
    );
    expect(saved.finishReason).toBe('cancelled');
  });

  it('a second Ctrl-C exits at once, killing an MCP server that would not go', async () => {
    const { dir, home } = tempProject();
    // The server ignores the end of its input, SIGTERM and SIGINT: closing it gracefully takes
    // seconds (the SDK waits, then kills it), and a salvo that just died would leave it running.
    const pidFile = join(dir, 'server.pid');
    const command = faultServerCommand({ FAULT_STUBBORN: '1', FAULT_PID_FILE: pidFile });
    writeFileSync(join(dir, 'salvo.json'), JSON.stringify({ mcpServers: { stubborn: command } }));
    server.enqueue({ type: 'stream', steps: [roleChunk(), { wait: new Promise(() => {}) }] });
    const t = await salvo(['run', '--trust-project', '-m', 'm', 'think forever'], dir, home);
    await t.waitFor(/⠋|⠙|⠹|⠸|⠼|⠴|⠦|⠧|⠇|⠏/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(processRuns(pid)).toBe(true);
    await t.press('C-c');
    await t.waitFor(/Ctrl-C again exits at once/);
    await t.press('C-c');
    expect(await t.exitCode()).toBe(130);
    expect(await t.history()).toMatch(/salvo: exited at once/);
    expect(processRuns(pid)).toBe(false);
  });
});
