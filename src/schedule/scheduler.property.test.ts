import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ApprovalMode, ApprovalPolicy } from '../approval/approval.js';
import type { CallResult, ToolCall } from '../tool/call.js';
import { type Claim, claimsConflict } from '../tool/claims.js';
import { defineTool } from '../tool/define-tool.js';
import { Scheduler } from './scheduler.js';

// Every call's behaviour is described by its input, so one random value is one whole turn.
type Behaviour = 'ok' | 'fail' | 'throw' | 'hang' | 'stubborn' | 'yield';
interface Spec {
  claims: Claim[] | null;
  approval: ApprovalPolicy;
  decision: 'approve' | 'deny' | 'throw';
  approvalDelay: number;
  behaviour: Behaviour;
  duration: number;
  tool: string;
  malformed: boolean;
}

const keys = ['fs:/r', 'fs:/r/a', 'fs:/r/b', 'fs:/r/a/x', 'fs:/r/ab', 'mcp:s'];
const groups = ['none', 'g1', 'g2'] as const;
const timeouts = ['default', 'short'] as const;
const toolNames = groups.flatMap((g) => timeouts.map((t) => `t_${g}_${t}`));

const claimArb: fc.Arbitrary<Claim> = fc.record({
  key: fc.constantFrom(...keys),
  mode: fc.constantFrom('read' as const, 'write' as const),
});
const specArb: fc.Arbitrary<Spec> = fc.record({
  claims: fc.oneof(
    { weight: 6, arbitrary: fc.array(claimArb, { maxLength: 2 }) },
    { weight: 1, arbitrary: fc.constant(null) },
  ),
  approval: fc.constantFrom<ApprovalPolicy>('auto', 'auto', 'auto', 'ask', 'deny'),
  decision: fc.constantFrom(
    'approve' as const,
    'approve' as const,
    'deny' as const,
    'throw' as const,
  ),
  approvalDelay: fc.integer({ min: 0, max: 40 }),
  behaviour: fc.constantFrom<Behaviour>(
    'ok',
    'ok',
    'ok',
    'fail',
    'throw',
    'hang',
    'stubborn',
    'yield',
  ),
  duration: fc.integer({ min: 0, max: 30 }),
  tool: fc.oneof(
    { weight: 12, arbitrary: fc.constantFrom(...toolNames) },
    { weight: 1, arbitrary: fc.constant('missing') },
  ),
  malformed: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
});
const turnArb = fc.record({
  specs: fc.array(specArb, { minLength: 1, maxLength: 12 }),
  /** Where the second turn starts, or none. */
  secondTurnAt: fc.option(fc.integer({ min: 0, max: 40 })),
  secondSpecs: fc.array(specArb, { maxLength: 6 }),
  /** Time the first turn is cancelled, or never. */
  cancelAt: fc.option(fc.integer({ min: 0, max: 60 }), { freq: 3 }),
  maxConcurrency: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
  g1: fc.integer({ min: 1, max: 2 }),
  g2: fc.integer({ min: 1, max: 3 }),
  mode: fc.constantFrom<ApprovalMode>('ask', 'ask', 'auto-edit', 'yolo', 'never-ask'),
  streamGap: fc.integer({ min: 0, max: 5 }),
  dedupeReads: fc.boolean(),
});

interface Entry {
  seq: number;
  turn: number;
  index: number;
  spec: Spec;
  groups: string[];
}

function conflicts(a: Claim[] | null, b: Claim[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => claimsConflict(x, y)));
}

function expectedPolicy(spec: Spec, mode: ApprovalMode): ApprovalPolicy {
  if (spec.approval !== 'ask') return spec.approval;
  if (mode === 'yolo') return 'auto';
  if (mode === 'never-ask') return 'deny';
  if (
    mode === 'auto-edit' &&
    spec.claims !== null &&
    spec.claims.length > 0 &&
    spec.claims.every((c) => c.key.startsWith('fs:'))
  )
    return 'auto';
  return 'ask';
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Scheduler properties', () => {
  it('holds every invariant over random turns', async () => {
    await fc.assert(
      fc.asyncProperty(turnArb, async (run) => {
        let clock = 0;
        const tick = () => ++clock;
        const started = new Map<string, number>();
        /** Calls whose signal was aborted while they ran. */
        const aborted = new Set<string>();
        let cancelledAt = Infinity;
        const ended = new Map<string, number>();
        const approvedAt = new Map<string, number>();
        /** Calls between start and end of execute: they hold their claims. */
        const running = new Set<string>();
        /** Calls holding concurrency slots: running ones, except while they wait with waitFor. */
        const holding = new Set<string>();
        const entries = new Map<string, Entry>();
        const violations: string[] = [];
        const limits: Record<string, number> = { g1: run.g1, g2: run.g2 };

        const tools = toolNames.map((name) => {
          const [, group, timeout] = name.split('_') as [string, string, string];
          return defineTool({
            name,
            description: '',
            input: { type: 'object' },
            ...(group === 'none' ? {} : { group }),
            ...(timeout === 'short' ? { timeoutMs: 15 } : {}),
            claims: (i: Spec) => (i.claims === null ? (undefined as unknown as Claim[]) : i.claims),
            approval: (i: Spec) => i.approval,
            execute: async (i: Spec, ctx) => {
              const id = ctx.callId;
              const me = entries.get(id) as Entry;
              started.set(id, tick());
              ctx.signal.addEventListener('abort', () => aborted.add(id), { once: true });
              // Limits, counted over calls that hold slots.
              const checkLimits = () => {
                const byLimit = new Map<string, number>();
                for (const other of [...holding, id]) {
                  for (const limit of ['global', ...(entries.get(other) as Entry).groups])
                    byLimit.set(limit, (byLimit.get(limit) ?? 0) + 1);
                }
                for (const [limit, n] of byLimit) {
                  const cap = limit === 'global' ? run.maxConcurrency : (limits[limit] ?? Infinity);
                  if (n > cap) violations.push(`${limit} had ${n} running, limit ${cap}`);
                }
              };
              checkLimits();
              for (const other of running) {
                if (conflicts((entries.get(other) as Entry).spec.claims, i.claims))
                  violations.push(`${id} overlapped conflicting ${other}`);
              }
              if (expectedPolicy(me.spec, run.mode) === 'ask' && !approvedAt.has(id))
                violations.push(`${id} ran unapproved`);
              if (expectedPolicy(me.spec, run.mode) === 'deny')
                violations.push(`${id} ran though denied`);
              running.add(id);
              holding.add(id);
              try {
                switch (i.behaviour) {
                  case 'yield':
                    // Waits for work of its own with its slots given away, then takes them back.
                    holding.delete(id);
                    await ctx.waitFor(sleep(i.duration, ctx.signal));
                    checkLimits();
                    holding.add(id);
                    await sleep(i.duration, ctx.signal);
                    return `yielded ${id}`;
                  case 'ok':
                    await sleep(i.duration, ctx.signal);
                    return `done ${id}`;
                  case 'fail':
                    await sleep(i.duration, ctx.signal);
                    throw new Error('tool failed');
                  case 'throw':
                    throw new Error('threw at once');
                  case 'hang':
                    await sleep(1e9, ctx.signal);
                    return 'never';
                  case 'stubborn':
                    // Ignores its signal: outlives a timeout or cancel, keeping its claims.
                    await sleep(60 + i.duration);
                    return 'late';
                }
              } finally {
                running.delete(id);
                holding.delete(id);
                ended.set(id, tick());
              }
            },
          });
        });

        const scheduler = new Scheduler({
          tools,
          maxConcurrency: run.maxConcurrency,
          limits,
          approvalMode: run.mode,
          defaultTimeoutMs: 50,
          dedupeReads: run.dedupeReads,
          approver: async (req) => {
            const spec = req.input as Spec;
            await sleep(spec.approvalDelay);
            if (spec.decision === 'throw') throw new Error('approver broke');
            if (spec.decision === 'approve') approvedAt.set(req.callId, tick());
            return spec.decision;
          },
        });

        let seq = 0;
        const calls: ToolCall[][] = [[], []];
        const makeCall = (turn: number, index: number, spec: Spec): ToolCall => {
          const id = `${turn}-${index}`;
          const group = spec.tool.split('_')[1];
          entries.set(id, {
            seq: seq++,
            turn,
            index,
            spec,
            groups: group && group !== 'none' ? [group] : [],
          });
          const call = {
            id,
            name: spec.tool,
            input: spec.malformed ? '{"claims": [' : JSON.stringify(spec),
          };
          calls[turn]?.push(call);
          return call;
        };

        const controller = new AbortController();
        const turn1 = scheduler.turn({ signal: controller.signal });
        const turn2 = scheduler.turn();
        const feed = async () => {
          for (const [index, spec] of run.specs.entries()) {
            turn1.add(makeCall(0, index, spec));
            if (run.streamGap > 0) await sleep(run.streamGap);
          }
          turn1.end();
        };
        const feedSecond = async () => {
          if (run.secondTurnAt === null) return turn2.end();
          await sleep(run.secondTurnAt);
          for (const [index, spec] of run.secondSpecs.entries())
            turn2.add(makeCall(1, index, spec));
          turn2.end();
        };
        if (run.cancelAt !== null) {
          setTimeout(() => {
            cancelledAt = tick();
            controller.abort();
          }, run.cancelAt);
        }
        void feed();
        void feedSecond();
        const outcomes = Promise.all([turn1.done, turn2.done]);
        await vi.runAllTimersAsync();
        const [first, second] = await outcomes;

        expect(violations).toEqual([]);
        const check = (results: CallResult[], turnCalls: ToolCall[], shared: Set<string>) => {
          // Exactly one result per call, in call order.
          expect(results.map((r) => r.id)).toEqual(turnCalls.map((c) => c.id));
          for (const result of results) {
            const entry = entries.get(result.id) as Entry;
            if (result.status === 'success')
              expect(started.has(result.id) || shared.has(result.id)).toBe(true);
            if (shared.has(result.id)) expect(started.has(result.id)).toBe(false);
            if (result.status === 'denied') expect(started.has(result.id)).toBe(false);
            if (entry.spec.malformed || entry.spec.tool === 'missing')
              expect(result.status === 'error' || result.status === 'cancelled').toBe(true);
            expect(result.isError).toBe(result.status !== 'success');
            expect(result.content.length).toBeGreaterThan(0);
          }
        };
        const sharedIds = (outcome: typeof first) =>
          new Set(outcome.trace.calls.filter((c) => c.sharedWith).map((c) => c.id));
        check(first.results, calls[0] ?? [], sharedIds(first));
        check(second.results, calls[1] ?? [], sharedIds(second));

        // No call starts before an earlier conflicting call has settled (across turns too).
        const all = [...entries.entries()].sort((a, b) => a[1].seq - b[1].seq);
        for (const [i, [idA, a]] of all.entries()) {
          for (const [idB, b] of all.slice(i + 1)) {
            if (!started.has(idB) || !conflicts(a.spec.claims, b.spec.claims)) continue;
            if (!started.has(idA)) continue;
            expect(
              (ended.get(idA) as number) < (started.get(idB) as number),
              `${idB} started before ${idA} settled`,
            ).toBe(true);
          }
        }
        // Cancellation is total: nothing of the cancelled turn starts afterwards, and a call
        // reported cancelled never ran or had its signal aborted.
        for (const call of calls[0] ?? []) {
          expect((started.get(call.id) ?? 0) < cancelledAt, `${call.id} started after cancel`).toBe(
            true,
          );
        }
        for (const result of [...first.results, ...second.results]) {
          if (result.status !== 'cancelled' || !started.has(result.id)) continue;
          expect(aborted.has(result.id), `${result.id} cancelled but ran on`).toBe(true);
        }
        // Every call's execute has settled: nothing leaks past the run.
        expect(running.size).toBe(0);
      }),
      { numRuns: Number(process.env.SALVO_PROPERTY_RUNS ?? 1500) },
    );
  }, 120_000);
});
