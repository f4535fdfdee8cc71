import { describe, expect, it } from 'vitest';
import { cutToWidth, fitLine, textWidth, truncateEnd, truncateStart } from './text-width.js';

describe('textWidth', () => {
  it('counts wide characters as two columns and combining marks as none', () => {
    expect(textWidth('abc')).toBe(3);
    expect(textWidth('日本語')).toBe(6);
    expect(textWidth('😀!')).toBe(3);
    expect(textWidth('e\u0301')).toBe(1);
    expect(textWidth('☀\ufe0f')).toBe(2);
    expect(textWidth('')).toBe(0);
  });
});

describe('truncation', () => {
  it('cuts the end with an ellipsis, never past the width', () => {
    expect(truncateEnd('abcdef', 6)).toBe('abcdef');
    expect(truncateEnd('abcdef', 4)).toBe('abc…');
    expect(truncateEnd('abcdef', 1)).toBe('…');
    expect(truncateEnd('abcdef', 0)).toBe('');
    expect(truncateEnd('日本語テキスト', 6)).toBe('日本…');
    expect(textWidth(truncateEnd('日本語テキスト', 6))).toBeLessThanOrEqual(6);
  });

  it('cuts the start of paths', () => {
    expect(truncateStart('src/deep/folder/file.ts', 10)).toBe('…r/file.ts');
    expect(truncateStart('short', 10)).toBe('short');
  });

  it('cuts to a width without an ellipsis', () => {
    expect(cutToWidth('日本語', 3)).toBe('日');
  });
});

describe('fitLine', () => {
  it('fits a colored line, resetting colors when it cuts', () => {
    const line = '\u001b[33mwarning\u001b[39m: something long';
    expect(fitLine(line, 100)).toBe(line);
    const cut = fitLine(line, 10);
    expect(cut).toBe('\u001b[33mwarning\u001b[39m: …\u001b[0m');
    expect(textWidth('warning: …')).toBe(10);
  });

  it('removes cursor movement and newlines from any line', () => {
    expect(fitLine('a\u001b[5Ab\nc\u001b[2J', 80)).toBe('ab c');
    expect(fitLine('anything', 0)).toBe('');
  });
});
