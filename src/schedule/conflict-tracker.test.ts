import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Claim, claimsConflict } from '../tool/claims.js';
import { ConflictTracker, type HolderState } from './conflict-tracker.js';

/** Whom a new holder waits for, without a view: earlier holders only. */
function waits<T>(t: ConflictTracker<T>, holder: T, claims: Claim[] | null): T[] {
  const got = t.acquire(holder, claims);
  expect(got.before).toEqual([]);
  return [...got.after, ...got.running];
}

const read = (key: string): Claim => ({ key, mode: 'read' });
const write = (key: string): Claim => ({ key, mode: 'write' });

describe('ConflictTracker', () => {
  it('lets reads of one key share and orders a write after them', () => {
    const t = new ConflictTracker<string>();
    expect(waits(t, 'r1', [read('fs:/a')])).toEqual([]);
    expect(waits(t, 'r2', [read('fs:/a')])).toEqual([]);
    expect(waits(t, 'w', [write('fs:/a')]).sort()).toEqual(['r1', 'r2']);
    expect(waits(t, 'r3', [read('fs:/a')])).toEqual(['w']);
  });

  it('treats ancestors and descendants as overlapping, siblings and prefixes as not', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'child', [write('fs:/repo/src/a.ts')]);
    expect(waits(t, 'sibling', [write('fs:/repo/src/b.ts')])).toEqual([]);
    expect(waits(t, 'prefix', [write('fs:/repo/src/a.tsx')])).toEqual([]);
    expect(waits(t, 'parent', [read('fs:/repo')]).sort()).toEqual(['child', 'prefix', 'sibling']);
    expect(waits(t, 'other-scheme', [write('mcp:/repo')])).toEqual([]);
  });

  it('makes an exclusive call wait for everything and everything wait for it', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'a', [read('fs:/a')]);
    waits(t, 'pure', []);
    expect(waits(t, 'x', null).sort()).toEqual(['a', 'pure']);
    expect(waits(t, 'pure2', [])).toEqual(['x']);
    expect(waits(t, 'b', [read('mcp:github')])).toEqual(['x']);
  });

  it('keeps pure calls apart from every claim but exclusive ones', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'w', [write('fs:/')]);
    expect(waits(t, 'pure', [])).toEqual([]);
  });

  it('forgets released holders and prunes the trie', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'w', [write('fs:/a/b')]);
    t.release('w');
    expect(waits(t, 'r', [read('fs:/a')])).toEqual([]);
    t.release('r');
    t.release('r');
    expect(t.size).toBe(0);
  });

  it('stays correct when a later write absorbs entries that are released afterwards', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'w1', [write('fs:/a/b')]);
    waits(t, 'w2', [write('fs:/a')]);
    t.release('w1');
    waits(t, 'w3', [write('fs:/a/c')]);
    // Only w2 and w3 are live: a read of the root must wait for both, exactly once each.
    expect(waits(t, 'r', [read('fs:/')]).sort()).toEqual(['w2', 'w3']);
  });

  it('normalizes `.`, `..` and repeated slashes', () => {
    const t = new ConflictTracker<string>();
    waits(t, 'w', [write('fs:/a/./b/../c')]);
    expect(waits(t, 'r', [read('fs://a//c')])).toEqual(['w']);
  });

  it('handles 20,000 calls on one key in near-linear time', () => {
    const t = new ConflictTracker<number>();
    let edges = 0;
    for (let i = 0; i < 20_000; i++) {
      edges += waits(t, i, [i % 10 === 0 ? write('fs:/hot') : read('fs:/hot')]).length;
    }
    // Each read waits for one write; each write for the reads since the previous write.
    expect(edges).toBeLessThan(40_000);
  });

  // Property: every conflicting earlier unsettled holder is waited for, directly or through a
  // chain of waits; no non-conflicting holder is waited for directly.
  it('matches a brute-force model on random claims and releases', () => {
    const keyArb = fc
      .array(fc.constantFrom('a', 'b', 'c'), { minLength: 0, maxLength: 3 })
      .map((segments) => `fs:/${segments.join('/')}`);
    const claimArb = fc.record({
      key: fc.oneof(keyArb, fc.constant('mcp:x')),
      mode: fc.constantFrom('read', 'write'),
    }) as fc.Arbitrary<Claim>;
    const opArb = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          claims: fc.oneof(
            { weight: 6, arbitrary: fc.array(claimArb, { maxLength: 3 }) },
            { weight: 1, arbitrary: fc.constant(null) },
          ),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const t = new ConflictTracker<number>();
        const live = new Map<number, Claim[] | null>();
        const edges = new Map<number, Set<number>>();
        let next = 0;
        for (const op of ops) {
          if (op.kind === 'release') {
            // As in the task graph: a holder settles only after every holder it waited for.
            const ids = [...live.keys()].filter((id) =>
              [...(edges.get(id) ?? [])].every((dep) => !live.has(dep)),
            );
            if (ids.length === 0) continue;
            const id = ids[op.pick % ids.length] as number;
            live.delete(id);
            t.release(id);
            continue;
          }
          const id = next++;
          const got = new Set(waits(t, id, op.claims));
          edges.set(id, got);
          for (const dep of got) expect(live.has(dep)).toBe(true);
          for (const [other, claims] of live) {
            const conflict = conflicts(op.claims, claims);
            if (got.has(other)) expect(conflict).toBe(true);
            if (conflict) expect(reaches(edges, id, other)).toBe(true);
          }
          live.set(id, op.claims);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

describe('ConflictTracker: nested work', () => {
  const tracker = () => {
    const lineages = new Map<string, number[]>();
    const states = new Map<string, HolderState>();
    const t = new ConflictTracker<string>({
      lineage: (h) => lineages.get(h) ?? [],
      state: (h) => states.get(h) ?? 'waiting',
    });
    return { t, lineages, states };
  };

  it('never makes a call wait for its ancestors', () => {
    const { t, lineages, states } = tracker();
    lineages.set('task', [1]);
    t.acquire('task', []);
    states.set('task', 'suspended');
    lineages.set('child', [1, 2]);
    expect(t.acquire('child', null)).toEqual({ after: [], running: [], before: [] });
  });

  it('puts a late child call before a waiting later call, and the later one waits for it', () => {
    const { t, lineages, states } = tracker();
    lineages.set('task', [1]);
    t.acquire('task', []);
    lineages.set('after', [2]);
    expect(t.acquire('after', null).after).toEqual(['task']);
    states.set('task', 'suspended');
    lineages.set('child', [1, 3]);
    // `after` hid `task` behind its write: the child sees both, and its own ancestor is ignored.
    expect(t.acquire('child', null)).toEqual({ after: [], running: [], before: ['after'] });
  });

  it('waits for a later call that already runs its own work, and ignores a suspended one', () => {
    const { t, lineages, states } = tracker();
    lineages.set('t1', [1]);
    lineages.set('t2', [2]);
    t.acquire('t1', []);
    t.acquire('t2', []);
    states.set('t1', 'suspended');
    states.set('t2', 'suspended');
    lineages.set('c2', [2, 3]);
    // c2 comes after t1 in the order: it waits for t1's whole subtree.
    expect(t.acquire('c2', null).after).toEqual(['t1']);
    states.set('c2', 'running');
    lineages.set('c1', [1, 4]);
    expect(t.acquire('c1', null)).toEqual({ after: [], running: ['c2'], before: [] });
  });

  it('orders the entries a later write hid when an earlier call arrives', () => {
    const { t, lineages, states } = tracker();
    lineages.set('task', [1]);
    t.acquire('task', []);
    states.set('task', 'suspended');
    lineages.set('c1', [1, 2]);
    t.acquire('c1', [write('fs:/a')]);
    states.set('c1', 'running');
    lineages.set('w', [3]);
    expect(t.acquire('w', [write('fs:/a')]).after).toEqual(['c1']);
    lineages.set('c2', [1, 4]);
    // c2 is before w, after c1: c1 is hidden behind w, but c2 must still wait for it.
    expect(t.acquire('c2', [write('fs:/a')])).toEqual({
      after: ['c1'],
      running: [],
      before: ['w'],
    });
  });

  // Property: for every conflicting live pair, the earlier one in the order of nested work goes
  // first (directly or through a chain), except for ancestors and suspended later holders.
  it('orders random nested holders like a brute-force model', () => {
    const claimArb = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.array(
          fc.record({
            key: fc.constantFrom('fs:/a', 'fs:/a/b', 'fs:/c'),
            mode: fc.constantFrom('read' as const, 'write' as const),
          }),
          { maxLength: 2 },
        ),
      },
      { weight: 1, arbitrary: fc.constant(null) },
    );
    const opArb = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('acquire' as const),
          parent: fc.nat(),
          claims: claimArb,
        }),
      },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('start' as const), pick: fc.nat() }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('suspend' as const), pick: fc.nat() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('release' as const), pick: fc.nat() }),
      },
    );
    fc.assert(
      fc.property(fc.array(opArb, { maxLength: 40 }), (ops) => {
        const { t, lineages, states } = tracker();
        const live = new Map<string, Claim[] | null>();
        const edges = new Map<string, Set<string>>();
        const edge = (from: string, to: string) => {
          const set = edges.get(from) ?? new Set<string>();
          edges.set(from, set);
          set.add(to);
        };
        const blocked = (id: string) => [...(edges.get(id) ?? [])].some((d) => live.has(d));
        let next = 0;
        for (const op of ops) {
          const ids = [...live.keys()];
          if (op.kind === 'start') {
            const ready = ids.filter((id) => states.get(id) === 'waiting' && !blocked(id));
            const id = ready[op.pick % Math.max(1, ready.length)];
            if (id) states.set(id, 'running');
            continue;
          }
          if (op.kind === 'suspend') {
            const runningIds = ids.filter((id) => states.get(id) === 'running');
            const id = runningIds[op.pick % Math.max(1, runningIds.length)];
            if (!id) continue;
            states.set(id, 'suspended');
            // The scheduler drops waits on a call that becomes suspended.
            for (const set of edges.values()) set.delete(id);
            continue;
          }
          if (op.kind === 'release') {
            // Settles after what it waited for, and after its descendants.
            const done = ids.filter((id) => {
              const mine = lineages.get(id) as number[];
              const hasLiveChild = ids.some(
                (o) => o !== id && isPrefix(mine, lineages.get(o) as number[]),
              );
              return !blocked(id) && !hasLiveChild;
            });
            const id = done[op.pick % Math.max(1, done.length)];
            if (!id) continue;
            live.delete(id);
            t.release(id);
            continue;
          }
          const parents = ids.filter((id) => states.get(id) === 'suspended');
          const parent =
            parents.length > 0 && op.parent % 2 === 0
              ? parents[op.parent % parents.length]
              : undefined;
          const id = `h${next}`;
          lineages.set(id, [...(parent ? (lineages.get(parent) as number[]) : []), next]);
          next++;
          const got = t.acquire(id, op.claims);
          for (const d of [...got.after, ...got.running]) edge(id, d);
          for (const d of got.before) edge(d, id);
          const mine = lineages.get(id) as number[];
          for (const [other, claims] of live) {
            const theirs = lineages.get(other) as number[];
            const related = [...got.after, ...got.running, ...got.before].includes(other);
            if (!conflicts(op.claims, claims) || isPrefix(theirs, mine)) {
              expect(related).toBe(false);
              continue;
            }
            if (compare(theirs, mine) < 0) expect(reaches(edges, id, other)).toBe(true);
            else if (states.get(other) === 'waiting') expect(reaches(edges, other, id)).toBe(true);
            else if (states.get(other) === 'running') expect(got.running).toContain(other);
          }
          live.set(id, op.claims);
          // No deadlock: waits plus "a parent waits for its live descendants" form no cycle.
          const all = new Map<string, Set<string>>();
          for (const [from, set] of edges)
            all.set(from, new Set([...set].filter((d) => live.has(d))));
          for (const p of live.keys()) {
            for (const c of live.keys()) {
              if (isPrefix(lineages.get(p) as number[], lineages.get(c) as number[])) {
                all.get(p)?.add(c) ?? all.set(p, new Set([c]));
              }
            }
          }
          for (const start of live.keys()) expect(reaches(all, start, start)).toBe(false);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

function isPrefix(a: number[], b: number[]): boolean {
  return a.length < b.length && a.every((n, i) => b[i] === n);
}

function compare(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++)
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  return a.length - b.length;
}

function conflicts(a: Claim[] | null, b: Claim[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => claimsConflict(x, y)));
}

/** True when `from` waits for `to` directly or through earlier holders' waits. */
function reaches<T>(waits: Map<T, Set<T>>, from: T, to: T): boolean {
  const stack = [from];
  const seen = new Set<T>();
  for (let n = stack.pop(); n !== undefined; n = stack.pop()) {
    for (const dep of waits.get(n) ?? []) {
      if (dep === to) return true;
      if (!seen.has(dep)) {
        seen.add(dep);
        stack.push(dep);
      }
    }
  }
  return false;
}
