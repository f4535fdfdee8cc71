import { describe, expect, it } from 'vitest';
import type { ApprovalRequest } from '../approval/approval.js';
import { defineTool } from '../tool/define-tool.js';
import { Scheduler } from './scheduler.js';
import { deferred, flush, untilAborted } from './test-support.js';
import { TurnClosedError } from './turn.js';

// A call's own result as it settles (`turn.add` / `turn.result`), calls approved elsewhere
// (`approved`), calls a framework has not run yet (`ready`), and deadlines (`TimeoutError`).

function fileTools(log: string[], gates: Map<string, Promise<void>> = new Map()) {
  const tool = (name: string, mode: 'read' | 'write', approval: 'auto' | 'ask' | 'deny' = 'auto') =>
    defineTool({
      name,
      description: name,
      input: { type: 'object', properties: { path: { type: 'string' } } },
      claims: (i: { path: string }) => [{ key: `fs:/w/${i.path}`, mode }],
      approval,
      execute: async (i: { path: string }, ctx) => {
        log.push(`start ${ctx.callId}`);
        await Promise.race([gates.get(ctx.callId), untilAborted(ctx.signal)]);
        log.push(`end ${ctx.callId}`);
        return `${name} ${i.path}`;
      },
    });
  return [
    tool('read', 'read'),
    tool('edit', 'write'),
    tool('edit_ask', 'write', 'ask'),
    tool('nuke', 'write', 'deny'),
  ];
}

describe('turn.add: a result per call', () => {
  it('resolves each call the moment it settles, before the turn ends', async () => {
    const log: string[] = [];
    const slow = deferred();
    const fast = deferred();
    const scheduler = new Scheduler({
      tools: fileTools(
        log,
        new Map([
          ['slow', slow.promise],
          ['fast', fast.promise],
        ]),
      ),
    });
    const turn = scheduler.turn();
    const slowResult = turn.add({ id: 'slow', name: 'read', input: { path: 'a' } });
    const fastResult = turn.add({ id: 'fast', name: 'read', input: { path: 'b' } });
    turn.end();
    let turnDone = false;
    void turn.done.then(() => {
      turnDone = true;
    });
    fast.resolve();
    const result = await fastResult;
    expect(result).toMatchObject({ id: 'fast', status: 'success', output: 'read b' });
    expect(log).toEqual(['start slow', 'start fast', 'end fast']);
    expect(turnDone).toBe(false);
    expect(turn.result('fast')).toBe(fastResult);
    slow.resolve();
    const outcome = await turn.done;
    // The same result objects as the turn's, in call order.
    expect(outcome.results[0]).toBe(await slowResult);
    expect(outcome.results[1]).toBe(result);
  });

  it('resolves calls that never run (unknown tool, malformed, duplicate id, after cancel)', async () => {
    const scheduler = new Scheduler({ tools: fileTools([]) });
    const turn = scheduler.turn();
    const unknown = turn.add({ id: 'a', name: 'nope', input: {} });
    const malformed = turn.add({ id: 'b', name: 'read', input: '{"path":' });
    const first = turn.add({ id: 'c', name: 'read', input: { path: 'x' } });
    const duplicate = turn.add({ id: 'c', name: 'read', input: { path: 'y' } });
    turn.cancel('stop');
    const late = turn.add({ id: 'd', name: 'read', input: { path: 'z' } });
    turn.end();
    expect((await unknown).status).toBe('error');
    expect((await malformed).status).toBe('error');
    expect((await duplicate).error?.message).toMatch(/Duplicate tool call id/);
    expect((await first).status).toBe('cancelled');
    expect((await late).status).toBe('cancelled');
    // `result(id)` gives the first call of an id; none for an id never added.
    expect(turn.result('c')).toBe(first);
    expect(turn.result('missing')).toBeUndefined();
    await turn.done;
  });

  it('throws after end() and on malformed options, naming the option', () => {
    const scheduler = new Scheduler({ tools: fileTools([]) });
    const turn = scheduler.turn();
    expect(() =>
      turn.add({ id: 'a', name: 'read', input: {} }, { approved: 'yes' as unknown as boolean }),
    ).toThrow(/`approved`/);
    expect(() =>
      turn.add({ id: 'a', name: 'read', input: {} }, { ready: 5 as unknown as Promise<void> }),
    ).toThrow(/`ready`/);
    turn.end();
    expect(() => turn.add({ id: 'b', name: 'read', input: {} })).toThrow(TurnClosedError);
  });
});

describe('turn.add(call, { approved: true })', () => {
  it('skips the approver but still waits for an earlier conflicting call', async () => {
    const log: string[] = [];
    const first = deferred();
    const asked: string[] = [];
    const scheduler = new Scheduler({
      tools: fileTools(log, new Map([['e1', first.promise]])),
      approver: async (request: ApprovalRequest) => {
        asked.push(request.callId);
        return 'approve' as const;
      },
    });
    const turn = scheduler.turn();
    turn.add({ id: 'e1', name: 'edit', input: { path: 'a' } });
    const second = turn.add(
      { id: 'e2', name: 'edit_ask', input: { path: 'a' } },
      { approved: true },
    );
    turn.end();
    await flush();
    expect(log).toEqual(['start e1']);
    first.resolve();
    expect((await second).status).toBe('success');
    expect(log).toEqual(['start e1', 'end e1', 'start e2', 'end e2']);
    expect(asked).toEqual([]);
    const { trace } = await turn.done;
    expect(trace.calls[1]?.approval).toBe('approved');
  });

  it('runs without an approver configured, but a tool that denies still denies', async () => {
    const log: string[] = [];
    const scheduler = new Scheduler({ tools: fileTools(log) });
    const turn = scheduler.turn();
    const asked = turn.add({ id: 'a', name: 'edit_ask', input: { path: 'a' } }, { approved: true });
    const denied = turn.add({ id: 'b', name: 'nuke', input: { path: 'b' } }, { approved: true });
    const unapproved = turn.add({ id: 'c', name: 'edit_ask', input: { path: 'c' } });
    turn.end();
    expect((await asked).status).toBe('success');
    expect((await denied).status).toBe('denied');
    expect((await unapproved).status).toBe('denied');
    expect(log).toEqual(['start a', 'end a']);
  });
});

describe('turn.add(call, { ready })', () => {
  it('takes its place in call order at once, and starts only once ready', async () => {
    const log: string[] = [];
    const arrived = deferred();
    const scheduler = new Scheduler({ tools: fileTools(log) });
    const turn = scheduler.turn();
    const first = turn.add(
      { id: 'e1', name: 'edit', input: { path: 'a' } },
      { ready: arrived.promise },
    );
    const second = turn.add({ id: 'e2', name: 'edit', input: { path: 'a' } });
    const read = turn.add({ id: 'r', name: 'read', input: { path: 'b' } });
    turn.end();
    await read;
    // The read of another file ran; the second edit waits for the first, which waits to arrive.
    expect(log).toEqual(['start r', 'end r']);
    arrived.resolve();
    await Promise.all([first, second]);
    expect(log).toEqual(['start r', 'end r', 'start e1', 'end e1', 'start e2', 'end e2']);
  });

  it('holds no slot while it waits to be ready', async () => {
    const log: string[] = [];
    const scheduler = new Scheduler({ tools: fileTools(log), maxConcurrency: 1 });
    const turn = scheduler.turn();
    const never = turn.add(
      { id: 'w', name: 'read', input: { path: 'a' } },
      { ready: new Promise(() => {}) },
    );
    const other = turn.add({ id: 'o', name: 'read', input: { path: 'b' } });
    expect((await other).status).toBe('success');
    turn.cancel();
    expect((await never).status).toBe('cancelled');
    turn.end();
    await turn.done;
  });

  it('a rejected ready cancels the call with its message and frees later calls', async () => {
    const log: string[] = [];
    const arrived = deferred();
    const scheduler = new Scheduler({ tools: fileTools(log) });
    const turn = scheduler.turn();
    const first = turn.add(
      { id: 'e1', name: 'edit', input: { path: 'a' } },
      { ready: arrived.promise },
    );
    const second = turn.add({ id: 'e2', name: 'edit', input: { path: 'a' } });
    turn.end();
    arrived.reject(new Error('the framework did not run it'));
    expect(await first).toMatchObject({
      status: 'cancelled',
      error: { message: 'Cancelled: the framework did not run it' },
    });
    expect((await second).status).toBe('success');
    expect(log).toEqual(['start e2', 'end e2']);
  });
});

describe('a deadline on the turn', () => {
  it('gives status timeout to running and waiting calls alike', async () => {
    const log: string[] = [];
    const scheduler = new Scheduler({
      tools: fileTools(log, new Map([['r', new Promise<void>(() => {})]])),
    });
    const controller = new AbortController();
    const turn = scheduler.turn({ signal: controller.signal });
    turn.add({ id: 'r', name: 'read', input: { path: 'a' } });
    turn.add({ id: 'e', name: 'edit', input: { path: 'a' } });
    turn.end();
    await flush();
    controller.abort(new DOMException('The operation timed out.', 'TimeoutError'));
    const outcome = await turn.done;
    expect(outcome.results.map((r) => r.status)).toEqual(['timeout', 'timeout']);
    expect(outcome.results[0]?.error?.message).toBe('Timed out: The operation timed out.');
    // The running read was stopped (its signal aborted: no "end"); the edit never started.
    expect(log).toEqual(['start r']);
  });

  it('an already expired signal gives timeout; a plain abort stays cancelled', async () => {
    const scheduler = new Scheduler({ tools: fileTools([]) });
    const expired = scheduler.turn({
      signal: AbortSignal.abort(new DOMException('late', 'TimeoutError')),
    });
    expect((await expired.add({ id: 'a', name: 'read', input: { path: 'a' } })).status).toBe(
      'timeout',
    );
    expired.end();
    const controller = new AbortController();
    const plain = scheduler.turn({ signal: controller.signal });
    const call = plain.add({ id: 'b', name: 'read', input: { path: 'b' } });
    controller.abort();
    expect((await call).status).toBe('cancelled');
    plain.end();
  });

  it('aborts the tool signal with a TimeoutError', async () => {
    let reason: unknown;
    const scheduler = new Scheduler({
      tools: [
        defineTool({
          name: 'wait',
          description: '',
          input: { type: 'object' },
          claims: [],
          execute: async (_i, ctx) => {
            try {
              await untilAborted(ctx.signal);
            } catch (error) {
              reason = error;
            }
          },
        }),
      ],
    });
    const controller = new AbortController();
    const turn = scheduler.turn({ signal: controller.signal });
    const call = turn.add({ id: 'a', name: 'wait', input: {} });
    turn.end();
    await flush();
    controller.abort(new DOMException('deadline', 'TimeoutError'));
    expect((await call).status).toBe('timeout');
    await turn.done;
    expect((reason as Error).name).toBe('TimeoutError');
  });
});

describe('scheduler.approvalPolicy', () => {
  it("tells a framework which calls need approval, after the mode; 'auto' when it cannot judge", () => {
    const scheduler = new Scheduler({ tools: fileTools([]), approvalMode: 'ask' });
    expect(scheduler.approvalPolicy({ name: 'edit_ask', input: { path: 'a' } })).toBe('ask');
    expect(scheduler.approvalPolicy({ name: 'edit', input: '{"path":"a"}' })).toBe('auto');
    expect(scheduler.approvalPolicy({ name: 'nuke', input: { path: 'a' } })).toBe('deny');
    expect(scheduler.approvalPolicy({ name: 'edit_ask', input: '{"pa' })).toBe('auto');
    expect(scheduler.approvalPolicy({ name: 'missing', input: {} })).toBe('auto');
    const yolo = new Scheduler({ tools: fileTools([]), approvalMode: 'yolo' });
    expect(yolo.approvalPolicy({ name: 'edit_ask', input: { path: 'a' } })).toBe('auto');
  });
});
