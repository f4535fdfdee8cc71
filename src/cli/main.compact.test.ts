import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { compactionSummaryPrefix } from '../agent/compact-messages.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer } from './test-cli.js';

// Each test runs the binary a few times on a small, busy machine.
vi.setConfig({ testTimeout: 120_000 });

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

interface WireMessage {
  role: string;
  content?: unknown;
}

function texts(body: unknown, role: string): string[] {
  return (body as { messages: WireMessage[] }).messages
    .filter((m) => m.role === role)
    .map((m) => (typeof m.content === 'string' ? m.content : JSON.stringify(m.content)));
}

describe('context compaction', () => {
  it('summarizes the older turns before a prompt once the conversation nears the context window', async () => {
    const { dir, home } = tempProject();
    // The smallest window salvo takes; the first question alone fills most of it.
    mkdirSync(join(home, '.salvo'), { recursive: true });
    writeFileSync(join(home, '.salvo', 'settings.json'), JSON.stringify({ contextWindow: 1024 }));
    const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
    const run = (...args: string[]) => runSalvo(['run', '-m', 'm', ...args], { cwd: dir, env });

    server.enqueue(textAnswer('first answer'));
    expect((await run(`first question ${'x'.repeat(4000)}`)).code).toBe(0);
    // One turn so far: nothing before it to summarize, so no request is spent on it.
    const beforeSecond = server.requests.length;
    server.enqueue(textAnswer('second answer'));
    const second = await run('-c', 'second question');
    expect(second.code).toBe(0);
    expect(server.requests.length - beforeSecond).toBe(1);
    expect(`${second.stdout}${second.stderr}`).not.toMatch(/compact|summariz/i);

    const beforeThird = server.requests.length;
    server.enqueue(
      textAnswer('SUMMARY: the user asked a first question.'),
      textAnswer('third answer'),
    );
    const third = await run('-c', 'third question');
    expect(third.code).toBe(0);
    expect(server.requests.length - beforeThird).toBe(2);
    // The summary request reads the older turn; the prompt goes out with the summary in its place.
    const summaryRequest = JSON.stringify(server.requests[beforeThird]?.body);
    expect(summaryRequest).toContain('first question');
    expect(summaryRequest).not.toContain('third question');
    const promptRequest = server.requests[beforeThird + 1]?.body;
    const users = texts(promptRequest, 'user');
    expect(users[0]).toContain(compactionSummaryPrefix);
    expect(users[0]).toContain('SUMMARY: the user asked a first question.');
    expect(users.join('\n')).not.toContain('xxxxxxxxxx');
    expect(users.slice(1)).toEqual(['second question', 'third question']);
    expect(texts(promptRequest, 'assistant')).toEqual(['second answer']);
    expect(`${third.stdout}${third.stderr}`).toMatch(/Compacted \d+ messages into \d+/);

    // The session keeps the compacted conversation: the next -c starts from the summary.
    const sessions = join(home, '.salvo', 'sessions');
    const [file] = readdirSync(sessions).filter((f) => !f.endsWith('.trace.json'));
    const saved = JSON.parse(readFileSync(join(sessions, file as string), 'utf8'));
    expect(JSON.stringify(saved.messages[0])).toContain(compactionSummaryPrefix);
    expect(JSON.stringify(saved.messages)).toContain('third answer');
  });

  it('a failed summary leaves the conversation whole and the prompt still runs', async () => {
    const { dir, home } = tempProject();
    mkdirSync(join(home, '.salvo'), { recursive: true });
    writeFileSync(join(home, '.salvo', 'settings.json'), JSON.stringify({ contextWindow: 1024 }));
    const env = cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });
    const run = (...args: string[]) => runSalvo(['run', '-m', 'm', ...args], { cwd: dir, env });
    server.enqueue(textAnswer('first answer'), textAnswer('second answer'));
    const first = `first question ${'x'.repeat(4000)}`;
    expect((await run(first)).code).toBe(0);
    expect((await run('-c', 'second question')).code).toBe(0);

    const before = server.requests.length;
    server.enqueue(
      {
        type: 'error',
        status: 400,
        body: { error: { message: 'bad request', type: 'invalid_request_error' } },
      },
      textAnswer('third answer'),
    );
    const third = await run('-c', 'third question');
    expect(third.code).toBe(0);
    expect(third.stderr).toMatch(/not compacted/);
    const users = texts(server.requests[before + 1]?.body, 'user');
    expect(users).toEqual([first, 'second question', 'third question']);
  });
});
