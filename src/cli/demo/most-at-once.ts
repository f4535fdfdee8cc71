/**
 * The most spans open at the same moment. Spans with an unknown start or end are left out; a
 * span ending when another starts does not overlap it.
 */
export function mostAtOnce(
  spans: Iterable<readonly [number | undefined, number | undefined]>,
): number {
  const edges: [number, number][] = [];
  for (const [start, end] of spans) {
    if (start === undefined || end === undefined) continue;
    edges.push([start, 1], [end, -1]);
  }
  edges.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, step] of edges) {
    open += step;
    most = Math.max(most, open);
  }
  return most;
}
