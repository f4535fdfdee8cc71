import { setMaxListeners } from 'node:events';
import { InvalidOptionError, SalvoError } from '../errors.js';
import { assertCount } from '../validate-options.js';
import { Limiter } from './limiter.js';
import { type Task, TaskGraph } from './task-graph.js';

export interface GraphNodeContext {
  /** Aborted when the graph is cancelled, or aborted after another node failed (`onError: 'abort'`). */
  signal: AbortSignal;
  name: string;
}

export interface GraphNode<T = unknown> {
  /** Nodes whose values this node needs. */
  dependsOn?: readonly string[];
  /** Receives the values of its dependencies, by name. */
  // biome-ignore lint/suspicious/noExplicitAny: values of other nodes; typing them needs the whole graph.
  run(deps: Record<string, any>, ctx: GraphNodeContext): T | Promise<T>;
}

export type GraphNodeResult<T> =
  | { status: 'success'; value: T }
  | { status: 'error'; error: unknown }
  /** A dependency failed or was skipped (`onError: 'skip-dependents'`). */
  | { status: 'skipped'; reason: string }
  /** The graph was cancelled or aborted before or while the node ran. */
  | { status: 'cancelled'; reason: string };

export type GraphResults<N extends Record<string, GraphNode>> = {
  [K in keyof N]: GraphNodeResult<Awaited<ReturnType<N[K]['run']>>>;
};

export interface RunGraphOptions {
  /** Nodes running at once. @default Infinity */
  maxConcurrency?: number;
  signal?: AbortSignal;
  /**
   * What a failure does: `skip-dependents` skips every node that depends on it, directly or not,
   * and lets the rest run; `abort` cancels every node that has not finished.
   * @default 'skip-dependents'
   */
  onError?: 'skip-dependents' | 'abort';
}

/** The graph has a cycle or names a node that does not exist. */
export class GraphError extends SalvoError {}

/**
 * Runs a DAG eagerly: each node starts the moment its dependencies are done and a slot is free,
 * with no waves. Resolves with a result per node; rejects only when the graph itself is invalid.
 */
export async function runGraph<N extends Record<string, GraphNode>>(
  nodes: N,
  options: RunGraphOptions = {},
): Promise<GraphResults<N>> {
  const { maxConcurrency = Infinity, signal, onError = 'skip-dependents' } = options;
  assertCount('maxConcurrency', maxConcurrency);
  if (onError !== 'skip-dependents' && onError !== 'abort') {
    throw new InvalidOptionError('onError', "'skip-dependents' or 'abort'", onError);
  }
  const order = topologicalOrder(nodes);
  const results: Record<string, GraphNodeResult<unknown>> = {};
  if (order.length === 0) return results as GraphResults<N>;

  const controller = new AbortController();
  // Every running node may listen to this one signal.
  setMaxListeners(0, controller.signal);
  const tasks = new Map<string, Task<string>>();
  let remaining = order.length;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });

  const settle = (name: string, result: GraphNodeResult<unknown>) => {
    if (results[name]) return;
    results[name] = result;
    graph.settle(tasks.get(name) as Task<string>);
    if (--remaining === 0) done();
  };
  let cancelReason: string | undefined;
  // The reason is set and the signal aborted before anything is settled: a node that a settle
  // frees (a slot, a dependency) sees the graph cancelled and never starts.
  const cancelAll = (reason: string) => {
    cancelReason ??= reason;
    if (!controller.signal.aborted) controller.abort(new DOMException(reason, 'AbortError'));
    for (const name of order) settle(name, { status: 'cancelled', reason: cancelReason });
  };
  const failed = (name: string, error: unknown) => {
    if (results[name]) return;
    if (onError === 'abort') {
      cancelReason ??= `node \`${name}\` failed`;
      if (!controller.signal.aborted) {
        controller.abort(new DOMException(cancelReason, 'AbortError'));
      }
    }
    settle(name, { status: 'error', error });
    if (onError === 'abort') cancelAll(cancelReason as string);
  };
  const depsOf = (name: string) => (nodes[name] as GraphNode).dependsOn ?? [];

  const graph = new TaskGraph<string>(new Limiter({ global: maxConcurrency }), {
    onReady(name) {
      if (cancelReason !== undefined) {
        settle(name, { status: 'cancelled', reason: cancelReason });
        return false;
      }
      const failed = depsOf(name).find((dep) => results[dep]?.status !== 'success');
      if (failed === undefined) return true;
      settle(name, { status: 'skipped', reason: `dependency \`${failed}\` did not succeed` });
      return false;
    },
    start(name) {
      if (cancelReason !== undefined) {
        // Granted a slot while the graph was being cancelled: it never runs.
        settle(name, { status: 'cancelled', reason: cancelReason });
        return;
      }
      const values: Record<string, unknown> = {};
      for (const dep of depsOf(name)) values[dep] = (results[dep] as { value: unknown }).value;
      // Called at once, not a microtask later: a chain starts each node in the tick its
      // dependency settled.
      let output: unknown;
      try {
        output = (nodes[name] as GraphNode).run(values, { signal: controller.signal, name });
      } catch (error) {
        // Handled now: with `abort`, its siblings must not start in the meantime.
        failed(name, error);
        return;
      }
      Promise.resolve(output).then(
        (value) => settle(name, { status: 'success', value }),
        (error: unknown) => failed(name, error),
      );
    },
  });

  for (const [seq, name] of order.entries()) {
    const after = depsOf(name).map((dep) => tasks.get(dep) as Task<string>);
    tasks.set(name, graph.create({ seq, limits: ['global'], data: name, after }));
  }

  const onAbort = () =>
    cancelAll(signal?.reason instanceof Error ? signal.reason.message : 'the graph was cancelled');
  if (signal?.aborted) onAbort();
  else signal?.addEventListener('abort', onAbort, { once: true });
  try {
    for (const name of order) {
      const task = tasks.get(name) as Task<string>;
      if (!task.settled) graph.submit(task);
    }
    await finished;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
  return results as GraphResults<N>;
}

/** Node names with every dependency before its dependents, or a GraphError naming the problem. */
function topologicalOrder(nodes: Record<string, GraphNode>): string[] {
  if (typeof nodes !== 'object' || nodes === null) {
    throw new InvalidOptionError('nodes', 'an object of named nodes', nodes);
  }
  const names = Object.keys(nodes);
  const indegree = new Map<string, number>();
  const dependents = new Map<string, string[]>();
  for (const name of names) {
    const node = nodes[name];
    if (typeof node !== 'object' || node === null || typeof node.run !== 'function') {
      throw new InvalidOptionError(`nodes.${name}.run`, 'a function', node?.run);
    }
    const deps = node.dependsOn ?? [];
    if (!Array.isArray(deps))
      throw new InvalidOptionError(`nodes.${name}.dependsOn`, 'an array of node names', deps);
    indegree.set(name, deps.length);
    for (const dep of deps) {
      if (!Object.hasOwn(nodes, dep)) {
        throw new GraphError(
          `Node \`${name}\` depends on \`${String(dep)}\`, which is not in the graph`,
        );
      }
      const list = dependents.get(dep);
      if (list) list.push(name);
      else dependents.set(dep, [name]);
    }
  }
  const order = names.filter((name) => indegree.get(name) === 0);
  for (let i = 0; i < order.length; i++) {
    for (const next of dependents.get(order[i] as string) ?? []) {
      const left = (indegree.get(next) as number) - 1;
      indegree.set(next, left);
      if (left === 0) order.push(next);
    }
  }
  if (order.length < names.length) {
    throw new GraphError(`The graph has a cycle: ${describeCycle(nodes, new Set(order))}`);
  }
  return order;
}

/** One cycle among the nodes left out of the order, as `a -> b -> a`. */
function describeCycle(nodes: Record<string, GraphNode>, ordered: Set<string>): string {
  const start = Object.keys(nodes).find((name) => !ordered.has(name)) as string;
  const path: string[] = [];
  const seen = new Map<string, number>();
  let current = start;
  while (!seen.has(current)) {
    seen.set(current, path.length);
    path.push(current);
    current = (nodes[current]?.dependsOn ?? []).find((dep) => !ordered.has(dep)) as string;
  }
  return [...path.slice(seen.get(current)), current].join(' -> ');
}
