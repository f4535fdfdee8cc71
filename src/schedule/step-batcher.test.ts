import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../tool/call.js';
import { defineTool } from '../tool/define-tool.js';
import { Scheduler } from './scheduler.js';
import { StepBatcher } from './step-batcher.js';
import type { TurnOutcome } from './turn.js';

// Calls of one step that reach the batcher one by one, delayed by different amounts (a
// framework's async hooks), still run as one turn in the model's order.

interface Spec {
  file: 'a' | 'b';
  mode: 'read' | 'write';
  durationMs: number;
  /** How long the framework's hooks hold the call before its `execute` runs. */
  delayMs: number;
  /** The framework never runs it (it held it for approval, or dropped it). */
  dropped: 'no' | 'withdrawn' | 'silently';
}

function setup(arrivalTimeoutMs = 100) {
  const started = new Map<string, number>();
  const ended = new Map<string, number>();
  const t0 = Date.now();
  const tools = (['read', 'write'] as const).map((mode) =>
    defineTool({
      name: mode,
      description: mode,
      input: { type: 'object' },
      claims: (i: Spec) => [{ key: `fs:/w/${i.file}`, mode }],
      execute: async (i: Spec, ctx) => {
        started.set(ctx.callId, Date.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, i.durationMs));
        ended.set(ctx.callId, Date.now() - t0);
        return ctx.callId;
      },
    }),
  );
  const outcomes: TurnOutcome[] = [];
  const scheduler = new Scheduler({ tools, tracer: false });
  const batcher = new StepBatcher(scheduler, {
    arrivalTimeoutMs,
    onStepEnd: (outcome) => outcomes.push(outcome),
  });
  return { started, ended, batcher, outcomes };
}

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(0);
});
afterEach(() => {
  vi.useRealTimers();
});

describe('StepBatcher', () => {
  it('runs an announced edit before a later one that arrived first', async () => {
    const { started, ended, batcher, outcomes } = setup();
    const step = {};
    const edit = (id: string) => ({
      id,
      name: 'write',
      input: { file: 'a', mode: 'write', durationMs: 200 },
    });
    batcher.announce(step, edit('e1'));
    batcher.announce(step, edit('e2'));
    batcher.announce(step, { id: 'r', name: 'read', input: { file: 'b', durationMs: 50 } });
    // The second edit's hook was quicker: it arrives first, then the read, then the first edit.
    const second = batcher.run(step, edit('e2'));
    const read = batcher.run(step, { id: 'r', name: 'read', input: {} });
    setTimeout(() => void batcher.run(step, edit('e1')), 30);
    await vi.runAllTimersAsync();
    expect((await second).status).toBe('success');
    expect((await read).status).toBe('success');
    // The read ran at once; the second edit waited for the first, which ran when it arrived.
    expect(started.get('r')).toBe(0);
    expect(started.get('e1')).toBe(30);
    expect(started.get('e2')).toBe(ended.get('e1'));
    expect(outcomes).toHaveLength(1);
    expect(outcomes[0]?.results.map((r) => r.id)).toEqual(['e1', 'e2', 'r']);
    expect(batcher.openSteps).toBe(0);
  });

  it('a withdrawn or never-run call stops holding later ones back', async () => {
    const { started, batcher, outcomes } = setup(100);
    const step = {};
    const edit = (id: string) => ({ id, name: 'write', input: { file: 'a', durationMs: 10 } });
    batcher.announce(step, edit('held'));
    batcher.announce(step, edit('lost'));
    batcher.announce(step, edit('last'));
    const last = batcher.run(step, edit('last'));
    expect(batcher.withdraw(step, 'held', 'it waits for approval')).toBe(true);
    expect(batcher.withdraw(step, 'nope')).toBe(false);
    await vi.runAllTimersAsync();
    expect((await last).status).toBe('success');
    // `lost` was never run: `last` waited for it until the arrival timeout.
    expect(started.get('last')).toBe(100);
    expect(outcomes[0]?.results.map((r) => [r.id, r.status, r.error?.message])).toEqual([
      ['held', 'cancelled', 'Cancelled: it waits for approval'],
      ['lost', 'cancelled', 'Cancelled: the framework did not run it within 100 ms'],
      ['last', 'success', undefined],
    ]);
  });

  it('keeps separate steps apart, and calls it was not told about join in arrival order', async () => {
    const { batcher, outcomes } = setup();
    const one = {};
    const two = {};
    const a = batcher.run(one, { id: 'a', name: 'read', input: { file: 'a', durationMs: 5 } });
    const b = batcher.run(two, { id: 'a', name: 'read', input: { file: 'a', durationMs: 5 } });
    const c = batcher.run(one, { id: 'c', name: 'read', input: { file: 'b', durationMs: 5 } });
    expect(batcher.openSteps).toBe(2);
    await vi.runAllTimersAsync();
    expect([(await a).status, (await b).status, (await c).status]).toEqual([
      'success',
      'success',
      'success',
    ]);
    expect(outcomes.map((o) => o.results.map((r) => r.id)).sort()).toEqual([['a'], ['a', 'c']]);
  });

  it("cancels a step's calls when its signal aborts, and times them out on a TimeoutError", async () => {
    const { batcher } = setup();
    const plain = new AbortController();
    const deadline = new AbortController();
    const spec = { file: 'a', durationMs: 1_000 };
    const cancelled = batcher.run({}, { id: 'x', name: 'write', input: spec }, plain);
    const timedOut = batcher.run({}, { id: 'y', name: 'read', input: spec }, deadline);
    plain.abort();
    deadline.abort(new DOMException('too slow', 'TimeoutError'));
    await vi.runAllTimersAsync();
    expect((await cancelled).status).toBe('cancelled');
    expect((await timedOut).status).toBe('timeout');
  });

  it("a call's own signal cancels it even when its step was opened without one", async () => {
    const { batcher } = setup();
    const step = {};
    const spec = { file: 'a', durationMs: 1_000 };
    batcher.announce(step, { id: 'x', name: 'read', input: spec });
    batcher.announce(step, { id: 'y', name: 'read', input: { ...spec, file: 'b' } });
    const plain = new AbortController();
    const deadline = new AbortController();
    const x = batcher.run(step, { id: 'x', name: 'read', input: spec }, plain);
    const y = batcher.run(step, { id: 'y', name: 'read', input: spec }, deadline);
    plain.abort();
    deadline.abort(new DOMException('slow', 'TimeoutError'));
    await vi.runAllTimersAsync();
    expect([(await x).status, (await y).status]).toEqual(['cancelled', 'timeout']);
  });

  it('checks its options', () => {
    const scheduler = new Scheduler({ tools: [] });
    expect(() => new StepBatcher(scheduler, { arrivalTimeoutMs: -1 })).toThrow(/arrivalTimeoutMs/);
    expect(() => new StepBatcher(scheduler, { turn: { signal: undefined } as never })).toThrow(
      /`turn`/,
    );
    expect(() => new StepBatcher(scheduler).run(null as unknown as object, {} as never)).toThrow(
      /`step`/,
    );
  });

  it('orders conflicting calls by the model, never by arrival, over random steps', async () => {
    const specArb: fc.Arbitrary<Spec> = fc.record({
      file: fc.constantFrom('a' as const, 'b' as const),
      mode: fc.constantFrom('read' as const, 'write' as const),
      durationMs: fc.integer({ min: 0, max: 50 }),
      delayMs: fc.integer({ min: 0, max: 60 }),
      dropped: fc.constantFrom(
        'no' as const,
        'no' as const,
        'no' as const,
        'withdrawn',
        'silently',
      ),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(specArb, { minLength: 1, maxLength: 8 }), async (specs) => {
        const { started, ended, batcher, outcomes } = setup(100);
        const step = {};
        const calls = specs.map((spec, i) => ({ id: `c${i}`, name: spec.mode, input: spec }));
        for (const call of calls) batcher.announce(step, call);
        const results = new Map<string, Promise<CallResult>>();
        for (const [i, call] of calls.entries()) {
          const spec = specs[i] as Spec;
          setTimeout(() => {
            if (spec.dropped === 'no') results.set(call.id, batcher.run(step, call));
            if (spec.dropped === 'withdrawn') batcher.withdraw(step, call.id);
          }, spec.delayMs);
        }
        await vi.runAllTimersAsync();

        const conflict = (x: Spec, y: Spec) =>
          x.file === y.file && (x.mode === 'write' || y.mode === 'write');
        for (const [i, call] of calls.entries()) {
          const spec = specs[i] as Spec;
          if (spec.dropped !== 'no') {
            expect(started.has(call.id)).toBe(false);
            continue;
          }
          expect((await results.get(call.id))?.status).toBe('success');
          // It starts no earlier than it arrives, and with no earlier conflicting call, at once.
          const at = started.get(call.id) as number;
          expect(at).toBeGreaterThanOrEqual(spec.delayMs);
          const earlier = specs.slice(0, i).filter((other) => conflict(other, spec));
          if (earlier.length === 0) expect(at).toBe(spec.delayMs);
          // Every earlier conflicting call that ran had ended by then.
          for (const [j, other] of specs.slice(0, i).entries()) {
            if (!conflict(other, spec) || !started.has(`c${j}`)) continue;
            expect(ended.get(`c${j}`) as number).toBeLessThanOrEqual(at);
          }
        }
        // One turn per step, in the model's order, and nothing left open.
        expect(outcomes.flatMap((o) => o.results.map((r) => r.id))).toEqual(calls.map((c) => c.id));
        expect(batcher.openSteps).toBe(0);
      }),
      { numRuns: 300 },
    );
  });
});
