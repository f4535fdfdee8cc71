import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { deferred, untilAborted } from '../schedule/test-support.js';
import { defineTool } from '../tool/define-tool.js';
import type { CallTrace, ModelRequestTrace, TurnTrace } from './call-trace.js';
import { toChromeTrace } from './chrome-trace.js';
import { describeRun } from './describe-run.js';
import { summarizeRun } from './summarize-run.js';
import { summarizeTurn } from './summarize-turn.js';

/** A call that ran from `start` to `end`, queued at `queued` (default: start). */
function call(id: string, start: number, end: number, extra: Partial<CallTrace> = {}): CallTrace {
  const queuedAt = extra.queuedAt ?? start;
  return {
    id,
    name: 'tool',
    index: 0,
    status: 'success',
    queuedAt,
    conflictsClearedAt: queuedAt,
    approvedAt: queuedAt,
    readyAt: start,
    startedAt: start,
    endedAt: end,
    waitedFor: [],
    limits: ['global'],
    approval: 'auto',
    ...extra,
  };
}

function turn(
  calls: CallTrace[],
  limits: Record<string, number> = { global: Infinity },
  path: string[] = [],
): TurnTrace {
  const indexed = calls.map((c, index) => ({ ...c, index }));
  return {
    turnId: 1,
    path,
    startedAt: 0,
    endedAt: 0,
    calls: indexed,
    limits,
    summary: summarizeTurn(indexed, limits),
  };
}

describe('summarizeRun', () => {
  it('names the limit that cost the most and says to raise it', () => {
    // Four 100 ms calls on limit mcp:github (1): three of them wait 100, 200 and 300 ms.
    const calls = [0, 1, 2, 3].map((i) =>
      call(`c${i}`, i * 100, i * 100 + 100, {
        queuedAt: 0,
        readyAt: 0,
        limits: ['global', 'mcp:github'],
        limitWaitedOn: i > 0 ? 'mcp:github' : undefined,
      }),
    );
    const s = summarizeRun(turn(calls, { global: Infinity, 'mcp:github': 1 }));
    expect(s.lost.limits).toEqual([{ limit: 'mcp:github', capacity: 1, calls: 3, ms: 600 }]);
    expect(s.recommendation).toBe(
      '3 calls waited 600 ms on limit mcp:github (1): raise it if the resource allows.',
    );
    expect(s.parallelism).toBeCloseTo(1);
  });

  it('charges conflict waits to the exclusive call everyone waited behind', () => {
    const calls = [
      call('x', 0, 500, { name: 'run_tests', exclusive: true }),
      call('a', 500, 510, { queuedAt: 0, conflictsClearedAt: 500, waitedFor: ['x'] }),
      call('b', 500, 520, { queuedAt: 0, conflictsClearedAt: 500, waitedFor: ['x'] }),
    ];
    const s = summarizeRun(turn(calls));
    expect(s.lost.conflicts).toMatchObject({
      calls: 2,
      ms: 1000,
      blockers: [{ id: 'x', name: 'run_tests', exclusive: true, calls: 2, ms: 1000 }],
    });
    expect(s.recommendation).toMatch(
      /^2 calls waited 1\.0 s behind run_tests \(x\): run_tests declares no claims/,
    );
    expect(s.slowest[0]).toEqual({ id: 'x', name: 'run_tests', turnId: 1, runMs: 500 });
  });

  it('points at approvals when they cost the most', () => {
    const calls = [
      call('a', 2000, 2100, { queuedAt: 0, approvedAt: 2000, approval: 'approved' }),
      call('b', 0, 100),
    ];
    expect(summarizeRun(turn(calls)).recommendation).toBe(
      "1 call waited 2.0 s for approval: approve sooner, or use approvalMode 'auto-edit' for file edits.",
    );
  });

  it('says so when nothing is worth changing, and handles no calls', () => {
    const s = summarizeRun(turn([call('a', 0, 100), call('b', 0, 100)]));
    expect(s.recommendation).toBe(
      'Nothing worth changing: no call waited long for a limit, a conflict or an approval (efficiency 100%).',
    );
    expect(s.efficiency).toBe(1);
    expect(summarizeRun([]).recommendation).toBe('No calls ran.');
  });

  it('spans every turn, subagents included, but judges efficiency on root turns', () => {
    const root = turn([call('t', 0, 300)]);
    const sub = {
      ...turn([call('s1', 10, 100), call('s2', 10, 150)], { global: Infinity }, ['reviewer#1']),
      turnId: 2,
    };
    const s = summarizeRun([root, sub]);
    expect(s.turns).toBe(2);
    expect(s.calls).toBe(3);
    expect(s.wallMs).toBe(300);
    expect(s.workMs).toBe(300 + 90 + 140);
  });

  it("counts a subagent's work once: a task call's time with its slots given back is not work", () => {
    // The task ran 0-300 and waited for its subagent from 10 to 290.
    const root = turn([call('t', 0, 300, { slotsYieldedMs: 280 }), call('r', 0, 50)]);
    const sub = {
      ...turn([call('s1', 10, 100), call('s2', 40, 150)], { global: Infinity }, ['reviewer#1']),
      turnId: 2,
      parent: { turnId: 1, callId: 't' },
    };
    const s = summarizeRun([root, sub]);
    expect(s.workMs).toBe(20 + 50 + 90 + 110);
    expect(s.parallelism).toBeCloseTo(270 / 300);
    // The slowest calls still show how long the task took.
    expect(s.slowest[0]).toMatchObject({ id: 't', runMs: 300 });
  });

  it('summarizes a run of 200,000 calls (no spread of the whole list)', () => {
    const calls = Array.from({ length: 200_000 }, (_, i) => call(`c${i}`, i, i + 1));
    const big: TurnTrace = {
      turnId: 1,
      path: [],
      startedAt: 0,
      endedAt: 200_000,
      calls,
      limits: { global: Infinity },
      summary: { ...turn([]).summary, wallMs: 200_000 },
    };
    const s = summarizeRun(big);
    expect(s.wallMs).toBe(200_000);
    expect(toChromeTrace(big).traceEvents.length).toBeGreaterThan(200_000);
  });
});

/** A model request: queued (default: sent), sent, first token, ended. */
function request(
  sentAt: number,
  endedAt: number,
  extra: Partial<ModelRequestTrace> = {},
): ModelRequestTrace {
  return {
    provider: 'scripted',
    model: 'm',
    step: 1,
    queuedAt: sentAt,
    sentAt,
    firstTokenAt: sentAt + 50,
    endedAt,
    finishReason: 'tool-calls',
    ...extra,
  };
}

/** A turn with its model request and its calls, ids given. */
function step(
  turnId: number,
  model: ModelRequestTrace,
  calls: CallTrace[],
  extra: Partial<TurnTrace> = {},
): TurnTrace {
  const t = turn(calls, extra.limits ?? { global: Infinity }, [...(extra.path ?? [])]);
  return { ...t, turnId, model, ...extra };
}

describe('summarizeRun, model time included', () => {
  it('a model-bound run: the wall is mostly the model, efficiency full, nothing to change', () => {
    const run = [
      step(1, request(0, 1000), [call('c1', 600, 700), call('c2', 800, 1100)]),
      step(2, request(1100, 1900, { step: 2, finishReason: 'stop' }), []),
    ];
    const s = summarizeRun(run);
    expect(s.wallMs).toBe(1900);
    expect(s.wallSplit).toEqual({
      modelMs: 1800,
      toolsMs: 100,
      waitsMs: 0,
      waits: { approvalMs: 0, conflictsMs: 0, slotsMs: 0 },
      otherMs: 0,
    });
    // c1 ran wholly while the answer streamed, c2 started 200 ms before it ended.
    expect(s.streamingSavedMs).toBe(400);
    expect(s.toolParallelism).toBeCloseTo(1);
    expect(s.lowerBoundMs).toBe(1900);
    expect(s.efficiency).toBe(1);
    expect(s.model).toEqual({
      requests: 2,
      ms: 1800,
      queuedMs: 0,
      firstTokenMs: 100,
      inputTokens: 0,
      outputTokens: 0,
    });
    // work / wall is low because the model took the time: not a fault, so not the headline.
    expect(s.parallelism).toBeCloseTo(400 / 1900);
    expect(describeRun(s)).toBe(
      'wall 1.9 s: model 1.8 s, tools 100 ms on the critical path; streaming saved 400 ms',
    );
    expect(s.recommendation).toMatch(/^Nothing worth changing: .*\(efficiency 100%\)\.$/);
  });

  it('a subagent fan-out: a wait for a subagent slot is a wait, blamed on the limit', () => {
    const sub = (path: string, callId: string) => ({
      path: [path],
      parent: { turnId: 1, callId },
      limits: { global: Infinity, subagent: 2 },
    });
    const run = [
      step(1, request(0, 200), [
        call('t1', 100, 700, { name: 'task', slotsYieldedMs: 590 }),
        call('t2', 150, 800, { name: 'task', slotsYieldedMs: 640 }),
        call('t3', 200, 1100, { name: 'task', slotsYieldedMs: 890 }),
      ]),
      step(2, request(100, 400), [call('a1', 300, 600)], sub('rev#1', 't1')),
      step(5, request(600, 690, { step: 2 }), [], sub('rev#1', 't1')),
      step(3, request(150, 450), [call('b1', 400, 790)], sub('rev#2', 't2')),
      // rev#3 waited from 200 to 700 for one of the two subagent slots.
      step(
        4,
        request(700, 1000, { queuedAt: 200, limitWaitedOn: 'subagent' }),
        [call('c1', 900, 1090)],
        sub('rev#3', 't3'),
      ),
      step(6, request(1100, 1500, { step: 2, finishReason: 'stop' }), []),
    ];
    const s = summarizeRun(run);
    expect(s.wallMs).toBe(1500);
    // Root's answers, then rev#3 (the critical task): its slot wait, its answer, its tool, and
    // the task call's own 10 ms after its subagent ended.
    expect(s.wallSplit).toEqual({
      modelMs: 400 + 300 + 200,
      toolsMs: 90 + 10,
      waitsMs: 500,
      waits: { approvalMs: 0, conflictsMs: 0, slotsMs: 500 },
      otherMs: 0,
    });
    const { modelMs, toolsMs, waitsMs, otherMs } = s.wallSplit;
    expect(modelMs + toolsMs + waitsMs + otherMs).toBe(s.wallMs);
    expect(s.subagents).toMatchObject({ count: 3, mostAtOnce: 2 });
    expect(s.lost.limits).toEqual([
      { limit: 'subagent', capacity: 2, calls: 0, ms: 500, requests: 1 },
    ]);
    expect(s.recommendation).toBe(
      "1 model request waited 500 ms for a subagent slot (the SubagentManager's maxConcurrent 2): raise it if the API's rate limit allows.",
    );
    expect(summarizeRun(run, { source: 'cli' }).recommendation).toBe(
      "1 model request waited 500 ms for a subagent slot (--max-subagents 2): raise it if the API's rate limit allows.",
    );
    // Own work of the tasks (10 ms each) and the subagents' tools, over the time any ran.
    expect(s.toolParallelism).toBeCloseTo(910 / 710);
    // With the same limit, rev#3 had to wait: the bound keeps its wait, so little is lost.
    expect(s.lowerBoundMs).toBe(1490);
    expect(s.efficiency).toBeCloseTo(1490 / 1500);
    expect(describeRun(s)).toBe(
      'wall 1.5 s: model 900 ms, tools 100 ms, waits 500 ms on the critical path; 3 subagents, 2 at once; tools 1.3x parallel; streaming saved 200 ms',
    );
  });

  it('a cancelled run with an approval pending: the waits are the approval’s, not the claims’', () => {
    const cancelled = { status: 'cancelled' as const, startedAt: undefined, readyAt: undefined };
    const run = [
      step(1, request(0, 500), [
        call('g1', 300, 800, { name: 'grep' }),
        // The edit waited behind the grep while it was asked, and was never answered.
        call('e1', 340, 3000, {
          ...cancelled,
          name: 'edit_file',
          waitedFor: ['g1'],
          conflictsClearedAt: 800,
          approval: 'pending',
          approvedAt: undefined,
        }),
        // A later read of the same file waited behind the edit.
        call('g2', 400, 3000, {
          ...cancelled,
          name: 'grep',
          waitedFor: ['e1'],
          conflictsClearedAt: undefined,
        }),
      ]),
    ];
    const s = summarizeRun(run);
    expect(s.lost.approvals).toEqual({
      calls: 1,
      ms: 2660,
      pending: 1,
      behind: { calls: 1, ms: 2600 },
    });
    expect(s.lost.conflicts).toEqual({ calls: 0, ms: 0, blockers: [] });
    expect(s.wallSplit).toMatchObject({
      modelMs: 500,
      waitsMs: 2500,
      waits: { approvalMs: 2500, conflictsMs: 0, slotsMs: 0 },
    });
    expect(s.recommendation).toBe(
      "1 call waited 2.7 s for approval (never answered: the run ended first), holding back 1 call behind it for 2.6 s: approve sooner, or use approvalMode 'auto-edit' for file edits.",
    );
    expect(summarizeRun(run, { source: 'cli' }).recommendation).toMatch(
      /: answer sooner \(a approves a tool for the session\), or run with --approval auto-edit for file edits\.$/,
    );
    // A human's time is not the scheduler's: nothing here reads as salvo's fault.
    expect(s.efficiency).toBe(1);
  });
});

describe('summarizeRun of a real cancelled run', () => {
  it('keeps an unanswered approval as pending, and blames the waits on it', async () => {
    const tool = (name: string, mode: 'read' | 'write') =>
      defineTool({
        name,
        description: '',
        input: {},
        claims: [{ key: 'fs:/repo/a.ts', mode }],
        ...(mode === 'write' ? { approval: 'ask' as const } : {}),
        execute: (_i, ctx) => untilAborted(ctx.signal),
      });
    const asked = deferred<void>();
    const controller = new AbortController();
    const scheduler = new Scheduler({
      tools: [tool('edit_file', 'write'), tool('grep', 'read')],
      // Never answers: the user cancels the run while it is asked.
      approver: (req) => {
        asked.resolve();
        return untilAborted(req.signal);
      },
    });
    const turn = scheduler.turn({ signal: controller.signal });
    turn.add({ id: 'e1', name: 'edit_file', input: {} });
    turn.add({ id: 'g1', name: 'grep', input: {} });
    turn.end();
    await asked.promise;
    controller.abort(new Error('cancelled by Ctrl-C'));
    const { trace } = await turn.done;
    const [edit, grep] = trace.calls;
    expect(edit).toMatchObject({ status: 'cancelled', approval: 'pending' });
    expect(edit?.approvedAt).toBeUndefined();
    expect(grep).toMatchObject({ status: 'cancelled', waitedFor: ['e1'] });
    const s = summarizeRun(trace, { source: 'cli' });
    expect(s.lost.approvals).toMatchObject({ calls: 1, pending: 1, behind: { calls: 1 } });
    expect(s.lost.conflicts.blockers).toEqual([]);
    expect(s.wallSplit.waits.conflictsMs).toBe(0);
    // Along the critical path, the edit's wait for its answer until the run was cancelled.
    const edited = edit as CallTrace;
    expect(s.wallSplit.waits.approvalMs).toBeCloseTo(edited.endedAt - edited.queuedAt, 6);
  });
});

describe('summarizeRun, properties', () => {
  const time = fc.integer({ min: 0, max: 1000 });
  const callArb = fc.record({
    q: time,
    wait: fc.integer({ min: 0, max: 200 }),
    run: fc.option(fc.integer({ min: 0, max: 300 }), { nil: undefined }),
    approval: fc.constantFrom('auto', 'approved', 'denied', 'pending'),
    after: fc.option(fc.nat(5), { nil: undefined }),
  });
  const stepArb = fc.record({
    path: fc.constantFrom([], [], ['a#1'], ['b#2']),
    model: fc.option(
      fc.record({ q: time, queue: fc.nat(100), first: fc.nat(100), stream: fc.nat(300) }),
      { nil: undefined },
    ),
    calls: fc.array(callArb, { maxLength: 5 }),
    parent: fc.option(fc.nat(6), { nil: undefined }),
  });

  it('splits the wall into parts that add up to it, whatever the trace says', () => {
    fc.assert(
      fc.property(fc.array(stepArb, { minLength: 1, maxLength: 6 }), (steps) => {
        const turns: TurnTrace[] = steps.map((st, i) => {
          const calls = st.calls.map((c, k) => {
            const started = c.run === undefined ? undefined : c.q + c.wait;
            const ended = (started ?? c.q + c.wait) + (c.run ?? 0);
            const asked =
              c.approval === 'auto' || c.approval === 'pending' ? undefined : c.q + c.wait;
            return call(`t${i}c${k}`, started ?? c.q, ended, {
              index: k,
              queuedAt: c.q,
              startedAt: started,
              readyAt: started,
              approval: c.approval as CallTrace['approval'],
              approvedAt: asked,
              conflictsClearedAt: c.q + c.wait / 2,
              waitedFor: c.after === undefined ? [] : [`t${i}c${c.after}`],
              slotsYieldedMs: c.run === undefined ? undefined : c.run / 2,
            });
          });
          const m = st.model;
          const extra: Partial<TurnTrace> = { path: st.path };
          if (st.parent !== undefined && st.path.length > 0) {
            extra.parent = { turnId: st.parent, callId: `t${st.parent}c0` };
          }
          const model = m
            ? request(m.q + m.queue, m.q + m.queue + m.first + m.stream, {
                queuedAt: m.q,
                firstTokenAt: m.q + m.queue + m.first,
                ...(m.queue > 0 ? { limitWaitedOn: 'subagent' } : {}),
              })
            : undefined;
          const t = step(i, model as ModelRequestTrace, calls, extra);
          if (!model) delete t.model;
          return t;
        });
        for (const source of ['library', 'cli'] as const) {
          const s = summarizeRun(turns, { source });
          const w = s.wallSplit;
          for (const part of [w.modelMs, w.toolsMs, w.waitsMs, w.otherMs, s.streamingSavedMs]) {
            expect(part).toBeGreaterThanOrEqual(0);
          }
          expect(w.modelMs + w.toolsMs + w.waitsMs + w.otherMs).toBeCloseTo(s.wallMs, 6);
          expect(w.waits.approvalMs + w.waits.conflictsMs + w.waits.slotsMs).toBeCloseTo(
            w.waitsMs,
            6,
          );
          expect(s.efficiency).toBeGreaterThanOrEqual(0);
          expect(s.efficiency).toBeLessThanOrEqual(1);
          expect(s.toolParallelism === 0 || s.toolParallelism >= 1 - 1e-9).toBe(true);
          expect(s.subagents.mostAtOnce).toBeLessThanOrEqual(s.subagents.count);
          expect(typeof s.recommendation).toBe('string');
          expect(describeRun(s)).toMatch(/^wall /);
        }
      }),
      { numRuns: 300 },
    );
  });
});
