// The BullMQ dispatcher against a real redis-server, with workers as separate processes.
import { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import { scriptedModel } from '../../agent/scripted-model.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { SubagentManager } from '../../subagent/subagent-manager.js';
import { taskTool } from '../../subagent/subagent-tools.js';
import { bullmqDispatcher } from './bullmq-dispatcher.js';
import { startTestRedis, type TestRedis } from './test-redis.js';
import type { TestWorkerConfig } from './test-worker-process.js';
import { maxOverlap, spawnTestWorker, type TestWorkerProcess } from './test-workers.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

let queues = 0;
function setup({ maxConcurrent, agents = 100 }: { maxConcurrent?: number; agents?: number } = {}) {
  const queueName = `q${++queues}`;
  const dispatcher = bullmqDispatcher({
    connection: redis.url,
    queueName,
    reconcileMs: 1000,
    ...(maxConcurrent ? { maxConcurrent } : {}),
  });
  // The coordinator's own model is never asked: every subagent runs on a worker.
  const manager = new SubagentManager({
    model: scriptedModel({ turns: [] }),
    dispatcher,
    maxConcurrent: agents,
    maxTotal: 1000,
    runId: 'r1',
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
    for (const worker of workers) {
      worker.signal('SIGCONT');
      worker.signal('SIGKILL');
    }
    await Promise.all(workers.map((w) => w.exited));
    await dispatcher.close();
  });
  const tasks = (prompts: string[]) =>
    prompts.map((prompt, i) => ({
      id: `call${i}`,
      name: 'task',
      input: { description: prompt, prompt },
    }));
  return { queueName, dispatcher, manager, scheduler, spawnWorker, tasks, workers };
}

const ends = (workers: TestWorkerProcess[], status = 'stop') =>
  workers.flatMap((w) => w.events.filter((e) => e.type === 'end' && e.status === status));

describe('bullmqDispatcher with worker processes', () => {
  it('returns one result per call in call order, and holds the cluster-wide cap', async () => {
    const { scheduler, spawnWorker, tasks, workers } = setup({ maxConcurrent: 3 });
    await Promise.all([
      spawnWorker({ name: 'w1', concurrency: 4 }),
      spawnWorker({ name: 'w2', concurrency: 4 }),
    ]);
    const prompts = Array.from({ length: 12 }, (_, i) => `work:300:${i}`);
    const { results } = await scheduler.run(tasks(prompts));
    expect(results.map((r) => r.id)).toEqual(prompts.map((_, i) => `call${i}`));
    results.forEach((r, i) => {
      expect(r.status).toBe('success');
      expect(r.output).toMatch(new RegExp(`^done work:300:${i} by w[12]$`));
    });
    const finished = ends(workers);
    expect(finished).toHaveLength(12);
    expect(new Set(finished.map((e) => e.jobId)).size).toBe(12);
    // Eight slots on the workers, three at once in the cluster.
    expect(maxOverlap(workers.flatMap((w) => w.events))).toBe(3);
  }, 60_000);

  it('loses nothing and runs nothing twice when a worker is SIGKILLed mid-run', async () => {
    const { scheduler, spawnWorker, tasks, workers } = setup();
    const locks = { lockDurationMs: 1000, stalledIntervalMs: 300 };
    const [doomed] = await Promise.all([
      spawnWorker({ name: 'w1', concurrency: 2, ...locks }),
      spawnWorker({ name: 'w2', concurrency: 2, ...locks }),
      spawnWorker({ name: 'w3', concurrency: 2, ...locks }),
    ]);
    const prompts = Array.from({ length: 10 }, (_, i) => `work:800:${i}`);
    const run = scheduler.run(tasks(prompts));
    // Both of its slots busy, then it dies.
    const started = () => doomed?.events.filter((e) => e.type === 'start').length ?? 0;
    await doomed?.waitFor(() => started() >= 2);
    doomed?.signal('SIGKILL');
    await doomed?.exited;
    const killedJobs = doomed?.events.filter((e) => e.type === 'start').map((e) => e.jobId) ?? [];
    const { results } = await run;
    expect(results.map((r) => [r.id, r.status])).toEqual(
      prompts.map((_, i) => [`call${i}`, 'success']),
    );
    results.forEach((r, i) => {
      expect(r.output).toMatch(new RegExp(`^done work:800:${i} by w[23]$`));
    });
    // Every job finished exactly once, the dead worker's by the others.
    const finished = ends(workers);
    expect(finished.map((e) => e.jobId).sort()).toEqual(
      [...new Set(finished.map((e) => e.jobId))].sort(),
    );
    expect(finished).toHaveLength(10);
    for (const jobId of killedJobs) {
      expect(finished.find((e) => e.jobId === jobId)?.worker).toMatch(/^w[23]$/);
    }
  }, 60_000);

  it('cancels running jobs in another process within a second, and starts none of them afterwards', async () => {
    const { scheduler, spawnWorker, tasks } = setup();
    const worker = await spawnWorker({ name: 'w1', concurrency: 2 });
    const controller = new AbortController();
    const run = scheduler.run(tasks(['work:30000:a', 'work:30000:b', 'work:30000:c']), {
      signal: controller.signal,
    });
    await worker.waitFor(() => worker.events.filter((e) => e.type === 'start').length === 2);
    const cancelledAt = Date.now();
    controller.abort(new Error('user pressed Ctrl-C'));
    const { results } = await run;
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    const started = worker.events.filter((e) => e.type === 'start');
    for (const start of started) {
      const end = await worker.waitFor((e) => e.type === 'end' && e.jobId === start.jobId, 5000);
      expect(end.status).toBe('cancelled');
      expect(end.at - cancelledAt).toBeLessThan(1000);
    }
    // The third job gets a slot once the others ended, and sees its cancel mark first.
    const skipped = await worker.waitFor((e) => e.type === 'skipped', 5000);
    expect(started.map((e) => e.jobId)).not.toContain(skipped.jobId);
    expect(worker.events.filter((e) => e.type === 'start')).toHaveLength(2);
  }, 60_000);

  it('answers a call sent again (same run, same call id) from its finished job, without running it twice', async () => {
    const { scheduler, spawnWorker, tasks, workers, queueName } = setup();
    await spawnWorker({ name: 'w1', concurrency: 2 });
    const first = await scheduler.run(tasks(['work:10:a', 'work:10:b']));
    expect(first.results.map((r) => r.status)).toEqual(['success', 'success']);
    // A coordinator started again with the same run id: the same job ids.
    const dispatcher = bullmqDispatcher({ connection: redis.url, queueName, reconcileMs: 100 });
    onTestFinished(() => dispatcher.close());
    const manager = new SubagentManager({
      model: scriptedModel({ turns: [] }),
      dispatcher,
      runId: 'r1',
    });
    const again = new Scheduler({ tools: [taskTool(manager)] });
    manager.attach(again);
    // The scheduler numbers turns from the start: the same turn ids as the first run's.
    const second = await again.run(tasks(['work:10:a', 'work:10:b']));
    expect(second.results.map((r) => r.output)).toEqual(first.results.map((r) => r.output));
    expect(ends(workers)).toHaveLength(2);
  }, 60_000);

  it('ignores the late completion of a worker that was stopped (SIGSTOP) while another took its job over', async () => {
    const { scheduler, spawnWorker, tasks, queueName } = setup();
    const locks = { lockDurationMs: 1000, stalledIntervalMs: 300 };
    const stopped = await spawnWorker({ name: 'w1', concurrency: 1, ...locks });
    const run = scheduler.run(tasks(['work:2500:x']));
    const start = await stopped.waitFor((e) => e.type === 'start');
    stopped.signal('SIGSTOP');
    const other = await spawnWorker({ name: 'w2', concurrency: 1, ...locks });
    const { results } = await run;
    expect(results.map((r) => [r.status, r.output])).toEqual([
      ['success', 'done work:2500:x by w2'],
    ]);
    await other.waitFor((e) => e.type === 'end' && e.jobId === start.jobId);
    // Woken up, the stopped worker ends its copy; its result is refused.
    stopped.signal('SIGCONT');
    await stopped.waitFor((e) => e.type === 'end' && e.jobId === start.jobId);
    const queue = new Queue(queueName, { connection: { url: redis.url } });
    onTestFinished(() => queue.close());
    const deadline = Date.now() + 1000;
    while (Date.now() < deadline) {
      const job = await queue.getJob(start.jobId as string);
      expect(await job?.getState()).toBe('completed');
      expect((job?.returnvalue as { worker?: string } | undefined)?.worker).toBe('w2');
      await new Promise((r) => setTimeout(r, 100));
    }
  }, 60_000);

  it('sends a big fan-out in addBulks of at most 100, and answers every call in order', async () => {
    const { scheduler, spawnWorker, tasks } = setup({ agents: 250 });
    await spawnWorker({ name: 'w1', concurrency: 25 });
    const bulks: string[][] = [];
    const addBulk = Queue.prototype.addBulk;
    const spy = vi.spyOn(Queue.prototype, 'addBulk').mockImplementation(function (
      this: Queue,
      jobs,
    ) {
      bulks.push(jobs.map((job) => String(String(job.opts?.jobId).split(':').at(-1))));
      return addBulk.call(this, jobs);
    });
    onTestFinished(() => spy.mockRestore());
    const prompts = Array.from({ length: 250 }, (_, i) => `work:1:${i}`);
    const { results } = await scheduler.run(tasks(prompts));
    expect(results.map((r) => [r.id, r.status])).toEqual(
      prompts.map((_, i) => [`call${i}`, 'success']),
    );
    // All 250 admitted in one tick, sent as bulks (one transaction each) of 100, in call order.
    expect(bulks.map((b) => b.length)).toEqual([100, 100, 50]);
    expect(bulks.flat()).toEqual(prompts.map((_, i) => `call${i}`));
  }, 60_000);
});
