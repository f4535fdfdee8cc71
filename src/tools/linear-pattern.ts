/** Longer patterns are not taken for {@link isLinearPattern}: its cost grows with the length. */
const maxLinearLength = 100;

/**
 * True for a regular expression that cannot backtrack: only characters, escapes, classes
 * (`[a-z]`), `.`, anchors (`^ $ \b`) and `|` between plain alternatives, and at most 100
 * characters; no quantifier, group, lookaround or backreference. Matching one takes at most one
 * try of each alternative at each position of the text, so it can run on the main thread: it
 * cannot run away. Any doubt answers false (a `{` anywhere, an unfinished class or escape).
 */
export function isLinearPattern(pattern: string): boolean {
  if (pattern.length > maxLinearLength) return false;
  let inClass = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const next = pattern[i + 1];
      // `\1`, `\k<name>`: backreferences, which can make matching exponential.
      if (next === undefined || (!inClass && /[1-9k]/.test(next))) return false;
      i++; // the escaped character; a longer escape (`\x41`, `\u00e9`) goes on with plain ones
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if ('()*+?{}'.includes(c)) return false;
  }
  return !inClass;
}
