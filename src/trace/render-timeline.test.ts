import { describe, expect, it } from 'vitest';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { renderTimeline } from './render-timeline.js';
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
const turn = (calls: CallTrace[], path: string[] = [], turnId = 1): TurnTrace => ({
  turnId,
  path,
  startedAt: 0,
  endedAt: 100,
  calls,
  limits: { global: Infinity },
  summary: summarizeTurn(calls, {}),
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
      `a tool${' '.repeat(12)}|${'█'.repeat(10)}${' '.repeat(11)}| success critical`,
    );
    expect(rows[2]).toBe(
      `b tool${' '.repeat(12)}|${'·'.repeat(10)}${'█'.repeat(10)} | success after a critical`,
    );
    expect(rows[3]).toMatch(/^c tool {12}\|·· {19}\| denied denied$/);
  });

  it('labels subagent turns and ends with the run summary', () => {
    const text = renderTimeline([
      turn([call('a', 0, 0, 100)]),
      turn([call('s', 10, 10, 60)], ['reviewer#1'], 2),
    ]);
    expect(text).toMatch(/-- turn 2 \(reviewer#1\)/);
    expect(text).toMatch(/wall 100 ms, work 150 ms, parallelism 1\.50/);
  });

  it('colours only when asked, and survives no calls', () => {
    expect(renderTimeline(turn([call('a', 0, 0, 10)]), { color: true })).toContain('\u001b[32m');
    expect(renderTimeline(turn([call('a', 0, 0, 10)]))).not.toContain('\u001b[');
    expect(renderTimeline([])).toBe('No calls.');
  });
});
