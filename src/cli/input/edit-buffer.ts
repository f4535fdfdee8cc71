import { displayUnit, type PastedBlock, type Unit, unitText } from './display-unit.js';

const segmenter = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

/** `text` as graphemes: one cursor step each, so a flag or an accented letter is never split. */
export function graphemes(text: string): string[] {
  const out: string[] = [];
  for (const { segment } of segmenter.segment(text)) {
    // CR LF is one grapheme; the buffer only knows `\n`.
    out.push(segment === '\r\n' ? '\n' : segment);
  }
  return out;
}

/** Text in the making, handed from one editor to another with its collapsed pastes intact. */
export interface Draft {
  readonly units: readonly Unit[];
  /** The units' text, pastes in full. */
  readonly text: string;
}

/** When a paste is shown as a label rather than its lines. */
export interface CollapsePastes {
  /** @default 4 */
  minLines: number;
  /** @default 1000 */
  minChars: number;
}

export const defaultCollapse: CollapsePastes = { minLines: 4, minChars: 1000 };

/** `[pasted 12 lines]`, `[pasted 1,234 chars]`. */
export function pasteLabel(text: string): string {
  const lines = text.split('\n').length;
  return lines > 1
    ? `[pasted ${lines.toLocaleString('en-US')} lines]`
    : `[pasted ${text.length.toLocaleString('en-US')} chars]`;
}

const wordChar = /^[\p{L}\p{N}_]/u;

function isWord(unit: Unit | undefined): boolean {
  return unit !== undefined && (typeof unit !== 'string' || wordChar.test(unit));
}

function isSpace(unit: Unit | undefined): boolean {
  return typeof unit === 'string' && /^\s+$/u.test(unit);
}

/**
 * The text being edited and the cursor in it, as units (graphemes, `\n`, collapsed pastes).
 * Every edit is one method; `text` is what gets sent, pastes in full.
 */
export class EditBuffer {
  #units: Unit[];
  #cursor: number;

  constructor(units: readonly Unit[] = [], cursor = units.length) {
    this.#units = [...units];
    this.#cursor = Math.max(0, Math.min(cursor, units.length));
  }

  static of(text: string): EditBuffer {
    return new EditBuffer(graphemes(text));
  }

  get units(): readonly Unit[] {
    return this.#units;
  }

  get cursor(): number {
    return this.#cursor;
  }

  /** Everything typed and pasted, pastes in full. */
  get text(): string {
    return this.#units.map(unitText).join('');
  }

  get isEmpty(): boolean {
    return this.#units.length === 0;
  }

  /** The text and its units as they are now. */
  get draft(): Draft {
    return { units: [...this.#units], text: this.text };
  }

  clone(): EditBuffer {
    return new EditBuffer(this.#units, this.#cursor);
  }

  /** Replaces everything; the cursor goes to `cursor` (the end by default). */
  set(units: readonly Unit[], cursor = units.length): void {
    this.#units = [...units];
    this.#cursor = Math.max(0, Math.min(cursor, units.length));
  }

  clear(): void {
    this.set([]);
  }

  /** Typed text at the cursor. */
  insert(text: string): void {
    this.#insertUnits(graphemes(text));
  }

  /** A paste at the cursor: as its lines, or as one label when it is long. */
  insertPaste(text: string, collapse: CollapsePastes = defaultCollapse): void {
    if (text === '') return;
    const lines = text.split('\n').length;
    if (lines >= collapse.minLines || text.length >= collapse.minChars) {
      const block: PastedBlock = { pasted: text, label: pasteLabel(text) };
      this.#insertUnits([block]);
    } else {
      this.insert(text);
    }
  }

  #insertUnits(units: readonly Unit[]): void {
    this.#units.splice(this.#cursor, 0, ...units);
    this.#cursor += units.length;
  }

  /** Deletes `[from, to)` and leaves the cursor at `from`. Returns whether anything went. */
  #delete(start: number, end: number): boolean {
    const from = Math.max(0, start);
    const to = Math.min(end, this.#units.length);
    if (to <= from) return false;
    this.#units.splice(from, to - from);
    this.#cursor = from;
    return true;
  }

  backspace(): boolean {
    return this.#delete(this.#cursor - 1, this.#cursor);
  }

  deleteForward(): boolean {
    return this.#delete(this.#cursor, this.#cursor + 1);
  }

  left(): void {
    this.#cursor = Math.max(0, this.#cursor - 1);
  }

  right(): void {
    this.#cursor = Math.min(this.#units.length, this.#cursor + 1);
  }

  /** Where the line holding the cursor starts. */
  #lineStart(at = this.#cursor): number {
    let i = at;
    while (i > 0 && this.#units[i - 1] !== '\n') i--;
    return i;
  }

  #lineEnd(at = this.#cursor): number {
    let i = at;
    while (i < this.#units.length && this.#units[i] !== '\n') i++;
    return i;
  }

  lineStart(): void {
    this.#cursor = this.#lineStart();
  }

  lineEnd(): void {
    this.#cursor = this.#lineEnd();
  }

  get onFirstLine(): boolean {
    return this.#lineStart() === 0;
  }

  get onLastLine(): boolean {
    return this.#lineEnd() === this.#units.length;
  }

  /** Columns from the start of the line to `at`. */
  #column(at: number): number {
    let width = 0;
    for (let i = this.#lineStart(at); i < at; i++)
      width += displayUnit(this.#units[i] as Unit).width;
    return width;
  }

  /** The place in the line starting at `start` closest to `column`, not past it. */
  #atColumn(start: number, column: number): number {
    let i = start;
    let width = 0;
    while (i < this.#units.length && this.#units[i] !== '\n') {
      const w = displayUnit(this.#units[i] as Unit).width;
      if (width + w > column) break;
      width += w;
      i++;
    }
    return i;
  }

  /** To the line above, same column. False on the first line. */
  lineUp(): boolean {
    const start = this.#lineStart();
    if (start === 0) return false;
    const column = this.#column(this.#cursor);
    this.#cursor = this.#atColumn(this.#lineStart(start - 1), column);
    return true;
  }

  /** To the line below, same column. False on the last line. */
  lineDown(): boolean {
    const end = this.#lineEnd();
    if (end === this.#units.length) return false;
    const column = this.#column(this.#cursor);
    this.#cursor = this.#atColumn(end + 1, column);
    return true;
  }

  #wordStartBefore(at: number): number {
    let i = at;
    while (i > 0 && !isWord(this.#units[i - 1])) i--;
    while (i > 0 && isWord(this.#units[i - 1])) i--;
    return i;
  }

  #wordEndAfter(at: number): number {
    let i = at;
    while (i < this.#units.length && !isWord(this.#units[i])) i++;
    while (i < this.#units.length && isWord(this.#units[i])) i++;
    return i;
  }

  wordLeft(): void {
    this.#cursor = this.#wordStartBefore(this.#cursor);
  }

  wordRight(): void {
    this.#cursor = this.#wordEndAfter(this.#cursor);
  }

  /** Ctrl-U: the line before the cursor; at a line's start, the line break before it. */
  killLineBefore(): boolean {
    const start = this.#lineStart();
    return this.#delete(start === this.#cursor ? start - 1 : start, this.#cursor);
  }

  /** Ctrl-K: the line after the cursor; at a line's end, the line break after it. */
  killLineAfter(): boolean {
    const end = this.#lineEnd();
    return this.#delete(this.#cursor, end === this.#cursor ? end + 1 : end);
  }

  /** Ctrl-W: back over spaces, then back to the previous space (as shells do). */
  killWordBefore(): boolean {
    let i = this.#cursor;
    while (i > 0 && isSpace(this.#units[i - 1])) i--;
    while (i > 0 && !isSpace(this.#units[i - 1])) i--;
    return this.#delete(i, this.#cursor);
  }

  /** Alt-Backspace: back to the start of the previous word. */
  deleteWordBefore(): boolean {
    return this.#delete(this.#wordStartBefore(this.#cursor), this.#cursor);
  }

  /** Alt-D: forward to the end of the next word. */
  deleteWordAfter(): boolean {
    const end = this.#wordEndAfter(this.#cursor);
    const from = this.#cursor;
    const deleted = this.#delete(from, end);
    this.#cursor = from;
    return deleted;
  }

  /** The unit just before the cursor. */
  get beforeCursor(): Unit | undefined {
    return this.#units[this.#cursor - 1];
  }

  get atEnd(): boolean {
    return this.#cursor === this.#units.length;
  }
}
