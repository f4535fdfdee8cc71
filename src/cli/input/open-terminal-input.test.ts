import { EventEmitter } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliIo } from '../io.js';
import { TerminalKeys } from '../terminal-keys.js';
import { openTerminalInput } from './open-terminal-input.js';
import { FakeTtyInput, FakeTtyOutput } from './test-tty.js';

let home: string;

beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'salvo-open-input-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

async function setup() {
  const stdin = new FakeTtyInput();
  const stdout = Object.assign(new FakeTtyOutput(60, 10), { isTTY: true });
  const io = { stdin, stdout, stderr: stdout, env: { NO_COLOR: '1' }, cwd: home, home };
  const keys = new TerminalKeys(stdin as never, () => false, { answering: () => 'none' });
  const signals = new EventEmitter();
  const shown: { line: string; drafting: boolean }[] = [];
  const opened = await openTerminalInput({
    io: io as unknown as CliIo,
    cwd: join(home, 'project'),
    keys,
    warn: () => {},
    showTypeAhead: (line, { drafting }) => shown.push({ line, drafting }),
    process: signals as never,
  });
  return { stdin, stdout, keys, signals, shown, opened };
}

describe('openTerminalInput', () => {
  it('feeds the keys typed during a run to the type-ahead and shows its line', async () => {
    const { stdin, keys, shown, opened } = await setup();
    keys.start();
    stdin.type('next');
    stdin.type('\r');
    keys.stop();
    expect(shown).toEqual([
      { line: '› next', drafting: true },
      { line: '› (queued: 1)', drafting: false },
    ]);
    expect(opened.input.takeQueued()).toEqual(['next']);
    opened.close();
  });

  it('stops the session on SIGTERM, switches bracketed paste off at exit, and lets go on close', async () => {
    const { stdin, stdout, keys, signals, opened } = await setup();
    expect(opened.stop.aborted).toBe(false);
    signals.emit('SIGTERM', 'SIGTERM');
    expect(opened.stop.aborted).toBe(true);
    stdout.output = '';
    signals.emit('exit');
    expect(stdout.output).toBe('\u001b[?2004l');

    opened.close();
    expect(signals.eventNames()).toEqual([]);
    // The keys type ahead no more.
    keys.start();
    stdin.type('lost\r');
    keys.stop();
    expect(opened.input.takeQueued()).toEqual([]);
  });
});
