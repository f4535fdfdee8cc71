import { defineTool, Scheduler } from '../../src/index.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  ratioVerdict,
  type Scenario,
  sleep,
} from '../harness.js';

/** 100 independent 50 ms calls: salvo should take about as long as one call. */
export const fanOut: Scenario = {
  name: 'fan-out',
  description: '100 independent 50 ms calls (claims: [])',
  target: 'salvo within 1.2x of one call (the lower bound)',
  contenders: ['salvo', 'sequential', 'promise-all'],
  async run({ reps = 5, quick = false } = {}) {
    const count = quick ? 10 : 100;
    const latencyMs = quick ? 2 : 50;
    const work = (signal?: AbortSignal) => sleep(latencyMs, signal).then(() => 'ok');
    const scheduler = new Scheduler({
      tools: [
        defineTool({
          name: 'fetch_page',
          description: 'Waits like a network call',
          input: { type: 'object', properties: { url: { type: 'string' } } },
          claims: [],
          execute: (_input, ctx) => work(ctx.signal),
        }),
      ],
    });
    const calls = Array.from({ length: count }, (_, i) => ({
      id: `call_${i}`,
      name: 'fetch_page',
      input: { url: `https://example.com/${i}` },
    }));
    const contenders: Contender[] = [
      {
        name: 'salvo',
        async run() {
          const { results, trace } = await scheduler.run(calls);
          assertAllSucceeded(results);
          // How long admitting the whole fan-out took: when the last call started.
          const lastStart = Math.max(...trace.calls.map((c) => c.startedAt ?? Number.NaN));
          return { details: { lastStartMs: lastStart - trace.startedAt } };
        },
      },
      {
        name: 'sequential',
        // 5 s per repetition: three are enough for a median.
        maxReps: 3,
        async run() {
          for (let i = 0; i < calls.length; i++) await work();
        },
      },
      {
        name: 'promise-all',
        async run() {
          await Promise.all(calls.map(() => work()));
        },
      },
    ];
    return measure({ scenario: this.name, lowerBoundMs: latencyMs, contenders, reps });
  },
  verdicts(rows) {
    return [ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.2 })];
  },
};
