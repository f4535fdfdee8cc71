import { charWidth } from './text-width.js';

/**
 * Text a person must read exactly (the input of a call they are asked to approve): nothing in it
 * may be invisible, drive the terminal, or reorder what is drawn. Where `sanitize-text.ts` drops
 * such characters, these helpers show each one as an escape.
 */

/**
 * Characters that draw nothing, or change how the text around them is drawn or read: controls
 * (C0, DEL, C1), format characters (zero-width spaces and joiners, bidi marks, embeddings,
 * overrides and isolates, the soft hyphen, the byte order mark, tags), line and paragraph
 * separators, spaces other than U+0020, private-use, unassigned and lone surrogate code points,
 * and the fillers and marks that render blank.
 */
const hiddenClasses = /^(?:[\p{Cc}\p{Cf}\p{Co}\p{Cn}\p{Cs}\p{Zl}\p{Zp}]|(?! )\p{Zs})$/u;
/** Letters, marks and symbols that render blank. */
const blank = new Set([
  0x034f, 0x115f, 0x1160, 0x17b4, 0x17b5, 0x180b, 0x180c, 0x180d, 0x180f, 0x2800, 0x3164, 0xffa0,
]);

function isHidden(char: string): boolean {
  const cp = char.codePointAt(0) as number;
  // Printable ASCII, most of any input, without a look at Unicode's tables.
  if (cp >= 0x20 && cp < 0x7f) return false;
  return hiddenClasses.test(char) || blank.has(cp);
}

const named: Readonly<Record<string, string>> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

/** One character as shown, and the columns it takes. */
export interface VisibleToken {
  text: string;
  width: number;
  /** An escape standing for a hidden character (`\n`, `\x1b`, `\u200b`). */
  escaped: boolean;
}

function hex(n: number, digits: number): string {
  return n.toString(16).padStart(digits, '0');
}

/** `\n`, `\t`, `\r`; `\x1b` up to U+00FF; `\u200b`; `\u{e0041}` past U+FFFF. */
function escapeOf(char: string): string {
  const cp = char.codePointAt(0) as number;
  return (
    named[char] ??
    (cp <= 0xff ? `\\x${hex(cp, 2)}` : cp <= 0xffff ? `\\u${hex(cp, 4)}` : `\\u{${hex(cp, 1)}}`)
  );
}

/** As JSON writes it: `\uXXXX` for each UTF-16 unit, so the result stays valid JSON. */
function jsonEscapeOf(char: string): string {
  let out = '';
  for (let i = 0; i < char.length; i++) out += `\\u${hex(char.charCodeAt(i), 4)}`;
  return out;
}

/** Spaces in a row from which they are shown counted, so padding cannot push text out of sight. */
export const spaceRun = 8;

/**
 * `text` as tokens: each character as itself, or as an escape when it is hidden; a run of
 * `spaceRun` or more spaces as one token that says how many (`⟨3200 spaces⟩`), so a command
 * padded to scroll its tail off the screen shows the tail next to its head.
 */
export function visibleTokens(text: string): VisibleToken[] {
  const tokens: VisibleToken[] = [];
  let spaces = 0;
  const flushSpaces = () => {
    if (spaces >= spaceRun) {
      const shown = `⟨${spaces} spaces⟩`;
      tokens.push({ text: shown, width: shown.length, escaped: true });
    } else {
      for (let i = 0; i < spaces; i++) tokens.push({ text: ' ', width: 1, escaped: false });
    }
    spaces = 0;
  };
  for (const char of text) {
    if (char === ' ') {
      spaces++;
      continue;
    }
    flushSpaces();
    if (isHidden(char)) {
      const shown = escapeOf(char);
      tokens.push({ text: shown, width: shown.length, escaped: true });
    } else {
      // An emoji presentation selector widens the character before it, as `fitLine` counts it.
      const width = charWidth(char.codePointAt(0) as number) + (char === '\ufe0f' ? 1 : 0);
      tokens.push({ text: char, width, escaped: false });
    }
  }
  flushSpaces();
  return tokens;
}

/**
 * `text` with every hidden character written as an escape (`json`: as JSON escapes `\u200b`,
 * for text that is JSON already).
 */
export function visibleText(text: string, options: { json?: boolean } = {}): string {
  let out = '';
  for (const char of text) {
    out += isHidden(char) ? (options.json ? jsonEscapeOf(char) : escapeOf(char)) : char;
  }
  return out;
}

/**
 * Cuts tokens into rows, never inside a token: row `i` takes at most `width(i)` columns (a token
 * wider than that alone on its row). Nothing is dropped; no tokens, no rows.
 */
export function wrapTokens(
  tokens: readonly VisibleToken[],
  width: (row: number) => number,
): VisibleToken[][] {
  const rows: VisibleToken[][] = [];
  let row: VisibleToken[] = [];
  let used = 0;
  for (const token of tokens) {
    if (row.length > 0 && used + token.width > width(rows.length)) {
      rows.push(row);
      row = [];
      used = 0;
    }
    row.push(token);
    used += token.width;
  }
  if (row.length > 0) rows.push(row);
  return rows;
}
