import { describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

describe('demo', () => {
  it('runs the turn both ways and reports every call in order', async () => {
    const lines: string[] = [];
    const outcome = await runDemo({
      scale: 0.05,
      print: (line) => lines.push(line),
      writeReports: false,
    });
    expect(outcome.results.map((r) => r.id)).toEqual([
      'c1',
      'c2',
      'c3',
      'c4',
      'c5',
      'c6',
      'c7',
      'c8',
      'c9',
      'c10',
      'c11',
      'c12',
    ]);
    expect(outcome.results.every((r) => r.status === 'success')).toBe(true);
    // The read after the edit of the same file waited for it; the exclusive test run waited for all.
    expect(outcome.trace.calls[6]?.waitedFor).toContain('c5');
    expect(outcome.trace.calls[9]?.waitedFor.length).toBeGreaterThan(0);
    expect(lines.join('\n')).toMatch(/c7 read_file/);
  });
});
