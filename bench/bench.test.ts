import { describe, expect, it } from 'vitest';
import { conflictCriticalPath, dagCriticalPath, dagDepths } from './critical-path.js';
import { measure, median, rotation } from './harness.js';
import { randomDag } from './scenarios/dag.js';
import { scenarios } from './scenarios/index.js';

// Smoke tests only: every scenario runs in a tiny mode and returns a well-formed row per
// contender. Performance lives in `npm run bench`, never in test assertions.
describe('scenarios (quick mode)', () => {
  it('registers each scenario once, by its DESIGN.md name', () => {
    const names = scenarios.map((s) => s.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual([
      'fan-out',
      'mixed-turn',
      'approvals',
      'overhead',
      'dag',
      'coding-turn',
      'streaming',
      'mcp-fan-out',
      'subagents',
      'subagents-scale',
      'batch-tool',
      'big-repo',
      'startup',
      'frameworks',
      'distributed',
    ]);
  });

  for (const scenario of scenarios) {
    it(`${scenario.name} returns a row with finite ms for every contender`, async () => {
      const measurements = await scenario.run({ reps: 1, quick: true });
      const rows = measurements.map((m) => m.row);
      expect(rows.map((r) => r.contender)).toEqual([...scenario.contenders]);
      // salvo first (or a `salvo-` variant); or, where each contender is a framework, a
      // `<framework>+salvo` per one.
      const first = scenario.contenders[0] as string;
      if (!first.startsWith('salvo')) expect(scenario.contenders).toContain(`${first}+salvo`);
      for (const row of rows) {
        expect(row.scenario).toBe(scenario.name);
        expect(Number.isFinite(row.ms)).toBe(true);
        expect(Number.isFinite(row.lowerBoundMs)).toBe(true);
      }
      for (const verdict of scenario.verdicts(rows)) {
        expect(Number.isFinite(verdict.value)).toBe(true);
      }
    });
  }

  it('approvals puts autoDoneBeforeApprovalMs on the salvo row', async () => {
    const approvals = scenarios.find((s) => s.name === 'approvals');
    const rows = (await approvals?.run({ reps: 1, quick: true }))?.map((m) => m.row) ?? [];
    expect(typeof rows.find((r) => r.contender === 'salvo')?.autoDoneBeforeApprovalMs).toBe(
      'number',
    );
  });
});

describe('harness', () => {
  it('rotates the contender order every repetition', () => {
    expect([0, 1, 2].map((rep) => rotation(3, rep))).toEqual([
      [0, 1, 2],
      [1, 2, 0],
      [2, 0, 1],
    ]);
  });

  it('interleaves contenders and caps slow ones at maxReps', async () => {
    const order: string[] = [];
    const contender = (name: string, maxReps?: number) => ({
      name,
      maxReps,
      run: async () => {
        order.push(name);
      },
    });
    const rows = await measure({
      scenario: 'x',
      lowerBoundMs: 1,
      reps: 3,
      contenders: [contender('a'), contender('b', 1), contender('c')],
    });
    expect(order).toEqual(['a', 'b', 'c', 'c', 'a', 'c', 'a']);
    expect(rows.map((r) => r.samples.length)).toEqual([3, 1, 3]);
  });

  it('takes the median', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });

  it('computes the critical path of a conflict DAG', () => {
    const read = (key: string) => [{ key, mode: 'read' as const }];
    const write = (key: string) => [{ key, mode: 'write' as const }];
    const ms = conflictCriticalPath([
      { claims: read('fs:/r/a'), ms: 10 },
      { claims: read('fs:/r'), ms: 30 },
      { claims: write('fs:/r/a'), ms: 5 }, // waits for both reads: 30 + 5
      { claims: [], ms: 50 }, // pure: free
      { claims: null, ms: 1 }, // exclusive: waits for everything: 50 + 1
      { claims: write('fs:/r/b'), ms: 2 }, // waits for the exclusive call: 51 + 2
    ]);
    expect(ms).toBe(53);
  });

  it('computes the critical path and depths of a DAG', () => {
    const nodes = [
      { deps: [], ms: 3 },
      { deps: [], ms: 10 },
      { deps: [0, 1], ms: 2 },
      { deps: [0], ms: 4 },
    ];
    expect(dagCriticalPath(nodes)).toEqual({ ms: 12, path: [1, 2] });
    expect(dagDepths(nodes)).toEqual([0, 0, 1, 1]);
  });

  it('generates the same DAG from the same seed', () => {
    expect(randomDag(7)).toEqual(randomDag(7));
    const dag = randomDag(7);
    expect(dag).toHaveLength(200);
    for (const [i, node] of dag.entries()) {
      expect(node.deps.length).toBeLessThanOrEqual(3);
      expect(node.deps.every((d) => d < i)).toBe(true);
      expect(node.ms >= 1 && node.ms <= 20).toBe(true);
    }
  });
});
