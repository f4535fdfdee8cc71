import { describe, expect, it } from 'vitest';
import type { Unit } from './display-unit.js';
import { EditBuffer, graphemes, pasteLabel } from './edit-buffer.js';

/** The text with `|` at the cursor, pastes as their labels. */
function show(buffer: EditBuffer): string {
  const parts = buffer.units.map((u: Unit) => (typeof u === 'string' ? u : u.label));
  parts.splice(buffer.cursor, 0, '|');
  return parts.join('');
}

function at(text: string): EditBuffer {
  const cursor = text.indexOf('|');
  const units = graphemes(text.replace('|', ''));
  return new EditBuffer(units, graphemes(text.slice(0, cursor)).length);
}

describe('EditBuffer', () => {
  it('steps over whole graphemes: a flag, an accent, a wide character', () => {
    const buffer = EditBuffer.of('a🇫🇷é世');
    expect(buffer.units).toEqual(['a', '🇫🇷', 'é', '世']);
    buffer.backspace();
    buffer.left();
    buffer.backspace();
    expect(show(buffer)).toBe('a|é');
  });

  it('inserts at the cursor and deletes both ways', () => {
    const buffer = at('ab|cd');
    buffer.insert('XY');
    expect(show(buffer)).toBe('abXY|cd');
    buffer.deleteForward();
    expect(show(buffer)).toBe('abXY|d');
    buffer.backspace();
    expect(show(buffer)).toBe('abX|d');
    expect(at('|x').backspace()).toBe(false);
    expect(at('x|').deleteForward()).toBe(false);
  });

  it('moves to the start and end of the line the cursor is on', () => {
    const buffer = at('one\ntw|o\nthree');
    buffer.lineStart();
    expect(show(buffer)).toBe('one\n|two\nthree');
    buffer.lineEnd();
    expect(show(buffer)).toBe('one\ntwo|\nthree');
  });

  it('moves by words and deletes them like a shell', () => {
    const buffer = at('git commit -m "fix it"|');
    buffer.wordLeft();
    expect(show(buffer)).toBe('git commit -m "fix |it"');
    buffer.wordLeft();
    expect(show(buffer)).toBe('git commit -m "|fix it"');
    buffer.wordRight();
    expect(show(buffer)).toBe('git commit -m "fix| it"');
    const w = at('git commit -m "fix it"|');
    w.killWordBefore();
    expect(show(w)).toBe('git commit -m "fix |');
    w.killWordBefore();
    expect(show(w)).toBe('git commit -m |');
    const alt = at('path/to/file|');
    alt.deleteWordBefore();
    expect(show(alt)).toBe('path/to/|');
    const forward = at('|one two');
    forward.deleteWordAfter();
    expect(show(forward)).toBe('| two');
  });

  it('kills to the line start or end, and joins lines when there is nothing left to kill', () => {
    const before = at('one\ntw|o');
    before.killLineBefore();
    expect(show(before)).toBe('one\n|o');
    before.killLineBefore();
    expect(show(before)).toBe('one|o');
    const after = at('o|ne\ntwo');
    after.killLineAfter();
    expect(show(after)).toBe('o|\ntwo');
    after.killLineAfter();
    expect(show(after)).toBe('o|two');
  });

  it('moves up and down lines at the same column, and says when it is at the first or last', () => {
    const buffer = at('short\na longer line|');
    expect(buffer.onLastLine).toBe(true);
    expect(buffer.lineDown()).toBe(false);
    expect(buffer.lineUp()).toBe(true);
    expect(show(buffer)).toBe('short|\na longer line');
    expect(buffer.lineUp()).toBe(false);
    const wide = at('世界|x\nabcdef');
    wide.lineDown();
    expect(show(wide)).toBe('世界x\nabcd|ef');
  });

  it('collapses a long paste into one unit that is sent whole and deleted whole', () => {
    const pasted = Array.from({ length: 12 }, (_, i) => `line ${i + 1}`).join('\n');
    const buffer = at('see |');
    buffer.insertPaste(pasted);
    buffer.insert(' thanks');
    expect(show(buffer)).toBe('see [pasted 12 lines] thanks|');
    expect(buffer.text).toBe(`see ${pasted} thanks`);
    buffer.wordLeft();
    buffer.backspace();
    buffer.backspace();
    expect(buffer.text).toBe('see thanks');
  });

  it('inserts a short paste as its lines', () => {
    const buffer = new EditBuffer();
    buffer.insertPaste('one\ntwo');
    expect(show(buffer)).toBe('one\ntwo|');
    expect(buffer.draft.text).toBe('one\ntwo');
  });

  it('labels pastes by lines, or by characters when on one line', () => {
    expect(pasteLabel('a\nb\nc')).toBe('[pasted 3 lines]');
    expect(pasteLabel('x'.repeat(1234))).toBe('[pasted 1,234 chars]');
  });
});
