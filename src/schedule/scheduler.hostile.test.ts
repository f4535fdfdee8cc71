// Regression tests for hostile or broken input from models, hosts, tools and approvers: each
// must end as results (one per call, in order) and leave the scheduler working.
import { AsyncLocalStorage } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ToolCall } from '../tool/call.js';
import { defineTool, type ToolDefinition } from '../tool/define-tool.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import { deferred, flush, untilAborted } from './test-support.js';

const call = (id: string, name: string, input: unknown = {}): ToolCall => ({ id, name, input });
const tool = (
  name: string,
  execute: ToolDefinition['execute'],
  extra: Partial<ToolDefinition> = {},
) => defineTool({ name, description: '', input: {}, claims: [], execute, ...extra });
const ok = tool('ok', () => 'fine');

function scheduler(tools: ToolDefinition[], options: Partial<SchedulerOptions> = {}) {
  return new Scheduler({ tools: [ok, ...tools.map((t) => defineTool(t))], ...options });
}

/** A null-prototype object that points to itself: JSON cannot hold it, String() throws on it. */
function cyclic() {
  const o = Object.create(null);
  o.self = o;
  return o;
}

afterEach(() => {
  vi.useRealTimers();
});

describe('hostile tool output and errors', () => {
  it.each([
    ['a cyclic null-prototype object, sync', () => cyclic()],
    ['a cyclic null-prototype object, async', async () => cyclic()],
    ['a BigInt', () => ({ n: 10n })],
    ['a json block holding a BigInt', () => [{ type: 'json', value: 10n }]],
    [
      'content blocks whose getter throws',
      () => [
        {
          get type() {
            throw new Error('getter');
          },
        },
      ],
    ],
  ])('%s becomes an error result', async (_label, execute) => {
    const s = scheduler([tool('bad', execute)]);
    const { results } = await s.run([call('a', 'bad'), call('b', 'ok')]);
    expect(results.map((r) => r.status)).toEqual(['error', 'success']);
    expect(results[0]?.error?.message).toMatch(/cannot be sent to the model/);
    // The scheduler still works afterwards.
    expect((await s.run([call('c', 'ok')])).results[0]?.status).toBe('success');
  });

  it('a result whose `then` throws ends as an error, and frees its slot', async () => {
    const hostile = new Proxy(
      {},
      {
        get: (_t, key) => {
          if (key === 'then') throw new Error('then trap');
          return undefined;
        },
      },
    );
    const s = scheduler([tool('bad', () => hostile)], { maxConcurrency: 1 });
    const { results } = await s.run([call('a', 'bad'), call('b', 'ok')]);
    expect(results.map((r) => r.status)).toEqual(['error', 'success']);
    expect(results[0]?.error?.message).toMatch(/then trap/);
  });

  it.each([
    [
      'a null-prototype object',
      () =>
        Object.assign(Object.create(null), {
          toJSON() {
            throw 1;
          },
        }),
    ],
    [
      'an Error whose message getter throws',
      () =>
        new (class extends Error {
          override get message(): string {
            throw new Error('x');
          }
        })(),
    ],
  ])('throwing %s becomes an error result', async (_label, make) => {
    const s = scheduler([
      tool('bad', async () => {
        throw make();
      }),
      tool('bad_sync', () => {
        throw make();
      }),
    ]);
    const { results } = await s.run([call('a', 'bad'), call('b', 'bad_sync'), call('c', 'ok')]);
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'success']);
  });

  it('cuts a 100 KB error message down for the model', async () => {
    const s = scheduler([
      tool('bad', () => {
        throw new Error('x'.repeat(100_000));
      }),
    ]);
    const { results } = await s.run([call('a', 'bad')]);
    expect(results[0]?.error?.message.length).toBeLessThan(2100);
  });
});

describe('hostile calls from a model or host', () => {
  it('a call whose getters throw is one malformed result, and the turn still ends', async () => {
    const s = scheduler([]);
    const turn = s.turn();
    turn.add(call('a', 'ok'));
    turn.add({
      id: 'b',
      name: 'ok',
      get input() {
        throw new Error('boom');
      },
    } as ToolCall);
    turn.add(
      new Proxy(
        {},
        {
          get() {
            throw new Error('proxy');
          },
        },
      ) as ToolCall,
    );
    turn.add(call('d', 'ok'));
    turn.end();
    const { results } = await turn.done;
    expect(results.map((r) => r.status)).toEqual(['success', 'error', 'error', 'success']);
    expect(results[1]?.error?.message).toMatch(/Malformed tool call/);
  });

  it('cancelling a call still validating lets the calls after it be admitted', async () => {
    const gate = deferred<StandardSchemaV1.Result<unknown>>();
    const slowSchema: StandardSchemaV1 = {
      '~standard': { version: 1, vendor: 'test', validate: () => gate.promise },
    };
    const slow = defineTool({
      name: 'slow',
      description: '',
      input: slowSchema,
      inputJsonSchema: { type: 'object' },
      claims: [],
      execute: () => 'slow ran',
    });
    const s = new Scheduler({ tools: [slow, ok] });
    const turn = s.turn();
    turn.add(call('a', 'slow'));
    turn.add(call('b', 'ok'));
    turn.end();
    turn.cancelCall('a');
    const { results } = await turn.done;
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'success']);
    gate.resolve({ value: {} });
  });

  it('claims are read once: a getter cannot pass the check and then vanish', async () => {
    let reads = 0;
    const sneaky = {
      key: 'fs:/a',
      get mode() {
        return reads++ === 0 ? 'write' : 'banana';
      },
    };
    const log: string[] = [];
    const writer = defineTool({
      name: 'w',
      description: '',
      input: {},
      claims: () => [sneaky as never],
      execute: async () => {
        log.push('w+');
        await flush(1);
        log.push('w-');
        return '';
      },
    });
    const reader = defineTool({
      name: 'r',
      description: '',
      input: {},
      claims: [{ key: 'fs:/a', mode: 'read' }],
      execute: () => {
        log.push('r');
        return '';
      },
    });
    await new Scheduler({ tools: [writer, reader] }).run([call('1', 'w'), call('2', 'r')]);
    expect(log).toEqual(['w+', 'w-', 'r']);
  });
});

describe('hostile approvers', () => {
  const asks = tool('asks', () => 'ran', { approval: 'ask' });

  it.each([
    ['an object holding a BigInt', () => ({ decision: 'approve ', meta: 10n })],
    ['a cyclic object', () => cyclic()],
    [
      'an object whose decision getter throws',
      () => ({
        get decision() {
          throw new Error('x');
        },
      }),
    ],
    ['a rejection with a null-prototype object', () => Promise.reject(cyclic())],
  ])('%s denies without crashing', async (_label, answer) => {
    const s = scheduler([asks], { approver: answer as never });
    const { results } = await s.run([call('a', 'asks'), call('b', 'ok')]);
    expect(results.map((r) => r.status)).toEqual(['denied', 'success']);
  });

  it('is not asked about a call that was cancelled before it could ask', async () => {
    const approver = vi.fn(() => 'approve' as const);
    const boom = tool('boom', () => {
      throw new Error('fails at once');
    });
    const s = scheduler([asks, boom], { approver });
    const { results } = await s.run([call('a', 'asks'), call('b', 'boom')], {
      cancelOnError: true,
    });
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'error']);
    expect(approver).not.toHaveBeenCalled();
  });
});

describe('limits, timers and signals', () => {
  it('rejects a timeout a timer cannot hold, and the group `global`', () => {
    expect(() => tool('t', () => '', { timeoutMs: 30 * 24 * 3600_000 })).toThrow(
      /t.timeoutMs.*2147483647/,
    );
    expect(() => new Scheduler({ tools: [], defaultTimeoutMs: 2 ** 31 })).toThrow(
      /defaultTimeoutMs/,
    );
    expect(() => tool('t', () => '', { group: 'global' })).toThrow(/t.group/);
  });

  it('counts a group named twice once', async () => {
    let running = 0;
    let peak = 0;
    const t = tool(
      't',
      async () => {
        peak = Math.max(peak, ++running);
        await flush(1);
        running--;
        return '';
      },
      { group: ['db', 'db'] },
    );
    await scheduler([t], { limits: { db: 2 } }).run([
      call('a', 't'),
      call('b', 't'),
      call('c', 't'),
    ]);
    expect(peak).toBe(2);
  });

  it('cancels the turn on a timeout with cancelOnError', async () => {
    vi.useFakeTimers();
    const hang = tool('hang', (_i, ctx) => untilAborted(ctx.signal), { timeoutMs: 10 });
    const wait = tool('wait', (_i, ctx) => untilAborted(ctx.signal));
    const run = scheduler([hang, wait]).run([call('a', 'hang'), call('b', 'wait')], {
      cancelOnError: true,
    });
    await vi.advanceTimersByTimeAsync(10);
    expect((await run).results.map((r) => r.status)).toEqual(['timeout', 'cancelled']);
  });

  it('puts one listener on a host signal however many turns share it, and keeps it at one', async () => {
    const controller = new AbortController();
    const gate = deferred();
    const s = scheduler([
      tool('wait', () => gate.promise),
      tool('quick', () => 'ok'),
      tool('wait2', (_i, ctx) => untilAborted(ctx.signal)),
    ]);
    const runs = Array.from({ length: 20 }, (_, i) =>
      s.run([call(`c${i}`, 'wait')], { signal: controller.signal }),
    );
    await flush();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    gate.resolve();
    await Promise.all(runs);
    // Later turns on the same signal reuse it: a session's signal never collects listeners.
    for (let i = 0; i < 20; i++)
      await s.run([call(`d${i}`, 'quick')], { signal: controller.signal });
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    // And it still cancels what runs on it.
    const late = s.run([call('late', 'wait2')], { signal: controller.signal });
    controller.abort();
    expect((await late).results[0]?.status).toBe('cancelled');
  });

  it('names the bad entry of a tool list and bad turn options', () => {
    expect(() => new Scheduler({ tools: [null as never] })).toThrow('Expected `tools[0]`');
    const s = scheduler([]);
    expect(() => s.turn({ path: 'a' as never })).toThrow(
      'Expected `path` to be an array of strings',
    );
    expect(() => s.turn({ signal: {} as never })).toThrow('Expected `signal` to be an AbortSignal');
  });
});

describe('events and shared reads', () => {
  it('delivers each call’s events in the async context that added it', async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: string[] = [];
    const s = scheduler([]);
    s.on((e) => {
      if (e.type === 'finished') seen.push(`${e.callId}:${store.getStore()}`);
    });
    await Promise.all([
      store.run('A', () => s.run([call('a', 'ok')])),
      store.run('B', () => s.run([call('b', 'ok')])),
    ]);
    expect(seen.sort()).toEqual(['a:A', 'b:B']);
  });

  it('cancelling the call that runs a shared read leaves the sharing calls their result', async () => {
    const gate = deferred<string>();
    const read = defineTool({
      name: 'read',
      description: '',
      input: {},
      claims: [{ key: 'fs:/x', mode: 'read' }],
      execute: () => gate.promise,
    });
    const s = new Scheduler({ tools: [read], dedupeReads: true });
    const turn = s.turn();
    turn.add(call('a', 'read'));
    turn.add(call('b', 'read'));
    turn.end();
    await flush();
    turn.cancelCall('a', 'the user dropped call a');
    gate.resolve('content');
    const { results } = await turn.done;
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'cancelled'],
      ['b', 'success'],
    ]);
    expect(results[1]?.content).toEqual([{ type: 'text', text: 'content' }]);
  });
});
