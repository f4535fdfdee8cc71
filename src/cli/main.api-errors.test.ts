import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ScriptedResponse,
  startTestServer,
  type TestServer,
} from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer } from './test-cli.js';

// The real binary against a server that is not the API, or that rate-limits: what the user reads.

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const openai = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

const rateLimited = (ms: number): ScriptedResponse => ({
  type: 'error',
  status: 429,
  body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } },
  headers: { 'retry-after-ms': String(ms) },
});

describe('salvo and API failures, without a terminal', () => {
  it('a 404 page: one line with its status, type and title, and a base URL hint', async () => {
    const { dir, home } = tempProject();
    server.enqueue({
      type: 'raw',
      status: 404,
      headers: { 'content-type': 'text/html' },
      body: '<html><head><title>Not Found</title></head><body><h1>Not Found</h1></body></html>',
    });
    const run = await runSalvo(['run', '-m', 'm', 'hi'], { cwd: dir, env: openai(home) });
    expect(run.code).toBe(1);
    expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^salvo: .*404.* text\/html.*“Not Found”/);
    expect(run.stderr).toMatch(/check (the base URL|--base-url).*it should end in \/v1/);
    expect(run.stderr).not.toMatch(/<title>|<h1>/);
  });

  it('a 200 in plain text is reported as such, not as a cut stream', async () => {
    const { dir, home } = tempProject();
    server.enqueue({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'It works!',
    });
    const run = await runSalvo(['run', '-m', 'm', 'hi'], { cwd: dir, env: openai(home) });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/answered 200 text\/plain.* instead of an event stream/);
    expect(run.stderr).toContain('“It works!”');
    expect(run.stderr).not.toMatch(/broke mid-answer|ended before/);
  });

  it('a 429 then an answer: the retry is one line on stderr, and the run succeeds', async () => {
    const { dir, home } = tempProject();
    server.enqueue(rateLimited(20), textAnswer('Done.'));
    const run = await runSalvo(['run', '-m', 'm', 'hi'], { cwd: dir, env: openai(home) });
    expect(run.code).toBe(0);
    const host = new URL(server.url).host;
    expect(run.stderr).toBe(`rate limited by ${host}, retrying in 0.1 s (attempt 2 of 3)\n`);
    expect(run.stdout).toContain('Done.');
  });

  it('--json: the retry is an agent.retry event', async () => {
    const { dir, home } = tempProject();
    server.enqueue(rateLimited(20), textAnswer('Done.'));
    const run = await runSalvo(['run', '--json', '-m', 'm', 'hi'], { cwd: dir, env: openai(home) });
    expect(run.code).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(events.find((e) => e.event === 'agent.retry')).toEqual({
      event: 'agent.retry',
      step: 1,
      attempt: 2,
      maxAttempts: 3,
      delayMs: 20,
      reason: 'rate-limited',
      status: 429,
      server: new URL(server.url).host,
      message: 'Rate limit reached',
    });
  });
});
