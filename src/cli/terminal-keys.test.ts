import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TypeAhead } from './input/type-ahead.js';
import { type Answering, ctrlC, TerminalKeys } from './terminal-keys.js';

function fakeStdin() {
  const stdin = new EventEmitter() as EventEmitter & {
    isTTY: boolean;
    isRaw: boolean;
    setRawMode(on: boolean): void;
    resume(): void;
    pause(): void;
  };
  stdin.isTTY = true;
  stdin.isRaw = false;
  stdin.setRawMode = (on) => {
    stdin.isRaw = on;
  };
  stdin.resume = () => {};
  stdin.pause = () => {};
  return stdin;
}

/** Keys with a type-ahead, answering as `answering` says; `seen` records what `onKey` got. */
function routed(answering: () => Answering, answers = new Set(['y', 'n', 'a'])) {
  const stdin = fakeStdin();
  const seen: string[] = [];
  const written: string[] = [];
  const keys = new TerminalKeys(
    stdin as never,
    (key) => {
      seen.push(key);
      return answers.has(key);
    },
    { answering, output: { write: (s: string) => written.push(s) } },
  );
  const typeAhead = new TypeAhead();
  keys.setTypeAhead(typeAhead);
  keys.start();
  const type = (text: string) => stdin.emit('data', Buffer.from(text));
  return { stdin, keys, seen, typeAhead, type, written };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('TerminalKeys', () => {
  it('takes one answer per read: a pasted `yy` approves one request, not the next unseen one', () => {
    const stdin = fakeStdin();
    const seen: string[] = [];
    const keys = new TerminalKeys(stdin as never, (key) => {
      seen.push(key);
      return key === 'y';
    });
    keys.start();
    stdin.emit('data', Buffer.from('yy'));
    expect(seen).toEqual(['y']);
    stdin.emit('data', Buffer.from('xyz'));
    expect(seen).toEqual(['y', 'x', 'y']);
    keys.stop();
  });

  it('always lets Ctrl-C through', () => {
    const stdin = fakeStdin();
    const seen: string[] = [];
    const keys = new TerminalKeys(stdin as never, (key) => {
      seen.push(key);
      return key === 'y';
    });
    keys.start();
    stdin.emit('data', Buffer.from(`y${ctrlC}`));
    expect(seen).toEqual(['y', ctrlC]);
    keys.stop();
  });

  it('types ahead while nothing is asked: text, pastes and editing keys; Ctrl-C still goes to onKey', () => {
    const { seen, typeAhead, type } = routed(() => 'none');
    type('next ques');
    type('\u001b[200~tion\nwith two lines\u001b[201~');
    type('!\u007f?');
    type('\r');
    expect(typeAhead.queued).toEqual(['next question\nwith two lines?']);
    type(`more${ctrlC}`);
    expect(seen).toEqual([ctrlC]);
    expect(typeAhead.draft.text).toBe('more');
  });

  it('while a request waits, y/n/a answer it; other keys start a line typed ahead, which then keeps every key', () => {
    const { seen, typeAhead, type } = routed(() => 'answer-keys');
    type('y');
    expect(seen).toEqual(['y']);
    // A paste never answers, even one that starts with `y`.
    type('\u001b[200~yes\u001b[201~');
    expect(seen).toEqual(['y']);
    expect(typeAhead.draft.text).toBe('yes');
    typeAhead.clear();
    // A word typed while the prompt appears answers nothing: `t` starts the line, `y` joins it.
    type('typed');
    expect(seen).toEqual(['y']);
    expect(typeAhead.draft.text).toBe('typed');
    type('y');
    expect(typeAhead.draft.text).toBe('typedy');
    // Queued with Enter, the line is empty again: y answers.
    type('\r');
    type('n');
    expect(seen).toEqual(['y', 'n']);
    expect(typeAhead.queued).toEqual(['typedy']);
  });

  it('gives every key to a reason being typed: text, editing keys, a paste on one line, Enter', () => {
    const { seen, typeAhead, type } = routed(() => 'every', new Set(['\r']));
    type('too r');
    type('\u007f');
    type('\u001b[200~risky\nnow\u001b[201~');
    // Enter sends the reason: the rest of that read answers nothing more.
    type('\rand the rest of the read');
    expect(seen.join('')).toBe('too r\u007frisky now\r');
    expect(typeAhead.draft.text).toBe('');
  });

  it('reads escape sequences whole, never as letters, and a lone Esc as Escape once nothing follows', () => {
    vi.useFakeTimers();
    const { seen, type } = routed(() => 'every', new Set());
    // Up, then Right cut between two reads.
    type('\u001b[A');
    type('\u001b[');
    type('C');
    expect(seen).toEqual([]);
    type('\u001b');
    expect(seen).toEqual([]);
    vi.advanceTimersByTime(60);
    expect(seen).toEqual(['\u001b']);
  });

  it('switches raw mode and bracketed paste on while it reads, and both off after, also at exit', () => {
    const exitListeners = process.listenerCount('exit');
    const { stdin, keys, written } = routed(() => 'none');
    expect(stdin.isRaw).toBe(true);
    expect(written).toEqual(['\u001b[?2004h']);
    expect(stdin.listenerCount('data')).toBe(1);
    // A process.exit while keys are read (a second Ctrl-C) switches bracketed paste off.
    expect(process.listenerCount('exit')).toBe(exitListeners + 1);
    process.listeners('exit').at(-1)?.call(process, 0);
    expect(written).toEqual(['\u001b[?2004h', '\u001b[?2004l']);
    keys.stop();
    keys.stop();
    expect(stdin.isRaw).toBe(false);
    expect(written).toEqual(['\u001b[?2004h', '\u001b[?2004l', '\u001b[?2004l']);
    expect(stdin.listenerCount('data')).toBe(0);
    expect(process.listenerCount('exit')).toBe(exitListeners);
  });
});
