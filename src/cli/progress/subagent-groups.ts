import type { CallStatus } from '../../tool/call.js';
import { outcomeWords } from './call-outcomes.js';
import { pluralize } from './pluralize.js';
import type { GroupView } from './progress-snapshot.js';

interface Group {
  key: string;
  turnId: number;
  path: readonly string[];
  name: string;
  total: number;
  done: number;
  failed: number;
  denied: number;
  cancelled: number;
  running: number;
}

/** How a group's finished calls ended, other than in success. */
export interface GroupOutcomes {
  failed?: number;
  denied?: number;
  cancelled?: number;
}

/** The agent name in a `task` call's progress message: `reviewer#3 running` → `reviewer`. */
export function agentLabelOf(message: string | undefined): { name: string; label: string } | null {
  const match = /^([A-Za-z0-9_-]{1,64})#(\d+)(?:\s|$)/.exec(message ?? '');
  return match ? { name: match[1] as string, label: `${match[1]}#${match[2]}` } : null;
}

/** The text of a group line: `reviewers 3/5 done`, `reviewers 2/2 done (1 failed, 1 cancelled)`. */
export function groupText(
  name: string,
  total: number,
  done: number,
  outcomes: GroupOutcomes = {},
): string {
  const words = outcomeWords({
    error: outcomes.failed ?? 0,
    denied: outcomes.denied ?? 0,
    cancelled: outcomes.cancelled ?? 0,
  });
  const notes = words.length > 0 ? ` (${words.join(', ')})` : '';
  return `${pluralize(name, total)} ${done}/${total} done${notes}`;
}

/**
 * Counts the `task` calls of each turn by the agent they start. Groups with unfinished calls are
 * kept in the order they began, so the ones to show are read without a sort.
 */
export class SubagentGroups {
  readonly #groups = new Map<string, Group>();
  readonly #active = new Map<string, Group>();
  readonly #byTurn = new Map<number, Set<string>>();

  /** Groups with unfinished calls. */
  get activeCount(): number {
    return this.#active.size;
  }

  /** Groups kept, finished or not (for memory checks). */
  get size(): number {
    return this.#groups.size;
  }

  /** Counts one more call in the turn's group for `name`; returns the group's key. */
  join(turnId: number, path: readonly string[], name: string, running: boolean): string {
    const key = `${turnId}\u0000${name}`;
    let group = this.#groups.get(key);
    if (!group) {
      group = {
        key,
        turnId,
        path,
        name,
        total: 0,
        done: 0,
        failed: 0,
        denied: 0,
        cancelled: 0,
        running: 0,
      };
      this.#groups.set(key, group);
      const keys = this.#byTurn.get(turnId) ?? new Set();
      keys.add(key);
      this.#byTurn.set(turnId, keys);
    }
    group.total++;
    if (running) group.running++;
    this.#active.set(key, group);
    return key;
  }

  /** Takes an unfinished call out of its group (before it joins another). */
  leave(key: string, running: boolean): void {
    const group = this.#groups.get(key);
    if (!group) return;
    group.total--;
    if (running) group.running--;
    this.#settle(group);
  }

  /** One of the group's calls started (+1) or stopped running (-1). */
  running(key: string, delta: 1 | -1): void {
    const group = this.#groups.get(key);
    if (group) group.running += delta;
  }

  /** One of the group's calls finished (tell `running(key, -1)` first if it was running). */
  finish(key: string, status: CallStatus): GroupView | undefined {
    const group = this.#groups.get(key);
    if (!group) return undefined;
    group.done++;
    if (status === 'error' || status === 'timeout') group.failed++;
    else if (status === 'denied') group.denied++;
    else if (status === 'cancelled') group.cancelled++;
    this.#settle(group);
    return view(group);
  }

  /** Drops the groups of a turn that is no longer kept. */
  forgetTurn(turnId: number): void {
    for (const key of this.#byTurn.get(turnId) ?? []) {
      this.#groups.delete(key);
      this.#active.delete(key);
    }
    this.#byTurn.delete(turnId);
  }

  /** Up to `limit` groups with unfinished calls, oldest first. O(limit). */
  active(limit: number): GroupView[] {
    const out: GroupView[] = [];
    for (const group of this.#active.values()) {
      if (out.length >= limit) break;
      out.push(view(group));
    }
    return out;
  }

  #settle(group: Group): void {
    if (group.done >= group.total) this.#active.delete(group.key);
    else if (!this.#active.has(group.key)) this.#active.set(group.key, group);
    if (group.total === 0) {
      this.#groups.delete(group.key);
      this.#byTurn.get(group.turnId)?.delete(group.key);
    }
  }
}

function view(group: Group): GroupView {
  const { turnId, path, name, total, done, failed, denied, cancelled, running } = group;
  return {
    turnId,
    path,
    name,
    total,
    done,
    failed,
    denied,
    cancelled,
    running,
    text: groupText(name, total, done, { failed, denied, cancelled }),
  };
}
