import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type GraphNode, runGraph } from './run-graph.js';
import { deferred, flush, untilAborted } from './test-support.js';

afterEach(() => {
  vi.useRealTimers();
});

describe('runGraph', () => {
  it('passes dependency values and returns a result per node', async () => {
    const results = await runGraph({
      a: { run: async () => 1 },
      b: { dependsOn: ['a'], run: async ({ a }) => a + 1 },
      c: { dependsOn: ['a', 'b'], run: ({ a, b }) => a * 10 + b },
    });
    expect(results).toEqual({
      a: { status: 'success', value: 1 },
      b: { status: 'success', value: 2 },
      c: { status: 'success', value: 12 },
    });
  });

  it('starts a node the moment its own dependencies are done (no waves)', async () => {
    const slow = deferred<number>();
    const order: string[] = [];
    const run = runGraph({
      slow: { run: () => slow.promise },
      fast: {
        run: async () => {
          order.push('fast');
          return 1;
        },
      },
      afterFast: {
        dependsOn: ['fast'],
        run: async () => {
          order.push('afterFast');
          return 2;
        },
      },
      afterSlow: {
        dependsOn: ['slow'],
        run: async () => {
          order.push('afterSlow');
          return 3;
        },
      },
    });
    await flush();
    // A wave scheduler would hold afterFast until slow (same level) finished.
    expect(order).toEqual(['fast', 'afterFast']);
    slow.resolve(0);
    await run;
    expect(order).toEqual(['fast', 'afterFast', 'afterSlow']);
  });

  it('skips the dependents of a failure, directly or not, and runs the rest', async () => {
    const results = await runGraph({
      bad: {
        run: async () => {
          throw new Error('broken');
        },
      },
      child: { dependsOn: ['bad'], run: async () => 1 },
      grandchild: { dependsOn: ['child'], run: async () => 2 },
      free: { run: async () => 3 },
    });
    expect(results.bad).toMatchObject({ status: 'error' });
    expect(results.child).toEqual({
      status: 'skipped',
      reason: 'dependency `bad` did not succeed',
    });
    expect(results.grandchild).toMatchObject({ status: 'skipped' });
    expect(results.free).toEqual({ status: 'success', value: 3 });
  });

  it("aborts the rest on a failure with onError: 'abort'", async () => {
    let signal: AbortSignal | undefined;
    const results = await runGraph(
      {
        running: {
          run: (_d, ctx) => {
            signal = ctx.signal;
            return untilAborted(ctx.signal);
          },
        },
        bad: {
          run: async () => {
            await flush(1);
            throw new Error('broken');
          },
        },
        later: { dependsOn: ['running'], run: async () => 1 },
      },
      { onError: 'abort' },
    );
    expect(results.running).toMatchObject({ status: 'cancelled' });
    expect(results.later).toMatchObject({ status: 'cancelled' });
    expect(signal?.aborted).toBe(true);
  });

  it('cancels through its signal', async () => {
    const controller = new AbortController();
    const run = runGraph(
      { a: { run: (_d, ctx) => untilAborted(ctx.signal) }, b: { dependsOn: ['a'], run: () => 1 } },
      { signal: controller.signal },
    );
    await flush();
    controller.abort(new Error('stop'));
    expect(await run).toEqual({
      a: { status: 'cancelled', reason: 'stop' },
      b: { status: 'cancelled', reason: 'stop' },
    });
  });

  it('rejects cycles and missing dependencies with a clear error', async () => {
    const run = async () => 1;
    await expect(
      runGraph({
        a: { dependsOn: ['c'], run },
        b: { dependsOn: ['a'], run },
        c: { dependsOn: ['b'], run },
      }),
    ).rejects.toThrow(/cycle: a -> c -> b -> a/);
    await expect(runGraph({ a: { dependsOn: ['ghost'], run } })).rejects.toThrow(
      'Node `a` depends on `ghost`, which is not in the graph',
    );
    await expect(runGraph({ a: { run: 5 } as unknown as GraphNode })).rejects.toThrow(
      /nodes.a.run/,
    );
    await expect(runGraph({}, { maxConcurrency: 0 })).rejects.toThrow(/maxConcurrency/);
  });

  it('runs a 10,000-node chain without deep recursion', async () => {
    const nodes: Record<string, GraphNode> = {
      n0: {
        run: () => {
          throw new Error('root fails');
        },
      },
    };
    for (let i = 1; i < 10_000; i++) nodes[`n${i}`] = { dependsOn: [`n${i - 1}`], run: () => i };
    const results = await runGraph(nodes);
    expect(results.n9999).toMatchObject({ status: 'skipped' });
  });

  it('holds its invariants over random graphs: deps first, limit kept, every node settled', async () => {
    vi.useFakeTimers();
    const graphArb = fc.record({
      nodes: fc.array(
        fc.record({
          deps: fc.array(fc.nat(), { maxLength: 3 }),
          duration: fc.integer({ min: 0, max: 20 }),
          fails: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        }),
        { minLength: 1, maxLength: 30 },
      ),
      maxConcurrency: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
    });
    await fc.assert(
      fc.asyncProperty(graphArb, async ({ nodes, maxConcurrency }) => {
        let clock = 0;
        let running = 0;
        const started = new Map<string, number>();
        const ended = new Map<string, number>();
        const problems: string[] = [];
        const deps = nodes.map((node, i) =>
          i === 0 ? [] : [...new Set(node.deps.map((d) => `n${d % i}`))],
        );
        const graph: Record<string, GraphNode> = {};
        nodes.forEach((node, i) => {
          graph[`n${i}`] = {
            dependsOn: deps[i] as string[],
            run: async () => {
              started.set(`n${i}`, ++clock);
              if (++running > maxConcurrency) problems.push(`limit ${maxConcurrency} exceeded`);
              await new Promise((r) => setTimeout(r, node.duration));
              running--;
              ended.set(`n${i}`, ++clock);
              if (node.fails) throw new Error('fails');
              return i;
            },
          };
        });
        const run = runGraph(graph, { maxConcurrency });
        await vi.runAllTimersAsync();
        const results = await run;
        expect(problems).toEqual([]);
        expect(Object.keys(results).sort()).toEqual(Object.keys(graph).sort());
        nodes.forEach((node, i) => {
          const name = `n${i}`;
          const result = results[name];
          const depsOk = (deps[i] as string[]).every((d) => results[d]?.status === 'success');
          if (!depsOk) expect(result?.status).toBe('skipped');
          else expect(result?.status).toBe(node.fails ? 'error' : 'success');
          for (const dep of deps[i] as string[]) {
            if (started.has(name))
              expect(ended.get(dep) as number).toBeLessThan(started.get(name) as number);
          }
        });
      }),
      { numRuns: 1000 },
    );
  });
});
