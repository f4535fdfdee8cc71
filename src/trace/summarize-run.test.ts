import { describe, expect, it } from 'vitest';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { toChromeTrace } from './chrome-trace.js';
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
