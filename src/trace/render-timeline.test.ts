import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { renderTimeline, timelineOrder } from './render-timeline.js';
import { summarizeTurn } from './summarize-turn.js';

const call = (
  id: string,
  queuedAt: number,
  startedAt: number | undefined,
  endedAt: number,
  extra: Partial<CallTrace> = {},
): CallTrace => ({
  id,
  name: 'tool',
  index: 0,
  status: 'success',
  queuedAt,
  startedAt,
  endedAt,
  readyAt: startedAt,
  waitedFor: [],
  limits: ['global'],
  approval: 'auto',
  ...extra,
});
const turn = (
  calls: CallTrace[],
  path: string[] = [],
  turnId = 1,
  extra: Partial<TurnTrace> = {},
): TurnTrace => ({
  turnId,
  path,
  startedAt: Math.min(...calls.map((c) => c.queuedAt), 0),
  endedAt: Math.max(...calls.map((c) => c.endedAt), 0),
  calls,
  limits: { global: Infinity },
  summary: summarizeTurn(calls, {}),
  ...extra,
});

describe('renderTimeline', () => {
  it('draws waits and runs to scale, with status and what each call waited for', () => {
    const text = renderTimeline(
      turn([
        call('a', 0, 0, 50),
        call('b', 0, 50, 100, { waitedFor: ['a'] }),
        call('c', 0, undefined, 10, { status: 'denied', approval: 'denied' }),
      ]),
      { width: 20, summary: false },
    );
    const rows = text.split('\n');
    expect(rows[1]).toBe(
      `a tool${' '.repeat(12)}|${'█'.repeat(10)}${' '.repeat(10)}| success critical`,
    );
    expect(rows[2]).toBe(
      `b tool${' '.repeat(12)}|${'·'.repeat(10)}${'█'.repeat(10)}| success after a critical`,
    );
    // Waiting for approval has a glyph of its own.
    expect(rows[3]).toMatch(/^c tool {12}\|\?\? {18}\| denied denied$/);
  });

  it('labels subagent turns and ends with the run summary', () => {
    const text = renderTimeline([
      turn([call('a', 0, 0, 100)]),
      turn([call('s', 10, 10, 60)], ['reviewer#1'], 2),
    ]);
    expect(text).toMatch(/-- Turn 2 · reviewer#1/);
    expect(text).toMatch(
      /^wall 100 ms: tools 100 ms on the critical path; 1 subagent; tools 1\.5x parallel$/m,
    );
  });

  it("draws each model request on its agent's lane, its calls where they started", () => {
    const model = {
      provider: 'scripted',
      model: 'demo',
      step: 1,
      queuedAt: 0,
      sentAt: 0,
      firstTokenAt: 20,
      endedAt: 60,
      inputTokens: 1500,
      outputTokens: 40,
      finishReason: 'tool-calls' as const,
    };
    const text = renderTimeline(
      turn([call('a', 40, 40, 100, { name: 'read' })], [], 1, { model }),
      { width: 20, labelWidth: 12 },
    );
    const lines = text.split('\n');
    expect(lines.slice(0, 4)).toEqual([
      `call        |0 ms${' '.repeat(10)}100 ms|`,
      '-- Turn 1 · root',
      `chat demo   |░░░░${'▓'.repeat(8)}${' '.repeat(8)}| tool-calls 1.5k→40 tokens`,
      `a read      |${' '.repeat(8)}${'█'.repeat(12)}| success critical`,
    ]);
    expect(lines[4]).toContain('▓ model streaming');
    expect(text).toMatch(
      /^wall 100 ms: model 60 ms, tools 40 ms on the critical path; streaming saved 20 ms/m,
    );
  });

  it('tells conflict, approval, slot and subagent waits apart without colour', () => {
    const text = renderTimeline(
      turn([
        call('w', 0, 40, 50, { waitedFor: ['x'], admittedAt: 0, conflictsClearedAt: 40 }),
        call('p', 0, 40, 50, {
          index: 1,
          approval: 'approved',
          approvedAt: 40,
          admittedAt: 0,
          conflictsClearedAt: 0,
        }),
        call('s', 0, 40, 50, {
          index: 2,
          readyAt: 0,
          limitWaitedOn: 'g',
          admittedAt: 0,
          conflictsClearedAt: 0,
        }),
      ]),
      { width: 10, summary: false },
    );
    const bars = text
      .split('\n')
      .slice(1, 4)
      .map((line) => line.split('|')[1]);
    expect(bars).toEqual(['········██', '????????██', '--------██']);
  });

  it('sizes labels to the longest when asked, and rejects a width it cannot draw', () => {
    const long = call('call_with_a_long_id', 0, 0, 10, { name: 'memory__create_relations' });
    const text = renderTimeline(turn([long]), { width: 10, labelWidth: 44, summary: false });
    expect(text.split('\n')[1]).toMatch(/^call_with_a_long_id memory__create_relations {0,}\|/);
    expect(() => renderTimeline(turn([long]), { labelWidth: 3 })).toThrow(/`labelWidth`/);
  });

  it('colours only when asked, and survives no calls', () => {
    expect(renderTimeline(turn([call('a', 0, 0, 10)]), { color: true })).toContain('\u001b[32m');
    expect(renderTimeline(turn([call('a', 0, 0, 10)]))).not.toContain('\u001b[');
    expect(renderTimeline([])).toBe('No calls.');
  });

  it('draws every bar row exactly as wide as the axis, a short last call included', () => {
    const text = renderTimeline(
      turn([call('a', 0, 0, 100), call('b', 0, 99, 100), call('c', 100, 100, 100)]),
      { width: 30, summary: false },
    );
    const [axis, ...rows] = text.split('\n');
    expect(axis).toHaveLength(50);
    for (const row of rows) expect(row.slice(0, 50)).toMatch(/^.{18}\|[ ·█]{30}\|$/);
    expect(rows[1]?.slice(19, 49)).toBe(`${'·'.repeat(29)}█`);
    expect(rows[2]?.slice(19, 49)).toBe(`${' '.repeat(29)}█`);
    // Narrower than the axis labels: the span alone, then nothing, still `width` columns.
    for (const width of [1, 5, 9]) {
      const lines = renderTimeline(turn([call('a', 0, 0, 100)]), { width, summary: false });
      for (const line of lines.split('\n')) expect(line.split('|')[1]).toHaveLength(width);
    }
  });

  it('keeps every bar row to the axis width, whatever the times', () => {
    const time = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    const calls = fc.array(
      fc
        .record({ q: time, s: fc.option(time, { nil: undefined }), e: time })
        .map(({ q, s, e }) => call('x', q, s, e)),
      { minLength: 1, maxLength: 8 },
    );
    fc.assert(
      fc.property(calls, fc.integer({ min: 1, max: 200 }), (cs, width) => {
        const lines = renderTimeline(turn(cs), { width, summary: false }).split('\n');
        expect(lines[0]).toHaveLength(18 + width + 2);
        for (const row of lines.slice(1)) {
          expect(row.slice(0, 20 + width)).toMatch(
            new RegExp(`^x tool {12}\\|[ ·█]{${width}}\\|$`),
          );
        }
      }),
    );
  });

  it('lists turns by start, a subagent turn right after the call it ran under', () => {
    // In the order a run saves them: as each turn ends, the parent turn after its subagents'.
    const turns = [
      turn([call('s1', 12, 12, 20)], ['reviewer#1'], 3, { parent: { turnId: 2, callId: 't' } }),
      turn([call('s2', 30, 30, 40)], ['reviewer#1'], 4, { parent: { turnId: 2, callId: 't' } }),
      turn([call('b', 0, 0, 5)], [], 1),
      turn([], [], 6, { startedAt: 95, endedAt: 95 }),
      turn([call('t', 10, 10, 50, { name: 'task' }), call('w', 50, 50, 90, { index: 1 })], [], 2),
      turn([call('o', 60, 60, 70)], ['other'], 5, { parent: { turnId: 9, callId: 'gone' } }),
    ];
    const headers = renderTimeline(turns, { summary: false })
      .split('\n')
      .slice(1)
      .map((line) => (line.includes('|') ? line.slice(0, line.indexOf(' ')) : line));
    expect(headers).toEqual([
      '-- Turn 1 · root',
      'b',
      '-- Turn 2 · root',
      't',
      '  -- Turn 3 · reviewer#1, under t',
      's1',
      '  -- Turn 4 · reviewer#1, under t',
      's2',
      '-- Turn 2 · root, continued',
      'w',
      '-- Turn 5 · other',
      'o',
      '-- Turn 6 · root: no calls',
    ]);
  });

  it('lists every turn once, even when parent links form a cycle', () => {
    const a = turn([call('a', 0, 0, 10)], ['x'], 1, { parent: { turnId: 2, callId: 'b' } });
    const b = turn([call('b', 5, 5, 10)], ['y'], 2, { parent: { turnId: 1, callId: 'a' } });
    const self = turn([call('c', 1, 1, 2)], ['z'], 3, { parent: { turnId: 3, callId: 'c' } });
    const items = timelineOrder([a, b, self]).filter((item) => item.kind === 'turn');
    expect(items.map((item) => item.turn.turnId)).toEqual([1, 2, 3]);
    expect(renderTimeline([a, b, self], { summary: false })).toMatch(/-- Turn 2 · y, under a/);
  });

  it('makes escape sequences and control characters from a trace harmless', () => {
    // Ids, tool names and paths come from a model or a hand-edited file.
    const bad = '\u001b[2J\u001b]0;pwned\u0007\u001b[1A\r\u0008\u009b31m\u202e\n';
    const parent = call(`t${bad}`, 0, 0, 50, { name: `task${bad}` });
    const blocked = call(`w${bad}`, 0, 50, 90, {
      index: 1,
      name: `edit${bad}`,
      waitedFor: [`t${bad}`],
      limitWaitedOn: `mcp:${bad}`,
      sharedWith: `s${bad}`,
      admittedAt: 0,
      conflictsClearedAt: 50,
    });
    const turns = [
      turn([parent, blocked], [], 1),
      turn([call(`s${bad}`, 2, 2, 8)], [`reviewer${bad}`], 2, {
        parent: { turnId: 1, callId: `t${bad}` },
      }),
    ];
    for (const color of [false, true]) {
      const text = renderTimeline(turns, { color });
      // Only the chart's own colours; no other escape, no control character but the line ends.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the chart's colours start with ESC
      const rest = text.replace(/\u001b\[(?:0|2|31|32|33|34|35)m/g, '');
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding them is the point
      expect(rest).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
      expect(rest).toMatch(/^ {2}-- Turn 2 · reviewer, under t$/m);
      expect(rest).toMatch(/\| success after t slot mcp: shared s critical$/m);
      expect(rest).toMatch(/waited 50 ms behind task +\(t *\)/);
    }
  });

  it('says what is wrong with a width it cannot draw', () => {
    for (const width of [0, 1.5, -3, 1001, Number.NaN]) {
      expect(() => renderTimeline(turn([call('a', 0, 0, 10)]), { width })).toThrow(
        /`width` to be a whole number from 1 to 1000/,
      );
    }
  });
});
