/** Character bigrams of a string, with their counts. */
type Profile = Map<string, number>;

function profile(text: string): Profile {
  const bigrams: Profile = new Map();
  for (let i = 0; i < text.length - 1; i++) {
    const bigram = text.slice(i, i + 2);
    bigrams.set(bigram, (bigrams.get(bigram) ?? 0) + 1);
  }
  return bigrams;
}

function size(p: Profile): number {
  let n = 0;
  for (const count of p.values()) n += count;
  return n;
}

function dice(a: Profile, sizeA: number, b: Profile, sizeB: number): number {
  if (sizeA === 0 || sizeB === 0) return sizeA === sizeB ? 1 : 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const [bigram, count] of small) shared += Math.min(count, large.get(bigram) ?? 0);
  return (2 * shared) / (sizeA + sizeB);
}

/** A line as compared: whitespace runs count as one space, and the ends are trimmed. */
function normalize(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

/**
 * How alike two strings are, from 0 to 1: the Dice coefficient of their character bigrams (two
 * empty strings are alike). Cheap: linear in the lengths.
 */
export function similarity(a: string, b: string): number {
  const pa = profile(a);
  const pb = profile(b);
  return a === b ? 1 : dice(pa, size(pa), pb, size(pb));
}

/** Options of {@link nearestMatch}. */
export interface NearestMatchOptions {
  /** The text searched, e.g. a file's content. */
  text: string;
  /** What was looked for and not found. */
  needle: string;
  /** Below this score nothing is reported. @default 0.5 */
  minScore?: number;
}

/** The stretch of lines most like the needle. */
export interface NearestMatch {
  /** First line, 1-based. */
  startLine: number;
  /** Last line, 1-based, inclusive. */
  endLine: number;
  /** Mean line similarity, 0 to 1 (whitespace differences do not count). */
  score: number;
  /** The lines, as they are in the text. */
  lines: string[];
}

/** Needle lines used to find candidate positions: the most distinctive (longest) ones. */
const anchorLines = 8;
/** Candidate positions kept per anchor line. */
const candidatesPerAnchor = 3;

/**
 * Finds the lines of `text` most like `needle`, line by line: the window of as many lines as the
 * needle has, whose lines are on average most similar to the needle's (whitespace ignored).
 * Candidate windows come from the best matches of a few distinctive needle lines, so the cost is
 * about `8 x lines of text` comparisons, whatever the needle's length.
 */
export function nearestMatch(options: NearestMatchOptions): NearestMatch | undefined {
  const { text, needle, minScore = 0.5 } = options;
  const raw = text.split('\n').map((line) => line.replace(/\r$/, ''));
  const wanted = needle
    .replace(/\r\n/g, '\n')
    .replace(/^\n+|\n+$/g, '')
    .split('\n');
  if (raw.length === 0 || wanted.length === 0) return undefined;
  const lineProfiles: (readonly [Profile, number] | undefined)[] = new Array(raw.length);
  const lineProfile = (i: number) => {
    let p = lineProfiles[i];
    if (p === undefined) {
      const prof = profile(normalize(raw[i] as string));
      p = [prof, size(prof)] as const;
      lineProfiles[i] = p;
    }
    return p;
  };
  const wantedProfiles = wanted.map((line) => {
    const prof = profile(normalize(line));
    return [prof, size(prof)] as const;
  });
  const lineScore = (i: number, j: number) => {
    const [pa, sa] = lineProfile(i);
    const [pb, sb] = wantedProfiles[j] as readonly [Profile, number];
    return dice(pa, sa, pb, sb);
  };

  const k = Math.min(wanted.length, raw.length);
  const lastStart = raw.length - k;
  const anchors = wanted
    .map((line, j) => ({ j, length: normalize(line).length }))
    .sort((a, b) => b.length - a.length)
    .slice(0, anchorLines);
  const starts = new Set<number>();
  for (const { j } of anchors) {
    const best: { i: number; score: number }[] = [];
    for (let i = 0; i < raw.length; i++) {
      const score = lineScore(i, j);
      if (best.length < candidatesPerAnchor || score > (best.at(-1)?.score ?? 0)) {
        best.push({ i, score });
        best.sort((a, b) => b.score - a.score);
        if (best.length > candidatesPerAnchor) best.pop();
      }
    }
    for (const { i } of best) starts.add(Math.max(0, Math.min(lastStart, i - j)));
  }

  let found: { start: number; score: number } | undefined;
  for (const start of [...starts].sort((a, b) => a - b)) {
    let total = 0;
    for (let t = 0; t < k; t++) total += lineScore(start + t, t);
    // Lines of the needle beyond the end of the text count as misses.
    const score = total / wanted.length;
    if (found === undefined || score > found.score) found = { start, score };
  }
  if (found === undefined || found.score < minScore) return undefined;
  return {
    startLine: found.start + 1,
    endLine: found.start + k,
    score: found.score,
    lines: raw.slice(found.start, found.start + k),
  };
}
