import { describe, expect, it } from 'vitest';
import { sanitizeForTerminal, sanitizeInline, stripColors } from './sanitize-text.js';

describe('sanitizeInline', () => {
  it('removes cursor moves, screen clears, titles and resets', () => {
    expect(sanitizeInline('a\u001b[2J\u001b[10;5Hb')).toBe('ab');
    expect(sanitizeInline('x\u001b]0;pwned\u0007y')).toBe('xy');
    expect(sanitizeInline('x\u001b]8;;http://e.vil\u001b\\link\u001b]8;;\u001b\\y')).toBe('xlinky');
    expect(sanitizeInline('reset\u001bc!')).toBe('reset!');
    expect(sanitizeInline('8bit\u009b2Jcsi')).toBe('8bitcsi');
    expect(sanitizeInline('unterminated\u001b]0;title')).toBe('unterminated');
    expect(sanitizeInline('\u001b[31mred\u001b[0m')).toBe('red');
  });

  it('makes one line: whitespace collapsed, controls and bidi overrides dropped', () => {
    expect(sanitizeInline('  two\nlines\r\n\tand\u000btabs ')).toBe('two lines and tabs');
    expect(sanitizeInline('bell\u0007 nul\u0000 del\u007f')).toBe('bell nul del');
    expect(sanitizeInline('abc\u202edcba\u2066x\u2069')).toBe('abcdcbax');
    expect(sanitizeInline('lone \ud800 surrogate')).toBe('lone \ufffd surrogate');
    expect(sanitizeInline('😀 ok')).toBe('😀 ok');
  });
});

describe('sanitizeForTerminal', () => {
  it('keeps newlines, tabs and colors; drops what moves the cursor', () => {
    const text = '\u001b[32mok\u001b[0m\tdone\nnext\u001b[1A\rover\u001b[2K\u001b7';
    expect(sanitizeForTerminal(text)).toBe('\u001b[32mok\u001b[0m\tdone\nnextover');
  });

  it('turns CRLF into LF and drops a lone ESC', () => {
    expect(sanitizeForTerminal('a\r\nb\u001b')).toBe('a\nb');
  });
});

describe('stripColors', () => {
  it('removes color sequences only', () => {
    expect(stripColors('\u001b[31mred\u001b[39m and \u001b[1;2mbold\u001b[0m')).toBe(
      'red and bold',
    );
    expect(stripColors('plain\ttext\n')).toBe('plain\ttext\n');
  });
});
