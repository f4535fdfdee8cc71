import { sanitizeForTerminal, sanitizePlain, stripColors } from '../../trace/sanitize-text.js';
import { fitLine, textWidth } from './text-width.js';

/** Where the view draws: `process.stderr`, or anything with `write` (tests). */
export interface LiveStream {
  write(s: string): unknown;
  columns?: number;
  rows?: number;
}

/** What a render function is given on each frame. */
export interface LiveFrame {
  /** `now()` at this frame. */
  now: number;
  /** Columns a line may take (one less than the terminal's, see `LiveView`). */
  columns: number;
  /** Rows the block may use, footer and streamed text already taken off. */
  rows: number;
  /** Counts frames, for spinners. */
  frame: number;
}

export interface LiveViewOptions {
  stream: LiveStream;
  /** The block's lines for a frame: called on every redraw, so keep it O(lines shown). */
  render: (frame: LiveFrame) => readonly string[];
  /** @default 80 */
  intervalMs?: number;
  /** @default performance.now */
  now?: () => number;
}

const hideCursor = '\u001b[?25l';
const showCursor = '\u001b[?25h';
const eraseLine = '\u001b[2K';
const lineUp = '\u001b[1A';
/** Every attribute and color back to the terminal's default. */
const resetAttributes = '\u001b[0m';

/**
 * A block of lines redrawn in place at the bottom of a terminal, with permanent output printed
 * above it. The block is erased by clearing the rows it drew, moving the cursor up over them, so
 * no line may wrap: every line is cut to the terminal's width minus
 * one (a line filling the last column wraps early on some terminals), and the whole block stays
 * shorter than the terminal. Size is read on each frame, so resizes take effect at the next one.
 * Attributes are reset before every frame, after printed text that set any, and on `stop`: no
 * color or attribute from text above (concealed, black on black) can hide the block or a prompt.
 */
export class LiveView {
  readonly #stream: LiveStream;
  readonly #render: LiveViewOptions['render'];
  readonly #intervalMs: number;
  readonly #now: () => number;
  #timer: ReturnType<typeof setInterval> | undefined;
  #frame = 0;
  /** Rows the last drawing takes; the cursor is at the end of its last row. */
  #drawn = 0;
  #footer: string[] = [];
  /** Streamed text after the last newline, shown above the block until its line is complete. */
  #partial = '';

  constructor(options: LiveViewOptions) {
    this.#stream = options.stream;
    this.#render = options.render;
    this.#intervalMs = options.intervalMs ?? 80;
    this.#now = options.now ?? (() => performance.now());
  }

  get active(): boolean {
    return this.#timer !== undefined;
  }

  /** Hides the cursor, draws, and redraws every `intervalMs` until `stop`. */
  start(): void {
    if (this.#timer) return;
    // Text written while stopped may have left the cursor mid-line: that line becomes ours.
    const partialRows = Math.ceil(textWidth(stripColors(this.#partial)) / this.#size().columns);
    this.#drawn = this.#partial ? Math.max(1, partialRows) : 0;
    const timer = setInterval(() => this.#tick(), this.#intervalMs);
    timer.unref?.();
    this.#timer = timer;
    this.#stream.write(hideCursor + this.#erase() + this.#frameText());
  }

  /** Erases the block, stops redrawing and shows the cursor. Pending streamed text stays. */
  stop(): void {
    if (!this.#timer) return;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#stream.write(this.#erase() + this.#partial + resetAttributes + showCursor);
    this.#drawn = 0;
  }

  /** Draws a frame now. */
  redraw(): void {
    if (this.#timer) this.#stream.write(this.#erase() + this.#frameText());
  }

  /**
   * Writes `text` as permanent lines above the block (a newline is added when missing).
   * Streamed text not yet ended by a newline is ended first. Cursor-moving sequences and
   * control characters are removed; colors stay.
   */
  print(text: string): void {
    let out = sanitizeForTerminal(text);
    if (out.endsWith('\n')) out = out.slice(0, -1);
    // Colors stay, but never past the text that set them.
    out += `${out.includes('\u001b') ? resetAttributes : ''}\n`;
    // While stopped, streamed text is already on the screen; while drawing, it is ours to write.
    if (this.#partial) out = `${this.#timer ? this.#partial : ''}\n${out}`;
    this.#partial = '';
    this.#output(out);
  }

  /**
   * Writes streamed text (the model's answer as it arrives): complete lines go above the block
   * for good; the unfinished last line is shown just above the block (from the next frame on)
   * until it is complete. Escape sequences and control characters are removed, colors too:
   * the text cannot set an attribute that would hide what follows it.
   */
  write(text: string): void {
    const clean = sanitizePlain(text);
    const all = this.#partial + clean;
    const cut = all.lastIndexOf('\n');
    this.#partial = all.slice(cut + 1);
    if (!this.#timer) this.#stream.write(clean);
    else if (cut >= 0) this.#output(all.slice(0, cut + 1));
    // An unfinished line shows at the next frame: no redraw per streamed token.
  }

  /** Lines kept at the bottom, below the block (an approval prompt); `[]` removes them. */
  setFooter(lines: readonly string[]): void {
    this.#footer = lines.flatMap((line) => sanitizeForTerminal(line).split('\n'));
    this.redraw();
  }

  #output(permanent: string): void {
    if (!this.#timer) {
      this.#stream.write(permanent);
      return;
    }
    this.#stream.write(this.#erase() + permanent + this.#frameText());
  }

  #tick(): void {
    try {
      this.redraw();
    } catch {
      // A broken stream or render must not crash the process from a timer: stop redrawing,
      // and give the cursor back if the stream still takes it.
      if (this.#timer) clearInterval(this.#timer);
      this.#timer = undefined;
      this.#drawn = 0;
      try {
        this.#stream.write(showCursor);
      } catch {
        // The stream is gone.
      }
    }
  }

  #size(): { columns: number; rows: number } {
    const { columns, rows } = this.#stream;
    return {
      columns: typeof columns === 'number' && columns > 0 ? Math.floor(columns) : 80,
      rows: typeof rows === 'number' && rows > 0 ? Math.floor(rows) : 24,
    };
  }

  /**
   * Clears the drawn rows one by one, bottom to top, ending at the start of the first. Not
   * "clear to the end of the screen": from the top-left corner that clears the whole screen,
   * which tmux (scroll-on-clear) and some terminals first copy into the scrollback, so every
   * frame of a block at the top of the screen would pile up there.
   */
  #erase(): string {
    if (this.#drawn === 0) return '';
    const rows = this.#drawn;
    this.#drawn = 0;
    return `\r${`${eraseLine}${lineUp}`.repeat(rows - 1)}${eraseLine}`;
  }

  /** The frame's lines, each cut to width, the whole shorter than the terminal. */
  #frameText(): string {
    const { columns, rows } = this.#size();
    const width = Math.max(1, columns - 1);
    const room = Math.max(1, rows - 1);
    const footer = this.#footer.slice(-room).map((line) => fitLine(line, width));
    const partial = this.#partial ? [tail(this.#partial, width)] : [];
    const blockRows = rows - footer.length - partial.length;
    const frame = { now: this.#now(), columns: width, rows: blockRows, frame: this.#frame++ };
    const block = blockRows > 1 ? this.#render(frame).map((line) => fitLine(line, width)) : [];
    const lines = [...partial, ...block].slice(0, Math.max(0, room - footer.length));
    lines.push(...footer);
    this.#drawn = lines.length;
    return resetAttributes + lines.join('\n');
  }
}

/** The end of a line too long to show whole: `…` and what fits of its last characters. */
function tail(line: string, width: number): string {
  const look = 4 * width + 16;
  if (line.length <= look && textWidth(stripColors(line).replace(/\t/g, ' ')) <= width) {
    return fitLine(line, width);
  }
  // Only the end can show: do not look at more of a long line than that.
  const chars = [...stripColors(line.slice(-look)).replace(/\t/g, ' ')];
  let out = '';
  while (chars.length > 0 && textWidth(`…${chars[chars.length - 1]}${out}`) <= width) {
    out = (chars.pop() as string) + out;
  }
  return fitLine(`…${out}`, width);
}
