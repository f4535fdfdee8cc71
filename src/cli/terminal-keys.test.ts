import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ctrlC, TerminalKeys } from './terminal-keys.js';

function fakeStdin() {
  const stdin = new EventEmitter() as EventEmitter & {
    isTTY: boolean;
    setRawMode(on: boolean): void;
    resume(): void;
    pause(): void;
  };
  stdin.isTTY = true;
  stdin.setRawMode = () => {};
  stdin.resume = () => {};
  stdin.pause = () => {};
  return stdin;
}

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
});
