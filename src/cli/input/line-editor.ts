import { renderSegments } from '../progress/style.js';
import { BlockPainter } from './block-painter.js';
import { type CollapsePastes, type Draft, defaultCollapse, EditBuffer } from './edit-buffer.js';
import { type InputEvent, KeyDecoder, type KeyName } from './key-decoder.js';
import { layoutPrompt } from './prompt-layout.js';

/** A terminal's input: `process.stdin`, or a fake in tests. */
export interface EditorInput {
  on(event: 'data', listener: (data: Buffer | string) => void): unknown;
  off(event: 'data', listener: (data: Buffer | string) => void): unknown;
  resume(): unknown;
  pause(): unknown;
  /** Whether someone was already reading it (then it is left flowing). */
  readableFlowing?: boolean | null;
  setRawMode?(raw: boolean): unknown;
  isRaw?: boolean;
}

/** A terminal's output: `process.stdout`, or a fake in tests. */
export interface EditorOutput {
  write(s: string): unknown;
  columns?: number;
  rows?: number;
  on?(event: 'resize', listener: () => void): unknown;
  off?(event: 'resize', listener: () => void): unknown;
}

export const enableBracketedPaste = '\u001b[?2004h';
export const disableBracketedPaste = '\u001b[?2004l';

export interface LineEditorOptions {
  input: EditorInput;
  output: EditorOutput;
  /** Dim hints and colored paste labels. @default false */
  color?: boolean;
  /** @default performance.now */
  now?: () => number;
  /** A second Ctrl-C on an empty prompt within this long exits. @default 3000 */
  exitWindowMs?: number;
  /** How long the rest of an escape sequence may take before a lone ESC counts as Escape. @default 50 */
  escapeTimeoutMs?: number;
  /** When a paste shows as `[pasted 12 lines]` rather than its lines. */
  collapsePastes?: CollapsePastes;
}

export interface ReadOptions {
  /** @default '› ' */
  prompt?: string;
  /** Earlier prompts, oldest first, for Up and Down. */
  history?: readonly string[];
  /** Text to start with (what was typed ahead while the last prompt ran). */
  prefill?: string | Draft;
  /** Aborting erases the prompt and rejects with the signal's reason. */
  signal?: AbortSignal;
}

export type ReadResult =
  /** Enter: the whole text, pastes in full, line breaks as `\n` (not trimmed). */
  | { kind: 'line'; text: string }
  /** Ctrl-D on an empty prompt. */
  | { kind: 'exit' }
  /** Ctrl-C twice on an empty prompt. */
  | { kind: 'interrupt' };

export const exitHint = 'Press Ctrl-C again to exit';

/**
 * Reads prompts from a terminal in raw mode: editing keys, multi-line text (bracketed paste,
 * Alt-Enter, Shift-Enter where the terminal tells it apart, Ctrl-J, `\` before Enter), history,
 * Ctrl-C and Ctrl-D. Each `read` puts the terminal in raw mode with bracketed paste on and puts it
 * back as it was however the read ends. The prompt is drawn at the cursor and redrawn in place
 * on every key and resize.
 */
export class LineEditor {
  readonly #options: LineEditorOptions;
  #reading = false;
  /** Input that came in the same read after an Enter: typed ahead, for the next prompt. */
  #leftover: InputEvent[] = [];

  constructor(options: LineEditorOptions) {
    this.#options = options;
  }

  /**
   * Input that arrived after the Enter that ended the last read. The next `read` starts with it;
   * take it to hand it to a `TypeAhead` instead (`typeAhead.replay(editor.takeTypedAhead())`).
   */
  takeTypedAhead(): InputEvent[] {
    const events = this.#leftover;
    this.#leftover = [];
    return events;
  }

  read(options: ReadOptions = {}): Promise<ReadResult> {
    if (this.#reading) return Promise.reject(new Error('LineEditor: a read is already running'));
    if (options.signal?.aborted) return Promise.reject(options.signal.reason);
    this.#reading = true;
    const leftover = this.takeTypedAhead();
    return new Promise<ReadResult>((resolve, reject) => {
      const session = new PromptSession(this.#options, options, (outcome) => {
        this.#leftover = outcome.leftover;
        if ('error' in outcome) reject(outcome.error);
        else resolve(outcome.result);
      });
      session.start(leftover);
    }).finally(() => {
      this.#reading = false;
    });
  }
}

type Outcome =
  | { result: ReadResult; leftover: InputEvent[] }
  | { error: unknown; leftover: InputEvent[] };

/** One `read`: the terminal's state to restore, the text, the history position, the timers. */
class PromptSession {
  readonly #editor: LineEditorOptions;
  readonly #read: ReadOptions;
  readonly #done: (outcome: Outcome) => void;
  readonly #decoder = new KeyDecoder();
  readonly #painter: BlockPainter;
  readonly #now: () => number;
  readonly #history: readonly string[];
  /** Edits made to history entries (and the draft, at `history.length`) while browsing. */
  readonly #edited = new Map<number, EditBuffer>();
  #buffer: EditBuffer;
  #historyIndex: number;
  #exitArmedAt: number | undefined;
  #escapeTimer: ReturnType<typeof setTimeout> | undefined;
  #hintTimer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;
  #restore: (() => void) | undefined;

  constructor(editor: LineEditorOptions, read: ReadOptions, done: (outcome: Outcome) => void) {
    this.#editor = editor;
    this.#read = read;
    this.#done = done;
    this.#painter = new BlockPainter(editor.output);
    this.#now = editor.now ?? (() => performance.now());
    this.#history = read.history ?? [];
    this.#historyIndex = this.#history.length;
    const { prefill } = read;
    this.#buffer =
      prefill === undefined
        ? new EditBuffer()
        : typeof prefill === 'string'
          ? EditBuffer.of(prefill)
          : new EditBuffer(prefill.units);
  }

  start(leftover: InputEvent[]): void {
    try {
      this.#takeTerminal();
      this.#render();
      this.#handle(leftover);
    } catch (error) {
      this.#end({ error, leftover: [] });
    }
  }

  #takeTerminal(): void {
    const { input, output } = this.#editor;
    const wasRaw = input.isRaw === true;
    // Left flowing, stdin would keep the process alive after the last prompt.
    const wasPaused = input.readableFlowing !== true;
    const onData = (data: Buffer | string) => this.#guard(() => this.#onData(data));
    const onResize = () => this.#guard(() => this.#onResize());
    const onAbort = () => this.#guard(() => this.#abort());
    // Each step is undone in reverse, also when a later one throws.
    const undo: (() => void)[] = [];
    this.#restore = () => {
      for (const step of undo.reverse()) {
        try {
          step();
        } catch {
          // The rest must still run: the terminal goes back to how it was.
        }
      }
    };
    input.setRawMode?.(true);
    undo.push(() => input.setRawMode?.(wasRaw));
    output.write(enableBracketedPaste);
    undo.push(() => output.write(disableBracketedPaste));
    input.on('data', onData);
    undo.push(() => input.off('data', onData));
    if (wasPaused) undo.push(() => input.pause());
    input.resume();
    output.on?.('resize', onResize);
    undo.push(() => output.off?.('resize', onResize));
    this.#read.signal?.addEventListener('abort', onAbort, { once: true });
    undo.push(() => this.#read.signal?.removeEventListener('abort', onAbort));
    undo.push(() => {
      clearTimeout(this.#escapeTimer);
      clearTimeout(this.#hintTimer);
    });
  }

  /** A failure while handling input ends the read with it, the terminal restored. */
  #guard(step: () => void): void {
    if (this.#finished) return;
    try {
      step();
    } catch (error) {
      this.#end({ error, leftover: [] });
    }
  }

  #end(outcome: Outcome): void {
    if (this.#finished) return;
    this.#finished = true;
    this.#restore?.();
    this.#done(outcome);
  }

  #onData(data: Buffer | string): void {
    this.#handle(this.#decoder.feed(data));
    clearTimeout(this.#escapeTimer);
    if (this.#decoder.pending && !this.#finished) {
      this.#escapeTimer = setTimeout(
        () => this.#guard(() => this.#handle(this.#decoder.flush())),
        this.#editor.escapeTimeoutMs ?? 50,
      );
    }
  }

  #onResize(): void {
    const columns = this.#editor.output.columns;
    if (typeof columns === 'number') this.#painter.resized(columns);
    this.#render();
  }

  #abort(): void {
    this.#painter.erase();
    this.#end({ error: this.#read.signal?.reason, leftover: [] });
  }

  #handle(events: readonly InputEvent[]): void {
    for (let i = 0; i < events.length; i++) {
      if (this.#finished) return;
      const result = this.#apply(events[i] as InputEvent);
      if (result) {
        this.#finish(result, events.slice(i + 1));
        return;
      }
    }
    this.#render();
  }

  /** Applies one event; returns the read's result when the event ends it. */
  #apply(event: InputEvent): ReadResult | undefined {
    if (event.type === 'key' && event.key === 'ctrl-c') return this.#ctrlC();
    this.#disarmExit();
    if (event.type === 'text') this.#buffer.insert(event.text);
    else if (event.type === 'paste') {
      this.#buffer.insertPaste(event.text, this.#editor.collapsePastes ?? defaultCollapse);
    } else return this.#key(event.key);
    return undefined;
  }

  #key(key: KeyName): ReadResult | undefined {
    const buffer = this.#buffer;
    switch (key) {
      case 'enter':
        // A `\` at the end continues on the next line, as in a shell.
        if (buffer.atEnd && buffer.beforeCursor === '\\') {
          buffer.backspace();
          buffer.insert('\n');
          return undefined;
        }
        return { kind: 'line', text: buffer.text };
      case 'ctrl-d':
        if (buffer.isEmpty) return { kind: 'exit' };
        buffer.deleteForward();
        return undefined;
      case 'up':
        if (!buffer.lineUp()) this.#browse(-1);
        return undefined;
      case 'down':
        if (!buffer.lineDown()) this.#browse(1);
        return undefined;
      case 'ctrl-l':
        this.#editor.output.write('\u001b[H\u001b[2J');
        this.#painter.cleared();
        return undefined;
      default:
        editKeys[key]?.(buffer);
        return undefined;
    }
  }

  /** Ctrl-C: clears the text; on an empty prompt, asks for a second one, which exits. */
  #ctrlC(): ReadResult | undefined {
    if (!this.#buffer.isEmpty) {
      this.#buffer.clear();
      this.#historyIndex = this.#history.length;
      this.#edited.clear();
      this.#disarmExit();
      return undefined;
    }
    const window = this.#editor.exitWindowMs ?? 3000;
    if (this.#exitArmedAt !== undefined && this.#now() - this.#exitArmedAt <= window) {
      return { kind: 'interrupt' };
    }
    this.#exitArmedAt = this.#now();
    clearTimeout(this.#hintTimer);
    this.#hintTimer = setTimeout(
      () =>
        this.#guard(() => {
          this.#disarmExit();
          this.#render();
        }),
      window,
    );
    return undefined;
  }

  #disarmExit(): void {
    this.#exitArmedAt = undefined;
    clearTimeout(this.#hintTimer);
    this.#hintTimer = undefined;
  }

  /** Up (-1) or Down (+1) through the history; edits are kept while browsing. */
  #browse(step: -1 | 1): void {
    const next = this.#historyIndex + step;
    if (next < 0 || next > this.#history.length) return;
    this.#edited.set(this.#historyIndex, this.#buffer.clone());
    this.#historyIndex = next;
    const kept = this.#edited.get(next);
    this.#buffer = kept ? kept.clone() : EditBuffer.of(this.#history[next] ?? '');
    // Up lands at the end (Up again climbs its lines); Down at the end of its first line.
    if (step < 0) this.#buffer.set(this.#buffer.units);
    else {
      this.#buffer.set(this.#buffer.units, 0);
      this.#buffer.lineEnd();
    }
  }

  #finish(result: ReadResult, leftover: InputEvent[]): void {
    // The final drawing: the text as sent, the cursor after it, no hint.
    this.#disarmExit();
    this.#render(true);
    this.#painter.finish();
    this.#end({ result, leftover });
  }

  #render(final = false): void {
    const { output } = this.#editor;
    const armed = !final && this.#exitArmedAt !== undefined;
    const layout = layoutPrompt({
      prompt: this.#read.prompt ?? '› ',
      units: this.#buffer.units,
      cursor: final ? this.#buffer.units.length : this.#buffer.cursor,
      columns: positive(output.columns, 80),
      maxRows: Math.max(1, positive(output.rows, 24) - 1),
      hints: armed ? [exitHint] : [],
    });
    const color = this.#editor.color === true;
    const rows = layout.rows.map((row) => renderSegments(row, Number.MAX_SAFE_INTEGER, color));
    this.#painter.paint(rows, layout.widths, layout.cursor);
  }
}

function positive(value: number | undefined, fallback: number): number {
  return typeof value === 'number' && value > 0 ? Math.floor(value) : fallback;
}

/** Keys that only edit the text. */
const editKeys: Partial<Record<KeyName, (buffer: EditBuffer) => void>> = {
  newline: (b) => b.insert('\n'),
  backspace: (b) => b.backspace(),
  delete: (b) => b.deleteForward(),
  left: (b) => b.left(),
  right: (b) => b.right(),
  'line-start': (b) => b.lineStart(),
  'line-end': (b) => b.lineEnd(),
  'word-left': (b) => b.wordLeft(),
  'word-right': (b) => b.wordRight(),
  'kill-line-before': (b) => b.killLineBefore(),
  'kill-line-after': (b) => b.killLineAfter(),
  'kill-word-before': (b) => b.killWordBefore(),
  'delete-word-before': (b) => b.deleteWordBefore(),
  'delete-word-after': (b) => b.deleteWordAfter(),
};
