import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineTool } from '../tool/define-tool.js';
import { runGraph } from './run-graph.js';
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
