import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeTerminal } from './fake-terminal.js';
import { type LiveFrame, LiveView } from './live-view.js';
import { textWidth } from './text-width.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing escapes to measure
const escapes = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** A view over a fake terminal whose block is `block` plus the frame number. */
function setup(block: string[] = ['block 1', 'block 2'], columns = 40, rows = 20) {
  const terminal = new FakeTerminal(columns, rows);
  let now = 0;
  const frames: LiveFrame[] = [];
  const render = vi.fn((frame: LiveFrame) => {
    frames.push(frame);
    return [...block, `frame ${frame.frame}`];
  });
  const view = new LiveView({ stream: terminal, render, now: () => now });
  return {
    terminal,
    view,
    render,
    frames,
    tick: (ms: number) => {
      now += ms;
      vi.advanceTimersByTime(ms);
    },
  };
}

describe('LiveView', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('redraws the block in place and hides the cursor while active', () => {
    const { terminal, view, tick } = setup();
    terminal.write('before\n');
    view.start();
    expect(terminal.cursorVisible).toBe(false);
    expect(terminal.screen).toEqual(['before', 'block 1', 'block 2', 'frame 0']);
    tick(80 * 5);
    expect(terminal.screen).toEqual(['before', 'block 1', 'block 2', 'frame 5']);
    expect(terminal.unexpected).toEqual([]);
  });

  it('erases row by row, never clearing to the end of the screen (tmux would keep every frame)', () => {
    const { terminal, view, tick } = setup();
    view.start();
    tick(80);
    view.print('line');
    tick(80);
    view.stop();
    expect(terminal.writes.join('')).not.toContain('\u001b[J');
    expect(terminal.screen).toEqual(['line']);
    // Nothing of the block was left behind above or below.
    expect(terminal.lines.filter((l) => l !== '')).toEqual(['line']);
  });

  it('prints permanent lines above the block', () => {
    const { terminal, view, tick } = setup();
    view.start();
    view.print('first');
    view.print('second\nthird\n');
    tick(80);
    expect(terminal.screen).toEqual(['first', 'second', 'third', 'block 1', 'block 2', 'frame 3']);
  });

  it('stops: erases the block, shows the cursor and clears its timer', () => {
    const { terminal, view, tick, render } = setup();
    view.start();
    view.print('kept');
    view.stop();
    expect(terminal.screen).toEqual(['kept']);
    expect(terminal.cursorVisible).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
    const calls = render.mock.calls.length;
    tick(1000);
    expect(render.mock.calls.length).toBe(calls);
    view.print('after');
    expect(terminal.screen).toEqual(['kept', 'after']);
  });

  it('shows streamed text above the block until its line is complete', () => {
    const { terminal, view, tick } = setup();
    view.start();
    view.write('The answer ');
    view.write('is');
    expect(terminal.screen).toEqual(['block 1', 'block 2', 'frame 0']);
    tick(80);
    expect(terminal.screen).toEqual(['The answer is', 'block 1', 'block 2', 'frame 1']);
    view.write(' 42.\nNext');
    expect(terminal.screen).toEqual(['The answer is 42.', 'Next', 'block 1', 'block 2', 'frame 2']);
    view.print('a line');
    expect(terminal.screen.slice(0, 3)).toEqual(['The answer is 42.', 'Next', 'a line']);
    view.write('tail');
    view.stop();
    expect(terminal.screen).toEqual(['The answer is 42.', 'Next', 'a line', 'tail']);
    view.write(' goes on\n');
    expect(terminal.screen).toEqual(['The answer is 42.', 'Next', 'a line', 'tail goes on']);
  });

  it('takes over a line left open while stopped', () => {
    const { terminal, view } = setup();
    view.write('open line');
    view.start();
    expect(terminal.screen).toEqual(['open line', 'block 1', 'block 2', 'frame 0']);
    view.write('!\n');
    view.stop();
    expect(terminal.screen).toEqual(['open line!']);
  });

  it('keeps a footer below the block', () => {
    const { terminal, view } = setup();
    view.start();
    view.setFooter(['Allow shell "rm -rf build"? [y/n]']);
    expect(terminal.screen.at(-1)).toBe('Allow shell "rm -rf build"? [y/n]');
    view.setFooter([]);
    expect(terminal.screen).toEqual(['block 1', 'block 2', 'frame 2']);
  });

  it('never lets a line wrap, and follows resizes', () => {
    const long = `${'x'.repeat(100)}\u001b[31mred\u001b[0m 日本語`;
    const { terminal, view, tick, frames } = setup([long, 'ok'], 30, 20);
    view.start();
    view.print('p'.repeat(10));
    view.setFooter([`footer ${'y'.repeat(100)}`]);
    terminal.columns = 12;
    tick(80);
    terminal.columns = 50;
    tick(80);
    expect(terminal.wraps).toBe(0);
    expect(frames.map((f) => f.columns)).toEqual([29, 29, 29, 11, 49]);
    for (const write of terminal.writes) {
      for (const line of write.replace(escapes, '').split(/[\n\r]/)) {
        expect(textWidth(line)).toBeLessThanOrEqual(49);
      }
    }
    expect(terminal.screen.at(-1)).toBe(`footer ${'y'.repeat(41)}…`);
  });

  it('stays shorter than the terminal, keeping the footer', () => {
    const block = Array.from({ length: 30 }, (_, i) => `line ${i}`);
    const { terminal, view, tick } = setup(block, 40, 10);
    view.start();
    view.setFooter(['prompt?']);
    tick(80);
    expect(terminal.lines.length).toBeLessThanOrEqual(9);
    expect(terminal.screen.at(-1)).toBe('prompt?');
    tick(800);
    expect(terminal.lines.length).toBeLessThanOrEqual(9);
  });

  it('strips what would move the cursor from printed text', () => {
    const { terminal, view } = setup();
    view.start();
    view.print('safe\u001b[2A\u001b[2Jtext\r!');
    expect(terminal.screen[0]).toBe('safetext!');
    expect(terminal.unexpected).toEqual([]);
  });

  it('lets no attribute of text above hide the block or what follows the view', () => {
    const { terminal, view, tick } = setup();
    view.start();
    // Streamed (model) text loses its colours; printed text keeps them, but only for itself.
    view.write('model \u001b[8mtext\nmore \u001b[30;40m');
    view.print('tool says \u001b[30;40mblack');
    tick(80);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding escapes is the point
    expect(terminal.writes.join('')).not.toMatch(/\u001b\[8m|\u001b\[30;40m(?!black)/);
    expect(terminal.seen.slice(0, 3)).toEqual(['model text', 'more ', 'tool says      ']);
    expect(terminal.seen.slice(3)).toEqual(terminal.screen.slice(3));
    expect(terminal.screen.slice(3)).toEqual(['block 1', 'block 2', 'frame 3']);
    view.stop();
    terminal.write('\n$ ls');
    expect(terminal.seen.at(-1)).toBe('$ ls');
  });

  it('stops redrawing when rendering fails, without throwing from the timer', () => {
    const terminal = new FakeTerminal();
    let fail = false;
    const view = new LiveView({
      stream: terminal,
      render: () => {
        if (fail) throw new Error('boom');
        return ['ok'];
      },
    });
    view.start();
    fail = true;
    vi.advanceTimersByTime(80);
    expect(view.active).toBe(false);
    expect(vi.getTimerCount()).toBe(0);
    expect(terminal.cursorVisible).toBe(true);
  });

  it('writes directly while stopped', () => {
    const { terminal, view, render } = setup();
    view.print('plain');
    view.write('streamed\n');
    expect(terminal.screen).toEqual(['plain', 'streamed']);
    expect(render).not.toHaveBeenCalled();
  });
});
