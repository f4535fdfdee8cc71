import { type Claim, claimsConflict } from '../src/index.js';

/** A call as the lower bound sees it: its claims (`null`: exclusive) and how long it runs. */
export interface TimedCall {
  claims: readonly Claim[] | null;
  ms: number;
}

/** DESIGN.md's rule: either call is exclusive, or two of their claims overlap and one writes. */
export function callsConflict(a: readonly Claim[] | null, b: readonly Claim[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => claimsConflict(x, y)));
}

/**
 * The makespan of a perfect scheduler with unlimited slots: call `i` starts once every earlier call
 * it conflicts with has finished. The longest path of the conflict DAG, weighted by durations.
 */
export function conflictCriticalPath(calls: readonly TimedCall[]): number {
  const ends: number[] = [];
  calls.forEach((call, i) => {
    let start = 0;
    for (let j = 0; j < i; j++) {
      if (callsConflict((calls[j] as TimedCall).claims, call.claims)) {
        start = Math.max(start, ends[j] as number);
      }
    }
    ends.push(start + call.ms);
  });
  return Math.max(0, ...ends);
}

/** A DAG node: indices of earlier nodes it depends on, and its duration. */
export interface DagNode {
  deps: readonly number[];
  ms: number;
}

/** The heaviest dependency chain of a DAG given in topological order: its nodes and its length. */
export function dagCriticalPath(nodes: readonly DagNode[]): { ms: number; path: number[] } {
  const finish: number[] = [];
  const via: (number | undefined)[] = [];
  nodes.forEach((node, i) => {
    let start = 0;
    let from: number | undefined;
    for (const dep of node.deps) {
      if (dep >= i) throw new Error(`Node ${i} depends on ${dep}, which is not earlier`);
      if ((finish[dep] as number) > start) {
        start = finish[dep] as number;
        from = dep;
      }
    }
    finish.push(start + node.ms);
    via.push(from);
  });
  if (nodes.length === 0) return { ms: 0, path: [] };
  const last = finish.indexOf(Math.max(...finish));
  const path: number[] = [];
  for (let at: number | undefined = last; at !== undefined; at = via[at]) path.unshift(at);
  return { ms: Math.max(...finish), path };
}

/** Each node's depth: 0 without dependencies, else one more than its deepest dependency. */
export function dagDepths(nodes: readonly DagNode[]): number[] {
  const depths: number[] = [];
  for (const node of nodes) {
    depths.push(
      node.deps.length === 0 ? 0 : 1 + Math.max(...node.deps.map((d) => depths[d] as number)),
    );
  }
  return depths;
}
