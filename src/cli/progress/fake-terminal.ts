// A tiny terminal for tests: enough of VT100 to check what a LiveView leaves on the screen.
import { SgrAttributes } from './sgr-attributes.js';
import { charWidth } from './text-width.js';

/**
 * Interprets what is written to it like a terminal with `columns` and `rows`: printable text
 * (wide characters take two columns, a line longer than the width wraps), `\n` (as a tty with
 * onlcr: next line, column 0), `\r`, cursor up (`ESC[nA`, never above the visible screen),
 * clear to end of screen (`ESC[J`), cursor show/hide; colors count only for `seen` (text drawn
 * concealed or in its background's colour cannot be seen). Any other escape sequence is recorded
 * in `unexpected`.
 */
export class FakeTerminal {
  columns: number;
  rows: number;
  /** Every line ever written, scrollback included. */
  lines: string[] = [''];
  row = 0;
  col = 0;
  cursorVisible = true;
  /** Times a line was wider than the terminal and wrapped. */
  wraps = 0;
  unexpected: string[] = [];
  writes: string[] = [];
  readonly #attributes = new SgrAttributes();
  /** Per line, the columns whose character was drawn hidden. */
  #hidden: Set<number>[] = [new Set()];

  constructor(columns = 80, rows = 24) {
    this.columns = columns;
    this.rows = rows;
  }

  write(s: string): boolean {
    this.writes.push(s);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing escapes is the point
    const tokens = s.match(/\u001b\[[?0-9;:]*[ -/]*[@-~]|\u001b.?|[\s\S]/gu) ?? [];
    for (const token of tokens) this.#token(token);
    return true;
  }

  /** What the screen shows: its last `rows` lines, trailing blank lines left out. */
  get screen(): string[] {
    const visible = this.lines.slice(Math.max(0, this.lines.length - this.rows));
    while (visible.length > 0 && visible[visible.length - 1] === '') visible.pop();
    return visible;
  }

  /** `screen` as a person sees it: characters drawn hidden (SGR 8, black on black) are spaces. */
  get seen(): string[] {
    const first = Math.max(0, this.lines.length - this.rows);
    return this.screen.map((line, i) => {
      const hidden = this.#hidden[first + i];
      return [...line].map((char, col) => (hidden?.has(col) ? ' ' : char)).join('');
    });
  }

  #token(token: string): void {
    if (token === '\n') {
      this.#newline();
      return;
    }
    if (token === '\r') {
      this.col = 0;
      return;
    }
    if (token.startsWith('\u001b')) {
      this.#escape(token);
      return;
    }
    const w = charWidth(token.codePointAt(0) as number);
    if (this.col + w > this.columns) {
      this.wraps++;
      this.#newline();
    }
    const line = this.lines[this.row] as string;
    const chars = [...line];
    // Columns are tracked by characters here: tests use narrow text past any wide character.
    while (chars.length < this.col) chars.push(' ');
    chars.splice(this.col, 1, token);
    this.lines[this.row] = chars.join('');
    const hidden = this.#hiddenAt(this.row);
    if (this.#attributes.hidden) hidden.add(this.col);
    else hidden.delete(this.col);
    this.col += Math.max(w, 1);
  }

  #newline(): void {
    this.row++;
    this.col = 0;
    if (this.row >= this.lines.length) this.lines.push('');
  }

  #hiddenAt(row: number): Set<number> {
    let set = this.#hidden[row];
    if (!set) {
      set = new Set();
      this.#hidden[row] = set;
    }
    return set;
  }

  #escape(token: string): void {
    const params = token.slice(2, -1);
    if (token.startsWith('\u001b[') && token.endsWith('A') && /^\d*$/.test(params)) {
      const top = Math.max(0, this.lines.length - this.rows);
      this.row = Math.max(top, this.row - Number(params || 1));
      return;
    }
    if (token === '\u001b[2K') {
      this.lines[this.row] = '';
      this.#hiddenAt(this.row).clear();
      return;
    }
    if (token === '\u001b[J') {
      this.lines[this.row] = [...(this.lines[this.row] as string)].slice(0, this.col).join('');
      this.lines.length = this.row + 1;
      this.#hidden.length = this.row + 1;
      for (const col of [...this.#hiddenAt(this.row)]) {
        if (col >= this.col) this.#hiddenAt(this.row).delete(col);
      }
      return;
    }
    if (token === '\u001b[?25l' || token === '\u001b[?25h') {
      this.cursorVisible = token.endsWith('h');
      return;
    }
    if (token.startsWith('\u001b[') && token.endsWith('m') && /^[0-9;:]*$/.test(params)) {
      this.#attributes.apply(params);
      return;
    }
    this.unexpected.push(token);
  }
}
