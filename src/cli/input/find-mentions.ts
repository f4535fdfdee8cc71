/** An `@path` in a prompt. */
export interface Mention {
  /** Where the `@` is. */
  start: number;
  /** Just after the mention (after the closing quote of a quoted one). */
  end: number;
  /** As typed, `@` included: how the user is told about it. */
  raw: string;
  /** The path, unquoted, `\ ` read as a space. */
  path: string;
  /**
   * Readings to try, longest first: the path, then without the punctuation that may just end the
   * sentence (`see @src/a.ts.` means `src/a.ts`).
   */
  candidates: string[];
  quoted: boolean;
}

/** What may stand before an `@` that starts a mention (an email's `@` follows a letter). */
const startsWord = /[\s([{<]/u;
/** Punctuation that ends a sentence or a parenthesis more often than it ends a file name. */
const trailing = /[.,;:!?)\]}>'"]$/u;

/**
 * The `@path` mentions of `text`: an `@` at the start of a word (not in an email address),
 * followed by a path (`@src/a.ts`, `@"my file.md"`, `@my\ file.md`). Mentions inside code (fenced
 * blocks, `inline code`) do not count: code is full of decorators and `@` signs. Whether the path
 * exists is for the caller to find out.
 */
export function findMentions(text: string): Mention[] {
  const mentions: Mention[] = [];
  let fence: string | undefined;
  let lineStart = 0;
  while (lineStart <= text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline < 0 ? text.length : newline;
    const line = text.slice(lineStart, lineEnd);
    const fenceMark = /^\s*(```|~~~)/u.exec(line)?.[1];
    if (fence !== undefined) {
      if (fenceMark === fence) fence = undefined;
    } else if (fenceMark !== undefined) {
      fence = fenceMark;
    } else {
      findInLine(text, lineStart, lineEnd, mentions);
    }
    if (newline < 0) break;
    lineStart = newline + 1;
  }
  return mentions;
}

function findInLine(text: string, from: number, to: number, out: Mention[]): void {
  /** Backticks that opened the inline code span we are in. */
  let ticks = 0;
  let i = from;
  while (i < to) {
    const char = text[i] as string;
    if (char === '`') {
      let run = 0;
      while (text[i + run] === '`') run++;
      if (ticks === 0) ticks = run;
      else if (run === ticks) ticks = 0;
      i += run;
      continue;
    }
    if (char === '@' && ticks === 0 && (i === from || startsWord.test(text[i - 1] as string))) {
      const mention = readMention(text, i, to);
      if (mention) {
        out.push(mention);
        i = mention.end;
        continue;
      }
    }
    i++;
  }
}

function readMention(text: string, at: number, lineEnd: number): Mention | undefined {
  if (text[at + 1] === '"') {
    const close = text.indexOf('"', at + 2);
    if (close < 0 || close > lineEnd) return undefined;
    const path = text.slice(at + 2, close);
    if (path.trim() === '') return undefined;
    return {
      start: at,
      end: close + 1,
      raw: text.slice(at, close + 1),
      path,
      candidates: [path],
      quoted: true,
    };
  }
  let path = '';
  let i = at + 1;
  while (i < lineEnd) {
    const char = text[i] as string;
    if (char === '\\' && text[i + 1] === ' ') {
      path += ' ';
      i += 2;
      continue;
    }
    if (/\s/u.test(char) || char === '`') break;
    path += char;
    i++;
  }
  if (path === '' || path === '@') return undefined;
  const candidates = [path];
  let shorter = path;
  while (trailing.test(shorter) && shorter.length > 1) {
    shorter = shorter.slice(0, -1);
    candidates.push(shorter);
  }
  return { start: at, end: i, raw: text.slice(at, i), path, candidates, quoted: false };
}
