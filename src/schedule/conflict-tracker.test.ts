import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type Claim, claimsConflict } from '../tool/claims.js';
import { ConflictTracker } from './conflict-tracker.js';

const read = (key: string): Claim => ({ key, mode: 'read' });
const write = (key: string): Claim => ({ key, mode: 'write' });

describe('ConflictTracker', () => {
  it('lets reads of one key share and orders a write after them', () => {
    const t = new ConflictTracker<string>();
    expect([...t.acquire('r1', [read('fs:/a')])]).toEqual([]);
    expect([...t.acquire('r2', [read('fs:/a')])]).toEqual([]);
    expect([...t.acquire('w', [write('fs:/a')])].sort()).toEqual(['r1', 'r2']);
    expect([...t.acquire('r3', [read('fs:/a')])]).toEqual(['w']);
  });

  it('treats ancestors and descendants as overlapping, siblings and prefixes as not', () => {
    const t = new ConflictTracker<string>();
    t.acquire('child', [write('fs:/repo/src/a.ts')]);
    expect([...t.acquire('sibling', [write('fs:/repo/src/b.ts')])]).toEqual([]);
    expect([...t.acquire('prefix', [write('fs:/repo/src/a.tsx')])]).toEqual([]);
    expect([...t.acquire('parent', [read('fs:/repo')])].sort()).toEqual([
      'child',
      'prefix',
      'sibling',
    ]);
    expect([...t.acquire('other-scheme', [write('mcp:/repo')])]).toEqual([]);
  });

  it('makes an exclusive call wait for everything and everything wait for it', () => {
    const t = new ConflictTracker<string>();
    t.acquire('a', [read('fs:/a')]);
    t.acquire('pure', []);
    expect([...t.acquire('x', null)].sort()).toEqual(['a', 'pure']);
    expect([...t.acquire('pure2', [])]).toEqual(['x']);
    expect([...t.acquire('b', [read('mcp:github')])]).toEqual(['x']);
  });

  it('keeps pure calls apart from every claim but exclusive ones', () => {
    const t = new ConflictTracker<string>();
    t.acquire('w', [write('fs:/')]);
    expect([...t.acquire('pure', [])]).toEqual([]);
  });

  it('forgets released holders and prunes the trie', () => {
    const t = new ConflictTracker<string>();
    t.acquire('w', [write('fs:/a/b')]);
    t.release('w');
    expect([...t.acquire('r', [read('fs:/a')])]).toEqual([]);
    t.release('r');
    t.release('r');
    expect(t.size).toBe(0);
  });

  it('stays correct when a later write absorbs entries that are released afterwards', () => {
    const t = new ConflictTracker<string>();
    t.acquire('w1', [write('fs:/a/b')]);
    t.acquire('w2', [write('fs:/a')]);
    t.release('w1');
    t.acquire('w3', [write('fs:/a/c')]);
    // Only w2 and w3 are live: a read of the root must wait for both, exactly once each.
    expect([...t.acquire('r', [read('fs:/')])].sort()).toEqual(['w2', 'w3']);
  });

  it('normalizes `.`, `..` and repeated slashes', () => {
    const t = new ConflictTracker<string>();
    t.acquire('w', [write('fs:/a/./b/../c')]);
    expect([...t.acquire('r', [read('fs://a//c')])]).toEqual(['w']);
  });

  it('handles 20,000 calls on one key in near-linear time', () => {
    const t = new ConflictTracker<number>();
    let edges = 0;
    for (let i = 0; i < 20_000; i++) {
      edges += t.acquire(i, [i % 10 === 0 ? write('fs:/hot') : read('fs:/hot')]).length;
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
        const waits = new Map<number, Set<number>>();
        let next = 0;
        for (const op of ops) {
          if (op.kind === 'release') {
            // As in the task graph: a holder settles only after every holder it waited for.
            const ids = [...live.keys()].filter((id) =>
              [...(waits.get(id) ?? [])].every((dep) => !live.has(dep)),
            );
            if (ids.length === 0) continue;
            const id = ids[op.pick % ids.length] as number;
            live.delete(id);
            t.release(id);
            continue;
          }
          const id = next++;
          const got = new Set(t.acquire(id, op.claims));
          waits.set(id, got);
          for (const dep of got) expect(live.has(dep)).toBe(true);
          for (const [other, claims] of live) {
            const conflict = conflicts(op.claims, claims);
            if (got.has(other)) expect(conflict).toBe(true);
            if (conflict) expect(reaches(waits, id, other)).toBe(true);
          }
          live.set(id, op.claims);
        }
      }),
      { numRuns: 1000 },
    );
  });
});

function conflicts(a: Claim[] | null, b: Claim[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => claimsConflict(x, y)));
}

/** True when `from` waits for `to` directly or through earlier holders' waits. */
function reaches(waits: Map<number, Set<number>>, from: number, to: number): boolean {
  const stack = [from];
  const seen = new Set<number>();
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
