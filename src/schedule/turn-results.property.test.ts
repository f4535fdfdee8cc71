import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallResult } from '../tool/call.js';
import { defineTool } from '../tool/define-tool.js';
import { Scheduler } from './scheduler.js';

// Per-call results, calls approved elsewhere, calls that wait to be ready, and deadlines, over
// random turns: every call's own promise settles with its result the moment the call settles,
// no call starts before it is ready or unapproved, conflicting calls keep call order, and a
// deadline gives `timeout` where a cancel gives `cancelled`.

interface Spec {
  file: 'a' | 'b' | 'c';
  mode: 'read' | 'write';
  ask: boolean;
  approved: boolean;
  ready: { at: number; ok: boolean } | null;
  durationMs: number;
}

const specArb: fc.Arbitrary<Spec> = fc.record({
  file: fc.constantFrom('a' as const, 'b' as const, 'c' as const),
  mode: fc.constantFrom('read' as const, 'write' as const),
  ask: fc.boolean(),
  approved: fc.boolean(),
  ready: fc.option(fc.record({ at: fc.integer({ min: 0, max: 40 }), ok: fc.boolean() })),
  durationMs: fc.integer({ min: 0, max: 30 }),
});

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('turn.add results, approved and ready: properties', () => {
  it('holds over random turns', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(specArb, { minLength: 1, maxLength: 8 }),
        fc.option(fc.record({ at: fc.integer({ min: 0, max: 80 }), timeout: fc.boolean() })),
        async (specs, abort) => {
          const t0 = Date.now();
          const now = () => Date.now() - t0;
          const started = new Map<string, number>();
          const ended = new Map<string, number>();
          const asked = new Set<string>();
          const tools = (['read', 'write'] as const).map((mode) =>
            defineTool({
              name: mode,
              description: mode,
              input: { type: 'object' },
              claims: (i: Spec) => [{ key: `fs:/w/${i.file}`, mode }],
              approval: (i: Spec) => (i.ask ? 'ask' : 'auto'),
              execute: async (i: Spec, ctx) => {
                started.set(ctx.callId, now());
                try {
                  await new Promise((resolve, reject) => {
                    const timer = setTimeout(resolve, i.durationMs);
                    ctx.signal.addEventListener('abort', () => {
                      clearTimeout(timer);
                      reject(ctx.signal.reason);
                    });
                  });
                } finally {
                  ended.set(ctx.callId, now());
                }
              },
            }),
          );
          const scheduler = new Scheduler({
            tools,
            tracer: false,
            approver: async (request) => {
              asked.add(request.callId);
              await new Promise((resolve) => setTimeout(resolve, 5));
              return 'approve' as const;
            },
          });
          const controller = new AbortController();
          const turn = scheduler.turn({ signal: controller.signal });
          const settledAt = new Map<string, number>();
          const promises: Promise<CallResult>[] = [];
          for (const [index, spec] of specs.entries()) {
            const id = `c${index}`;
            let ready: Promise<void> | undefined;
            if (spec.ready) {
              const { at, ok } = spec.ready;
              ready = new Promise((resolve, reject) =>
                setTimeout(() => (ok ? resolve() : reject(new Error('dropped'))), at),
              );
            }
            const promise = turn.add(
              { id, name: spec.mode, input: spec },
              { approved: spec.approved, ...(ready ? { ready } : {}) },
            );
            void promise.then(() => settledAt.set(id, now()));
            promises.push(promise);
          }
          turn.end();
          if (abort) {
            setTimeout(() => {
              controller.abort(
                abort.timeout ? new DOMException('deadline', 'TimeoutError') : undefined,
              );
            }, abort.at);
          }
          const done = turn.done;
          await vi.runAllTimersAsync();
          const { results } = await done;

          for (const [index, spec] of specs.entries()) {
            const id = `c${index}`;
            const result = results[index] as CallResult;
            // The promise gave the turn's own result, at the time the call settled.
            expect(await promises[index]).toBe(result);
            if (ended.has(id)) expect(settledAt.get(id)).toBe(ended.get(id));
            if (spec.approved) expect(asked.has(id)).toBe(false);
            if (started.has(id)) {
              if (spec.ready) {
                expect(spec.ready.ok).toBe(true);
                expect(started.get(id) as number).toBeGreaterThanOrEqual(spec.ready.at);
              }
              if (spec.ask && !spec.approved) expect(asked.has(id)).toBe(true);
            }
            if (result.status === 'cancelled' && spec.ready && !spec.ready.ok) continue;
            if (abort?.timeout) expect(result.status).not.toBe('cancelled');
            if (abort && !abort.timeout) expect(result.status).not.toBe('timeout');
            if (!abort) expect(result.status).toBe('success');
          }
          // Conflicting calls that both ran never overlapped, in call order.
          for (const [i, a] of specs.entries()) {
            for (const [j, b] of specs.entries()) {
              if (j <= i || a.file !== b.file || (a.mode === 'read' && b.mode === 'read')) continue;
              if (!started.has(`c${i}`) || !started.has(`c${j}`)) continue;
              expect(ended.get(`c${i}`) as number).toBeLessThanOrEqual(
                started.get(`c${j}`) as number,
              );
            }
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
