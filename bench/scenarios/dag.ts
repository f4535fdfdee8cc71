import { type GraphNode, runGraph } from '../../src/index.js';
import { type DagNode, dagCriticalPath, dagDepths } from '../critical-path.js';
import {
  type Contender,
  measure,
  prng,
  ratioVerdict,
  round,
  type Scenario,
  sleep,
} from '../harness.js';

/** A random DAG in topological order: each node depends on 0-`maxDeps` distinct earlier nodes. */
export function randomDag(
  seed: number,
  { size = 200, maxDeps = 3, minMs = 1, maxMs = 20 } = {},
): DagNode[] {
  const random = prng(seed);
  const nodes: DagNode[] = [];
  for (let i = 0; i < size; i++) {
    const wanted = Math.min(i, Math.floor(random() * (maxDeps + 1)));
    const deps = new Set<number>();
    while (deps.size < wanted) deps.add(Math.floor(random() * i));
    const ms = minMs + Math.floor(random() * (maxMs - minMs + 1));
    nodes.push({ deps: [...deps].sort((a, b) => a - b), ms });
  }
  return nodes;
}

const seeds = [1, 2, 3];

/**
 * Random DAGs run by `runGraph` (eager: a node starts the moment its dependencies are done) and by
 * waves (level by level). `timer-chain` sleeps through the critical path alone, with no
 * scheduler: what timer granularity costs by itself. `promise-dag` is a hand-written eager
 * executor on bare promises: what a zero-overhead eager scheduler gets with the same timers.
 */
export const dag: Scenario = {
  name: 'dag',
  description: `${seeds.length} random 200-node DAGs per repetition (seeds ${seeds.join(', ')}; 0-3 deps; 1-20 ms)`,
  target: 'runGraph within 1.02x of the critical path',
  contenders: ['salvo', 'waves', 'promise-dag', 'timer-chain'],
  async run({ reps = 5, quick = false } = {}) {
    const graphs = (quick ? [1] : seeds).map((seed) =>
      randomDag(seed, quick ? { size: 30, maxMs: 3 } : {}),
    );
    const paths = graphs.map(dagCriticalPath);
    const lowerBoundMs = paths.reduce((sum, p) => sum + p.ms, 0);
    const named = graphs.map((nodes) =>
      Object.fromEntries(
        nodes.map((node, i): [string, GraphNode] => [
          `n${i}`,
          {
            dependsOn: node.deps.map((d) => `n${d}`),
            run: (_deps, ctx) => sleep(node.ms, ctx.signal),
          },
        ]),
      ),
    );
    const levels = graphs.map((nodes) => {
      const depths = dagDepths(nodes);
      const byLevel: DagNode[][] = [];
      nodes.forEach((node, i) => {
        const depth = depths[i] as number;
        if (!byLevel[depth]) byLevel[depth] = [];
        byLevel[depth].push(node);
      });
      return byLevel;
    });

    const contenders: Contender[] = [
      {
        name: 'salvo',
        async run() {
          for (const nodes of named) {
            const results = await runGraph(nodes);
            const failed = Object.entries(results).find(([, r]) => r.status !== 'success');
            if (failed) throw new Error(`Node ${failed[0]} ended with ${failed[1].status}`);
          }
        },
      },
      {
        name: 'waves',
        async run() {
          for (const byLevel of levels) {
            for (const level of byLevel) await Promise.all(level.map((node) => sleep(node.ms)));
          }
        },
      },
      {
        name: 'promise-dag',
        async run() {
          for (const nodes of graphs) {
            const done: Promise<void>[] = [];
            for (const node of nodes) {
              done.push(Promise.all(node.deps.map((d) => done[d])).then(() => sleep(node.ms)));
            }
            await Promise.all(done);
          }
        },
      },
      {
        name: 'timer-chain',
        async run() {
          for (const [g, path] of paths.entries()) {
            const nodes = graphs[g] as DagNode[];
            for (const i of path.path) await sleep((nodes[i] as DagNode).ms);
          }
        },
      },
    ];
    const measurements = await measure({ scenario: this.name, lowerBoundMs, contenders, reps });
    const hops = paths.reduce((sum, p) => sum + p.path.length, 0);
    // Time above the critical path, per timer on it: what each hop of the chain cost.
    for (const m of measurements) {
      if (m.row.contender !== 'waves')
        m.details.slopPerHopMs = round((m.row.ms - lowerBoundMs) / hops, 3);
    }
    return measurements;
  },
  verdicts(rows) {
    return [
      ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.02 }),
      {
        ...ratioVerdict(rows, 'salvo', 'timer-chain', {}),
        goal: 'context: timer slop removed',
        met: undefined,
      },
      {
        ...ratioVerdict(rows, 'salvo', 'promise-dag', {}),
        goal: 'context: vs a bare eager executor',
        met: undefined,
      },
    ];
  },
};
