import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { textWidth } from './progress/index.js';
import { countdown } from './start-runtime.js';

describe('countdown', () => {
  const starting = new Map([
    ['slow', 27_400],
    ['db', 29_000],
    ['github', 30_000],
  ]);

  it('counts each server down to its timeout, and says which key skips', () => {
    expect(countdown(starting, 0, true)).toEqual([
      'Starting MCP servers: slow (28 s left), db (29 s left), github (30 s left) — press s to skip waiting',
    ]);
    expect(countdown(new Map([['slow', 1000]]), 5000, false)).toEqual([
      'Starting MCP servers: slow (0 s left)',
    ]);
    expect(countdown(new Map(), 0, true)).toEqual([]);
  });

  it('counts the servers that do not fit rather than cutting off the key', () => {
    expect(countdown(starting, 0, true, 100)).toHaveLength(1);
    expect(countdown(starting, 0, true, 99)).toEqual([
      'Starting MCP servers: slow (28 s left), db (29 s left), 1 more — press s to skip waiting',
    ]);
    expect(countdown(starting, 0, true, 80)).toEqual([
      'Starting MCP servers: slow (28 s left), 2 more — press s to skip waiting',
    ]);
  });

  it('puts the key on a row of its own when one name is too long for the row', () => {
    const long = new Map([[`server-${'x'.repeat(60)}`, 30_000]]);
    const rows = countdown(long, 0, true, 50);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^Starting MCP servers: server-x+…$/);
    expect(rows[1]).toBe('  press s to skip waiting');
  });

  it('never gives a row wider than the columns, and always names the key', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-z][a-z0-9-]{0,40}$/), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 30, max: 200 }),
        (names, columns) => {
          const rows = countdown(new Map(names.map((n) => [n, 30_000])), 0, true, columns);
          for (const row of rows) expect(textWidth(row)).toBeLessThanOrEqual(columns);
          expect(rows.join('\n')).toContain('press s to skip waiting');
        },
      ),
    );
  });
});
