import type { CallEntry } from './call-entry.js';

/**
 * Links each unfinished `task` call to the subagent it started (by the agent's path), so the
 * call can say `reviewer#3 running` once the subagent's first call shows up: the task tool
 * reports its agent's label only once, when it is often still queued.
 */
export class TaskAgents {
  readonly #byPath = new Map<string, CallEntry>();

  get size(): number {
    return this.#byPath.size;
  }

  /** The task call `entry` started the agent `label`. */
  link(entry: CallEntry, label: string): void {
    this.#byPath.set([...entry.path, label].join('\u0000'), entry);
  }

  /** A turn of the agent at `path` began: its task call, when that is still unfinished. */
  started(path: readonly string[]): CallEntry | undefined {
    return path.length > 0 ? this.#byPath.get(path.join('\u0000')) : undefined;
  }

  /** The task call finished. */
  forget(entry: CallEntry): void {
    if (entry.agentLabel === undefined) return;
    const key = [...entry.path, entry.agentLabel].join('\u0000');
    if (this.#byPath.get(key) === entry) this.#byPath.delete(key);
  }
}
