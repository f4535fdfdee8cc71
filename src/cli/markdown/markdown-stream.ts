import type { Token } from 'marked';
import { sanitizePlain } from '../../trace/sanitize-text.js';
import { lexMarkdown, type MarkdownLayout, renderTokens } from './render-markdown.js';

/** Longer than this, an unterminated escape sequence is not waited for any more. */
const longestEscape = 512;

/** The start of an escape sequence whose end may be in the next delta. */
const unfinishedEscape = new RegExp(
  [
    '^\\u001b[ -/]*$', // ESC and intermediates, no final byte yet
    '^\\u001b\\[[0-?]*[ -/]*$', // CSI without its final byte
    '^\\u001b\\][^\\u0007\\u001b]*$', // OSC without its terminator
    '^\\u001b[PX^_][^\\u001b]*$', // DCS, SOS, PM, APC without theirs
    '^\\u009b[0-?]*[ -/]*$',
    '^\\u009d[^\\u0007\\u009c]*$',
  ].join('|'),
);

/**
 * The model's answer, streamed, as rendered Markdown rows: `push` each delta as it arrives and
 * print the rows it returns for good (the blocks the delta completed: a paragraph at its blank
 * line, a code block at its closing fence, a list or a table once something else starts);
 * show `pending()` (the block still being written, rendered as it stands) where it can be
 * redrawn; `end()` when the answer is over (or cut off) returns the rest. No row is returned
 * twice, and `end` loses nothing. Each call renders at the layout it is given, so a resize
 * applies from the next block on.
 *
 * The text is sanitized before it is parsed (no escape sequence of the model's reaches the
 * terminal, even one split across deltas); only the renderer's own styles are added.
 */
export class MarkdownStream {
  /** Sanitized text of the blocks not returned yet. */
  #source = '';
  /** The end of the last delta that may be half an escape sequence or a surrogate pair. */
  #carry = '';
  /** Rows were returned for this answer: the next block needs an empty row before it. */
  #started = false;
  #pendingCache: { source: string; width: number; color: boolean; rows: string[] } | undefined;

  /** Nothing is waiting to be shown. */
  get empty(): boolean {
    return this.#source.trim() === '' && this.#carry === '';
  }

  /** Adds a delta; returns the rows of the blocks it completed (often none). */
  push(text: string, layout: MarkdownLayout): string[] {
    const data = this.#carry + text;
    const keep = carryStart(data);
    this.#carry = data.slice(keep);
    const clean = sanitizePlain(data.slice(0, keep));
    this.#source += clean;
    // A block can only end with a line.
    return clean.includes('\n') ? this.#completeBlocks(layout) : [];
  }

  /** The block being written, rendered as it stands (what a live area shows until it is done). */
  pending(layout: MarkdownLayout): string[] {
    if (this.#source.trim() === '') return [];
    const { width, color } = layout;
    const cached = this.#pendingCache;
    if (cached?.source === this.#source && cached.width === width && cached.color === color) {
      return cached.rows;
    }
    const rendered = renderTokens(lexMarkdown(this.#source), layout);
    const rows = this.#started && rendered.length > 0 ? ['', ...rendered] : rendered;
    this.#pendingCache = { source: this.#source, width, color, rows };
    return rows;
  }

  /** The answer is over: the rows of everything not returned yet. The next push starts anew. */
  end(layout: MarkdownLayout): string[] {
    const source = this.#source + sanitizePlain(this.#carry);
    this.#source = '';
    this.#carry = '';
    this.#pendingCache = undefined;
    const rows = source.trim() === '' ? [] : this.#rows(lexMarkdown(source), layout);
    this.#started = false;
    return rows;
  }

  /**
   * Parses the complete lines (a half-written line could still turn out to be anything) and
   * returns the blocks among them that nothing later can change.
   */
  #completeBlocks(layout: MarkdownLayout): string[] {
    const cut = this.#source.lastIndexOf('\n') + 1;
    const lines = this.#source.slice(0, cut);
    const tokens = lexMarkdown(lines);
    const done = tokens.slice(0, finishedCount(tokens));
    if (done.length === 0) return [];
    const raw = done.map((t) => t.raw).join('');
    // The tokens' sources make up the text they came from; if they ever do not, wait for the end.
    if (!lines.startsWith(raw)) return [];
    this.#source = this.#source.slice(raw.length);
    return this.#rows(done, layout);
  }

  #rows(tokens: readonly Token[], layout: MarkdownLayout): string[] {
    const rows = renderTokens(tokens, layout);
    if (rows.length === 0) return [];
    if (this.#started) rows.unshift('');
    this.#started = true;
    return rows;
  }
}

/** Where the part of `data` that must wait for the next delta starts (`data.length`: none). */
function carryStart(data: string): number {
  const sequence = Math.max(
    data.lastIndexOf('\u001b'),
    data.lastIndexOf('\u009b'),
    data.lastIndexOf('\u009d'),
  );
  if (sequence >= 0 && data.length - sequence <= longestEscape) {
    if (unfinishedEscape.test(data.slice(sequence))) return sequence;
  }
  const last = data.charCodeAt(data.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? data.length - 1 : data.length;
}

/**
 * How many of the leading tokens are final. A block is final once another block follows it;
 * the last one sooner when its own end is unmistakable: a heading or rule at its newline, a
 * fenced code block at its closing fence, a paragraph, quote or table at a blank line. A list
 * waits for what follows the blank line (it may go on with another item).
 */
function finishedCount(tokens: readonly Token[]): number {
  let last = -1;
  for (let i = 0; i < tokens.length; i++) if (tokens[i]?.type !== 'space') last = i;
  if (last < 0) return tokens.length;
  const token = tokens[last] as Token;
  const blankAfter = tokens[last + 1]?.type === 'space';
  const ended =
    token.type === 'heading' ||
    token.type === 'hr' ||
    (token.type === 'code' && fenceClosed(token.raw)) ||
    (blankAfter && ['paragraph', 'blockquote', 'table', 'def'].includes(token.type));
  return ended ? tokens.length : last;
}

/** A fenced code block's source ends with its closing fence. */
function fenceClosed(raw: string): boolean {
  const lines = raw.replace(/\n+$/, '').split('\n');
  const open = /^ {0,3}(`{3,}|~{3,})/.exec(lines[0] ?? '')?.[1];
  const close = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(lines[lines.length - 1] ?? '')?.[1];
  return (
    lines.length >= 2 &&
    open !== undefined &&
    close !== undefined &&
    close[0] === open[0] &&
    close.length >= open.length
  );
}
