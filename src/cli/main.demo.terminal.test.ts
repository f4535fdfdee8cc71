import { existsSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { textWidth } from './progress/index.js';
import { cleanEnv, tempProject } from './test-cli.js';
import { TestTerminal } from './test-terminal.js';

// `salvo demo` in a real terminal (tmux), narrow and wide: nothing it draws is wider than the
// pane (the comparison table least of all), and each demo writes a report of its own.

const terminals: TestTerminal[] = [];
afterEach(async () => {
  await Promise.all(terminals.splice(0).map((t) => t.close()));
});

const tableRows = [
  /^ {2}wall time +[\d.]+ s +[\d.]+ s$/,
  /^ {2}tool calls +\d+ +\d+$/,
  /^ {2}subagents +\d+ +\d+$/,
  /^ {2}most tool calls at once +\d+ +\d+$/,
  /^ {2}most subagents at once +\d+ +\d+$/,
];

/** Runs the demo at `columns`, watching every frame; resolves with what it printed and its reports. */
async function demoAt(columns: number): Promise<{ lines: string[]; reports: string[] }> {
  const { dir, home } = tempProject();
  const t = await TestTerminal.start({
    args: ['demo', '--speed', '20'],
    cwd: dir,
    env: cleanEnv(home),
    columns,
    rows: 30,
  });
  terminals.push(t);
  const tooWide = new Set<string>();
  const watch = (text: string) => {
    for (const line of text.split('\n')) {
      // A report's path is printed whole on a row of its own (to be copied), however long.
      if (textWidth(line) > columns && !/^ {2}\/\S+$/.test(line)) tooWide.add(line);
    }
  };
  // Every frame the poll sees, the live view's included, joined where the terminal wrapped it.
  const deadline = Date.now() + 120_000;
  let text = '';
  for (;;) {
    text = await t.unwrappedHistory();
    watch(text);
    if (/\[exit \d+\]/.test(text) || Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 40));
  }
  expect(/\[exit (\d+)\]/.exec(text)?.[1], text).toBe('0');
  const lines = text.split('\n');
  const reports = lines.filter((line) => /^ {2}\/\S+$/.test(line)).map((line) => line.trim());
  for (const report of reports) {
    onTestFinished(() => rmSync(dirname(report), { recursive: true, force: true }));
  }
  expect([...tooWide], text).toEqual([]);
  return { lines, reports };
}

describe('salvo demo in a terminal', () => {
  it('at 50 and 120 columns: no row wider than the pane, the table whole; two demos, two reports', async () => {
    const narrow = await demoAt(50);
    const wide = await demoAt(120);
    for (const { lines, reports } of [narrow, wide]) {
      // The table's rows, each on one line, under the contenders' names.
      const header = lines.findIndex((line) => /^ +one at a time +salvo$/.test(line));
      expect(header, lines.join('\n')).toBeGreaterThan(0);
      tableRows.forEach((row, i) => {
        expect(lines[header + 1 + i]).toMatch(row);
      });
      // The HTML report and its Perfetto trace, each printed and written.
      expect(reports).toHaveLength(2);
      expect(reports[0]).toMatch(/\.html$/);
      expect(reports[1]).toMatch(/\.trace\.json$/);
      for (const report of reports) expect(existsSync(report)).toBe(true);
    }
    // Each demo its own report: the first one's is still there, not overwritten.
    expect(narrow.reports[0]).not.toBe(wide.reports[0]);
    expect(dirname(narrow.reports[0] as string)).not.toBe(dirname(wide.reports[0] as string));
  }, 300_000);
});
