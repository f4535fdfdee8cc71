/** The byte a terminal in raw mode sends for Ctrl-C. */
export const ctrlC = '\u0003';

/**
 * Single keypresses from a terminal, without Enter. While it listens, Ctrl-C arrives here as a
 * key (raw mode turns off the terminal's own SIGINT), so the caller handles it.
 */
export class TerminalKeys {
  readonly #stdin: NodeJS.ReadStream;
  readonly #onKey: (key: string) => boolean | undefined;
  #active = false;
  readonly #onData = (data: Buffer | string) => {
    const text = typeof data === 'string' ? data : data.toString('utf8');
    // Escape sequences (arrows, function keys) are one key each and mean nothing here.
    if (text.startsWith('\u001b')) return;
    for (const key of text) {
      // One answer per read: a paste of `yy` must not approve a request nobody has seen yet.
      // Ctrl-C always gets through.
      if (this.#onKey(key) === true && !text.includes(ctrlC)) return;
    }
  };

  /** `onKey` returns true when the key answered something: the rest of that read is dropped. */
  constructor(stdin: NodeJS.ReadStream, onKey: (key: string) => boolean | undefined) {
    this.#stdin = stdin;
    this.#onKey = onKey;
  }

  /** Whether keys can be read at all (stdin is a terminal). */
  get available(): boolean {
    return this.#stdin.isTTY === true && typeof this.#stdin.setRawMode === 'function';
  }

  start(): void {
    if (this.#active || !this.available) return;
    this.#active = true;
    this.#stdin.setRawMode(true);
    this.#stdin.on('data', this.#onData);
    this.#stdin.resume();
  }

  stop(): void {
    if (!this.#active) return;
    this.#active = false;
    this.#stdin.off('data', this.#onData);
    this.#stdin.setRawMode(false);
    this.#stdin.pause();
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
