/**
 * The candidate a mistyped `name` most likely meant, or `undefined`. Case, `-` and `_` are
 * ignored; a candidate matches when it is a few edits away (`maxConcurency`, `max_concurrency`)
 * or, failing that, when it is the only one containing the name or contained in it (`timeout`
 * for `toolTimeoutMs`, `systemPrompt` for `system`).
 */
export function closestName(name: string, candidates: readonly string[]): string | undefined {
  const wanted = normalize(name);
  if (wanted === '') return undefined;
  const limit = Math.max(2, Math.floor(wanted.length / 3));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(wanted, normalize(candidate));
    if (distance <= limit && distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  if (best !== undefined) return best;
  if (wanted.length < 3) return undefined;
  const containing = candidates.filter((candidate) => {
    const other = normalize(candidate);
    return other.includes(wanted) || (other.length >= 3 && wanted.includes(other));
  });
  return containing.length === 1 ? containing[0] : undefined;
}

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_]/g, '');
}

/** Edits (insert, delete, substitute, swap two neighbours) turning `a` into `b`. */
export function editDistance(a: string, b: string): number {
  // rows[i][j]: distance between a's first i and b's first j characters; three rows suffice.
  let before = new Array<number>(b.length + 1).fill(0);
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(
        (previous[j] ?? 0) + 1,
        (current[j - 1] ?? 0) + 1,
        (previous[j - 1] ?? 0) + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, (before[j - 2] ?? 0) + 1);
      }
      current[j] = value;
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}
