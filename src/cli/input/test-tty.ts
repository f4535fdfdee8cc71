// A fake terminal for the line editor's tests: an input stream in raw mode and a screen that
// understands the few cursor moves the editor writes, and rewraps its lines on resize as tmux does.
import { EventEmitter } from 'node:events';
import { FakeTerminal } from '../progress/fake-terminal.js';

/** A terminal's input: records raw mode, flows when resumed, `type` sends bytes. */
export class FakeTtyInput extends EventEmitter {
  isTTY = true;
  isRaw = false;
  readableFlowing: boolean | null = null;
  /** Every `setRawMode` call, in order. */
  rawModes: boolean[] = [];

  setRawMode(raw: boolean): this {
    this.isRaw = raw;
    this.rawModes.push(raw);
    return this;
  }

  resume(): this {
    this.readableFlowing = true;
    return this;
  }

  pause(): this {
    this.readableFlowing = false;
    return this;
  }

  /** Sends `text` as one read (a Buffer, as a real terminal does). */
  type(text: string | Buffer): void {
    this.emit('data', typeof text === 'string' ? Buffer.from(text, 'utf8') : text);
  }

  /** Listeners of `data` still attached. */
  get readers(): number {
    return this.listenerCount('data');
  }
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: parsing escapes is the point
const tokens = /\u001b\[[?0-9;:]*[ -/]*[@-~]|\u001b.?|[\s\S]/gu;

/**
 * `FakeTerminal` plus cursor down and right, home and clear screen, bracketed paste mode, and
 * `resize` (emits `resize`; lines wider than the new width are split, as terminals that rewrap do).
 */
export class FakeTtyOutput extends FakeTerminal {
  readonly #events = new EventEmitter();
  bracketedPaste = false;
  /** Everything written, as written. */
  output = '';

  override write(s: string): boolean {
    this.output += s;
    for (const token of s.match(tokens) ?? []) {
      // biome-ignore lint/suspicious/noControlCharactersInRegex: parsing escapes is the point
      const csi = /^\u001b\[(\d*)([BCHJ])$/.exec(token);
      if (token === '\u001b[?2004h' || token === '\u001b[?2004l') {
        this.bracketedPaste = token.endsWith('h');
      } else if (csi?.[2] === 'B') {
        const top = Math.max(0, this.lines.length - this.rows);
        this.row = Math.min(this.row + Number(csi[1] || 1), top + this.rows - 1);
        while (this.lines.length <= this.row) this.lines.push('');
      } else if (csi?.[2] === 'C') {
        this.col = Math.min(this.col + Number(csi[1] || 1), this.columns - 1);
      } else if (csi?.[2] === 'H' && csi[1] === '') {
        this.row = Math.max(0, this.lines.length - this.rows);
        this.col = 0;
      } else if (token === '\u001b[2J') {
        // As tmux does: the screen goes to the scrollback, the cursor stays where it is on it.
        const onScreen = this.row - Math.max(0, this.lines.length - this.rows);
        for (let i = 0; i < this.rows; i++) this.lines.push('');
        this.row = this.lines.length - this.rows + onScreen;
      } else {
        super.write(token);
      }
    }
    return true;
  }

  on(event: 'resize', listener: () => void): this {
    this.#events.on(event, listener);
    return this;
  }

  off(event: 'resize', listener: () => void): this {
    this.#events.off(event, listener);
    return this;
  }

  get resizeListeners(): number {
    return this.#events.listenerCount('resize');
  }

  /** The terminal is `columns` wide now: long lines are split, the cursor follows its cell. */
  resize(columns: number, rows = this.rows): void {
    const lines: string[] = [];
    let cursor = { row: this.row, col: this.col };
    this.lines.forEach((line, i) => {
      const chars = [...line];
      const parts = Math.max(1, Math.ceil(chars.length / columns));
      if (i === this.row) {
        const within = Math.min(Math.floor(this.col / columns), parts - 1);
        cursor = { row: lines.length + within, col: this.col - within * columns };
      }
      for (let p = 0; p < parts; p++)
        lines.push(chars.slice(p * columns, (p + 1) * columns).join(''));
    });
    this.lines = lines;
    this.row = cursor.row;
    this.col = Math.min(cursor.col, columns - 1);
    this.columns = columns;
    this.rows = rows;
    this.#events.emit('resize');
  }
}
