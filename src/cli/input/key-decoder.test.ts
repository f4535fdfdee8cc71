import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cleanPastedText, type InputEvent, KeyDecoder } from './key-decoder.js';

/** Consecutive text events as one, so splits of a read compare equal. */
function merged(events: readonly InputEvent[]): InputEvent[] {
  const out: InputEvent[] = [];
  for (const event of events) {
    const last = out[out.length - 1];
    if (event.type === 'text' && last?.type === 'text') last.text += event.text;
    else out.push({ ...event });
  }
  return out;
}

function decode(...chunks: string[]): InputEvent[] {
  const decoder = new KeyDecoder();
  const events = chunks.flatMap((chunk) => decoder.feed(chunk));
  return merged([...events, ...decoder.flush()]);
}

const key = (name: string) => ({ type: 'key', key: name });

describe('KeyDecoder', () => {
  it('reads typed text, wide characters and emoji included', () => {
    expect(decode('héllo 世界 👍')).toEqual([{ type: 'text', text: 'héllo 世界 👍' }]);
  });

  it('maps control characters and the common spellings of each key', () => {
    expect(decode('\r')).toEqual([key('enter')]);
    expect(decode('\r\n')).toEqual([key('enter')]);
    expect(decode('\n')).toEqual([key('newline')]);
    expect(decode('\u007f', '\u0008')).toEqual([key('backspace'), key('backspace')]);
    expect(decode('\u0001\u0005\u0015\u000b\u0017')).toEqual([
      key('line-start'),
      key('line-end'),
      key('kill-line-before'),
      key('kill-line-after'),
      key('kill-word-before'),
    ]);
    expect(decode('\u0003', '\u0004')).toEqual([key('ctrl-c'), key('ctrl-d')]);
    expect(decode('\u001b[A\u001b[B\u001b[C\u001b[D')).toEqual([
      key('up'),
      key('down'),
      key('right'),
      key('left'),
    ]);
    expect(decode('\u001bOA\u001bOH\u001bOF')).toEqual([
      key('up'),
      key('line-start'),
      key('line-end'),
    ]);
    expect(decode('\u001b[H\u001b[F\u001b[1~\u001b[4~\u001b[7~\u001b[8~')).toEqual([
      key('line-start'),
      key('line-end'),
      key('line-start'),
      key('line-end'),
      key('line-start'),
      key('line-end'),
    ]);
    expect(decode('\u001b[3~')).toEqual([key('delete')]);
  });

  it('reads word moves and deletes with Alt or Ctrl', () => {
    expect(decode('\u001b[1;3D\u001b[1;5C\u001bb\u001bf')).toEqual([
      key('word-left'),
      key('word-right'),
      key('word-left'),
      key('word-right'),
    ]);
    expect(decode('\u001b\u007f\u001bd\u001b[3;5~')).toEqual([
      key('delete-word-before'),
      key('delete-word-after'),
      key('delete-word-after'),
    ]);
  });

  it('reads Alt-Enter and Shift-Enter (CSI u, modifyOtherKeys) as a line break', () => {
    expect(decode('\u001b\r', '\u001b[13;2u', '\u001b[27;2;13~')).toEqual([
      key('newline'),
      key('newline'),
      key('newline'),
    ]);
  });

  it('drops sequences it does not know, whole (function keys, focus, mouse-like)', () => {
    expect(decode('a\u001b[15~b\u001b[Ic\u001bOPd\u001b[<0;3;4Me')).toEqual([
      { type: 'text', text: 'abcde' },
    ]);
  });

  it('keeps a sequence cut by the end of a read for the next one', () => {
    const decoder = new KeyDecoder();
    expect(decoder.feed('ab\u001b[')).toEqual([{ type: 'text', text: 'ab' }]);
    expect(decoder.pending).toBe(true);
    expect(decoder.feed('1;5')).toEqual([]);
    expect(decoder.feed('Dc')).toEqual([key('word-left'), { type: 'text', text: 'c' }]);
    expect(decoder.pending).toBe(false);
  });

  it('takes a lone ESC for the Escape key only once `flush` says no more came', () => {
    const decoder = new KeyDecoder();
    expect(decoder.feed('\u001b')).toEqual([]);
    expect(decoder.pending).toBe(true);
    expect(decoder.flush()).toEqual([key('escape')]);
    expect(decoder.flush()).toEqual([]);
    expect(decoder.feed('x')).toEqual([{ type: 'text', text: 'x' }]);
  });

  it('keeps a UTF-8 character cut between reads whole', () => {
    const bytes = Buffer.from('é世', 'utf8');
    const decoder = new KeyDecoder();
    const events = [
      ...decoder.feed(bytes.subarray(0, 1)),
      ...decoder.feed(bytes.subarray(1, 3)),
      ...decoder.feed(bytes.subarray(3)),
    ];
    expect(merged(events)).toEqual([{ type: 'text', text: 'é世' }]);
  });

  it('returns a bracketed paste whole, line breaks kept, Enter inside it not an Enter', () => {
    expect(decode('a\u001b[200~line 1\r\nline 2\rline 3\nend\u001b[201~b')).toEqual([
      { type: 'text', text: 'a' },
      { type: 'paste', text: 'line 1\nline 2\nline 3\nend' },
      { type: 'text', text: 'b' },
    ]);
  });

  it('finds the end of a paste cut anywhere, its end marker included', () => {
    const whole = '\u001b[200~one\ntwo\u001b[201~\r';
    for (let cut = 1; cut < whole.length; cut++) {
      expect(decode(whole.slice(0, cut), whole.slice(cut))).toEqual([
        { type: 'paste', text: 'one\ntwo' },
        key('enter'),
      ]);
    }
  });

  it('removes escape sequences and controls from pasted text, keeping tabs', () => {
    expect(cleanPastedText('\u001b[31mred\u001b[0m\tx\u0007\u001b]0;title\u0007y')).toBe('red\txy');
  });

  it('never lets part of an escape sequence into the text, however the input is cut', () => {
    const pieces = fc.constantFrom(
      'a',
      'é',
      '世',
      ' ',
      '\r',
      '\u007f',
      '\u001b[A',
      '\u001b[1;5C',
      '\u001b[3~',
      '\u001bOH',
      '\u001bb',
      '\u001b[200~x\ny\u001b[201~',
      '\u001b[13;2u',
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 20 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        (parts, cuts) => {
          const input = parts.join('');
          const points = [...new Set(cuts.map((c) => c % (input.length + 1)))].sort(
            (a, b) => a - b,
          );
          const chunks: string[] = [];
          let last = 0;
          for (const point of points) {
            chunks.push(input.slice(last, point));
            last = point;
          }
          chunks.push(input.slice(last));
          const events = decode(...chunks);
          expect(events).toEqual(decode(input));
          for (const event of events) {
            if (event.type === 'key') continue;
            for (const control of ['\u001b', '\r', '\u007f'])
              expect(event.text).not.toContain(control);
          }
        },
      ),
    );
  });
});
