import { AsyncLocalStorage } from 'node:async_hooks';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { ApprovalRequest } from '../approval/approval.js';
import type { ToolCall } from '../tool/call.js';
import { defineTool, type ToolDefinition } from '../tool/define-tool.js';
import type { SchedulerEvent } from './events.js';
import { Scheduler, type SchedulerOptions } from './scheduler.js';
import { barrier, deferred, flush, untilAborted } from './test-support.js';

const pathInput = z.object({ path: z.string() });

function fileTool(
  name: string,
  mode: 'read' | 'write',
  run: ToolDefinition['execute'],
  extra: Partial<ToolDefinition> = {},
) {
  return defineTool({
    name,
    description: `${mode}s a file`,
    input: pathInput,
    claims: (i: { path: string }) => [{ key: `fs:/repo/${i.path}`, mode }],
    execute: run,
    ...extra,
  });
}

const call = (id: string, name: string, input: unknown = {}): ToolCall => ({ id, name, input });

/** A tool that waits through ctx.waitFor for work that never ends, until it is cancelled. */
function stuckWaiter() {
  const never = new Promise<void>(() => {});
  return defineTool({
    name: 'stuck',
    description: '',
    input: {},
    claims: [],
    execute: (_i, ctx) => ctx.waitFor(Promise.race([never, untilAborted(ctx.signal)])),
  });
}

function scheduler(tools: SchedulerOptions['tools'], options: Partial<SchedulerOptions> = {}) {
  return new Scheduler({ tools, ...options });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler: results', () => {
  it('returns exactly one result per call, in call order, whatever each call did', async () => {
    const ok = defineTool({
      name: 'ok',
      description: '',
      input: {},
      claims: [],
      execute: () => 'fine',
    });
    const json = defineTool({
      name: 'json',
      description: '',
      input: {},
      claims: [],
      execute: () => ({ n: 1 }),
    });
    const boom = defineTool({
      name: 'boom',
      description: '',
      input: {},
      claims: [],
      execute: () => {
        throw new Error('disk on fire');
      },
    });
    const blocks = defineTool({
      name: 'blocks',
      description: '',
      input: {},
      claims: [],
      execute: () => [
        { type: 'text' as const, text: 'a' },
        { type: 'image' as const, data: 'AAAA', mimeType: 'image/png' },
      ],
    });
    const s = scheduler([ok, json, boom, blocks]);
    const { results } = await s.run([
      call('1', 'boom'),
      call('2', 'ok'),
      call('3', 'json'),
      call('4', 'nope'),
      call('5', 'blocks'),
    ]);
    expect(results.map((r) => [r.id, r.status])).toEqual([
      ['1', 'error'],
      ['2', 'success'],
      ['3', 'success'],
      ['4', 'error'],
      ['5', 'success'],
    ]);
    expect(results[0]?.content).toEqual([{ type: 'text', text: 'Error: disk on fire' }]);
    expect(results[0]?.isError).toBe(true);
    expect(results[1]?.content).toEqual([{ type: 'text', text: 'fine' }]);
    expect(results[2]?.content).toEqual([{ type: 'json', value: { n: 1 } }]);
    expect(results[2]?.output).toEqual({ n: 1 });
    expect(results[4]?.content).toHaveLength(2);
  });

  it('resolves an empty turn', async () => {
    const { results, trace } = await scheduler([]).run([]);
    expect(results).toEqual([]);
    expect(trace.summary.wallMs).toBe(0);
  });

  it('keeps one failure from touching its siblings, or cancels them when asked', async () => {
    const gate = deferred();
    const slow = defineTool({
      name: 'slow',
      description: '',
      input: {},
      claims: [],
      execute: async (_i, ctx) => {
        await Promise.race([gate.promise, untilAborted(ctx.signal)]);
        return 'done';
      },
    });
    const boom = defineTool({
      name: 'boom',
      description: '',
      input: {},
      claims: [],
      execute: async () => {
        throw new Error('no');
      },
    });
    const s = scheduler([slow, boom]);
    const isolated = s.run([call('a', 'slow'), call('b', 'boom')]);
    await flush();
    gate.resolve();
    expect((await isolated).results.map((r) => r.status)).toEqual(['success', 'error']);

    const failFast = await s.run([call('a', 'slow'), call('b', 'boom')], { cancelOnError: true });
    expect(failFast.results.map((r) => r.status)).toEqual(['cancelled', 'error']);
  });
});

describe('Scheduler: bad input becomes results for the model', () => {
  const read = fileTool('read_file', 'read', (i: { path: string }) => `contents of ${i.path}`);
  const s = scheduler([read]);

  it.each([
    ['malformed JSON', '{"path": "a.ts"', /JSON/],
    ['a schema violation', '{"path": 42}', /path/],
    ['a non-object', '[1,2]', /object/],
    ['a number', 7, /object/],
    ['null', null, /object/],
    ['a __proto__ key', '{"path":"a","__proto__":{"polluted":true}}', /__proto__/],
    ['a constructor key', { path: 'a', nested: { constructor: { prototype: {} } } }, /constructor/],
  ])('%s', async (_label, input, message) => {
    const { results } = await s.run([
      call('x', 'read_file', input),
      call('y', 'read_file', '{"path":"ok.ts"}'),
    ]);
    expect(results[0]?.status).toBe('error');
    expect(results[0]?.content[0]).toMatchObject({
      type: 'text',
      text: expect.stringMatching(message),
    });
    expect(results[1]?.status).toBe('success');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('a 10 MB argument', async () => {
    const huge = JSON.stringify({ path: 'x'.repeat(10 * 1024 * 1024) });
    const { results } = await s.run([call('x', 'read_file', huge)]);
    expect(results[0]?.status).toBe('error');
    expect(results[0]?.error?.message).toMatch(/MB|limit/i);
  });

  it('an unknown tool, listing the available ones', async () => {
    const { results } = await s.run([call('x', 'wirte_file', {})]);
    expect(results[0]?.error?.message).toMatch(/Unknown tool "wirte_file".*read_file/);
  });

  it('a duplicate call id: the first runs, the second gets an error', async () => {
    const { results } = await s.run([
      call('x', 'read_file', { path: 'a' }),
      call('x', 'read_file', { path: 'b' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'error']);
    expect(results[1]?.error?.message).toMatch(/Duplicate/);
  });

  it('malformed call objects', async () => {
    const { results } = await s.run([
      null as unknown as ToolCall,
      { name: 'read_file' } as ToolCall,
      call('ok', 'read_file', { path: 'a' }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'success']);
  });

  it('claims or approval functions that throw', async () => {
    const badClaims = defineTool({
      name: 'bad_claims',
      description: '',
      input: {},
      claims: () => {
        throw new Error('oops');
      },
      execute: () => 'x',
    });
    const wrongClaims = defineTool({
      name: 'wrong_claims',
      description: '',
      input: {},
      claims: () => [{ key: '', mode: 'read' }],
      execute: () => 'x',
    });
    const badApproval = defineTool({
      name: 'bad_approval',
      description: '',
      input: {},
      claims: [],
      approval: () => 'maybe' as 'auto',
      execute: () => 'x',
    });
    const { results } = await scheduler([badClaims, wrongClaims, badApproval]).run([
      call('1', 'bad_claims'),
      call('2', 'wrong_claims'),
      call('3', 'bad_approval'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['error', 'error', 'error']);
    expect(results[0]?.error?.message).toMatch(/claims.*oops/);
  });
});

describe('Scheduler: conflicts', () => {
  it('runs independent calls at the same time', async () => {
    const meet = barrier(3);
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      claims: [],
      execute: async () => {
        await meet();
        return 'met';
      },
    });
    const { results } = await scheduler([t]).run([call('1', 't'), call('2', 't'), call('3', 't')]);
    expect(results.every((r) => r.status === 'success')).toBe(true);
  });

  it('lets reads of one file overlap but orders writes to it in call order', async () => {
    const log: string[] = [];
    const meet = barrier(2);
    const read = fileTool('read', 'read', async (i: { path: string }, ctx) => {
      log.push(`start ${ctx.callId}`);
      if (i.path === 'a') await meet();
      log.push(`end ${ctx.callId}`);
      return '';
    });
    const write = fileTool('write', 'write', async (_i, ctx) => {
      log.push(`start ${ctx.callId}`);
      await flush(1);
      log.push(`end ${ctx.callId}`);
      return '';
    });
    await scheduler([read, write]).run([
      call('r1', 'read', { path: 'a' }),
      call('r2', 'read', { path: 'a' }),
      call('w1', 'write', { path: 'a' }),
      call('w2', 'write', { path: 'a' }),
      call('r3', 'read', { path: 'a' }),
    ]);
    expect(log.slice(4)).toEqual([
      'start w1',
      'end w1',
      'start w2',
      'end w2',
      'start r3',
      'end r3',
    ]);
  });

  it('does not hold back a call behind an unrelated write (no waves)', async () => {
    const gate = deferred();
    const order: string[] = [];
    const write = fileTool('write', 'write', async (_i, ctx) => {
      await gate.promise;
      order.push(ctx.callId);
      return '';
    });
    const read = fileTool('read', 'read', async (_i, ctx) => {
      order.push(ctx.callId);
      return '';
    });
    const run = scheduler([read, write]).run([
      call('r1', 'read', { path: 'a' }),
      call('w', 'write', { path: 'a' }),
      call('r2', 'read', { path: 'b' }),
    ]);
    await flush();
    expect(order).toEqual(['r1', 'r2']);
    gate.resolve();
    await run;
    expect(order).toEqual(['r1', 'r2', 'w']);
  });

  it('treats a tool without claims as exclusive and `claims: []` as pure', async () => {
    const log: string[] = [];
    const step = (name: string, claims?: []) =>
      defineTool({
        name,
        description: '',
        input: {},
        ...(claims ? { claims } : {}),
        execute: async (_i, ctx) => {
          log.push(`+${ctx.callId}`);
          await flush(1);
          log.push(`-${ctx.callId}`);
          return '';
        },
      });
    await scheduler([step('pure', []), step('exclusive')]).run([
      call('p1', 'pure'),
      call('p2', 'pure'),
      call('x', 'exclusive'),
      call('p3', 'pure'),
    ]);
    const x = log.indexOf('+x');
    expect(log.indexOf('-p1')).toBeLessThan(x);
    expect(log.indexOf('-p2')).toBeLessThan(x);
    expect(log.indexOf('+p3')).toBeGreaterThan(log.indexOf('-x'));
    expect(log.indexOf('+p2')).toBeLessThan(log.indexOf('-p1'));
  });

  it('keeps the claims of a call that outlived its turn until it settles', async () => {
    vi.useFakeTimers();
    const release = deferred();
    const log: string[] = [];
    const stubborn = fileTool(
      'stubborn',
      'write',
      async () => {
        await release.promise;
        log.push('stubborn ended');
        return '';
      },
      { timeoutMs: 100 },
    );
    const write = fileTool('write', 'write', async () => {
      log.push('write ran');
      return '';
    });
    const s = scheduler([stubborn, write]);
    const first = s.run([call('a', 'stubborn', { path: 'f' })]);
    await vi.advanceTimersByTimeAsync(100);
    expect((await first).results[0]?.status).toBe('timeout');
    const second = s.run([call('b', 'write', { path: 'f' })]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(log).toEqual([]);
    release.resolve();
    await second;
    expect(log).toEqual(['stubborn ended', 'write ran']);
  });
});

describe('Scheduler: limits', () => {
  it('never runs more than maxConcurrency or a group limit, and serves waiting calls in call order', async () => {
    let running = 0;
    let peak = 0;
    let groupRunning = 0;
    let groupPeak = 0;
    const started: string[] = [];
    const make = (name: string, group?: string) =>
      defineTool({
        name,
        description: '',
        input: {},
        claims: [],
        ...(group ? { group } : {}),
        execute: async (_i, ctx) => {
          started.push(ctx.callId);
          running++;
          if (group) groupRunning++;
          peak = Math.max(peak, running);
          groupPeak = Math.max(groupPeak, groupRunning);
          await flush(1);
          running--;
          if (group) groupRunning--;
          return '';
        },
      });
    const s = scheduler([make('free'), make('mcp', 'mcp:github')], {
      maxConcurrency: 3,
      limits: { 'mcp:github': 1 },
    });
    const calls = Array.from({ length: 12 }, (_, i) => call(`c${i}`, i % 2 ? 'mcp' : 'free'));
    const { trace } = await s.run(calls);
    expect(peak).toBe(3);
    expect(groupPeak).toBe(1);
    const free = started.filter((id) => Number(id.slice(1)) % 2 === 0);
    expect(free).toEqual([...free].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
    expect(trace.calls.some((c) => c.limitWaitedOn === 'mcp:github')).toBe(true);
  });
});

describe('Scheduler: approvals', () => {
  const asking = (name: string, run: ToolDefinition['execute'] = () => 'ran') =>
    defineTool({ name, description: '', input: {}, claims: [], approval: 'ask', execute: run });
  const auto = defineTool({
    name: 'auto',
    description: '',
    input: {},
    claims: [],
    execute: () => 'ran',
  });

  it('asks the approver with the call, and runs only on approval', async () => {
    const requests: ApprovalRequest[] = [];
    const s = scheduler([asking('rm')], {
      approver: (req) => {
        requests.push(req);
        if (req.callId === 'yes') return 'approve';
        return { decision: 'deny', reason: req.callId === 'no' ? 'not that one' : 'Not now.' };
      },
    });
    const { results, trace } = await s.run([
      call('yes', 'rm'),
      call('no', 'rm'),
      call('later', 'rm'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['success', 'denied', 'denied']);
    expect(results[1]?.error?.message).toBe('Denied: not that one.');
    // A reason that ends its sentence keeps one full stop.
    expect(results[2]?.error?.message).toBe('Denied: Not now.');
    expect(requests.map((r) => [r.callId, r.toolName])).toEqual([
      ['yes', 'rm'],
      ['no', 'rm'],
      ['later', 'rm'],
    ]);
    expect(trace.calls.map((c) => c.approval)).toEqual(['approved', 'denied', 'denied']);
  });

  it('does not hold auto calls back while an approval is pending', async () => {
    const answer = deferred<'approve'>();
    const s = scheduler([asking('ask'), auto], { approver: () => answer.promise });
    const events: SchedulerEvent[] = [];
    s.on((e) => {
      events.push(e);
    });
    const turn = s.turn();
    turn.add(call('a', 'ask'));
    for (let i = 0; i < 5; i++) turn.add(call(`auto${i}`, 'auto'));
    turn.end();
    await flush(5);
    expect(events.filter((e) => e.type === 'finished').map((e) => e.callId)).toEqual([
      'auto0',
      'auto1',
      'auto2',
      'auto3',
      'auto4',
    ]);
    answer.resolve('approve');
    const { results } = await turn.done;
    expect(results.map((r) => r.status)).toEqual(Array(6).fill('success'));
  });

  it('makes conflicting calls wait for a pending approval', async () => {
    const answer = deferred<'approve'>();
    const log: string[] = [];
    const write = fileTool(
      'write',
      'write',
      (_i, ctx) => {
        log.push(ctx.callId);
        return '';
      },
      { approval: 'ask' },
    );
    const read = fileTool('read', 'read', (_i, ctx) => {
      log.push(ctx.callId);
      return '';
    });
    const s = scheduler([write, read], { approver: () => answer.promise });
    const run = s.run([
      call('w', 'write', { path: 'a' }),
      call('r', 'read', { path: 'a' }),
      call('other', 'read', { path: 'b' }),
    ]);
    await flush();
    expect(log).toEqual(['other']);
    answer.resolve('approve');
    await run;
    expect(log).toEqual(['other', 'w', 'r']);
  });

  it('denies on an approver that throws or answers nonsense: approval is never bypassed', async () => {
    const ran: string[] = [];
    const tool = asking('t', (_i, ctx) => {
      ran.push(ctx.callId);
      return '';
    });
    const throwing = await scheduler([tool], {
      approver: () => {
        throw new Error('ui crashed');
      },
    }).run([call('a', 't')]);
    expect(throwing.results[0]?.error?.message).toMatch(/approver failed: ui crashed/);
    const nonsense = await scheduler([tool], { approver: () => 'yes' as 'approve' }).run([
      call('b', 't'),
    ]);
    expect(nonsense.results[0]?.status).toBe('denied');
    const none = await scheduler([tool]).run([call('c', 't')]);
    expect(none.results[0]?.error?.message).toMatch(/no approver/);
    expect(ran).toEqual([]);
  });

  it('applies the approval modes', async () => {
    const approver = vi.fn(() => 'approve' as const);
    const edit = fileTool('edit', 'write', () => 'edited', { approval: 'ask' });
    const shell = asking('shell');
    const refuse = defineTool({
      name: 'refuse',
      description: '',
      input: {},
      claims: [],
      approval: 'deny',
      execute: () => 'x',
    });
    const calls = [call('e', 'edit', { path: 'a' }), call('s', 'shell'), call('r', 'refuse')];
    const statuses = async (approvalMode: SchedulerOptions['approvalMode']) => {
      approver.mockClear();
      const { results } = await scheduler([edit, shell, refuse], { approvalMode, approver }).run(
        calls,
      );
      return [results.map((r) => r.status), approver.mock.calls.length];
    };
    expect(await statuses('ask')).toEqual([['success', 'success', 'denied'], 2]);
    expect(await statuses('auto-edit')).toEqual([['success', 'success', 'denied'], 1]);
    expect(await statuses('yolo')).toEqual([['success', 'success', 'denied'], 0]);
    expect(await statuses('never-ask')).toEqual([['denied', 'denied', 'denied'], 0]);
  });

  it('withdraws a pending approval request when the call is cancelled', async () => {
    let requestSignal: AbortSignal | undefined;
    const s = scheduler([asking('t')], {
      approver: (req) => {
        requestSignal = req.signal;
        return new Promise(() => {});
      },
    });
    const controller = new AbortController();
    const run = s.run([call('a', 't')], { signal: controller.signal });
    await flush();
    controller.abort();
    expect((await run).results[0]?.status).toBe('cancelled');
    expect(requestSignal?.aborted).toBe(true);
  });
});

describe('Scheduler: timeouts and cancellation', () => {
  it('times a call out: its signal aborts with a TimeoutError and its result says so', async () => {
    vi.useFakeTimers();
    let reason: unknown;
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: {},
      claims: [],
      timeoutMs: 50,
      execute: async (_i, ctx) => {
        try {
          await untilAborted(ctx.signal);
        } catch (e) {
          reason = e;
          throw e;
        }
      },
    });
    const run = scheduler([hang]).run([call('a', 'hang')]);
    await vi.advanceTimersByTimeAsync(50);
    const { results } = await run;
    expect(results[0]?.status).toBe('timeout');
    expect(results[0]?.error?.message).toMatch(/Timed out after 50 ms/);
    expect((reason as DOMException).name).toBe('TimeoutError');
  });

  it('uses defaultTimeoutMs for tools without their own', async () => {
    vi.useFakeTimers();
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: {},
      claims: [],
      execute: (_i, ctx) => untilAborted(ctx.signal),
    });
    const run = scheduler([hang], { defaultTimeoutMs: 20 }).run([call('a', 'hang')]);
    await vi.advanceTimersByTimeAsync(20);
    expect((await run).results[0]?.status).toBe('timeout');
  });

  it('cancels a turn: running calls are aborted, waiting calls never start', async () => {
    const started: string[] = [];
    let aborted = 0;
    const hold = fileTool('hold', 'write', async (_i, ctx) => {
      started.push(ctx.callId);
      try {
        await untilAborted(ctx.signal);
      } finally {
        aborted++;
      }
    });
    const s = scheduler([hold]);
    const controller = new AbortController();
    const run = s.run(
      [
        call('a', 'hold', { path: 'x' }),
        call('b', 'hold', { path: 'x' }),
        call('c', 'hold', { path: 'y' }),
      ],
      { signal: controller.signal },
    );
    await flush();
    controller.abort(new Error('user pressed Ctrl-C'));
    const { results } = await run;
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'cancelled']);
    expect(results[0]?.error?.message).toBe('Cancelled: user pressed Ctrl-C.');
    await flush();
    expect(started).toEqual(['a', 'c']);
    expect(aborted).toBe(2);
  });

  it('cancels everything when the signal was already aborted', async () => {
    const never = vi.fn();
    const t = defineTool({ name: 't', description: '', input: {}, claims: [], execute: never });
    const { results } = await scheduler([t]).run([call('a', 't')], { signal: AbortSignal.abort() });
    expect(results[0]?.status).toBe('cancelled');
    expect(never).not.toHaveBeenCalled();
  });

  it('cancels one call by id', async () => {
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      claims: [],
      execute: (_i, ctx) => untilAborted(ctx.signal),
    });
    const quick = defineTool({
      name: 'quick',
      description: '',
      input: {},
      claims: [],
      execute: () => 'ok',
    });
    const turn = scheduler([t, quick]).turn();
    turn.add(call('a', 't'));
    turn.add(call('b', 'quick'));
    turn.end();
    await flush();
    expect(turn.cancelCall('a')).toBe(true);
    expect(turn.cancelCall('missing')).toBe(false);
    expect((await turn.done).results.map((r) => r.status)).toEqual(['cancelled', 'success']);
  });
});

describe('Scheduler: streaming turns, events and context', () => {
  it('starts a call before the turn has ended', async () => {
    const started = deferred();
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      claims: [],
      execute: () => {
        started.resolve();
        return 'ok';
      },
    });
    const turn = scheduler([t]).turn();
    turn.add(call('a', 't'));
    await started.promise;
    turn.add(call('b', 't'));
    turn.end();
    expect((await turn.done).results.map((r) => r.id)).toEqual(['a', 'b']);
    expect(() => turn.add(call('c', 't'))).toThrow(/after `end\(\)`/);
  });

  it('delivers timestamped events in order, even past a throwing listener', async () => {
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      claims: [],
      execute: (_i, ctx) => {
        ctx.progress({ progress: 1, total: 2 });
        return 'ok';
      },
    });
    const events: SchedulerEvent[] = [];
    const s = scheduler([t], {
      onEvent: () => {
        throw new Error('bad listener');
      },
    });
    s.on(async (e) => {
      events.push(e);
      throw new Error('bad async listener');
    });
    await s.run([call('a', 't')]);
    expect(events.map((e) => e.type)).toEqual(['queued', 'started', 'progress', 'finished']);
    expect(events.every((e) => typeof e.at === 'number' && e.callId === 'a')).toBe(true);
  });

  it('runs tools in the async context of the code that added them', async () => {
    const store = new AsyncLocalStorage<string>();
    const seen: (string | undefined)[] = [];
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      execute: async () => {
        seen.push(store.getStore());
        await flush(1);
        return '';
      },
    });
    const s = scheduler([t], { maxConcurrency: 1 });
    // Exclusive calls chained across two contexts: each starts when the other's call frees it.
    await Promise.all([
      store.run('one', () => s.run([call('a', 't'), call('b', 't')])),
      store.run('two', () => s.run([call('c', 't')])),
    ]);
    expect(seen.sort()).toEqual(['one', 'one', 'two']);
  });

  it('traces each call and summarizes the turn', async () => {
    vi.useFakeTimers();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const write = fileTool('write', 'write', () => sleep(100).then(() => ''));
    let clock = 0;
    const s = scheduler([write], { now: () => clock });
    const interval = setInterval(() => {
      clock += 10;
    }, 10);
    const run = s.run([
      call('a', 'write', { path: 'x' }),
      call('b', 'write', { path: 'x' }),
      call('c', 'write', { path: 'y' }),
    ]);
    await vi.advanceTimersByTimeAsync(300);
    clearInterval(interval);
    const { trace } = await run;
    expect(trace.calls[1]?.waitedFor).toEqual(['a']);
    expect(trace.summary.criticalPath).toEqual(['a', 'b']);
    expect(trace.summary.wallMs).toBeCloseTo(200, -1);
    expect(trace.summary.parallelism).toBeGreaterThan(1.4);
    expect(trace.summary.efficiency).toBeGreaterThan(0.9);
  });
});

describe('Scheduler: options', () => {
  it.each([
    [
      { maxConcurrency: 0 },
      'Expected `maxConcurrency` to be a number from 1 and up, got `0` (number)',
    ],
    [{ limits: { x: -1 } }, /`limits.x`/],
    [{ limits: { global: 2 } }, /maxConcurrency/],
    [{ approvalMode: 'sometimes' }, /`approvalMode`/],
    [{ defaultTimeoutMs: 0 }, /`defaultTimeoutMs`/],
  ])('rejects %j', (options, message) => {
    expect(() => new Scheduler({ tools: [], ...(options as object) })).toThrow(message);
  });

  it('rejects two tools with one name', () => {
    const t = defineTool({ name: 't', description: '', input: {}, execute: () => '' });
    expect(() => new Scheduler({ tools: [t, t] })).toThrow(/distinct names/);
  });

  it('replaces its tools for new turns; an open turn keeps its own; a bad list changes nothing', async () => {
    const make = (name: string, text: string) =>
      defineTool({ name, description: '', input: {}, claims: [], execute: () => text });
    const s = new Scheduler({ tools: [make('a', 'old a'), make('b', 'b')] });
    const open = s.turn();
    s.setTools([make('a', 'new a'), make('c', 'c')]);
    open.add(call('a1', 'a'));
    open.add(call('b1', 'b'));
    open.end();
    expect((await open.done).results.map((r) => r.content)).toEqual([
      [{ type: 'text', text: 'old a' }],
      [{ type: 'text', text: 'b' }],
    ]);
    const { results } = await s.run([call('a2', 'a'), call('b2', 'b'), call('c2', 'c')]);
    expect(results.map((r) => r.status)).toEqual(['success', 'error', 'success']);
    expect(results[0]?.content).toEqual([{ type: 'text', text: 'new a' }]);
    expect(results[1]?.error?.message).toMatch(/unknown tool|not available|no tool/i);
    const t = make('t', '');
    expect(() => s.setTools([t, t])).toThrow(/distinct names/);
    expect([...s.tools.keys()]).toEqual(['a', 'c']);
  });
});

describe('Scheduler: dedupeReads', () => {
  function counting() {
    const runs: string[] = [];
    const read = fileTool('read', 'read', async (i: { path: string }) => {
      runs.push(i.path);
      await flush(1);
      return `contents of ${i.path}`;
    });
    const write = fileTool('write', 'write', () => 'written');
    return { runs, tools: [read, write] };
  }

  it('runs identical reads once and gives each call the result under its own id', async () => {
    const { runs, tools } = counting();
    const { results, trace } = await scheduler(tools, { dedupeReads: true }).run([
      call('a', 'read', '{"path":"x"}'),
      call('b', 'read', { path: 'x' }),
      call('c', 'read', { path: 'y' }),
    ]);
    expect(runs).toEqual(['x', 'y']);
    expect(results.map((r) => [r.id, r.status, r.content])).toEqual([
      ['a', 'success', [{ type: 'text', text: 'contents of x' }]],
      ['b', 'success', [{ type: 'text', text: 'contents of x' }]],
      ['c', 'success', [{ type: 'text', text: 'contents of y' }]],
    ]);
    expect(trace.calls[1]?.sharedWith).toBe('a');
  });

  it('never shares across a write admitted in between, or when not asked to', async () => {
    const first = counting();
    await scheduler(first.tools, { dedupeReads: true }).run([
      call('a', 'read', { path: 'x' }),
      call('w', 'write', { path: 'x' }),
      call('b', 'read', { path: 'x' }),
    ]);
    expect(first.runs).toEqual(['x', 'x']);
    const second = counting();
    await scheduler(second.tools).run([
      call('a', 'read', { path: 'x' }),
      call('b', 'read', { path: 'x' }),
    ]);
    expect(second.runs).toEqual(['x', 'x']);
  });
});

describe('Scheduler: a tool’s own deadline', () => {
  it('turns an error named TimeoutError into a timeout result', async () => {
    const t = defineTool({
      name: 't',
      description: '',
      input: {},
      claims: [],
      execute: async () => {
        throw new DOMException('the API did not answer in 5 s', 'TimeoutError');
      },
    });
    const { results } = await scheduler([t]).run([call('a', 't')]);
    expect(results[0]).toMatchObject({
      status: 'timeout',
      error: { message: 'Timed out: the API did not answer in 5 s' },
    });
  });
});

describe('Scheduler: calls that wait for their own children', () => {
  it('gives its slots to nested work while it waits, so nesting never starves itself', async () => {
    let running = 0;
    let peak = 0;
    const leaf = defineTool({
      name: 'leaf',
      description: '',
      input: {},
      claims: [],
      group: 'subagent',
      execute: async () => {
        peak = Math.max(peak, ++running);
        await flush(1);
        running--;
        return 'leaf done';
      },
    });
    let s!: Scheduler;
    const task = defineTool({
      name: 'task',
      description: 'runs a nested turn on the same scheduler',
      input: z.object({ depth: z.number() }),
      claims: [],
      group: 'subagent',
      execute: async (i, ctx) => {
        peak = Math.max(peak, ++running);
        running--; // it holds no slot while it waits
        const child =
          i.depth > 0 ? call(`t${i.depth}`, 'task', { depth: i.depth - 1 }) : call('l', 'leaf');
        const { results } = await ctx.waitFor(s.run([child]));
        peak = Math.max(peak, ++running);
        running--;
        return `${results[0]?.status}`;
      },
    });
    // One slot in all: without waitFor the outer task would hold it and its child would wait forever.
    s = new Scheduler({ tools: [task, leaf], maxConcurrency: 1, limits: { subagent: 1 } });
    const { results } = await s.run([call('outer', 'task', { depth: 2 }), call('after', 'leaf')]);
    expect(results.map((r) => [r.id, r.status, r.content])).toEqual([
      ['outer', 'success', [{ type: 'text', text: 'success' }]],
      ['after', 'success', [{ type: 'text', text: 'leaf done' }]],
    ]);
    expect(peak).toBe(1);
  });

  it('takes its slots back first-come in call order, and not at all once cancelled', async () => {
    const child = deferred();
    const order: string[] = [];
    const waiter = defineTool({
      name: 'waiter',
      description: '',
      input: {},
      claims: [],
      execute: async (_i, ctx) => {
        await ctx.waitFor(child.promise);
        order.push('waiter resumed');
        return '';
      },
    });
    const quick = defineTool({
      name: 'quick',
      description: '',
      input: {},
      claims: [],
      execute: async () => {
        order.push('quick ran');
        await flush(1);
        return '';
      },
    });
    const s = new Scheduler({ tools: [waiter, quick], maxConcurrency: 1 });
    const run = s.run([call('w', 'waiter'), call('q', 'quick')]);
    await flush(3);
    // The waiter gave its slot away: the later call ran in it.
    expect(order).toEqual(['quick ran']);
    child.resolve();
    await run;
    expect(order).toEqual(['quick ran', 'waiter resumed']);

    const stuck = stuckWaiter();
    const controller = new AbortController();
    const s2 = new Scheduler({ tools: [stuck, quick], maxConcurrency: 1 });
    const cancelled = s2.run([call('s', 'stuck')], { signal: controller.signal });
    await flush(3);
    controller.abort();
    expect((await cancelled).results[0]?.status).toBe('cancelled');
    // Its slot is free: a new call runs at once.
    expect((await s2.run([call('q2', 'quick')])).results[0]?.status).toBe('success');
  });

  it('records how long a call gave its slots back, also when it ended still waiting', async () => {
    let clock = 0;
    const child = deferred();
    const waiter = defineTool({
      name: 'waiter',
      description: '',
      input: {},
      claims: [],
      execute: async (_i, ctx) => {
        clock += 10; // its own work
        await ctx.waitFor(child.promise);
        clock += 5;
        return '';
      },
    });
    const plain = defineTool({
      name: 'plain',
      description: '',
      input: {},
      claims: [],
      execute: () => '',
    });
    const s = new Scheduler({ tools: [waiter, plain], now: () => clock });
    const run = s.run([call('w', 'waiter'), call('p', 'plain')]);
    await flush(3);
    clock += 100; // its child's time
    child.resolve();
    const { trace } = await run;
    expect(trace.calls[0]).toMatchObject({ startedAt: 0, endedAt: 115, slotsYieldedMs: 100 });
    // A call that never waited says nothing about it.
    expect(trace.calls[1]?.slotsYieldedMs).toBeUndefined();

    const stuck = stuckWaiter();
    const controller = new AbortController();
    const s2 = new Scheduler({ tools: [stuck], now: () => clock });
    const start = clock;
    const cancelled = s2.run([call('s', 'stuck')], { signal: controller.signal });
    await flush(3);
    clock += 40;
    controller.abort();
    const stuckTrace = (await cancelled).trace.calls[0];
    expect(stuckTrace).toMatchObject({ status: 'cancelled', startedAt: start, slotsYieldedMs: 40 });
  });
});

describe('Scheduler: a turn’s tool allowlist and agent path', () => {
  it('refuses tools outside the allowlist and tells the tool who called it', async () => {
    const seen: (readonly string[])[] = [];
    const a = defineTool({
      name: 'a',
      description: '',
      input: {},
      claims: [],
      execute: (_i, ctx) => {
        seen.push(ctx.path);
        return 'a';
      },
    });
    const b = defineTool({ name: 'b', description: '', input: {}, claims: [], execute: () => 'b' });
    const s = new Scheduler({ tools: [a, b] });
    const { results } = await s.run([call('1', 'a'), call('2', 'b')], {
      tools: ['a'],
      path: ['reviewer#1'],
    });
    expect(results.map((r) => r.status)).toEqual(['success', 'error']);
    expect(results[1]?.error?.message).toBe('Unknown tool "b". Available tools: a.');
    expect(seen).toEqual([['reviewer#1']]);
  });
});

describe('Scheduler: onTurnEnd', () => {
  it('hands over every turn trace, nested turns included, and survives a throwing hook', async () => {
    const traces: { turnId: number; path: readonly string[]; calls: number }[] = [];
    const read = fileTool('read', 'read', () => 'text');
    const s = scheduler([read], {
      onTurnEnd: (trace) => {
        traces.push({ turnId: trace.turnId, path: trace.path, calls: trace.calls.length });
        throw new Error('a broken hook');
      },
    });
    const outer = await s.run([call('a', 'read', { path: 'x' }), call('b', 'read', { path: 'y' })]);
    const inner = await s.run([call('c', 'read', { path: 'z' })], { path: ['helper#1'] });
    expect(outer.results.map((r) => r.status)).toEqual(['success', 'success']);
    expect(inner.results[0]?.status).toBe('success');
    expect(traces).toEqual([
      { turnId: 1, path: [], calls: 2 },
      { turnId: 2, path: ['helper#1'], calls: 1 },
    ]);
  });

  it('refuses a hook that is not a function', () => {
    expect(() => scheduler([], { onTurnEnd: 1 as never })).toThrow(/`onTurnEnd`/);
  });
});
