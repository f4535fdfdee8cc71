/** Where a painter draws: a terminal's output stream, or anything with `write` (tests). */
export interface PaintTarget {
  write(s: string): unknown;
}

const eraseLine = '\u001b[2K';
const up = (n: number) => (n > 0 ? `\u001b[${n}A` : '');
const down = (n: number) => (n > 0 ? `\u001b[${n}B` : '');
const right = (n: number) => (n > 0 ? `\u001b[${n}C` : '');

/**
 * Draws a block of rows at the cursor and redraws it in place: it remembers how many rows it drew
 * and on which the cursor sits, goes back to the first and overwrites each row, erasing rows left
 * over from a taller drawing. Rows must be shorter than the terminal (no row may wrap by itself).
 * Rows are erased one by one, never "to the end of the screen": tmux copies a whole cleared
 * screen into the scrollback, so every keystroke would leave a copy there.
 */
export class BlockPainter {
  readonly #target: PaintTarget;
  /** Rows the last drawing takes on the screen. */
  #drawn = 0;
  /** Row of the block the terminal's cursor is on, and its column. */
  #cursorRow = 0;
  #cursorCol = 0;
  /** Columns of each drawn row, to follow a terminal that rewraps them on resize. */
  #widths: number[] = [];

  constructor(target: PaintTarget) {
    this.#target = target;
  }

  /** Rows drawn now. */
  get drawn(): number {
    return this.#drawn;
  }

  /** Draws `rows` (already styled) with the cursor at `cursor`, replacing the last drawing. */
  paint(
    rows: readonly string[],
    widths: readonly number[],
    cursor: { row: number; col: number },
  ): void {
    let out = `${up(this.#cursorRow)}\r`;
    rows.forEach((row, i) => {
      out += `${i > 0 ? '\r\n' : ''}${eraseLine}${row}`;
    });
    const extra = this.#drawn - rows.length;
    for (let i = 0; i < extra; i++) out += `${down(1)}${eraseLine}`;
    out += up(extra);
    const row = Math.max(0, Math.min(cursor.row, rows.length - 1));
    out += `${up(rows.length - 1 - row)}\r${right(cursor.col)}`;
    this.#target.write(out);
    this.#drawn = rows.length;
    this.#cursorRow = row;
    this.#cursorCol = cursor.col;
    this.#widths = [...widths];
  }

  /**
   * The terminal is `columns` wide now. Terminals that rewrap (tmux, most modern ones) have
   * split each row wider than that into several: count them, so the next drawing starts at the
   * block's first row again.
   */
  resized(columns: number): void {
    if (this.#drawn === 0 || columns <= 0) return;
    const rowsOf = (width: number) => Math.max(1, Math.ceil(width / columns));
    let cursorRow = 0;
    for (let i = 0; i < this.#cursorRow; i++) cursorRow += rowsOf(this.#widths[i] ?? 0);
    cursorRow += Math.floor(this.#cursorCol / columns);
    this.#cursorRow = cursorRow;
    this.#drawn = this.#widths.reduce((sum, width) => sum + rowsOf(width), 0);
    this.#cursorCol %= columns;
  }

  /** Leaves the block as it is and puts the cursor at the start of the line after it. */
  finish(): void {
    if (this.#drawn === 0) return;
    this.#target.write(`${down(this.#drawn - 1 - this.#cursorRow)}\r\n`);
    this.#forget();
  }

  /** Erases the block; the cursor ends where its first row was. */
  erase(): void {
    if (this.#drawn === 0) return;
    let out = `${up(this.#cursorRow)}\r`;
    for (let i = 0; i < this.#drawn; i++) out += `${i > 0 ? down(1) : ''}${eraseLine}`;
    out += up(this.#drawn - 1);
    this.#target.write(out);
    this.#forget();
  }

  /** The screen was cleared: nothing of the block is on it any more. */
  cleared(): void {
    this.#forget();
  }

  #forget(): void {
    this.#drawn = 0;
    this.#cursorRow = 0;
    this.#cursorCol = 0;
    this.#widths = [];
  }
}
