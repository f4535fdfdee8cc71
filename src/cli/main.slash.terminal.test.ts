import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// Slash commands and sessions in a real terminal (tmux), against the scripted model server.

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

const env = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

async function salvo(args: string[], dir: string, home: string): Promise<TestTerminal> {
  const terminal = await TestTerminal.start({ args, cwd: dir, env: env(home) });
  terminals.push(terminal);
  return terminal;
}

interface WireMessage {
  role: string;
  content?: unknown;
}

function userTexts(body: unknown): string[] {
  return (body as { messages: WireMessage[]; model: string }).messages
    .filter((m) => m.role === 'user')
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

/** How many times `pattern` (global) occurs in `text`. */
function count(text: string, pattern: RegExp): number {
  return text.match(pattern)?.length ?? 0;
}

async function command(t: TestTerminal, text: string): Promise<void> {
  await t.type(text);
  await t.press('Enter');
}

describe('slash commands in a terminal', () => {
  it('/help, an unknown command, /model, /status, /trace, /clear and /exit: none reaches the model', async () => {
    const { dir, home } = tempProject();
    server.enqueue(
      toolCallsAnswer([{ id: 'c1', name: 'read_file', input: { path: 'src/a.ts' } }]),
      textAnswer('a is 1.'),
      textAnswer('fresh start.'),
    );
    const t = await salvo(['-m', 'm'], dir, home);
    await t.waitFor(/Ctrl-D\s+leaves\.[\s\S]*\n›$/, slow);

    await command(t, '/help');
    const help = await t.waitFor(/\/permissions[\s\S]*Ctrl-D exits[\s\S]*\n›$/, slow);
    expect(help).toMatch(/\/compact/);
    expect(help).toMatch(/\/resume/);

    await command(t, '/halp');
    await t.waitFor(/Unknown command \/halp \(did you mean \/help\?\)/, slow);

    await command(t, '/model other-model');
    await t.waitFor(/Model: openai:other-model from the next prompt on\./, slow);

    await command(t, 'read a.ts');
    await t.waitFor((s) => count(s, /— done in /g) === 1 && /\n›$/.test(s), slow);
    // The unknown command and the others never went to the model.
    expect(server.requests).toHaveLength(2);
    expect((server.requests[0]?.body as { model: string } | undefined)?.model).toBe('other-model');
    expect(userTexts(server.requests[0]?.body)).toEqual(['read a.ts']);

    await command(t, '/status');
    await t.waitFor(/Session \S+: 1 prompt, 1 tool call, [\d.]+ s working/, slow);

    await command(t, '/trace');
    const traced = await t.waitFor(/Trace written: (\S+\.html)/, slow);
    const report = /Trace written: (\S+\.html)/.exec(traced)?.[1] as string;
    expect(existsSync(report)).toBe(true);

    await command(t, '/clear');
    await t.waitFor(/New conversation \(session \S+\)\./, slow);
    await command(t, 'hello again');
    await t.waitFor((s) => count(s, /— done in /g) === 2 && /\n›$/.test(s), slow);
    expect(userTexts(server.requests[2]?.body)).toEqual(['hello again']);
    // Two sessions kept: the one before /clear and the one after.
    const sessions = readdirSync(join(home, '.salvo', 'sessions')).filter(
      (f) => f.endsWith('.json') && !f.endsWith('.trace.json'),
    );
    expect(sessions).toHaveLength(2);

    await command(t, '/exit');
    expect(await t.exitCode(slow)).toBe(0);
    expect(server.requests).toHaveLength(3);
  }, 180_000);

  it('salvo --resume lists the sessions of this folder to pick from; /resume switches to another', async () => {
    const { dir, home } = tempProject();
    server.enqueue(textAnswer('one'), textAnswer('two'));
    expect(
      (await runSalvo(['run', '-m', 'm', 'alpha topic'], { cwd: dir, env: env(home) })).code,
    ).toBe(0);
    expect(
      (await runSalvo(['run', '-m', 'm', 'beta topic'], { cwd: dir, env: env(home) })).code,
    ).toBe(0);

    server.enqueue(textAnswer('back to alpha'), textAnswer('now beta'));
    const t = await salvo(['--resume', '-m', 'm'], dir, home);
    // Newest first: beta, then alpha.
    const list = await t.waitFor(/Resume which session\?[\s\S]*Number \(1-2/, slow);
    expect(list).toMatch(/1\. beta topic\s+\(1 prompt, [^)]*\)\n\s+2\. alpha topic/);
    await command(t, '2');
    await t.waitFor(/Resumed alpha topic[\s\S]*\n›$/, slow);
    await command(t, 'more on alpha');
    await t.waitFor((s) => count(s, /— done in /g) === 1 && /\n›$/.test(s), slow);
    expect(userTexts(server.requests[2]?.body)).toEqual(['alpha topic', 'more on alpha']);

    await command(t, '/resume');
    await t.waitFor(/Resume which session\?[\s\S]*Number \(1-1/, slow);
    await command(t, '1');
    await t.waitFor(/Resumed beta topic/, slow);
    await command(t, 'more on beta');
    await t.waitFor((s) => count(s, /— done in /g) === 2 && /\n›$/.test(s), slow);
    expect(userTexts(server.requests[3]?.body)).toEqual(['beta topic', 'more on beta']);

    await command(t, '/exit');
    expect(await t.exitCode(slow)).toBe(0);
  }, 180_000);
});
