import { EventEmitter } from 'node:events';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PromptHistory } from './prompt-history.js';
import { TerminalInput, type TerminalInputOptions } from './terminal-input.js';
import { FakeTtyInput, FakeTtyOutput } from './test-tty.js';
import { TypeAhead } from './type-ahead.js';

const enter = '\r';
const up = '\u001b[A';
const ctrlC = '\u0003';
const ctrlD = '\u0004';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'salvo-terminal-input-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function setup(options: Partial<TerminalInputOptions> = {}) {
  const input = new FakeTtyInput();
  const output = new FakeTtyOutput(40, 12);
  const history = await PromptHistory.open({ home, folder: join(home, 'project') });
  const typeAhead = new TypeAhead();
  const signals = new EventEmitter();
  const terminal = new TerminalInput({
    input,
    output,
    history,
    typeAhead,
    signals: signals as never,
    ...options,
  });
  /** Waits until the editor reads the terminal (it starts after the caller's await). */
  const reading = async () => {
    for (let i = 0; i < 100 && input.readers === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(input.readers).toBe(1);
  };
  return { input, output, history, typeAhead, signals, terminal, reading };
}

describe('TerminalInput', () => {
  it('reads a prompt, keeps it in the history file, and types ahead what followed its Enter', async () => {
    const { input, history, typeAhead, terminal, reading } = await setup();
    const line = terminal.read();
    await reading();
    input.type(`first prompt${enter}second${enter}third`);
    expect(await line).toBe('first prompt');
    expect(history.entries).toEqual(['first prompt']);
    expect(await readFile(history.file, 'utf8')).toContain('"text":"first prompt"');
    expect(terminal.takeQueued()).toEqual(['second']);
    expect(typeAhead.draft.text).toBe('third');
    expect(input.isRaw).toBe(false);
    expect(input.readers).toBe(0);
  });

  it('starts with the draft typed ahead, and Up brings back the history', async () => {
    const { input, output, typeAhead, terminal, reading } = await setup();
    const first = terminal.read();
    await reading();
    input.type(`older${enter}`);
    await first;
    typeAhead.replay([{ type: 'text', text: 'typed during the run' }]);
    const second = terminal.read();
    await reading();
    expect(output.screen.at(-1)).toBe('› typed during the run');
    expect(typeAhead.draft.text).toBe('');
    input.type(up);
    expect(output.screen.at(-1)).toBe('› older');
    input.type(enter);
    expect(await second).toBe('older');
  });

  it('puts the prompts of a cancelled run back in the editor, each on a line, then the draft', async () => {
    const { input, output, typeAhead, terminal, reading } = await setup();
    typeAhead.replay([
      { type: 'text', text: 'one' },
      { type: 'key', key: 'enter' },
      { type: 'text', text: 'two' },
      { type: 'key', key: 'enter' },
      { type: 'text', text: 'draft' },
    ]);
    terminal.putBack(terminal.takeQueued());
    const line = terminal.read();
    await reading();
    expect(output.screen.slice(-3)).toEqual(['› one', '  two', '  draft']);
    input.type(enter);
    expect(await line).toBe('one\ntwo\ndraft');
  });

  it('shows a prompt typed ahead as the user would have seen it, and keeps it in the history', async () => {
    const { output, history, terminal } = await setup();
    terminal.show('look at this\nand this');
    expect(output.screen.slice(-2)).toEqual(['› look at this', '  and this']);
    // The cursor on a line of its own after it, for what the run prints.
    expect(output.lines.at(-1)).toBe('');
    expect(output.col).toBe(0);
    await history.add('');
    expect(history.entries).toEqual(['look at this\nand this']);
  });

  it('leaves on Ctrl-D and on a second Ctrl-C at an empty prompt', async () => {
    const { input, terminal, reading } = await setup();
    const ctrlD1 = terminal.read();
    await reading();
    input.type(ctrlD);
    expect(await ctrlD1).toBeNull();
    const twice = terminal.read();
    await reading();
    input.type(ctrlC);
    input.type(ctrlC);
    expect(await twice).toBeNull();
  });

  it('ends a read when the session is stopped, or on SIGINT (which then stops it)', async () => {
    const stop = new AbortController();
    const { input, output, signals, terminal, reading } = await setup({ stop });
    const stopped = terminal.read();
    await reading();
    input.type('half');
    signals.emit('SIGINT');
    expect(await stopped).toBeNull();
    expect(stop.signal.aborted).toBe(true);
    expect(signals.listenerCount('SIGINT')).toBe(0);
    expect(input.isRaw).toBe(false);
    expect(output.bracketedPaste).toBe(false);
    // Stopped: no more reads.
    expect(await terminal.read()).toBeNull();
    expect(await terminal.ask('Number: ')).toBeUndefined();
  });

  it('asks a question with its own prompt, out of the history', async () => {
    const { input, output, history, terminal, reading } = await setup();
    const answer = terminal.ask('Number (1-3): ');
    await reading();
    input.type('2');
    expect(output.screen.at(-1)).toBe('Number (1-3): 2');
    input.type(enter);
    expect(await answer).toBe('2');
    expect(history.entries).toEqual([]);
  });
});
