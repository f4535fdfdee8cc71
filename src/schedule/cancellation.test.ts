import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../tool/define-tool.js';
import { type GraphNode, runGraph } from './run-graph.js';
import { Scheduler } from './scheduler.js';
import { deferred, flush } from './test-support.js';

describe('cancellation is total: nothing of a cancelled turn starts afterwards', () => {
  it('does not start a call that waited for a call pending approval when the turn is cancelled', async () => {
    const started: string[] = [];
    const asked = deferred();
    const tool = (name: string, approval: 'ask' | 'auto') =>
      defineTool({
        name,
        description: '',
        input: z.object({}),
        claims: [{ key: 'fs:/r/a', mode: 'write' }],
        approval,
        execute: () => {
          started.push(name);
          return 'ran';
        },
      });
    const scheduler = new Scheduler({
      tools: [tool('asks', 'ask'), tool('follows', 'auto')],
      approver: (request) =>
        new Promise((resolve) => {
          asked.resolve();
          request.signal.addEventListener('abort', () => resolve('deny'));
        }),
    });
    const turn = scheduler.turn();
    turn.add({ id: 'a', name: 'asks', input: {} });
    turn.add({ id: 'b', name: 'follows', input: {} });
    turn.end();
    await asked.promise;
    turn.cancel('user pressed Ctrl-C');
    const { results } = await turn.done;
    await flush();
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect(started).toEqual([]);
  });

  it('runGraph onError abort: the slot a failed node frees goes to no one', async () => {
    const started: string[] = [];
    const results = await runGraph(
      {
        a: {
          run: async () => {
            started.push('a');
            throw new Error('a broke');
          },
        },
        b: { run: () => void started.push('b') },
        c: { run: () => void started.push('c') },
      },
      { maxConcurrency: 1, onError: 'abort' },
    );
    expect(started).toEqual(['a']);
    expect(results.a.status).toBe('error');
    expect([results.b.status, results.c.status]).toEqual(['cancelled', 'cancelled']);
  });

  it('runGraph onError abort: a node that throws synchronously stops its siblings from starting', async () => {
    const started: string[] = [];
    const results = await runGraph(
      {
        a: {
          run: () => {
            started.push('a');
            throw new Error('a broke at once');
          },
        },
        b: { run: () => void started.push('b') },
        c: { run: () => void started.push('c') },
      },
      { onError: 'abort' },
    );
    expect(started).toEqual(['a']);
    expect(results.a.status).toBe('error');
    expect([results.b.status, results.c.status]).toEqual(['cancelled', 'cancelled']);
  });
});

describe('runGraph: nothing starts after the graph is cancelled or aborted', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const nodeArb = fc.record({
    deps: fc.array(fc.nat(), { maxLength: 3 }),
    behaviour: fc.constantFrom('ok', 'ok', 'ok', 'fail', 'throw', 'hang'),
    duration: fc.integer({ min: 0, max: 20 }),
  });

  it('holds over random graphs, failures, limits and cancel times', async () => {
    vi.useFakeTimers();
    await fc.assert(
      fc.asyncProperty(
        fc.array(nodeArb, { minLength: 1, maxLength: 8 }),
        fc.oneof(fc.integer({ min: 1, max: 3 }), fc.constant(Infinity)),
        fc.constantFrom('abort' as const, 'skip-dependents' as const),
        fc.option(fc.integer({ min: 0, max: 40 })),
        async (specs, maxConcurrency, onError, cancelAt) => {
          let clock = 0;
          const started = new Map<string, number>();
          const aborted = new Set<string>();
          let failedAt = Infinity;
          let cancelledAt = Infinity;
          const nodes: Record<string, GraphNode> = {};
          for (const [i, spec] of specs.entries()) {
            // Dependencies only on earlier nodes: a DAG.
            const deps = [...new Set(spec.deps.filter((d) => d < i).map((d) => `n${d}`))];
            nodes[`n${i}`] = {
              dependsOn: deps,
              run: (_values, ctx) => {
                started.set(ctx.name, ++clock);
                ctx.signal.addEventListener('abort', () => aborted.add(ctx.name), { once: true });
                if (spec.behaviour === 'throw') {
                  failedAt = Math.min(failedAt, ++clock);
                  throw new Error('threw');
                }
                return new Promise((resolve, reject) => {
                  if (spec.behaviour === 'hang') {
                    // Long, but over once its signal aborts.
                    const timer = setTimeout(() => resolve(ctx.name), 1000);
                    ctx.signal.addEventListener('abort', () => {
                      clearTimeout(timer);
                      reject(ctx.signal.reason);
                    });
                    return;
                  }
                  setTimeout(() => {
                    if (spec.behaviour === 'ok') return resolve(ctx.name);
                    failedAt = Math.min(failedAt, ++clock);
                    reject(new Error('failed'));
                  }, spec.duration);
                });
              },
            };
          }
          const controller = new AbortController();
          if (cancelAt !== null) {
            setTimeout(() => {
              cancelledAt = ++clock;
              controller.abort();
            }, cancelAt);
          }
          const run = runGraph(nodes, { maxConcurrency, onError, signal: controller.signal });
          await vi.runAllTimersAsync();
          const results = await run;
          const stop = Math.min(cancelledAt, onError === 'abort' ? failedAt : Infinity);
          for (const [name, result] of Object.entries(results)) {
            const at = started.get(name);
            expect(at === undefined || at < stop, `${name} started after the stop`).toBe(true);
            if (result.status === 'cancelled' && at !== undefined) {
              expect(aborted.has(name), `${name} cancelled but ran on`).toBe(true);
            }
            if (result.status === 'skipped') expect(at).toBeUndefined();
          }
          for (const [name, node] of Object.entries(nodes)) {
            if (!started.has(name)) continue;
            for (const dep of node.dependsOn ?? []) expect(results[dep]?.status).toBe('success');
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});
