import { type InputEvent, KeyDecoder, type KeyName } from './input/key-decoder.js';
import { disableBracketedPaste, enableBracketedPaste } from './input/line-editor.js';

/** The byte a terminal in raw mode sends for Ctrl-C. */
export const ctrlC = '\u0003';

/** Where keys that answer nothing go while a prompt runs: a `TypeAhead`. */
export interface TypeAheadTarget {
  replay(events: readonly InputEvent[]): void;
  /** The line being typed ahead. */
  readonly draft: { readonly text: string };
}

/**
 * What keys answer now: `every` key (a reason being typed after `n` takes text and editing
 * keys), only the `answerKeys` (an approval waits; other keys are typed ahead), or `none`.
 */
export type Answering = 'every' | 'answer-keys' | 'none';

export interface TerminalKeysOptions {
  /** What keys answer now. @default every key (no type-ahead: `onKey` gets them all) */
  answering?: () => Answering;
  /** The keys that answer an approval waiting. @default y, n, a in either case */
  answerKeys?: ReadonlySet<string>;
  /** The terminal's output: bracketed paste is on while keys are read, so a paste never answers. */
  output?: { write(s: string): unknown };
  /** How long the rest of an escape sequence may take before a lone ESC is Escape. @default 50 */
  escapeTimeoutMs?: number;
}

/** Keys as the approval queue reads them (`reasonKeys`): the byte a terminal sends for each. */
const keyBytes: Partial<Record<KeyName, string>> = {
  enter: '\r',
  newline: '\r',
  escape: '\u001b',
  backspace: '\u007f',
  'kill-line-before': '\u0015',
  'kill-word-before': '\u0017',
  'delete-word-before': '\u0017',
};

const defaultAnswerKeys: ReadonlySet<string> = new Set(['y', 'n', 'a', 'Y', 'N', 'A']);

/** An event as the bytes `onKey` reads: text a character at a time, a paste on one line. */
function keysOf(event: InputEvent): string[] {
  if (event.type === 'text') return [...event.text];
  if (event.type === 'paste') return [...event.text.replace(/\s+/g, ' ')];
  return [keyBytes[event.key] ?? ''];
}

/**
 * Keypresses from a terminal in raw mode while a prompt runs, without Enter. Ctrl-C always goes
 * to `onKey` (raw mode turns off the terminal's own SIGINT, so the caller handles it). While an
 * approval waits, its keys go to `onKey`, one answer per read: a pasted `yy` approves one
 * request, never the next one nobody has seen. Everything else goes to the type-ahead when one is
 * set (typed ahead for the next prompt), or is dropped: other keys, every bracketed paste (a
 * paste never answers), and every key while a line is being typed ahead (a word being typed
 * never answers an approval that appeared under it: Enter queues the line, Ctrl-U clears it).
 * Escape sequences (arrows, function keys) are decoded whole, never read as letters.
 */
export class TerminalKeys {
  readonly #stdin: NodeJS.ReadStream;
  readonly #onKey: (key: string) => boolean | undefined;
  readonly #options: TerminalKeysOptions;
  #typeAhead: TypeAheadTarget | undefined;
  #decoder = new KeyDecoder();
  #escapeTimer: ReturnType<typeof setTimeout> | undefined;
  #active = false;
  /** A `process.exit` while keys are read (a second Ctrl-C): the shell gets its pastes plain. */
  readonly #onExit = () => {
    try {
      this.#options.output?.write(disableBracketedPaste);
    } catch {
      // The terminal is gone.
    }
  };
  readonly #onData = (data: Buffer | string) => {
    clearTimeout(this.#escapeTimer);
    this.#route(this.#decoder.feed(data));
    if (this.#decoder.pending) {
      this.#escapeTimer = setTimeout(
        () => this.#route(this.#decoder.flush()),
        this.#options.escapeTimeoutMs ?? 50,
      );
      this.#escapeTimer.unref?.();
    }
  };

  /** `onKey` returns true when the key answered something: the rest of that read is dropped. */
  constructor(
    stdin: NodeJS.ReadStream,
    onKey: (key: string) => boolean | undefined,
    options: TerminalKeysOptions = {},
  ) {
    this.#stdin = stdin;
    this.#onKey = onKey;
    this.#options = options;
  }

  /** Whether keys can be read at all (stdin is a terminal). */
  get available(): boolean {
    return this.#stdin.isTTY === true && typeof this.#stdin.setRawMode === 'function';
  }

  /** Where keys that answer nothing go (interactive `salvo`); `undefined`: they are dropped. */
  setTypeAhead(target: TypeAheadTarget | undefined): void {
    this.#typeAhead = target;
  }

  start(): void {
    if (this.#active || !this.available) return;
    this.#active = true;
    this.#decoder = new KeyDecoder();
    this.#stdin.setRawMode(true);
    if (this.#options.output) {
      this.#options.output.write(enableBracketedPaste);
      process.on('exit', this.#onExit);
    }
    this.#stdin.on('data', this.#onData);
    this.#stdin.resume();
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    clearTimeout(this.#escapeTimer);
    this.#stdin.off('data', this.#onData);
    if (this.#options.output) {
      process.off('exit', this.#onExit);
      this.#options.output.write(disableBracketedPaste);
    }
    this.#stdin.setRawMode(false);
    this.#stdin.pause();
  }

  /** One read's events: Ctrl-C always, then answers or type-ahead. */
  #route(events: readonly InputEvent[]): void {
    const answerKeys = this.#options.answerKeys ?? defaultAnswerKeys;
    // Handed to the type-ahead together: one redraw per read.
    let typed: InputEvent[] = [];
    const flush = () => {
      if (typed.length > 0) this.#typeAhead?.replay(typed);
      typed = [];
    };
    let answered = false;
    for (const event of events) {
      if (event.type === 'key' && event.key === 'ctrl-c') {
        flush();
        this.#onKey(ctrlC);
        continue;
      }
      // After an answer, the rest of the read is dropped (Ctrl-C still gets through).
      if (answered) continue;
      const answering = this.#options.answering?.() ?? 'every';
      if (answering === 'every') {
        flush();
        answered = this.#answer(keysOf(event));
        continue;
      }
      if (answering === 'none' || event.type !== 'text') {
        typed.push(event);
        continue;
      }
      for (const char of event.text) {
        if (answerKeys.has(char)) {
          flush();
          // A line being typed ahead keeps its keys, answer keys too.
          if ((this.#typeAhead?.draft.text ?? '') === '') {
            answered = this.#answer([char]);
            if (answered) break;
            continue;
          }
        }
        typed.push({ type: 'text', text: char });
      }
    }
    flush();
  }

  /** Keys to `onKey` until one answers; true when one did. */
  #answer(keys: readonly string[]): boolean {
    for (const key of keys) {
      if (key !== '' && this.#onKey(key) === true) return true;
    }
    return false;
  }
}

/** What asked a run to stop: Ctrl-C read as a key, or a signal from outside. */
export type InterruptSource = 'ctrl-c' | 'SIGINT' | 'SIGTERM';

/**
 * Ctrl-C handling for a run: the first press cancels (every call gets its cancelled result and
 * the files are still written), the second exits at once.
 */
export class Interrupt {
  #presses = 0;
  readonly #onCancel: (source: InterruptSource) => void;
  readonly #onForce: (source: InterruptSource) => void;

  constructor(handlers: {
    onCancel: (source: InterruptSource) => void;
    onForce: (source: InterruptSource) => void;
  }) {
    this.#onCancel = handlers.onCancel;
    this.#onForce = handlers.onForce;
  }

  get pressed(): number {
    return this.#presses;
  }

  press(source: InterruptSource = 'ctrl-c'): void {
    this.#presses++;
    if (this.#presses === 1) this.#onCancel(source);
    else this.#onForce(source);
  }

  /** Listens for SIGINT and SIGTERM (a terminal not in raw mode, `kill`). Returns the remover. */
  listen(target: NodeJS.Process = process): () => void {
    const onInt = () => this.press('SIGINT');
    const onTerm = () => this.press('SIGTERM');
    target.on('SIGINT', onInt);
    target.on('SIGTERM', onTerm);
    return () => {
      target.off('SIGINT', onInt);
      target.off('SIGTERM', onTerm);
    };
  }
}
