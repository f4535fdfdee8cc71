import { ToolError } from './tool-error.js';

/** A line of grep's output: a match, a context line, or a gap between groups. */
export type GrepLine = { n: number; text: string; match: boolean } | { gap: true };

/** The matching lines of one file, with their context. */
export interface FileMatches {
  /** Matching lines found (at most the `limit` asked for). */
  matches: number;
  /** True when the file has more matching lines than `limit`. */
  truncated: boolean;
  lines: GrepLine[];
}

/** A compiled grep pattern. */
export interface LineMatcher {
  /** Tested against each line, without its line break. */
  line: RegExp;
  /**
   * A quick test over a whole file (multiline), to skip files without a match before splitting
   * them into lines. Only made when it cannot miss a line the per-line test would match: not for
   * patterns with `$` (CRLF lines end before `\r`) or lookarounds (which see across lines).
   */
  whole: RegExp | undefined;
}

/**
 * Compiles a grep pattern (JavaScript syntax).
 * @throws {ToolError} `invalid-pattern`, saying what is wrong and how to escape.
 */
export function createMatcher(pattern: string, ignoreCase: boolean): LineMatcher {
  const flags = ignoreCase ? 'i' : '';
  let line: RegExp;
  try {
    line = new RegExp(pattern, flags);
  } catch (error) {
    const why =
      error instanceof Error ? error.message.replace(/^Invalid regular expression: /, '') : '';
    throw new ToolError(
      'invalid-pattern',
      `Invalid regular expression \`${pattern}\`: ${why}. Patterns are JavaScript regular expressions: escape ( ) [ ] { } . * + ? | with a backslash to match them literally.`,
    );
  }
  const whole = /\$|\(\?<?[=!]/.test(pattern) ? undefined : new RegExp(pattern, `${flags}m`);
  return { line, whole };
}

/** Options of {@link matchLines}. */
export interface MatchLinesOptions {
  text: string;
  matcher: LineMatcher;
  /** Lines shown before and after each match. @default 0 */
  context?: number;
  /** Stop after this many matching lines. @default Infinity */
  limit?: number;
}

const none: FileMatches = { matches: 0, truncated: false, lines: [] };

/**
 * The lines of `text` that `regex` matches, with context, in grep's grouping: overlapping or
 * touching context ranges merge, and a gap separates the rest.
 */
export function matchLines(options: MatchLinesOptions): FileMatches {
  const { text, matcher, context = 0, limit = Infinity } = options;
  if (matcher.whole && !matcher.whole.test(text)) return none;
  const regex = matcher.line;
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const hits: number[] = [];
  let truncated = false;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (!regex.test(line)) continue;
    if (hits.length === limit) {
      truncated = true;
      break;
    }
    hits.push(i);
  }
  if (hits.length === 0) return none;
  const out: GrepLine[] = [];
  const isHit = new Set(hits);
  let shownUpTo = -1;
  for (const hit of hits) {
    const from = Math.max(0, hit - context);
    const to = Math.min(lines.length - 1, hit + context);
    if (context > 0 && shownUpTo >= 0 && from > shownUpTo + 1) out.push({ gap: true });
    for (let i = Math.max(from, shownUpTo + 1); i <= to; i++) {
      out.push({ n: i + 1, text: (lines[i] as string).replace(/\r$/, ''), match: isHit.has(i) });
    }
    shownUpTo = Math.max(shownUpTo, to);
  }
  return { matches: hits.length, truncated, lines: out };
}

/** Longer lines are cut in grep's output. */
const maxShownLength = 500;

/** Options of {@link renderMatches}. */
export interface RenderMatchesOptions {
  results: readonly { path: string; file: FileMatches }[];
  /** Whether context lines were asked for: groups of different files are then separated. */
  context: number;
}

/** `path:n:text` for matches, `path-n-text` for context, `--` between groups. */
export function renderMatches(options: RenderMatchesOptions): string[] {
  const { results, context } = options;
  const out: string[] = [];
  for (const { path, file } of results) {
    if (context > 0 && out.length > 0) out.push('--');
    for (const line of file.lines) {
      if ('gap' in line) {
        out.push('--');
        continue;
      }
      const text =
        line.text.length > maxShownLength
          ? `${line.text.slice(0, maxShownLength)}… [${line.text.length - maxShownLength} more characters]`
          : line.text;
      out.push(`${path}${line.match ? ':' : '-'}${line.n}${line.match ? ':' : '-'}${text}`);
    }
  }
  return out;
}
