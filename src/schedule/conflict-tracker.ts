import { type Claim, claimPath } from '../tool/claims.js';

interface TrieNode<T> {
  parent: TrieNode<T> | undefined;
  segment: string;
  children: Map<string, TrieNode<T>>;
  /** The latest write on exactly this key. Earlier entries here and below it were absorbed. */
  writer: T | undefined;
  /** Reads on exactly this key since the writer. */
  readers: Set<T>;
  /** Writer entries strictly below this node: lets a read skip subtrees with nothing to wait for. */
  writersBelow: number;
  /** Cut off by a write above it: its entries no longer count. */
  detached: boolean;
}

// Pure calls take a read on a key no tool can name, so only exclusive calls (writes on the root)
// conflict with them.
const purePath = ['\u0000pure'];
const none: readonly unknown[] = Object.freeze([]);

/**
 * Finds, for each new holder of claims, the earlier unsettled holders it conflicts with.
 *
 * Claims live in a trie of key paths. A write absorbs every entry at and below its key: any later
 * claim that overlaps one of them overlaps the write too, and waits for it, and the write already
 * waits for them. So each entry is visited about once, and a turn's conflict detection stays
 * near-linear in the number of calls instead of comparing every pair. Exclusive holders are
 * writes on the root.
 */
export class ConflictTracker<T> {
  #root: TrieNode<T> = createNode(undefined, '');
  #entries = new Map<T, TrieNode<T>[]>();
  /** Reused by every `acquire`: most calls conflict with nothing and allocate no set. */
  #scratch = new Set<T>();

  /**
   * Registers `holder`'s claims (`null`: exclusive) and returns the unsettled earlier holders it
   * must wait for. Call `release` when the holder settles.
   */
  acquire(holder: T, claims: readonly Claim[] | null): readonly T[] {
    const waitFor = this.#scratch;
    const nodes: TrieNode<T>[] = [];
    if (claims === null) {
      this.#write(holder, [], waitFor, nodes);
    } else if (claims.length === 0) {
      this.#read(holder, purePath, waitFor, nodes);
    } else {
      // Writes first: a write absorbs the holder's own reads below it.
      for (const claim of claims) {
        if (claim.mode === 'write') this.#write(holder, claimPath(claim.key), waitFor, nodes);
      }
      for (const claim of claims) {
        if (claim.mode === 'read') this.#read(holder, claimPath(claim.key), waitFor, nodes);
      }
    }
    waitFor.delete(holder);
    this.#entries.set(holder, nodes);
    if (waitFor.size === 0) return none as readonly T[];
    const found = [...waitFor];
    waitFor.clear();
    return found;
  }

  /** Removes every entry of `holder`. Safe to call twice. */
  release(holder: T): void {
    const nodes = this.#entries.get(holder);
    if (!nodes) return;
    this.#entries.delete(holder);
    for (const node of nodes) {
      if (node.detached) continue;
      if (node.writer === holder) {
        node.writer = undefined;
        for (let up = node.parent; up; up = up.parent) up.writersBelow--;
      }
      node.readers.delete(holder);
      prune(node);
    }
  }

  /** Holders currently registered (for tests and diagnostics). */
  get size(): number {
    return this.#entries.size;
  }

  #write(holder: T, path: readonly string[], waitFor: Set<T>, nodes: TrieNode<T>[]): void {
    const node = this.#walk(path, waitFor, true);
    absorbSubtree(node, waitFor);
    // Absorb everything at and below: the new write now stands for all of it.
    if (node.writer !== undefined) {
      for (let up = node.parent; up; up = up.parent) up.writersBelow--;
    }
    const below = node.writersBelow;
    if (below > 0) for (let up = node.parent; up; up = up.parent) up.writersBelow -= below;
    node.children.clear();
    node.writersBelow = 0;
    node.readers.clear();
    node.writer = holder;
    for (let up = node.parent; up; up = up.parent) up.writersBelow++;
    nodes.push(node);
  }

  #read(holder: T, path: readonly string[], waitFor: Set<T>, nodes: TrieNode<T>[]): void {
    const node = this.#walk(path, waitFor, false);
    if (node.writer !== undefined) waitFor.add(node.writer);
    if (node.writersBelow > 0) collectWritersBelow(node, waitFor);
    node.readers.add(holder);
    nodes.push(node);
  }

  /** Walks to `path`, creating nodes, collecting the conflicting entries of strict ancestors. */
  #walk(path: readonly string[], waitFor: Set<T>, isWrite: boolean): TrieNode<T> {
    let node = this.#root;
    for (const segment of path) {
      if (node.writer !== undefined) waitFor.add(node.writer);
      if (isWrite) for (const reader of node.readers) waitFor.add(reader);
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
    writer: undefined,
    readers: new Set(),
    writersBelow: 0,
    detached: false,
  };
}

/** Collects every entry at and below `node` and detaches the nodes below it. */
function absorbSubtree<T>(node: TrieNode<T>, into: Set<T>): void {
  const stack = [node];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n !== node) n.detached = true;
    if (n.writer !== undefined) into.add(n.writer);
    for (const reader of n.readers) into.add(reader);
    for (const child of n.children.values()) stack.push(child);
  }
}

function collectWritersBelow<T>(node: TrieNode<T>, into: Set<T>): void {
  const stack = [...node.children.values()];
  for (let n = stack.pop(); n; n = stack.pop()) {
    if (n.writer !== undefined) into.add(n.writer);
    if (n.writersBelow > 0) for (const child of n.children.values()) stack.push(child);
  }
}

/** Drops nodes left empty, from `node` up, so a long-lived scheduler does not grow. */
function prune<T>(node: TrieNode<T>): void {
  let n: TrieNode<T> | undefined = node;
  while (n?.parent && n.writer === undefined && n.readers.size === 0 && n.children.size === 0) {
    n.parent.children.delete(n.segment);
    n = n.parent;
  }
}
