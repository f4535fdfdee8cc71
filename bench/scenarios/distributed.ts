import { cpus } from 'node:os';
import { bullmqDispatcher } from '../../src/adapters/bullmq/index.js';
import { startTestRedis } from '../../src/adapters/bullmq/test-redis.js';
import { spawnTestWorker, type TestWorkerProcess } from '../../src/adapters/bullmq/test-workers.js';
import { Scheduler, SubagentManager, scriptedModel, taskTool } from '../../src/index.js';
import { type Measurement, median, type Row, rotation, round, type Scenario } from '../harness.js';

interface Variant {
  name: string;
  workers: number;
  /** SIGKILL one worker this long after the fan-out starts. */
  killAtMs?: number;
}

const variants: readonly Variant[] = [
  { name: 'salvo-1-worker', workers: 1 },
  { name: 'salvo-2-workers', workers: 2 },
  { name: 'salvo-4-workers', workers: 4 },
  { name: 'salvo-4-workers-kill', workers: 4, killAtMs: 1000 },
];

/** CPU time of the whole machine so far (ms), to say how busy the cores were. */
function cpuMs(): number {
  return cpus().reduce((sum, cpu) => sum + cpu.times.user + cpu.times.sys, 0);
}

/**
 * 2,000 subagents dispatched through BullMQ on a local redis-server to worker processes with 25
 * slots each; every subagent is a scripted model turn with one 200 ms tool call. The lower bound
 * of a row is N x 200 / (W x 25). The kill row SIGKILLs one worker 1 s in and counts results
 * lost and runs finished twice. Workers and Redis start before the clock does.
 */
export const distributed: Scenario = {
  name: 'distributed',
  description:
    '2,000 subagents (one 200 ms tool call each) over 1, 2, 4 worker processes with 25 slots each, through BullMQ',
  target: 'each salvo row <= 1.25x its lower bound; the kill row loses and duplicates nothing',
  contenders: variants.map((v) => v.name),
  async run({ reps = 3, quick = false } = {}) {
    const count = quick ? 40 : 2000;
    const workMs = quick ? 20 : 200;
    const slots = 25;
    const redis = await startTestRedis();
    const spawned: TestWorkerProcess[] = [];
    try {
      const samples = variants.map(() => [] as number[]);
      const fields = variants.map(() => ({ lost: [] as number[], duplicates: [] as number[] }));
      const cpuLoad = variants.map(() => [] as number[]);
      let runs = 0;
      for (let rep = 0; rep < reps; rep++) {
        for (const index of rotation(variants.length, rep)) {
          const variant = variants[index] as Variant;
          const queueName = `bench${++runs}`;
          const workers = await Promise.all(
            Array.from({ length: variant.workers }, async (_, w) => {
              const worker = spawnTestWorker({
                url: redis.url,
                queueName,
                name: `w${w + 1}`,
                concurrency: slots,
              });
              spawned.push(worker);
              await worker.waitFor((e) => e.type === 'ready', 30_000);
              return worker;
            }),
          );
          const dispatcher = bullmqDispatcher({ connection: redis.url, queueName });
          await dispatcher.ready();
          const manager = new SubagentManager({
            model: scriptedModel({ turns: [] }),
            dispatcher,
            maxConcurrent: count,
            maxTotal: count,
            runId: queueName,
          });
          const scheduler = new Scheduler({ tools: [taskTool(manager)], tracer: false });
          manager.attach(scheduler);
          const calls = Array.from({ length: count }, (_, i) => ({
            id: `c${i}`,
            name: 'task',
            input: { description: `part ${i}`, prompt: `work:${workMs}:${i}` },
          }));
          const cpuBefore = cpuMs();
          const startedAt = performance.now();
          const killer =
            variant.killAtMs === undefined
              ? undefined
              : setTimeout(() => workers[0]?.signal('SIGKILL'), variant.killAtMs);
          const { results } = await scheduler.run(calls);
          const wall = performance.now() - startedAt;
          clearTimeout(killer);
          samples[index]?.push(wall);
          cpuLoad[index]?.push((cpuMs() - cpuBefore) / wall);
          const own = fields[index] as { lost: number[]; duplicates: number[] };
          own.lost.push(results.filter((r) => r.status !== 'success').length);
          const finished = workers.flatMap((w) =>
            w.events.filter((e) => e.type === 'end' && e.status === 'stop'),
          );
          own.duplicates.push(finished.length - new Set(finished.map((e) => e.jobId)).size);
          await dispatcher.close();
          for (const worker of workers) worker.signal('SIGKILL');
          await Promise.all(workers.map((w) => w.exited));
        }
      }
      return variants.map((variant, index): Measurement => {
        const own = fields[index] as { lost: number[]; duplicates: number[] };
        const row: Row = {
          scenario: 'distributed',
          contender: variant.name,
          ms: round(median(samples[index] as number[])),
          lowerBoundMs: round((count * workMs) / (variant.workers * slots)),
        };
        if (variant.killAtMs !== undefined) {
          row.lost = Math.max(...own.lost);
          row.duplicates = Math.max(...own.duplicates);
        }
        return {
          row,
          samples: (samples[index] as number[]).map((v) => round(v)),
          // Cores busy on average while it ran (this machine has cpus().length of them).
          details: { coresBusy: round(median(cpuLoad[index] as number[])) },
        };
      });
    } finally {
      for (const worker of spawned) worker.signal('SIGKILL');
      await Promise.all(spawned.map((w) => w.exited));
      await redis.stop();
    }
  },
  verdicts(rows) {
    return rows.map((row) =>
      row.lost === undefined
        ? {
            label: `${row.contender} / lower bound`,
            value: round(row.ms / row.lowerBoundMs, 3),
            goal: '<= 1.25',
            met: row.ms / row.lowerBoundMs <= 1.25,
          }
        : {
            label: `${row.contender} lost + duplicates`,
            value: Number(row.lost) + Number(row.duplicates),
            goal: '= 0',
            met: Number(row.lost) + Number(row.duplicates) === 0,
          },
    );
  },
};
