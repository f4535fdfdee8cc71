import pLimit from 'p-limit';
import { defineTool, Scheduler } from '../../src/index.js';
import {
  assertAllSucceeded,
  type Contender,
  measure,
  ratioVerdict,
  round,
  type Scenario,
} from '../harness.js';

/**
 * 10,000 no-op calls: what salvo's bookkeeping (parsing, validation, claims, limits, results,
 * trace) costs per call, next to p-limit running the same functions with the same concurrency.
 */
export const overhead: Scenario = {
  name: 'overhead',
  description: '10,000 no-op calls, concurrency 16 (claims: [], approval auto)',
  target: 'salvo at most 3x p-limit',
  contenders: ['salvo', 'p-limit', 'promise-all'],
  async run({ reps = 5, quick = false } = {}) {
    const count = quick ? 200 : 10_000;
    const concurrency = 16;
    const noop = () => 'ok';
    const scheduler = new Scheduler({
      tools: [
        defineTool({
          name: 'noop',
          description: 'Does nothing',
          input: { type: 'object' },
          claims: [],
          approval: 'auto',
          execute: noop,
        }),
      ],
      maxConcurrency: concurrency,
    });
    const calls = Array.from({ length: count }, (_, i) => ({
      id: `call_${i}`,
      name: 'noop',
      input: {},
    }));
    const perCall = (ms: number) => ({ usPerCall: (ms * 1000) / count });
    const timed = async (fn: () => Promise<void>) => {
      const startedAt = performance.now();
      await fn();
      return { details: perCall(performance.now() - startedAt) };
    };

    const contenders: Contender[] = [
      {
        name: 'salvo',
        run: () =>
          timed(async () => {
            const { results } = await scheduler.run(calls);
            assertAllSucceeded(results);
          }),
      },
      {
        name: 'p-limit',
        run: () =>
          timed(async () => {
            const limit = pLimit(concurrency);
            await Promise.all(calls.map(() => limit(noop)));
          }),
      },
      {
        // The floor: the same functions, no limit, no bookkeeping.
        name: 'promise-all',
        run: () =>
          timed(async () => {
            await Promise.all(calls.map(async () => noop()));
          }),
      },
    ];
    const measurements = await measure({
      scenario: this.name,
      lowerBoundMs: 0,
      contenders,
      reps,
      warmup: quick ? 0 : 3,
    });
    // No work to wait for: the lower bound is the cheapest way to call the functions at all.
    const floor = measurements.find((m) => m.row.contender === 'promise-all')?.row.ms ?? 0;
    for (const m of measurements) m.row.lowerBoundMs = round(floor, 3);
    return measurements;
  },
  verdicts(rows) {
    return [ratioVerdict(rows, 'salvo', 'p-limit', { max: 3 })];
  },
};
