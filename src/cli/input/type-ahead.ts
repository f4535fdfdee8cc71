import { cutToWidth, textWidth } from '../progress/text-width.js';
import { displayUnit, type Unit } from './display-unit.js';
import { type CollapsePastes, type Draft, defaultCollapse, EditBuffer } from './edit-buffer.js';
import { type InputEvent, KeyDecoder } from './key-decoder.js';

export interface TypeAheadOptions {
  /** Ctrl-C typed meanwhile: the run it interrupts is the caller's. */
  onInterrupt?: () => void;
  /** The draft or the queue changed: redraw the line that shows them. */
  onChange?: () => void;
  /** When a paste shows as `[pasted 12 lines]`. */
  collapsePastes?: CollapsePastes;
  /** How long the rest of an escape sequence may take. @default 50 */
  escapeTimeoutMs?: number;
  /**
   * Approval requests waiting for a key: while one waits, typed characters go to `answer` (not to
   * the draft) until one answers, and the rest of that read is dropped, so a pasted `yy` answers
   * one request, never the next one nobody has seen. A bracketed paste never answers.
   */
  approvals?: {
    pending: () => boolean;
    /** True when the key answered the oldest request. */
    answer: (key: string) => boolean;
  };
}

/**
 * What is typed while a prompt runs, so nothing typed is lost: a draft line (text, pastes,
 * Backspace, Ctrl-W, Ctrl-U) and the prompts queued with Enter, first in first out. Fed the
 * terminal's raw reads while no approval is waiting; Ctrl-C goes to `onInterrupt`. After the
 * run, the caller runs the queued prompts in order and starts the next prompt with the draft.
 */
export class TypeAhead {
  readonly #options: TypeAheadOptions;
  readonly #decoder = new KeyDecoder();
  readonly #buffer = new EditBuffer();
  readonly #queued: string[] = [];
  #escapeTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(options: TypeAheadOptions = {}) {
    this.#options = options;
  }

  /** Prompts queued with Enter, oldest first. */
  get queued(): readonly string[] {
    return this.#queued;
  }

  /** The line being typed. */
  get draft(): Draft {
    return this.#buffer.draft;
  }

  /** A paste or an escape sequence has begun and not ended: its next read belongs here too. */
  get midSequence(): boolean {
    return this.#decoder.midSequence;
  }

  /** One raw read from the terminal (a Buffer keeps a character cut between reads whole). */
  feed(data: Buffer | string): void {
    clearTimeout(this.#escapeTimer);
    this.#route(this.#decoder.feed(data));
    if (this.#decoder.pending) {
      this.#escapeTimer = setTimeout(
        () => this.#route(this.#decoder.flush()),
        this.#options.escapeTimeoutMs ?? 50,
      );
      this.#escapeTimer.unref?.();
    }
  }

  /** Input already decoded (what a `LineEditor` got after its Enter): all of it typed ahead. */
  replay(events: readonly InputEvent[]): void {
    let changed = false;
    for (const event of events) changed = this.#apply(event) || changed;
    if (changed) this.#options.onChange?.();
  }

  /** One read's events: Ctrl-C to the run, keys to a waiting approval, the rest to the draft. */
  #route(events: readonly InputEvent[]): void {
    const { approvals } = this.#options;
    let answered = false;
    let changed = false;
    for (const event of events) {
      if (event.type === 'key' && event.key === 'ctrl-c') {
        this.#options.onInterrupt?.();
        continue;
      }
      if (answered) continue;
      if (approvals?.pending()) {
        if (event.type !== 'text') continue;
        for (const key of event.text) {
          if (approvals.answer(key)) {
            answered = true;
            break;
          }
        }
        continue;
      }
      changed = this.#apply(event) || changed;
    }
    if (changed) this.#options.onChange?.();
  }

  #apply(event: InputEvent): boolean {
    const buffer = this.#buffer;
    if (event.type === 'text') buffer.insert(event.text);
    else if (event.type === 'paste') {
      buffer.insertPaste(event.text, this.#options.collapsePastes ?? defaultCollapse);
    } else {
      switch (event.key) {
        case 'ctrl-c':
          this.#options.onInterrupt?.();
          return false;
        case 'enter': {
          if (buffer.text.trim() === '') return false;
          this.#queued.push(buffer.text);
          buffer.clear();
          return true;
        }
        case 'newline':
          buffer.insert('\n');
          return true;
        case 'backspace':
          return buffer.backspace();
        case 'kill-word-before':
          return buffer.killWordBefore();
        case 'delete-word-before':
          return buffer.deleteWordBefore();
        case 'kill-line-before':
          // The whole draft: a line here has no cursor to kill back from.
          if (buffer.isEmpty) return false;
          buffer.clear();
          return true;
        default:
          // Cursor keys, history, Escape: nothing to move through on one line.
          return false;
      }
    }
    return true;
  }

  /** The next queued prompt, taken off the queue. */
  next(): string | undefined {
    const prompt = this.#queued.shift();
    if (prompt !== undefined) this.#options.onChange?.();
    return prompt;
  }

  /** The draft, taken (for `LineEditor.read({ prefill })`); undefined when nothing was typed. */
  takeDraft(): Draft | undefined {
    if (this.#buffer.isEmpty) return undefined;
    const draft = this.#buffer.draft;
    this.#buffer.clear();
    this.#options.onChange?.();
    return draft;
  }

  /**
   * One line for the live display, at most `width` columns: `› typed text (queued: 1)`, the end of
   * the draft when it is too long; empty when nothing is typed or queued.
   */
  view(width: number): string {
    const queued = this.#queued.length;
    if (this.#buffer.isEmpty && queued === 0) return '';
    const suffix = queued > 0 ? `${this.#buffer.isEmpty ? '' : ' '}(queued: ${queued})` : '';
    const room = width - textWidth('› ') - textWidth(suffix);
    if (room <= 1) return cutToWidth(`› ${suffix.trim()}`, Math.max(0, width));
    return `› ${tail(this.#buffer.units, room)}${suffix}`;
  }

  /** Forgets the draft and the queue. */
  clear(): void {
    const had = !this.#buffer.isEmpty || this.#queued.length > 0;
    this.#buffer.clear();
    this.#queued.length = 0;
    if (had) this.#options.onChange?.();
  }

  /** Stops the timer of a pending escape sequence. */
  dispose(): void {
    clearTimeout(this.#escapeTimer);
  }
}

/** The end of the draft that fits in `width`: line breaks as `↵`, pastes as their labels. */
function tail(units: readonly Unit[], width: number): string {
  let out = '';
  let used = 0;
  for (let i = units.length - 1; i >= 0; i--) {
    const unit = units[i] as Unit;
    const shown = unit === '\n' ? { text: '↵', width: 1 } : displayUnit(unit);
    if (used + shown.width > width) {
      // Room for the `…` that says the start is cut off.
      while (used + 1 > width && out !== '') {
        const first = [...out][0] as string;
        out = out.slice(first.length);
        used -= textWidth(first);
      }
      return `…${out}`;
    }
    out = shown.text + out;
    used += shown.width;
  }
  return out;
}
