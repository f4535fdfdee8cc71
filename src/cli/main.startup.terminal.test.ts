import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { faultServerCommand } from '../mcp/fixtures/fault-server-command.js';
import { processRuns } from '../mcp/fixtures/process-runs.js';
import { cleanEnv, tempProject, textAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// A hung MCP server at startup, in a real terminal (tmux): a countdown the user can skip, and a
// Ctrl-C that ends salvo with exit code 130 and leaves no server behind.

const slow = 45_000;

let server: TestServer;
const terminals: TestTerminal[] = [];

beforeEach(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  await Promise.all(terminals.splice(0).map((t) => t.close()));
  await server.close();
});

async function salvo(
  args: string[],
  dir: string,
  home: string,
  columns?: number,
): Promise<TestTerminal> {
  const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
  const terminal = await TestTerminal.start({
    args,
    cwd: dir,
    env,
    ...(columns ? { columns } : {}),
  });
  terminals.push(terminal);
  return terminal;
}

/**
 * A project whose salvo.json starts `hung`, an MCP server that never answers `initialize` (and,
 * when `stubborn`, ignores the end of its input, SIGTERM and SIGINT). Returns its pid file.
 */
function hungServerProject(dir: string, stubborn = false, names = ['hung']): string {
  const pidFile = join(dir, 'hung.pid');
  const command = faultServerCommand({
    FAULT_START_DELAY_MS: String(10 * 60_000),
    FAULT_PID_FILE: pidFile,
    ...(stubborn ? { FAULT_STUBBORN: '1' } : {}),
  });
  const mcpServers = Object.fromEntries(names.map((name) => [name, command]));
  writeFileSync(join(dir, 'salvo.json'), JSON.stringify({ mcpServers }));
  return pidFile;
}

/** The pid the server wrote, once it wrote it. */
async function serverPid(t: TestTerminal, pidFile: string): Promise<number> {
  await t.waitFor(() => existsSync(pidFile) && readFileSync(pidFile, 'utf8') !== '', slow);
  return Number(readFileSync(pidFile, 'utf8'));
}

const countdownLine = /Starting MCP servers: hung \((\d+) s left\) — press s to skip waiting/;

describe('MCP servers starting, in a terminal', () => {
  it('a hung server: the countdown goes down; s starts the run without it and says so', async () => {
    const { dir, home } = tempProject();
    const pidFile = hungServerProject(dir);
    server.enqueue(textAnswer('Started without it.'));
    const t = await salvo(['run', '--trust-project', '-m', 'm', 'hello'], dir, home);
    const first = Number(countdownLine.exec(await t.waitForScreen(countdownLine, slow))?.[1]);
    expect(first).toBeGreaterThan(20);
    expect(first).toBeLessThanOrEqual(30);
    // Redrawn in place as the seconds pass: a lower count on the same screen.
    const later = await t.waitForScreen((screen) => {
      const left = countdownLine.exec(screen)?.[1];
      return left !== undefined && Number(left) < first;
    }, 5_000);
    expect(later.match(new RegExp(countdownLine.source, 'g'))).toHaveLength(1);
    const pid = await serverPid(t, pidFile);
    expect(server.requests).toHaveLength(0);
    await t.type('s');
    expect(await t.exitCode(slow)).toBe(0);
    const screen = await t.history();
    const said = screen.split('\n').filter((line) => /Skipped waiting for MCP servers/.test(line));
    expect(said).toEqual(['Skipped waiting for MCP servers: hung; salvo runs without their tools']);
    expect(screen).toContain('Started without it.');
    // The run went on without it: no tool of `hung` offered to the model, and the server stopped.
    const { body } = await server.request(0);
    const tools = (body as { tools: { function: { name: string } }[] }).tools.map(
      (tool) => tool.function.name,
    );
    expect(tools).toContain('read_file');
    expect(tools.filter((name) => name.includes('hung'))).toEqual([]);
    expect(processRuns(pid)).toBe(false);
    expect(screen).not.toMatch(/is not available|Error|at .*\.ts:\d+/);
  }, 90_000);

  it('in a narrow terminal, servers that do not fit are counted: the key that skips stays in view', async () => {
    const { dir, home } = tempProject();
    hungServerProject(dir, false, ['hung', 'stalled', 'stuck']);
    server.enqueue(textAnswer('Started without them.'));
    const t = await salvo(['run', '--trust-project', '-m', 'm', 'hello'], dir, home, 80);
    await t.waitForScreen(
      /^Starting MCP servers: hung \(\d+ s left\), 2 more — press s to skip waiting$/m,
      slow,
    );
    await t.type('s');
    expect(await t.exitCode(slow)).toBe(0);
    expect(await t.unwrappedHistory()).toMatch(
      /Skipped waiting for MCP servers: hung, stalled, stuck; salvo runs without their tools/,
    );
  }, 90_000);

  for (const stubborn of [false, true]) {
    it(`Ctrl-C while ${stubborn ? 'a stubborn' : 'a'} hung server starts: exit 130, the server gone, no crash`, async () => {
      const { dir, home } = tempProject();
      const pidFile = hungServerProject(dir, stubborn);
      const t = await salvo(['run', '--trust-project', '-m', 'm', 'hello'], dir, home);
      await t.waitForScreen(countdownLine, slow);
      const pid = await serverPid(t, pidFile);
      expect(processRuns(pid)).toBe(true);
      await t.press('C-c');
      expect(await t.exitCode(slow)).toBe(130);
      const screen = await t.history();
      expect(screen).toMatch(/cancelled while the MCP servers were starting/);
      // Said in words, not as a crash: no stack trace, no uncaught error, no signal death.
      expect(screen).not.toMatch(/\n\s+at |Error:|Uncaught|node:internal/);
      expect(processRuns(pid)).toBe(false);
      expect(server.requests).toHaveLength(0);
    }, 90_000);
  }
});
