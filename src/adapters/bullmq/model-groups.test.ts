// Named groups around model requests, against a real redis-server: across worker processes, and
// in this process for the ways a request can end.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import type { Model, ModelEvent, ModelRequest } from '../../agent/model.js';
import { scriptedModel } from '../../agent/scripted-model.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { SubagentManager } from '../../subagent/subagent-manager.js';
import { taskTool } from '../../subagent/subagent-tools.js';
import { bullmqDispatcher } from './bullmq-dispatcher.js';
import { groupKey, modelGroups } from './model-groups.js';
import { startTestRedis, type TestRedis } from './test-redis.js';
import type { TestWorkerConfig } from './test-worker-process.js';
import { maxOverlap, spawnTestWorker, type TestWorkerProcess } from './test-workers.js';

let redis: TestRedis;
let client: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  client = new Redis(redis.port, redis.host, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  client?.disconnect();
  await redis?.stop();
});

let queues = 0;
function cluster() {
  const queueName = `g${++queues}`;
  // Each test its own prefix, so its groups start empty.
  const dispatcher = bullmqDispatcher({ connection: redis.url, queueName, reconcileMs: 500 });
  const manager = new SubagentManager({
    model: scriptedModel({ turns: [] }),
    dispatcher,
    maxConcurrent: 100,
    maxTotal: 100,
  });
  const scheduler = new Scheduler({ tools: [taskTool(manager)] });
  manager.attach(scheduler);
  const workers: TestWorkerProcess[] = [];
  const spawnWorker = async (config: Omit<TestWorkerConfig, 'url' | 'queueName'>) => {
    const worker = spawnTestWorker({ url: redis.url, queueName, ...config });
    workers.push(worker);
    await worker.waitFor((e) => e.type === 'ready');
    return worker;
  };
  onTestFinished(async () => {
    for (const worker of workers) worker.signal('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    await dispatcher.close();
  });
  const tasks = (prompts: string[]) =>
    prompts.map((prompt, i) => ({
      id: `c${i}`,
      name: 'task',
      input: { description: prompt, prompt },
    }));
  return { scheduler, spawnWorker, tasks, workers };
}

describe('groups on worker processes', () => {
  it('holds a model group cluster-wide: 3 workers of 4 slots, model:scripted 2, overlap 2', async () => {
    await client.del(groupKey('bull', 'model:scripted'));
    const { scheduler, spawnWorker, tasks, workers } = cluster();
    const groups = { 'model:scripted': 2 };
    await Promise.all(
      ['w1', 'w2', 'w3'].map((name) => spawnWorker({ name, concurrency: 4, groups, modelMs: 60 })),
    );
    const prompts = Array.from({ length: 12 }, (_, i) => `work:20:${i}`);
    const { results } = await scheduler.run(tasks(prompts));
    expect(results.map((r) => r.status)).toEqual(prompts.map(() => 'success'));
    const events = workers.flatMap((w) => w.events);
    // Two requests per subagent (the tool call, then the answer), never more than 2 at once.
    expect(events.filter((e) => e.type === 'model-start')).toHaveLength(24);
    expect(maxOverlap(events, 'model')).toBe(2);
    // The jobs themselves were not held to 2: the group counts model requests only.
    expect(maxOverlap(events)).toBeGreaterThan(2);
    expect(await client.zcard(groupKey('bull', 'model:scripted'))).toBe(0);
  }, 60_000);

  it("gives a SIGKILLed worker's lease to another worker after the lease time", async () => {
    await client.del(groupKey('bull', 'model:scripted'));
    const { scheduler, spawnWorker, tasks } = cluster();
    const groups = { 'model:scripted': 1 };
    const holder = await spawnWorker({
      name: 'holder',
      concurrency: 1,
      groups,
      groupLeaseMs: 1_000,
      modelMs: 60_000,
      lockDurationMs: 60_000, // its job is not taken over: the other job needs the lease
    });
    const run = scheduler.run(tasks(['work:10:a', 'work:10:b']));
    await holder.waitFor((e) => e.type === 'model-start');
    const waiter = await spawnWorker({
      name: 'waiter',
      concurrency: 1,
      groups,
      groupLeaseMs: 1_000,
    });
    await waiter.waitFor((e) => e.type === 'start');
    // Its job runs, its model request waits for the holder's lease.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(waiter.events.some((e) => e.type === 'model-start')).toBe(false);
    holder.signal('SIGKILL');
    const killedAt = Date.now();
    const granted = await waiter.waitFor((e) => e.type === 'model-start', 10_000);
    expect(granted.at - killedAt).toBeLessThan(1_000 + 700);
    await waiter.waitFor((e) => e.type === 'end');
    expect(waiter.events.filter((e) => e.type === 'model-start')).toHaveLength(2);
    void run.catch(() => {}); // the holder's job waits for its 60 s lock; not this test's point
  }, 60_000);
});

/** A model whose request waits for `until`, then answers `text` (or throws `error`). */
function gatedModel(until: Promise<void>, outcome: { text?: string; error?: Error }): Model {
  return {
    provider: 'gated',
    modelId: 'g1',
    toProviderMessages: (messages) => [...messages],
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      await Promise.race([
        until,
        new Promise((_, reject) =>
          request.signal.addEventListener('abort', () => reject(request.signal.reason), {
            once: true,
          }),
        ),
      ]);
      if (outcome.error) throw outcome.error;
      yield { type: 'text-delta', text: outcome.text ?? '' };
      yield { type: 'finish', reason: 'stop', usage: { inputTokens: 1, outputTokens: 1 } };
    },
  };
}

const request = (signal: AbortSignal): ModelRequest => ({
  system: '',
  messages: [{ role: 'user', content: 'hi' }],
  tools: [],
  signal,
});

async function drain(model: Model, signal = new AbortController().signal) {
  const events: ModelEvent[] = [];
  for await (const event of model.stream(request(signal))) events.push(event);
  return events;
}

let prefixes = 0;
describe('modelGroups', () => {
  it('puts a model in model:<provider> and model:<provider>/<modelId> when those are limited', async () => {
    const prefix = `p${++prefixes}`;
    const groups = modelGroups({
      client,
      prefix,
      groups: { 'model:gated': 5, 'model:gated/g1': 1, 'model:other': 1 },
      pollMs: 5,
    });
    let open!: () => void;
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const model = groups.wrap(gatedModel(gate, { text: 'ok' }));
    const first = drain(model);
    await expect.poll(() => client.zcard(groupKey(prefix, 'model:gated/g1'))).toBe(1);
    expect(await client.zcard(groupKey(prefix, 'model:gated'))).toBe(1);
    expect(await client.zcard(groupKey(prefix, 'model:other'))).toBe(0);
    // model:gated/g1 is full: a second request waits (and is cancelled here).
    const cancel = new AbortController();
    const second = drain(model, cancel.signal);
    await new Promise((resolve) => setTimeout(resolve, 50));
    cancel.abort(new Error('job cancelled'));
    await expect(second).rejects.toThrow('job cancelled');
    open();
    expect((await first)[0]).toEqual({ type: 'text-delta', text: 'ok' });
    // Everything given back: the finished request's leases, and none held by the cancelled one.
    expect(await client.zcard(groupKey(prefix, 'model:gated'))).toBe(0);
    expect(await client.zcard(groupKey(prefix, 'model:gated/g1'))).toBe(0);
  });

  it('gives the leases back when the request fails or its reader stops early', async () => {
    const prefix = `p${++prefixes}`;
    const groups = modelGroups({ client, prefix, groups: { 'model:gated': 1 }, pollMs: 5 });
    const key = groupKey(prefix, 'model:gated');
    const failing = groups.wrap(gatedModel(Promise.resolve(), { error: new Error('HTTP 500') }));
    await expect(drain(failing)).rejects.toThrow('HTTP 500');
    expect(await client.zcard(key)).toBe(0);
    const answering = groups.wrap(gatedModel(Promise.resolve(), { text: 'x' }));
    for await (const _event of answering.stream(request(new AbortController().signal))) break;
    expect(await client.zcard(key)).toBe(0);
  });

  it('leaves a model in no group alone, and names a group modelGroups asks for but nobody limits', () => {
    const prefix = `p${++prefixes}`;
    const model = gatedModel(Promise.resolve(), {});
    expect(modelGroups({ client, prefix, groups: { 'model:x': 1 } }).wrap(model)).toBe(model);
    const wrongly = modelGroups({
      client,
      prefix,
      groups: { 'model:x': 1 },
      modelGroups: () => ['model:y'],
    });
    expect(() => wrongly.wrap(model)).toThrow(
      /modelGroups named "model:y", which `groups` does not limit: add it to `groups`/,
    );
    expect(() => modelGroups({ client, prefix, groups: { 'model:x': 0 } })).toThrow(
      /groups\["model:x"\]/,
    );
  });
});
