import { StringDecoder } from 'node:string_decoder';

/** What a key means to an editor; terminals send several spellings of most of them. */
export type KeyName =
  | 'enter'
  /** Insert a line break: Alt-Enter, Shift-Enter (where the terminal tells it apart), Ctrl-J. */
  | 'newline'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  /** Home, Ctrl-A. */
  | 'line-start'
  /** End, Ctrl-E. */
  | 'line-end'
  /** Alt-Left, Ctrl-Left, Alt-B. */
  | 'word-left'
  /** Alt-Right, Ctrl-Right, Alt-F. */
  | 'word-right'
  /** Ctrl-U. */
  | 'kill-line-before'
  /** Ctrl-K. */
  | 'kill-line-after'
  /** Ctrl-W: back to the previous whitespace. */
  | 'kill-word-before'
  /** Alt-Backspace: back to the previous word start. */
  | 'delete-word-before'
  /** Alt-D, Ctrl-Delete. */
  | 'delete-word-after'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-l'
  | 'tab'
  | 'escape';

export type InputEvent =
  /** Printable text typed (no control characters). */
  | { type: 'text'; text: string }
  /** A bracketed paste, whole: line breaks as `\n`, other control characters removed. */
  | { type: 'paste'; text: string }
  | { type: 'key'; key: KeyName };

const esc = '\u001b';
const pasteStart = '\u001b[200~';
const pasteEnd = '\u001b[201~';
/** An escape sequence longer than this is garbage, not a sequence still arriving. */
const maxSequence = 32;

const controlKeys: Readonly<Record<string, KeyName>> = {
  '\u0001': 'line-start',
  '\u0002': 'left',
  '\u0003': 'ctrl-c',
  '\u0004': 'ctrl-d',
  '\u0005': 'line-end',
  '\u0006': 'right',
  '\u0008': 'backspace',
  '\t': 'tab',
  '\n': 'newline',
  '\u000b': 'kill-line-after',
  '\u000c': 'ctrl-l',
  '\r': 'enter',
  '\u000e': 'down',
  '\u0010': 'up',
  '\u0015': 'kill-line-before',
  '\u0017': 'kill-word-before',
  '\u007f': 'backspace',
};

/** Alt (ESC) followed by one character. */
const altKeys: Readonly<Record<string, KeyName>> = {
  '\r': 'newline',
  '\u007f': 'delete-word-before',
  '\u0008': 'delete-word-before',
  b: 'word-left',
  f: 'word-right',
  d: 'delete-word-after',
};

/** `ESC [ n ~` keys by `n`. */
const tildeKeys: Readonly<Record<string, KeyName>> = {
  '1': 'line-start',
  '7': 'line-start',
  '4': 'line-end',
  '8': 'line-end',
  '3': 'delete',
};

/** Escape sequences in pasted text (copied colors, titles): whole, so no tail is left as text. */
const pastedSequences =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[ -~]?/g;
/** Control characters a paste keeps: tabs and line breaks; every other one could drive the screen. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
const pasteControls = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;

/** Pasted text as it should be inserted: Windows and old-Mac line breaks as `\n`, no controls. */
export function cleanPastedText(text: string): string {
  return text.replace(/\r\n?/g, '\n').replace(pastedSequences, '').replace(pasteControls, '');
}

/**
 * Turns what a terminal in raw mode sends into keys, typed text and pastes. Reads may end in the
 * middle of an escape sequence, of a UTF-8 character or of a paste: the rest is kept for the next
 * read, so no part of a sequence ever reaches the text. A lone ESC at the end of a read is either
 * the Escape key or the start of a sequence still on its way: `pending` says so, and the owner
 * calls `flush()` once no more input came for a short while.
 */
export class KeyDecoder {
  readonly #utf8 = new StringDecoder('utf8');
  /** An incomplete escape sequence from the end of the last read. */
  #rest = '';
  /** Inside a bracketed paste: its text so far. */
  #paste: string | undefined;

  /** An escape sequence is incomplete: call `flush()` if nothing more arrives soon. */
  get pending(): boolean {
    return this.#rest !== '' && this.#paste === undefined;
  }

  /** Inside a bracketed paste (or a sequence) that has not ended yet. */
  get midSequence(): boolean {
    return this.#rest !== '' || this.#paste !== undefined;
  }

  feed(chunk: Buffer | string): InputEvent[] {
    const text = typeof chunk === 'string' ? chunk : this.#utf8.write(chunk);
    const events: InputEvent[] = [];
    this.#decode(this.#rest + text, events);
    return events;
  }

  /** No more input came: an ESC waiting alone is the Escape key; a cut sequence is dropped. */
  flush(): InputEvent[] {
    if (!this.pending) return [];
    const rest = this.#rest;
    this.#rest = '';
    return rest === esc ? [{ type: 'key', key: 'escape' }] : [];
  }

  #decode(input: string, events: InputEvent[]): void {
    this.#rest = '';
    let text = '';
    const flushText = () => {
      if (text) events.push({ type: 'text', text });
      text = '';
    };
    let i = 0;
    while (i < input.length) {
      if (this.#paste !== undefined) {
        i = this.#readPaste(input, i, events);
        continue;
      }
      const char = input[i] as string;
      if (char === esc) {
        const sequence = this.#sequenceAt(input, i);
        if (sequence === undefined) {
          // Cut off by the end of the read: the rest waits for the next one.
          flushText();
          this.#rest = input.slice(i);
          return;
        }
        flushText();
        if (sequence.text === pasteStart) this.#paste = '';
        else if (sequence.key) events.push({ type: 'key', key: sequence.key });
        i += sequence.text.length;
        continue;
      }
      const code = char.charCodeAt(0);
      if (code < 0x20 || code === 0x7f) {
        flushText();
        // Enter as CR LF (some terminals, some pastes without brackets) is one Enter.
        if (char === '\r' && input[i + 1] === '\n') i++;
        const key = controlKeys[char];
        if (key) events.push({ type: 'key', key });
        i++;
        continue;
      }
      // C1 controls mean nothing typed.
      if (code < 0x80 || code > 0x9f) text += char;
      i++;
    }
    flushText();
  }

  /** Reads paste text from `i`; returns where decoding goes on. */
  #readPaste(input: string, i: number, events: InputEvent[]): number {
    const end = input.indexOf(pasteEnd, i);
    if (end >= 0) {
      const text = cleanPastedText((this.#paste ?? '') + input.slice(i, end));
      this.#paste = undefined;
      if (text) events.push({ type: 'paste', text });
      return end + pasteEnd.length;
    }
    // The end marker may be cut by the end of the read: keep what could be its start.
    let keep = 0;
    for (let n = Math.min(pasteEnd.length - 1, input.length - i); n > 0; n--) {
      if (pasteEnd.startsWith(input.slice(input.length - n))) {
        keep = n;
        break;
      }
    }
    this.#paste = (this.#paste ?? '') + input.slice(i, input.length - keep);
    this.#rest = input.slice(input.length - keep);
    return input.length;
  }

  /** The escape sequence at `i` and its key, or undefined when the read ends inside it. */
  #sequenceAt(input: string, i: number): { text: string; key?: KeyName } | undefined {
    const next = input[i + 1];
    if (next === undefined) return undefined;
    if (next === '[') return csi(input, i);
    if (next === 'O') {
      const final = input[i + 2];
      if (final === undefined) return undefined;
      return withKey(input.slice(i, i + 3), cursorKey(final));
    }
    // ESC ESC: the first is the Escape key (or Alt with a sequence: its meaning is lost).
    if (next === esc) return { text: esc, key: 'escape' };
    const code = next.charCodeAt(0);
    // Alt with a control that means nothing: the Escape key, then the control on its own.
    if (code < 0x20 && !altKeys[next]) return { text: esc, key: 'escape' };
    // Alt with a character: a key, or nothing (the character is not typed either).
    const char = String.fromCodePoint(input.codePointAt(i + 1) as number);
    return withKey(esc + char, altKeys[char]);
  }
}

function withKey(text: string, key: KeyName | undefined): { text: string; key?: KeyName } {
  return key ? { text, key } : { text };
}

/** `ESC [ params intermediates final`. */
function csi(input: string, i: number): { text: string; key?: KeyName } | undefined {
  let j = i + 2;
  while (j < input.length && j - i < maxSequence) {
    const code = input.charCodeAt(j);
    if (code >= 0x40 && code <= 0x7e) {
      const text = input.slice(i, j + 1);
      return withKey(text, csiKey(input.slice(i + 2, j), input[j] as string));
    }
    // Parameters and intermediates; anything else means this was no sequence.
    if (code < 0x20 || code > 0x3f) return { text: input.slice(i, j) };
    j++;
  }
  if (j - i >= maxSequence) return { text: input.slice(i, j) };
  return undefined;
}

function cursorKey(final: string, modifier = 1): KeyName | undefined {
  // xterm modifiers: 1 + (shift 1, alt 2, ctrl 4).
  const word = ((modifier - 1) & 6) !== 0;
  switch (final) {
    case 'A':
      return 'up';
    case 'B':
      return 'down';
    case 'C':
      return word ? 'word-right' : 'right';
    case 'D':
      return word ? 'word-left' : 'left';
    case 'H':
      return 'line-start';
    case 'F':
      return 'line-end';
    default:
      return undefined;
  }
}

function csiKey(params: string, final: string): KeyName | undefined {
  const numbers = params.split(';');
  if (final === '~') {
    const [code, modifier] = numbers;
    // xterm modifyOtherKeys: ESC [ 27 ; modifier ; 13 ~ is Enter with a modifier.
    if (code === '27') return numbers[2] === '13' ? 'newline' : undefined;
    if (code === '3' && modifier !== undefined && ((Number(modifier) - 1) & 6) !== 0) {
      return 'delete-word-after';
    }
    return tildeKeys[code ?? ''];
  }
  // CSI u (kitty, fixterms): Enter with any modifier breaks the line.
  if (final === 'u') return numbers[0] === '13' && numbers[1] !== undefined ? 'newline' : undefined;
  return cursorKey(final, Number(numbers[1] ?? 1) || 1);
}
