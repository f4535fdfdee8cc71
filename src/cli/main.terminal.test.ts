import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { roleChunk } from '../agent/providers/test-openai-sse.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { faultServerCommand } from '../mcp/fixtures/fault-server-command.js';
import { processRuns } from '../mcp/fixtures/process-runs.js';
import { cleanEnv, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
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
    const asking = await t.waitFor(/\? Run write_file one\.txt[^\n]*1 more waiting/);
    expect(asking).toMatch(/\[y\] approve {2}\[n\] deny {2}\[a\] approve every write_file call/);
    await t.waitFor(/read_file src\/a\.ts.*done/);
    expect(existsSync(join(dir, 'one.txt'))).toBe(false);
    await t.type('n');
    await t.waitFor(/\? Run write_file two\.txt/);
    await t.type('y');
    expect(await t.exitCode()).toBe(0);
    expect(await t.history()).toContain('All done.');
    expect(existsSync(join(dir, 'one.txt'))).toBe(false);
    expect(readFileSync(join(dir, 'two.txt'), 'utf8')).toBe('2');
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
    const sessions = readdirSync(join(home, '.salvo', 'sessions'));
    expect(sessions).toHaveLength(1);
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
    const t = await salvo(['run', '-m', 'm', 'think forever'], dir, home);
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
