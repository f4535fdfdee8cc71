import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { startTestRedis, type TestRedis } from '../adapters/bullmq/test-redis.js';
import { startTestServer, type TestServer } from '../agent/providers/test-server.js';
import { cleanEnv, runSalvo, tempProject, textAnswer, toolCallsAnswer } from './test-cli.js';
import { salvoBin } from './test-terminal.js';

// `salvo run --redis` and `salvo worker --redis`: the real binary, a real redis-server.

let server: TestServer;
let redis: TestRedis;
beforeAll(async () => {
  [server, redis] = await Promise.all([startTestServer(), startTestRedis()]);
});
afterAll(async () => {
  await Promise.all([server?.close(), redis?.stop()]);
});

const openai = (home: string) =>
  cleanEnv(home, { OPENAI_BASE_URL: `${server.url}/v1`, OPENAI_API_KEY: 'test' });

/** `salvo worker` running in the background; its stderr collected. */
function startWorker(args: string[], cwd: string, env: Record<string, string>) {
  const child = spawn(process.execPath, [salvoBin, 'worker', ...args], {
    cwd,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  onTestFinished(async () => {
    child.kill('SIGKILL');
    await exited;
  });
  return {
    child,
    exited,
    stderr: () => stderr,
    async waitFor(text: string, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (!stderr.includes(text)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`salvo worker never said "${text}"; it said: ${stderr}`);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}

describe('salvo with --redis', () => {
  it('runs a subagent of `salvo run --redis` on a `salvo worker`, and the worker stops on SIGTERM', async () => {
    const { dir, home } = tempProject();
    const env = openai(home);
    const worker = startWorker(
      ['--redis', redis.url, '-m', 'test-model', '--concurrency', '2'],
      dir,
      env,
    );
    await worker.waitFor('running subagents from');
    expect(worker.stderr()).toContain(`redis://127.0.0.1:${redis.port}`);
    server.enqueue(
      toolCallsAnswer([
        { id: 'c1', name: 'task', input: { description: 'check a', prompt: 'Is a.ts fine?' } },
      ]),
      textAnswer('a.ts is fine.'),
      textAnswer('The subagent says a.ts is fine.'),
    );
    const run = await runSalvo(
      ['run', '--json', '--redis', redis.url, '-m', 'test-model', 'check'],
      {
        cwd: dir,
        env,
      },
    );
    expect(run.code).toBe(0);
    const events = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    const task = events.find((e) => e.event === 'call.finished' && e.callId === 'c1');
    expect(task?.result).toMatchObject({ status: 'success' });
    expect(JSON.stringify(task?.result.content)).toContain('a.ts is fine.');
    expect(events.at(-1)).toMatchObject({
      event: 'run.end',
      text: 'The subagent says a.ts is fine.',
    });
    // The worker, not the coordinator, ran it.
    expect(worker.stderr()).toMatch(/start \S+:\S+:c1\n/);
    expect(worker.stderr()).toMatch(/end \S+:\S+:c1 stop\n/);
    worker.child.kill('SIGTERM');
    expect(await worker.exited).toBe(130);
  }, 60_000);

  it('says in one line when Redis does not answer, for run and worker alike', async () => {
    const { dir, home } = tempProject();
    // A port nothing listens on: the test Redis, stopped.
    const gone = await startTestRedis();
    await gone.stop();
    for (const args of [
      ['run', '--redis', gone.url, '-m', 'test-model', 'hi'],
      ['worker', '--redis', gone.url, '-m', 'test-model'],
    ]) {
      const run = await runSalvo(args, { cwd: dir, env: openai(home) });
      expect(run.code).toBe(2);
      expect(run.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(
        new RegExp(
          `^salvo: --redis: redis://127\\.0\\.0\\.1:${gone.port} did not answer within 5 s`,
        ),
      );
    }
    const bad = await runSalvo(['worker', '--redis', 'http://x', '-m', 'test-model'], {
      cwd: dir,
      env: openai(home),
    });
    expect(bad.stderr).toMatch(/^salvo: --redis: .*redis:\/\/ or rediss:\/\/ URL/);
    expect(bad.code).toBe(2);
  }, 60_000);

  it("reads `redis` from the user's config, and from a project's only once trusted, never printing its password", async () => {
    const { dir, home } = tempProject();
    const gone = await startTestRedis();
    await gone.stop();
    const url = `redis://:hunter2@127.0.0.1:${gone.port}`;
    const place = `redis://127\\.0\\.0\\.1:${gone.port}`;
    const env = openai(home);
    const run = (extra: string[] = []) =>
      runSalvo(['run', ...extra, '-m', 'test-model', 'hi'], { cwd: dir, env });

    mkdirSync(join(home, '.salvo'), { recursive: true });
    writeFileSync(join(home, '.salvo', 'settings.json'), JSON.stringify({ redis: url }));
    const mine = await run();
    expect(mine.code).toBe(2);
    expect(mine.stderr).toMatch(
      new RegExp(`^salvo: \`redis\` in the config: ${place} did not answer within 5 s`),
    );
    expect(mine.stderr).not.toContain('hunter2');

    rmSync(join(home, '.salvo', 'settings.json'));
    writeFileSync(join(dir, 'salvo.json'), JSON.stringify({ redis: url }));
    // No terminal to ask: refused in one line, and nothing is sent anywhere.
    const theirs = await run();
    expect(theirs.code).toBe(2);
    expect(theirs.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(theirs.stderr).toMatch(
      new RegExp(`salvo\\.json sets redis ${place} .*pass --trust-project`),
    );
    expect(theirs.stderr).not.toContain('hunter2');
    const trusted = await run(['--trust-project']);
    expect(trusted.stderr).toMatch(new RegExp(`\`redis\` in the config: ${place} did not answer`));
    expect(trusted.stderr).not.toContain('hunter2');
  }, 60_000);
});
