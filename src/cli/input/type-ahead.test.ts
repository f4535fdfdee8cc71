import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { textWidth } from '../progress/text-width.js';
import { TypeAhead } from './type-ahead.js';

describe('TypeAhead', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('queues each line typed with Enter, in order, and keeps the unfinished one as the draft', () => {
    const onChange = vi.fn();
    const typeAhead = new TypeAhead({ onChange });
    typeAhead.feed('first\r');
    typeAhead.feed('sec');
    typeAhead.feed('ond\rthi');
    expect(typeAhead.queued).toEqual(['first', 'second']);
    expect(typeAhead.draft.text).toBe('thi');
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(typeAhead.next()).toBe('first');
    expect(typeAhead.next()).toBe('second');
    expect(typeAhead.next()).toBeUndefined();
    expect(typeAhead.takeDraft()?.text).toBe('thi');
    expect(typeAhead.takeDraft()).toBeUndefined();
  });

  it('edits the draft with Backspace, Ctrl-W and Ctrl-U, and ignores cursor keys', () => {
    const typeAhead = new TypeAhead();
    typeAhead.feed('fix the tests\u007f');
    expect(typeAhead.draft.text).toBe('fix the test');
    typeAhead.feed('\u0017');
    expect(typeAhead.draft.text).toBe('fix the ');
    typeAhead.feed('\u001b[A\u001b[D');
    expect(typeAhead.draft.text).toBe('fix the ');
    typeAhead.feed('\u0015');
    expect(typeAhead.draft.text).toBe('');
    typeAhead.feed('\r\r');
    expect(typeAhead.queued).toEqual([]);
  });

  it('takes a bracketed paste whole, Enter keys inside it included, over several reads', () => {
    const typeAhead = new TypeAhead();
    const pasted = '\u001b[200~one\rtwo\rthree\rfour\u001b[201~';
    typeAhead.feed(pasted.slice(0, 9));
    expect(typeAhead.midSequence).toBe(true);
    typeAhead.feed(pasted.slice(9));
    expect(typeAhead.midSequence).toBe(false);
    expect(typeAhead.queued).toEqual([]);
    expect(typeAhead.view(80)).toBe('› [pasted 4 lines]');
    typeAhead.feed('\r');
    expect(typeAhead.queued).toEqual(['one\ntwo\nthree\nfour']);
  });

  it('hands Ctrl-C to the run, typed alone or among other keys', () => {
    const onInterrupt = vi.fn();
    const typeAhead = new TypeAhead({ onInterrupt });
    typeAhead.feed('ab\u0003c');
    expect(onInterrupt).toHaveBeenCalledTimes(1);
    expect(typeAhead.draft.text).toBe('abc');
  });

  it('shows one line: the end of the draft and how many prompts wait', () => {
    const typeAhead = new TypeAhead();
    expect(typeAhead.view(40)).toBe('');
    typeAhead.feed('queued one\r');
    expect(typeAhead.view(40)).toBe('› (queued: 1)');
    typeAhead.feed('now typing a rather long line of text');
    const view = typeAhead.view(30);
    expect(view).toBe('› …ng line of text (queued: 1)');
    expect(textWidth(view)).toBeLessThanOrEqual(30);
    typeAhead.feed('\u001b\r世界');
    expect(typeAhead.view(20)).toBe('› …↵世界 (queued: 1)');
  });

  it('gets an Escape key typed alone out of the way once no more comes', () => {
    const typeAhead = new TypeAhead();
    typeAhead.feed('a\u001b');
    expect(typeAhead.midSequence).toBe(true);
    vi.advanceTimersByTime(60);
    expect(typeAhead.midSequence).toBe(false);
    typeAhead.feed('b');
    expect(typeAhead.draft.text).toBe('ab');
    typeAhead.dispose();
  });

  it('takes input a line editor read after its Enter', () => {
    const typeAhead = new TypeAhead();
    typeAhead.replay([
      { type: 'text', text: 'next' },
      { type: 'key', key: 'enter' },
    ]);
    expect(typeAhead.queued).toEqual(['next']);
    typeAhead.clear();
    expect(typeAhead.queued).toEqual([]);
  });

  it('gives keys to a waiting approval instead: one answer per read, never from a paste', () => {
    const answers: string[] = [];
    let waiting = 2;
    const onInterrupt = vi.fn();
    const typeAhead = new TypeAhead({
      onInterrupt,
      approvals: {
        pending: () => waiting > 0,
        answer: (key) => {
          answers.push(key);
          if (key !== 'y' && key !== 'n') return false;
          waiting--;
          return true;
        },
      },
    });
    typeAhead.feed('\u001b[200~yyy\u001b[201~');
    expect(answers).toEqual([]);
    typeAhead.feed('xyy');
    expect(answers).toEqual(['x', 'y']);
    typeAhead.feed('\u0003n\u0003');
    expect(answers).toEqual(['x', 'y', 'n']);
    expect(onInterrupt).toHaveBeenCalledTimes(2);
    // Nothing waits any more: typing goes to the draft again.
    typeAhead.feed('yes');
    expect(typeAhead.draft.text).toBe('yes');
    expect(answers).toHaveLength(3);
  });
});
