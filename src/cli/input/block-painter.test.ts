import { describe, expect, it } from 'vitest';
import { BlockPainter } from './block-painter.js';
import { FakeTtyOutput } from './test-tty.js';

function setup(columns = 20) {
  const screen = new FakeTtyOutput(columns, 10);
  screen.write('above\n');
  return { screen, painter: new BlockPainter(screen) };
}

const widths = (rows: string[]) => rows.map((r) => r.length);

describe('BlockPainter', () => {
  it('redraws in place, erasing the rows a taller drawing left', () => {
    const { screen, painter } = setup();
    const tall = ['one', 'two', 'three'];
    painter.paint(tall, widths(tall), { row: 0, col: 1 });
    expect(screen.screen).toEqual(['above', 'one', 'two', 'three']);
    expect([screen.row, screen.col]).toEqual([1, 1]);
    painter.paint(['1'], [1], { row: 0, col: 1 });
    expect(screen.screen).toEqual(['above', '1']);
    expect([screen.row, screen.col]).toEqual([1, 1]);
    expect(painter.drawn).toBe(1);
  });

  it('erases the block, and finishes it with the cursor on the line after it', () => {
    const { screen, painter } = setup();
    painter.paint(['a', 'b'], [1, 1], { row: 0, col: 0 });
    painter.erase();
    expect(screen.screen).toEqual(['above']);
    expect([screen.row, screen.col]).toEqual([1, 0]);
    painter.paint(['a', 'b'], [1, 1], { row: 0, col: 1 });
    painter.finish();
    expect([screen.row, screen.col]).toEqual([3, 0]);
    expect(painter.drawn).toBe(0);
  });

  it('follows rows the terminal rewrapped when it got narrower', () => {
    const { screen, painter } = setup(20);
    const rows = ['0123456789abcdef', 'tail'];
    painter.paint(rows, widths(rows), { row: 1, col: 4 });
    screen.resize(8);
    painter.resized(8);
    painter.paint(['short'], [5], { row: 0, col: 5 });
    expect(screen.screen).toEqual(['above', 'short']);
  });
});
