import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallTrace } from './call-trace.js';
import { summarizeTurn } from './summarize-turn.js';

/** A call that ran from `startedAt` to `endedAt`, with nothing held back unless overridden. */
function call(
  id: string,
  index: number,
  fields: Partial<CallTrace> & { endedAt: number },
): CallTrace {
  const queuedAt = fields.queuedAt ?? 0;
  const startedAt = 'startedAt' in fields ? fields.startedAt : queuedAt;
  return {
    id,
    name: 'tool',
    index,
    status: startedAt === undefined ? 'cancelled' : 'success',
    queuedAt,
    conflictsClearedAt: queuedAt,
    approvedAt: queuedAt,
    readyAt: startedAt ?? queuedAt,
    startedAt,
    waitedFor: [],
    limits: ['global'],
    approval: 'auto',
    ...fields,
  };
}

const unbounded = { global: Number.POSITIVE_INFINITY };

describe('summarizeTurn', () => {
  it('summarizes an empty turn as zero time, fully efficient', () => {
    expect(summarizeTurn([], unbounded)).toEqual({
      wallMs: 0,
      workMs: 0,
      parallelism: 0,
      criticalPath: [],
      criticalPathMs: 0,
      lowerBoundMs: 0,
      efficiency: 1,
      waits: { conflictsMs: 0, approvalMs: 0, slotMs: 0 },
    });
  });

  it('sees a fully parallel fan-out as parallelism n and efficiency 1', () => {
    const calls = [0, 1, 2, 3, 4].map((i) =>
      call(`c${i}`, i, { queuedAt: 1000, startedAt: 1000 + i, endedAt: 1100 }),
    );
    const summary = summarizeTurn(calls, { global: 16 });
    expect(summary.wallMs).toBe(100);
    expect(summary.workMs).toBe(100 + 99 + 98 + 97 + 96);
    expect(summary.parallelism).toBeCloseTo(4.9);
    expect(summary.lowerBoundMs).toBe(100);
    expect(summary.efficiency).toBe(1);
    // Ties on the last end go to the latest index.
    expect(summary.criticalPath).toEqual(['c4']);
    expect(summary.criticalPathMs).toBe(96);
  });

  it('follows a chain of conflicts as the critical path', () => {
    const calls = [
      call('a', 0, { endedAt: 10 }),
      call('b', 1, { waitedFor: ['a'], conflictsClearedAt: 10, startedAt: 10, endedAt: 30 }),
      call('side', 2, { endedAt: 20 }),
      call('c', 3, { waitedFor: ['b'], conflictsClearedAt: 30, startedAt: 30, endedAt: 35 }),
    ];
    const summary = summarizeTurn(calls, unbounded);
    expect(summary.criticalPath).toEqual(['a', 'b', 'c']);
    expect(summary.criticalPathMs).toBe(35);
    expect(summary.wallMs).toBe(35);
    expect(summary.lowerBoundMs).toBe(35);
    expect(summary.efficiency).toBe(1);
    expect(summary.waits).toEqual({ conflictsMs: 40, approvalMs: 0, slotMs: 0 });
  });

  it('bounds a limit of 2 with 4 equal calls at 2 d, and follows the call that freed the slot', () => {
    const slot = (i: number, start: number) =>
      call(`c${i}`, i, {
        readyAt: 0,
        startedAt: start,
        endedAt: start + 10,
        ...(start > 0 ? { limitWaitedOn: 'global' } : {}),
      });
    const calls = [slot(0, 0), slot(1, 0), slot(2, 10), slot(3, 10)];
    const summary = summarizeTurn(calls, { global: 2 });
    expect(summary.lowerBoundMs).toBe(20);
    expect(summary.wallMs).toBe(20);
    expect(summary.efficiency).toBe(1);
    expect(summary.waits.slotMs).toBe(20);
    expect(summary.criticalPath).toEqual(['c1', 'c3']);
    expect(summary.criticalPathMs).toBe(20);
  });

  it('applies a named limit and scores a needlessly serial run at half efficiency', () => {
    const calls = [0, 1, 2, 3].map((i) =>
      call(`c${i}`, i, {
        limits: ['global', 'mcp:x'],
        readyAt: 0,
        startedAt: i * 10,
        endedAt: i * 10 + 10,
        limitWaitedOn: 'mcp:x',
      }),
    );
    const summary = summarizeTurn(calls, { global: Number.POSITIVE_INFINITY, 'mcp:x': 2 });
    expect(summary.wallMs).toBe(40);
    expect(summary.lowerBoundMs).toBe(20);
    expect(summary.efficiency).toBe(0.5);
    expect(summary.criticalPath).toEqual(['c0', 'c1', 'c2', 'c3']);
  });

  it('looks for the slot only in the limit the call waited on', () => {
    const calls = [
      call('a', 0, { limits: ['global', 'g'], endedAt: 10 }),
      call('b', 1, {
        limits: ['global', 'g'],
        readyAt: 0,
        startedAt: 10,
        endedAt: 20,
        limitWaitedOn: 'g',
      }),
      // Ends at the same time as `a` with a later index, but holds no slot of `g`.
      call('other', 2, { endedAt: 10 }),
    ];
    const summary = summarizeTurn(calls, { global: 8, g: 1 });
    expect(summary.criticalPath).toEqual(['a', 'b']);
    expect(summary.lowerBoundMs).toBe(20);
  });

  it('puts an approval delay on the path and in the waits', () => {
    const calls = [
      call('ask', 0, { approval: 'approved', approvedAt: 50, startedAt: 50, endedAt: 60 }),
      call('next', 1, { waitedFor: ['ask'], conflictsClearedAt: 60, startedAt: 60, endedAt: 70 }),
      call('quick', 2, { endedAt: 5 }),
    ];
    const summary = summarizeTurn(calls, unbounded);
    expect(summary.criticalPath).toEqual(['ask', 'next']);
    expect(summary.criticalPathMs).toBe(70);
    expect(summary.waits).toEqual({ conflictsMs: 60, approvalMs: 50, slotMs: 0 });
    expect(summary.lowerBoundMs).toBe(70);
    expect(summary.efficiency).toBe(1);
  });

  it('follows a call that ended the moment an approval came, rather than stopping there', () => {
    const calls = [
      call('first', 0, { endedAt: 20 }),
      call('ask', 1, {
        approval: 'approved',
        approvedAt: 20,
        waitedFor: ['first'],
        conflictsClearedAt: 20,
        startedAt: 20,
        endedAt: 30,
      }),
    ];
    const summary = summarizeTurn(calls, unbounded);
    expect(summary.criticalPath).toEqual(['first', 'ask']);
    expect(summary.criticalPathMs).toBe(30);
  });

  it('settles a denied call at its approval and counts its release on the chain', () => {
    const calls = [
      call('denied', 0, {
        status: 'denied',
        approval: 'denied',
        approvedAt: 30,
        conflictsClearedAt: undefined,
        readyAt: undefined,
        startedAt: undefined,
        endedAt: 30,
      }),
      call('after', 1, {
        waitedFor: ['denied'],
        conflictsClearedAt: 30,
        startedAt: 30,
        endedAt: 40,
      }),
    ];
    const summary = summarizeTurn(calls, unbounded);
    expect(summary.workMs).toBe(10);
    expect(summary.criticalPath).toEqual(['denied', 'after']);
    expect(summary.criticalPathMs).toBe(40);
    expect(summary.lowerBoundMs).toBe(40);
    expect(summary.waits).toEqual({ conflictsMs: 60, approvalMs: 30, slotMs: 0 });
  });

  it('counts no work for a call cancelled before it started', () => {
    const calls = [
      call('ran', 0, { endedAt: 20 }),
      call('cancelled', 1, { readyAt: 0, startedAt: undefined, endedAt: 50 }),
    ];
    const summary = summarizeTurn(calls, { global: 1 });
    expect(summary.wallMs).toBe(50);
    expect(summary.workMs).toBe(20);
    expect(summary.waits.slotMs).toBe(50);
    expect(summary.criticalPath).toEqual(['cancelled']);
    expect(summary.criticalPathMs).toBe(0);
    // When a cancel arrives is not the scheduler's doing: only the work that ran bounds the turn.
    expect(summary.lowerBoundMs).toBe(20);
    expect(summary.efficiency).toBe(0.4);
  });

  it('sorts calls by index and ignores unknown or later ids in waitedFor', () => {
    const calls = [
      call('b', 1, { waitedFor: ['a', 'ghost', 'c'], startedAt: 10, endedAt: 15 }),
      call('c', 2, { endedAt: 12 }),
      call('a', 0, { endedAt: 10 }),
    ];
    const summary = summarizeTurn(calls, unbounded);
    expect(summary.criticalPath).toEqual(['a', 'b']);
    expect(summary.lowerBoundMs).toBe(15);
  });

  it('handles 10,000 calls in a conflict chain and behind a limit of 1', () => {
    const n = 10_000;
    const chain = Array.from({ length: n }, (_, i) =>
      call(`c${i}`, i, {
        waitedFor: i > 0 ? [`c${i - 1}`] : [],
        conflictsClearedAt: i,
        startedAt: i,
        endedAt: i + 1,
      }),
    );
    const chained = summarizeTurn(chain, unbounded);
    expect(chained.criticalPath).toHaveLength(n);
    expect(chained.lowerBoundMs).toBe(n);

    const serial = Array.from({ length: n }, (_, i) =>
      call(`c${i}`, i, {
        readyAt: 0,
        startedAt: i,
        endedAt: i + 1,
        ...(i > 0 ? { limitWaitedOn: 'global' } : {}),
      }),
    );
    const limited = summarizeTurn(serial, { global: 1 });
    expect(limited.criticalPath).toHaveLength(n);
    expect(limited.lowerBoundMs).toBe(n);
    expect(limited.efficiency).toBe(1);
  });
});

interface Spec {
  arrival: number;
  duration: number;
  approval: 'auto' | 'approved' | 'denied';
  approvalDelay: number;
  inGroup: boolean;
  /** Earlier calls this one conflicts with, as offsets back from it. */
  conflicts: number[];
}

/** Runs specs through a greedy, work-conserving scheduler and records what a real trace would. */
function simulate(specs: Spec[], limits: { global: number; g: number }, base: number): CallTrace[] {
  const n = specs.length;
  const queuedAt = specs.map((_, i) => specs.slice(0, i + 1).reduce((t, x) => t + x.arrival, 0));
  const approvedAt = specs.map(
    (s, i) => (queuedAt[i] as number) + (s.approval === 'auto' ? 0 : s.approvalDelay),
  );
  const deps = specs.map((s, i) =>
    i === 0 ? [] : [...new Set(s.conflicts.map((k) => i - 1 - (k % i)))],
  );
  const started: (number | undefined)[] = new Array(n).fill(undefined);
  const ended: (number | undefined)[] = new Array(n).fill(undefined);
  const waitedOn: (string | undefined)[] = new Array(n).fill(undefined);
  const groups = specs.map((s) => (s.inGroup ? ['global', 'g'] : ['global']));
  const used = { global: 0, g: 0 };
  let t = 0;
  for (let guard = 0; guard < 10_000; guard++) {
    for (let changed = true; changed; ) {
      changed = false;
      specs.forEach((s, i) => {
        if (ended[i] !== undefined) return;
        if (s.approval === 'denied' && (approvedAt[i] as number) <= t) {
          ended[i] = t;
          changed = true;
        } else if (started[i] !== undefined && (started[i] as number) + s.duration <= t) {
          ended[i] = t;
          for (const name of groups[i] as ('global' | 'g')[]) used[name]--;
          changed = true;
        }
      });
      specs.forEach((s, i) => {
        if (started[i] !== undefined || s.approval === 'denied') return;
        if ((queuedAt[i] as number) > t || (approvedAt[i] as number) > t) return;
        if ((deps[i] as number[]).some((j) => ended[j] === undefined)) return;
        const full = (groups[i] as ('global' | 'g')[]).find((name) => used[name] >= limits[name]);
        if (full) {
          waitedOn[i] = full;
          return;
        }
        for (const name of groups[i] as ('global' | 'g')[]) used[name]++;
        started[i] = t;
        changed = true;
      });
    }
    if (ended.every((e) => e !== undefined)) break;
    const next = specs.flatMap((s, i) => [
      queuedAt[i] as number,
      approvedAt[i] as number,
      started[i] === undefined || ended[i] !== undefined
        ? Number.POSITIVE_INFINITY
        : (started[i] as number) + s.duration,
    ]);
    t = Math.min(...next.filter((x) => x > t));
  }
  return specs.map((s, i) => {
    const depEnd = Math.max(
      queuedAt[i] as number,
      ...(deps[i] as number[]).map((j) => ended[j] as number),
    );
    const denied = s.approval === 'denied';
    const readyAt = denied ? undefined : Math.max(depEnd, approvedAt[i] as number);
    const startedAt = started[i];
    return {
      id: `c${i}`,
      name: 'tool',
      index: i,
      status: denied ? 'denied' : 'success',
      queuedAt: base + (queuedAt[i] as number),
      conflictsClearedAt: denied ? undefined : base + depEnd,
      approvedAt: base + (approvedAt[i] as number),
      readyAt: readyAt === undefined ? undefined : base + readyAt,
      startedAt: startedAt === undefined ? undefined : base + startedAt,
      endedAt: base + (ended[i] as number),
      waitedFor: (deps[i] as number[]).map((j) => `c${j}`),
      limitWaitedOn:
        startedAt !== undefined && startedAt > (readyAt as number) ? waitedOn[i] : undefined,
      limits: groups[i] as string[],
      approval: s.approval,
    } satisfies CallTrace;
  });
}

const spec: fc.Arbitrary<Spec> = fc.record({
  arrival: fc.nat(5),
  duration: fc.nat(20),
  approval: fc.constantFrom('auto', 'auto', 'approved', 'denied'),
  approvalDelay: fc.nat(30),
  inGroup: fc.boolean(),
  conflicts: fc.array(fc.nat(20), { maxLength: 3 }),
});

describe('summarizeTurn on simulated turns', () => {
  it('keeps its bounds consistent with what actually happened', () => {
    fc.assert(
      fc.property(
        fc.array(spec, { minLength: 1, maxLength: 14 }),
        fc.constantFrom(1, 2, 3, Number.POSITIVE_INFINITY),
        fc.constantFrom(1, 2),
        fc.integer({ min: -1000, max: 1000 }),
        (specs, global, g, base) => {
          const limits = { global, g };
          const calls = simulate(specs, limits, base);
          const s = summarizeTurn(calls, limits);
          const eps = 1e-9;
          expect(s.lowerBoundMs).toBeGreaterThanOrEqual(0);
          expect(s.lowerBoundMs).toBeLessThanOrEqual(s.wallMs + eps);
          expect(s.efficiency).toBeGreaterThanOrEqual(0);
          expect(s.efficiency).toBeLessThanOrEqual(1);
          expect(s.criticalPathMs).toBeGreaterThanOrEqual(0);
          expect(s.criticalPathMs).toBeLessThanOrEqual(s.wallMs + eps);
          // No call can finish before its own release plus its running time.
          const turnStart = Math.min(...calls.map((c) => c.queuedAt));
          for (const c of calls) {
            const release = c.approval === 'auto' ? c.queuedAt : (c.approvedAt as number);
            const run = c.startedAt === undefined ? 0 : c.endedAt - c.startedAt;
            expect(s.lowerBoundMs).toBeGreaterThanOrEqual(release + run - turnStart - eps);
          }
          const byId = new Map(calls.map((c) => [c.id, c]));
          const path = s.criticalPath.map((id) => byId.get(id));
          expect(path.every((c) => c !== undefined)).toBe(true);
          const ends = path.map((c) => (c as CallTrace).endedAt);
          for (let i = 1; i < ends.length; i++)
            expect(ends[i]).toBeGreaterThanOrEqual(ends[i - 1] as number);
          expect(ends.at(-1)).toBe(Math.max(...calls.map((c) => c.endedAt)));
        },
      ),
      { numRuns: 500 },
    );
  });
});
