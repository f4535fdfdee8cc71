import { type Claim, type ClaimMode, claimPath } from '../tool/claims.js';
import { compareLineage, isAncestor, type Lineage } from './lineage.js';

/**
 * Where a holder stands: not started yet (it can still be made to wait), running its own work,
 * or running but suspended on work it started (a `task` call waiting for its subagent).
 */
export type HolderState = 'waiting' | 'running' | 'suspended';

/** How the tracker sees the holders it orders. */
export interface HolderView<T> {
  /** The holder's place in the order of nested work (read once, when it acquires). */
  lineage(holder: T): Lineage;
  /** Read whenever a later-acquiring holder has to be ordered against it. */
  state(holder: T): HolderState;
}

/** What a new holder has to wait for, and who has to wait for it. */
export interface Acquired<T> {
  /** Holders before it in the order: it waits for them, for good. */
  after: readonly T[];
  /**
   * Holders after it in the order that already run their own work: it cannot overtake them,
   * so it waits, but only until they become suspended (then their own work is waiting too).
   */
  running: readonly T[];
  /** Holders after it in the order that have not started: they must now wait for it. */
  before: readonly T[];
}

type Relation = 'after' | 'running' | 'before' | 'ignore';

interface TrieNode<T> {
  parent: TrieNode<T> | undefined;
  segment: string;
  children: Map<string, TrieNode<T>>;
  writers: Set<T> | undefined;
  readers: Set<T> | undefined;
  /** Writer entries strictly below this node: lets a read skip subtrees with nothing to wait for. */
  writersBelow: number;
}

interface Entry<T> {
  holder: T;
  node: TrieNode<T>;
  mode: ClaimMode;
}

interface HolderRecord<T> {
  /** When it acquired: the order of holders without a view. */
  order: number;
  /** Read from the view the first time it is needed. */
  lineage: Lineage | undefined;
  /** The nodes it has entries on (some may have been hidden by a later write since). */
  nodes: TrieNode<T>[];
  /**
   * Entries of holders it waits for for good, taken out of the trie under its write: any later
   * holder that overlaps them overlaps that write, and waits for them through it. Only a holder
   * that arrives before it in the order (a subagent's call) looks inside.
   */
  hidden: Entry<T>[] | undefined;
}

interface ClaimPath {
  path: readonly string[];
  write: boolean;
}

// Pure calls take a read on a key no tool can name, so only exclusive calls (writes on the root)
// conflict with them.
const purePath: readonly string[] = ['\u0000pure'];
const exclusiveClaims: readonly ClaimPath[] = [{ path: [], write: true }];
const pureClaims: readonly ClaimPath[] = [{ path: purePath, write: false }];
const none: readonly never[] = Object.freeze([]);
const nothing: Acquired<never> = Object.freeze({ after: none, running: none, before: none });

/**
 * Orders holders of claims. Two holders conflict when their keys overlap and one of them
 * writes; of two conflicting holders, the one earlier in the order of nested work goes first,
 * and a holder never waits for its own ancestors (a subagent's call for its `task` call).
 *
 * Claims live in a trie of key paths. A write hides the entries at and below its key that it
 * waits for for good: a later holder that overlaps them overlaps the write too, so each entry is
 * visited about once and a turn's conflict detection stays near-linear in the number of calls.
 * Exclusive holders are writes on the root.
 */
export class ConflictTracker<T> {
  readonly #view: HolderView<T> | undefined;
  #root: TrieNode<T> = createNode(undefined, '');
  #holders = new Map<T, HolderRecord<T>>();
  #acquired = 0;
  /** The holder `acquire` is collecting for, and what it found: no closure per call. */
  #self: T | undefined;
  #found: Map<T, Entry<T>[] | undefined> | undefined;

  /** Without a view, holders are ordered by when they acquire, and none is ever suspended. */
  constructor(view?: HolderView<T>) {
    this.#view = view;
  }

  /**
   * Registers `holder`'s claims (`null`: exclusive; `[]`: pure) and says whom it waits for and
   * who must now wait for it. Call `release` when the holder settles.
   */
  acquire(holder: T, claims: readonly Claim[] | null): Acquired<T> {
    const paths: readonly ClaimPath[] =
      claims === null
        ? exclusiveClaims
        : claims.length === 0
          ? pureClaims
          : claims.map((c) => ({ path: claimPath(c.key), write: c.mode === 'write' }));
    const nodes: TrieNode<T>[] = [];
    const record: HolderRecord<T> = {
      order: this.#acquired++,
      lineage: undefined,
      nodes,
      hidden: undefined,
    };

    // Find every conflicting entry; those under one of its writes may be hidden behind it.
    this.#self = holder;
    this.#found = undefined;
    const add = this.#add;
    for (const { path, write } of paths) {
      const node = this.#walk(path, write);
      nodes.push(node);
      if (write) collectSubtree(node, add);
      else collectWriters(node, add);
    }
    const found = this.#found as Map<T, Entry<T>[] | undefined> | undefined;
    this.#self = undefined;
    this.#found = undefined;

    // Register before hiding, so that hiding cannot prune the nodes this holder stands on.
    for (let i = 0; i < paths.length; i++) {
      const node = nodes[i] as TrieNode<T>;
      const write = (paths[i] as ClaimPath).write;
      if (write) {
        node.writers ??= new Set();
        if (!node.writers.has(holder)) {
          node.writers.add(holder);
          for (let up = node.parent; up; up = up.parent) up.writersBelow++;
        }
      } else {
        node.readers ??= new Set();
        node.readers.add(holder);
      }
    }
    this.#holders.set(holder, record);
    if (!found) return nothing as Acquired<T>;

    const lineage = this.#lineageOf(holder, record);
    const relations = new Map<T, Relation>();
    const after: T[] = [];
    const running: T[] = [];
    const before: T[] = [];
    const relate = (other: T): Relation => {
      let relation = relations.get(other);
      if (relation) return relation;
      relation = this.#relation(lineage, other);
      relations.set(other, relation);
      if (relation === 'after') after.push(other);
      else if (relation === 'running') running.push(other);
      else if (relation === 'before') before.push(other);
      return relation;
    };
    for (const [other, hideable] of found) {
      if (relate(other) !== 'after' || !hideable) continue;
      for (const entry of hideable) this.#hide(entry, record);
    }
    // A holder that must now wait for this one may stand for entries it hid: order those too.
    for (let i = 0; i < before.length; i++) {
      const hidden = this.#holders.get(before[i] as T)?.hidden;
      if (!hidden) continue;
      for (const entry of hidden) {
        if (!relations.has(entry.holder) && this.#holders.has(entry.holder)) {
          if (conflictsWith(entry, paths)) relate(entry.holder);
        }
      }
    }
    return { after, running, before };
  }

  /** Removes every entry of `holder`. Safe to call twice. */
  release(holder: T): void {
    const record = this.#holders.get(holder);
    if (!record) return;
    this.#holders.delete(holder);
    for (const node of record.nodes) {
      if (node.writers?.delete(holder)) {
        for (let up = node.parent; up; up = up.parent) up.writersBelow--;
      }
      node.readers?.delete(holder);
      prune(node);
    }
  }

  /** Holders currently registered (for tests and diagnostics). */
  get size(): number {
    return this.#holders.size;
  }

  /** Where a holder stands in the order, read only when it has to be ordered against another. */
  #lineageOf(holder: T, record: HolderRecord<T>): Lineage {
    record.lineage ??= this.#view ? this.#view.lineage(holder) : [record.order];
    return record.lineage;
  }

  /** Collects a conflicting entry found while walking the trie for `#self`. */
  readonly #add = (holder: T, node: TrieNode<T>, mode: ClaimMode, hideable: boolean): void => {
    if (holder === this.#self) return;
    this.#found ??= new Map();
    const found = this.#found;
    const list = found.get(holder);
    if (hideable) {
      const entry = { holder, node, mode };
      if (list) list.push(entry);
      else found.set(holder, [entry]);
    } else if (!found.has(holder)) {
      found.set(holder, undefined);
    }
  };

  #relation(lineage: Lineage, other: T): Relation {
    const record = this.#holders.get(other) as HolderRecord<T>;
    const theirs = this.#lineageOf(other, record);
    if (isAncestor(theirs, lineage)) return 'ignore';
    if (compareLineage(theirs, lineage) < 0) return 'after';
    const state = this.#view?.state(other) ?? 'waiting';
    if (state === 'waiting') return 'before';
    return state === 'running' ? 'running' : 'ignore';
  }

  /** Takes `entry` out of the trie; `by` now stands for it. */
  #hide(entry: Entry<T>, by: HolderRecord<T>): void {
    const { holder, node, mode } = entry;
    if (mode === 'write') {
      if (!node.writers?.delete(holder)) return;
      for (let up = node.parent; up; up = up.parent) up.writersBelow--;
    } else if (!node.readers?.delete(holder)) {
      return;
    }
    by.hidden ??= [];
    by.hidden.push(entry);
    prune(node);
  }

  /** Walks to `path`, creating nodes, collecting the conflicting entries of strict ancestors. */
  #walk(path: readonly string[], write: boolean): TrieNode<T> {
    const add = this.#add;
    let node = this.#root;
    for (const segment of path) {
      addAll(node, node.writers, 'write', add, false);
      if (write) addAll(node, node.readers, 'read', add, false);
      let child = node.children.get(segment);
      if (!child) {
        child = createNode(node, segment);
        node.children.set(segment, child);
      }
      node = child;
    }
    return node;
  }
}

function createNode<T>(parent: TrieNode<T> | undefined, segment: string): TrieNode<T> {
  return {
    parent,
    segment,
    children: new Map(),
    writers: undefined,
    readers: undefined,
    writersBelow: 0,
  };
}

type Add<T> = (holder: T, node: TrieNode<T>, mode: ClaimMode, hideable: boolean) => void;

function addAll<T>(
  node: TrieNode<T>,
  holders: Set<T> | undefined,
  mode: ClaimMode,
  add: Add<T>,
  hideable: boolean,
): void {
  if (!holders) return;
  for (const holder of holders) add(holder, node, mode, hideable);
}

/** Every entry at and below `node`: what a write there conflicts with. */
function collectSubtree<T>(node: TrieNode<T>, add: Add<T>) {
  const stack = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    addAll(n, n.writers, 'write', add, true);
    addAll(n, n.readers, 'read', add, true);
    for (const child of n.children.values()) stack.push(child);
  }
}

/** Writers at and below `node`: what a read there conflicts with. */
function collectWriters<T>(node: TrieNode<T>, add: Add<T>) {
  addAll(node, node.writers, 'write', add, false);
  if (node.writersBelow === 0) return;
  const stack = [...node.children.values()];
  for (let n = stack.pop(); n; n = stack.pop()) {
    addAll(n, n.writers, 'write', add, false);
    if (n.writersBelow > 0) for (const child of n.children.values()) stack.push(child);
  }
}

/** True when a hidden entry conflicts with one of a holder's claims. */
function conflictsWith<T>(entry: Entry<T>, claims: readonly ClaimPath[]): boolean {
  const path: string[] = [];
  for (let n: TrieNode<T> | undefined = entry.node; n?.parent; n = n.parent) path.push(n.segment);
  path.reverse();
  const write = entry.mode === 'write';
  return claims.some((claim) => {
    if (!write && !claim.write) return false;
    const shorter = Math.min(path.length, claim.path.length);
    for (let i = 0; i < shorter; i++) if (path[i] !== claim.path[i]) return false;
    return true;
  });
}

/** Drops nodes left empty, from `node` up, so a long-lived scheduler does not grow. */
function prune<T>(node: TrieNode<T>): void {
  let n: TrieNode<T> | undefined = node;
  while (
    n?.parent &&
    !n.writers?.size &&
    !n.readers?.size &&
    n.children.size === 0 &&
    n.parent.children.get(n.segment) === n
  ) {
    n.parent.children.delete(n.segment);
    n = n.parent;
  }
}
