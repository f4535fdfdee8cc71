/**
 * A call's place in the order of nested work: the sequence numbers of the calls it runs under
 * (a subagent's call under its `task` call), then its own. Calls of one turn are ordered by
 * their own numbers; a subagent's calls sit inside their `task` call's place, before every call
 * the model made after that `task`, whenever they arrive. Compared lexicographically.
 */
export type Lineage = readonly number[];

/** True when `ancestor` is a proper prefix of `lineage`: the call runs under it. */
export function isAncestor(ancestor: Lineage, lineage: Lineage): boolean {
  if (ancestor.length >= lineage.length) return false;
  for (let i = 0; i < ancestor.length; i++) if (ancestor[i] !== lineage[i]) return false;
  return true;
}

/**
 * Negative when `a` comes before `b`. An ancestor comes before its descendants, but the
 * scheduler never orders a call against its own ancestors: see `isAncestor`.
 */
export function compareLineage(a: Lineage, b: Lineage): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = (a[i] as number) - (b[i] as number);
    if (d !== 0) return d;
  }
  return a.length - b.length;
}
