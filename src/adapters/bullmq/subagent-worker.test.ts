// A worker in this process (the process-level guarantees are in bullmq-dispatcher.test.ts).
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { ModelRequest } from '../../agent/model.js';
import { scriptedModel } from '../../agent/scripted-model.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { deferred } from '../../schedule/test-support.js';
import { SubagentManager } from '../../subagent/subagent-manager.js';
import { taskTool } from '../../subagent/subagent-tools.js';
import { defineTool } from '../../tool/define-tool.js';
import { bullmqDispatcher } from './bullmq-dispatcher.js';
import { startSubagentWorker } from './subagent-worker.js';
import { startTestRedis, type TestRedis } from './test-redis.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let queues = 0;
const definitions = [
  { name: 'reader', description: 'reads', prompt: 'You only read.', tools: ['read'] },
];

function coordinator(queueName: string) {
  const dispatcher = bullmqDispatcher({ connection: redis.url, queueName, reconcileMs: 200 });
  const manager = new SubagentManager({
    model: scriptedModel({ turns: [] }),
    dispatcher,
    definitions: [...definitions, { name: 'writer', description: 'writes', prompt: 'Write.' }],
  });
  const scheduler = new Scheduler({ tools: [taskTool(manager)] });
  manager.attach(scheduler);
  onTestFinished(() => dispatcher.close());
  return scheduler;
}

const task = (prompt: string, agent?: string) => ({
  id: 'c1',
  name: 'task',
  input: { description: prompt, prompt, ...(agent ? { agent } : {}) },
});

describe('startSubagentWorker', () => {
  it('runs a named definition with its own prompt and only its tools, and says so when it has no such definition', async () => {
    const queueName = `w${++queues}`;
    const seen: { system: string | undefined; tools: string[] }[] = [];
    const model = scriptedModel({
      turns: (request: ModelRequest) => {
        seen.push({ system: request.system, tools: request.tools.map((t) => t.name) });
        return { text: 'ok' };
      },
    });
    const tool = (name: string) =>
      defineTool({
        name,
        description: name,
        input: { type: 'object' },
        claims: [],
        execute: () => name,
      });
    const worker = startSubagentWorker({
      connection: redis.url,
      queueName,
      model,
      tools: [tool('read'), tool('write'), tool('task')],
      definitions,
    });
    onTestFinished(() => worker.close({ force: true }));
    await worker.ready();
    const scheduler = coordinator(queueName);
    const named = await scheduler.run([task('look', 'reader')]);
    expect(named.results[0]).toMatchObject({ status: 'success', output: 'ok' });
    expect(seen[0]?.system).toContain('You only read.');
    expect(seen[0]?.tools).toEqual(['read']);
    const unknown = await scheduler.run([task('write it', 'writer')]);
    expect(unknown.results[0]?.status).toBe('error');
    expect(unknown.results[0]?.error?.message).toMatch(
      /has no agent definition named "writer": give startSubagentWorker the coordinator's definitions/,
    );
  }, 30_000);

  it('fails a running job when the worker is closed with force (an error result, not a cancel)', async () => {
    const queueName = `w${++queues}`;
    const started = deferred();
    const slow = defineTool({
      name: 'slow',
      description: 'slow',
      input: { type: 'object' },
      claims: [],
      execute: (_i, ctx) =>
        new Promise((_, reject) => {
          started.resolve();
          ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
        }),
    });
    const worker = startSubagentWorker({
      connection: redis.url,
      queueName,
      model: scriptedModel({
        turns: (request: ModelRequest) =>
          request.messages.some((m) => m.role === 'tool')
            ? { text: 'done' }
            : { toolCalls: [{ name: 'slow', input: {} }] },
      }),
      tools: [slow],
      name: 'wx',
    });
    await worker.ready();
    const run = coordinator(queueName).run([task('wait')]);
    await started.promise;
    expect(worker.running).toBe(1);
    await worker.close({ force: true });
    const { results } = await run;
    expect(results[0]?.status).toBe('error');
    expect(results[0]?.error?.message).toMatch(/worker wx stopped before it finished/);
  }, 30_000);
});
