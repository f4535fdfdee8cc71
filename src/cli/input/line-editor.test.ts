import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { exitHint, LineEditor, type LineEditorOptions, type ReadOptions } from './line-editor.js';
import { FakeTtyInput, FakeTtyOutput } from './test-tty.js';

const enter = '\r';
const left = '\u001b[D';
const up = '\u001b[A';
const down = '\u001b[B';
const ctrlC = '\u0003';
const ctrlD = '\u0004';
const paste = (text: string) => `\u001b[200~${text}\u001b[201~`;

function setup(options: Partial<LineEditorOptions> = {}, columns = 40, rows = 12) {
  const input = new FakeTtyInput();
  const output = new FakeTtyOutput(columns, rows);
  output.write('before\n');
  let now = 0;
  const editor = new LineEditor({ input, output, now: () => now, ...options });
  const read = (readOptions: ReadOptions = {}) => {
    const result = editor.read(readOptions);
    result.catch(() => {});
    return result;
  };
  return {
    input,
    output,
    editor,
    read,
    advance(ms: number) {
      now += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

/** The terminal is as it was before the read: cooked mode, no paste mode, nobody listening. */
function expectRestored(input: FakeTtyInput, output: FakeTtyOutput) {
  expect(input.isRaw).toBe(false);
  expect(input.readers).toBe(0);
  expect(input.readableFlowing).toBe(false);
  expect(output.bracketedPaste).toBe(false);
  expect(output.resizeListeners).toBe(0);
  expect(vi.getTimerCount()).toBe(0);
}

describe('LineEditor', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reads a line in raw mode with bracketed paste on, and puts the terminal back after', async () => {
    const { input, output, read } = setup();
    const line = read();
    expect(input.isRaw).toBe(true);
    expect(output.bracketedPaste).toBe(true);
    input.type('hello');
    expect(output.screen).toEqual(['before', '› hello']);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'hello' });
    expectRestored(input, output);
    // The next output starts on a fresh line under the prompt.
    expect(output.col).toBe(0);
    output.write('after');
    expect(output.screen).toEqual(['before', '› hello', 'after']);
    expect(output.unexpected).toEqual([]);
  });

  it('edits at the cursor: arrows, Home and End, Ctrl-A and Ctrl-E, words, kills', async () => {
    const { input, read, output } = setup();
    const line = read();
    input.type('helo');
    input.type(left);
    input.type('l');
    input.type('\u001b[H');
    input.type('X');
    input.type('\u001b[F!');
    expect(output.screen[1]).toBe('› Xhello!');
    input.type('\u0001\u001b[3~\u0005 world again');
    input.type('\u0017');
    input.type('\u001b[1;5D\u000b');
    expect(output.screen[1]).toBe('› hello! ');
    input.type('\u0015more');
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'more' });
  });

  it('sends a multi-line paste whole and shows it as one label', async () => {
    const { input, output, read } = setup();
    const line = read();
    const text = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    input.type('explain ');
    // A paste arrives in several reads; its Enter keys do not submit.
    const pasted = paste(text.replace(/\n/g, '\r'));
    input.type(pasted.slice(0, 20));
    input.type(pasted.slice(20));
    expect(output.screen).toEqual(['before', '› explain [pasted 12 lines]']);
    input.type(' please');
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: `explain ${text} please` });
  });

  it('shows a short paste as its lines', async () => {
    const { input, output, read } = setup();
    const line = read();
    input.type(paste('one\r\ntwo'));
    expect(output.screen).toEqual(['before', '› one', '  two']);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'one\ntwo' });
  });

  it('breaks the line on `\\` before Enter, Alt-Enter, Shift-Enter and Ctrl-J', async () => {
    const { input, output, read } = setup();
    const line = read();
    input.type('one\\');
    input.type(enter);
    input.type('two');
    input.type('\u001b\r');
    input.type('three');
    input.type('\u001b[13;2u');
    input.type('four\n');
    expect(output.screen).toEqual(['before', '› one', '  two', '  three', '  four', '  ']);
    input.type('five');
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'one\ntwo\nthree\nfour\nfive' });
  });

  it('walks the history with Up and Down, through the lines of an entry, keeping the draft', async () => {
    const { input, output, read } = setup();
    const line = read({ history: ['first', 'second\nentry'] });
    input.type('draft');
    input.type(up);
    expect(output.screen).toEqual(['before', '› second', '  entry']);
    input.type(up);
    input.type(up);
    expect(output.screen).toEqual(['before', '› first']);
    input.type(up);
    expect(output.screen).toEqual(['before', '› first']);
    input.type(' edited');
    input.type(down);
    expect(output.screen).toEqual(['before', '› second', '  entry']);
    input.type(down);
    input.type(down);
    expect(output.screen).toEqual(['before', '› draft']);
    input.type(up);
    input.type(up);
    input.type(up);
    expect(output.screen).toEqual(['before', '› first edited']);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'first edited' });
  });

  it('clears the text on Ctrl-C, and exits on a second Ctrl-C on an empty prompt', async () => {
    const { input, output, read, advance } = setup();
    const line = read();
    input.type('some text');
    input.type(ctrlC);
    expect(output.screen).toEqual(['before', '› ']);
    input.type(ctrlC);
    expect(output.screen).toEqual(['before', '› ', exitHint]);
    // The cursor stays on the prompt, not under the hint.
    expect(output.lines[output.row]).toBe('› ');
    // Too late: the hint goes, and the next Ctrl-C asks again.
    advance(3001);
    expect(output.screen).toEqual(['before', '› ']);
    input.type(ctrlC);
    expect(output.screen).toEqual(['before', '› ', exitHint]);
    advance(1000);
    input.type(ctrlC);
    await expect(line).resolves.toEqual({ kind: 'interrupt' });
    expect(output.screen).toEqual(['before', '› ']);
    expectRestored(input, output);
  });

  it('forgets a first Ctrl-C once something else is typed', async () => {
    const { input, output, read } = setup();
    const line = read();
    input.type(ctrlC);
    input.type('x');
    expect(output.screen).toEqual(['before', '› x']);
    input.type(ctrlC);
    input.type(ctrlC);
    expect(output.screen).toEqual(['before', '› ', exitHint]);
    input.type(ctrlC);
    await expect(line).resolves.toEqual({ kind: 'interrupt' });
  });

  it('exits on Ctrl-D on an empty prompt, ending the line; deletes forward otherwise', async () => {
    const { input, output, read } = setup();
    const first = read();
    input.type('ab');
    input.type(left);
    input.type(ctrlD);
    expect(output.screen).toEqual(['before', '› a']);
    input.type('\u0015');
    input.type(ctrlD);
    await expect(first).resolves.toEqual({ kind: 'exit' });
    expect(output.col).toBe(0);
    expect(output.row).toBe(2);
    expectRestored(input, output);
  });

  it('redraws wrapped text in place, leaving nothing behind when it shrinks', async () => {
    const { input, output, read } = setup({}, 12, 10);
    const line = read();
    input.type('abcdefghijklmnopqrstuvwxyz');
    expect(output.screen).toEqual(['before', '› abcdefghi', '  jklmnopqr', '  stuvwxyz']);
    input.type('\u0001X');
    expect(output.screen).toEqual(['before', '› Xabcdefgh', '  ijklmnopq', '  rstuvwxyz']);
    expect(output.lines[output.row]?.slice(0, output.col)).toBe('› X');
    input.type('\u000b');
    expect(output.screen).toEqual(['before', '› X']);
    expect(output.wraps).toBe(0);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'X' });
  });

  it('redraws for the new width when the terminal is resized', async () => {
    const { input, output, read } = setup({}, 30, 10);
    const line = read();
    input.type('the quick brown fox jumps over the lazy dog');
    expect(output.screen).toEqual([
      'before',
      '› the quick brown fox jumps o',
      '  ver the lazy dog',
    ]);
    output.resize(16);
    expect(output.screen).toEqual([
      'before',
      '› the quick bro',
      '  wn fox jumps ',
      '  over the lazy',
      '   dog',
    ]);
    output.resize(40);
    input.type('!');
    expect(output.screen).toEqual([
      'before',
      '› the quick brown fox jumps over the la',
      '  zy dog!',
    ]);
    input.type(enter);
    await line;
  });

  it('shows the rows around the cursor when the text is taller than the terminal', async () => {
    const { input, output, read } = setup({}, 40, 6);
    const line = read();
    const text = Array.from({ length: 20 }, (_, i) => `row ${i}`).join('\n');
    input.type(paste(text));
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text });
    const second = read({ history: [text] });
    input.type(up);
    expect(output.screen.slice(-5)).toEqual([
      '  … 16 more lines above',
      '  row 16',
      '  row 17',
      '  row 18',
      '  row 19',
    ]);
    expect(output.wraps).toBe(0);
    input.type('\u0003');
    input.type('\u0004');
    await second;
  });

  it('never lets an escape sequence cut between reads into the text; a lone ESC does nothing', async () => {
    const { input, output, read, advance } = setup();
    const line = read();
    input.type('ac');
    input.type('\u001b');
    input.type('[');
    input.type('D');
    input.type('b');
    input.type('\u001b');
    advance(100);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'abc' });
    expect(output.output).not.toContain('[D');
  });

  it('starts with a prefill, collapsed pastes kept collapsed', async () => {
    const { input, output, read } = setup();
    const line = read({
      prefill: { units: ['a', ' ', { pasted: '1\n2\n3\n4', label: '[pasted 4 lines]' }], text: '' },
    });
    expect(output.screen).toEqual(['before', '› a [pasted 4 lines]']);
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: 'a 1\n2\n3\n4' });
    const next = read({ prefill: 'typed ahead' });
    input.type(enter);
    await expect(next).resolves.toEqual({ kind: 'line', text: 'typed ahead' });
  });

  it('keeps what came after Enter in the same read for the next prompt', async () => {
    const { input, editor, read } = setup();
    const first = read();
    input.type('one\rtwo\rthr');
    await expect(first).resolves.toEqual({ kind: 'line', text: 'one' });
    const second = read();
    await expect(second).resolves.toEqual({ kind: 'line', text: 'two' });
    expect(editor.takeTypedAhead()).toEqual([{ type: 'text', text: 'thr' }]);
    expect(editor.takeTypedAhead()).toEqual([]);
  });

  it('erases the prompt and rejects when aborted, the terminal restored', async () => {
    const { input, output, read } = setup();
    const controller = new AbortController();
    const line = read({ signal: controller.signal });
    input.type('half typed');
    controller.abort(new Error('stop'));
    await expect(line).rejects.toThrow('stop');
    expect(output.screen).toEqual(['before']);
    expectRestored(input, output);
    await expect(read({ signal: controller.signal })).rejects.toThrow('stop');
    expect(input.rawModes).toEqual([true, false]);
  });

  it('puts the terminal back when drawing fails', async () => {
    const { input, output, read } = setup();
    const line = read();
    Object.defineProperty(output, 'rows', {
      get() {
        throw new Error('broken terminal');
      },
    });
    input.type('x');
    await expect(line).rejects.toThrow('broken terminal');
    expectRestored(input, output);
  });

  it('refuses a second read while one runs', async () => {
    const { input, read } = setup();
    const first = read();
    await expect(read()).rejects.toThrow('already running');
    input.type(ctrlD);
    await expect(first).resolves.toEqual({ kind: 'exit' });
  });

  it('shows wide characters and emoji, and steps over them whole', async () => {
    const { input, output, read } = setup();
    const line = read();
    input.type('日本語 👍🏽 ok');
    input.type(`${left}${left}${left}\u007f`);
    // (The fake screen counts a wide character as one column: look at what was written.)
    expect(output.output.slice(output.output.lastIndexOf('›'))).toContain('› 日本語  ok');
    input.type(enter);
    await expect(line).resolves.toEqual({ kind: 'line', text: '日本語  ok' });
  });
});
