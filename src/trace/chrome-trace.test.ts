import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Scheduler } from '../schedule/scheduler.js';
import { flush } from '../schedule/test-support.js';
import { defineTool } from '../tool/define-tool.js';
import type { CallTrace, TurnTrace } from './call-trace.js';
import { type ChromeTraceEvent, toChromeTrace } from './chrome-trace.js';
import { summarizeTurn } from './summarize-turn.js';

/** Checks the Trace Event Format rules Perfetto relies on, and that every lane nests. */
function validate(events: readonly ChromeTraceEvent[]): void {
  for (const e of events) {
    expect(['X', 'M']).toContain(e.ph);
    expect(Number.isInteger(e.ts) && e.ts >= 0).toBe(true);
    expect(Number.isInteger(e.pid) && e.pid > 0).toBe(true);
    expect(Number.isInteger(e.tid) && e.tid >= 0).toBe(true);
    if (e.ph === 'X') expect(Number.isInteger(e.dur) && (e.dur as number) >= 0).toBe(true);
  }
  const lanes = new Map<string, ChromeTraceEvent[]>();
  for (const e of events.filter((x) => x.ph === 'X')) {
    const key = `${e.pid}:${e.tid}`;
    lanes.set(key, [...(lanes.get(key) ?? []), e]);
  }
  for (const lane of lanes.values()) {
    for (const a of lane) {
      for (const b of lane) {
        if (a === b) continue;
        const aEnd = a.ts + (a.dur as number);
        const bEnd = b.ts + (b.dur as number);
        const disjoint = aEnd <= b.ts || bEnd <= a.ts;
        const aInB = a.ts >= b.ts && aEnd <= bEnd;
        const bInA = b.ts >= a.ts && bEnd <= aEnd;
        expect(disjoint || aInB || bInA, `${a.name} and ${b.name} overlap without nesting`).toBe(
          true,
        );
      }
    }
  }
}

describe('toChromeTrace', () => {
  it('exports a real turn: a call event per call, phases nested, microseconds', async () => {
    const slow = defineTool({
      name: 'write',
      description: '',
      input: {},
      claims: [{ key: 'fs:/a', mode: 'write' }],
      execute: async () => {
        await flush(1);
        return 'ok';
      },
    });
    const asks = defineTool({
      name: 'asks',
      description: '',
      input: {},
      claims: [],
      approval: 'ask',
      execute: () => 'ok',
    });
    const s = new Scheduler({
      tools: [slow, asks],
      approver: async () => {
        await flush(1);
        return 'approve' as const;
      },
    });
    const { trace } = await s.run([
      { id: 'a', name: 'write', input: {} },
      { id: 'b', name: 'write', input: {} },
      { id: 'c', name: 'asks', input: {} },
    ]);
    const chrome = toChromeTrace(trace);
    validate(chrome.traceEvents);
    const calls = chrome.traceEvents.filter((e) => e.cat !== 'phase' && e.ph === 'X');
    expect(calls.map((e) => e.args?.callId)).toEqual(['a', 'b', 'c']);
    expect(calls[1]?.args?.waitedFor).toEqual(['a']);
    const phases = chrome.traceEvents.filter((e) => e.cat === 'phase').map((e) => e.name);
    expect(phases).toContain('waiting: conflicts');
    expect(phases).toContain('waiting: approval');
    expect(phases.filter((p) => p === 'running')).toHaveLength(3);
    expect(JSON.parse(JSON.stringify(chrome))).toEqual(chrome);
  });

  it('gives each agent path its own process', () => {
    const call = (id: string, at: number): CallTrace => ({
      id,
      name: 't',
      index: 0,
      status: 'success',
      queuedAt: at,
      startedAt: at,
      endedAt: at + 5,
      waitedFor: [],
      limits: ['global'],
      approval: 'auto',
    });
    const turn = (turnId: number, path: string[], calls: CallTrace[]): TurnTrace => ({
      turnId,
      path,
      startedAt: 0,
      endedAt: 10,
      calls,
      limits: { global: Infinity },
      summary: summarizeTurn(calls, {}),
    });
    const chrome = toChromeTrace([
      turn(1, [], [call('a', 0)]),
      turn(2, ['reviewer#1'], [call('b', 1)]),
    ]);
    const names = chrome.traceEvents
      .filter((e) => e.name === 'process_name')
      .map((e) => [e.pid, e.args?.name]);
    expect(names).toEqual([
      [1, 'agent'],
      [2, 'reviewer#1'],
    ]);
  });

  it('keeps every lane properly nested on random turns', () => {
    const callArb = fc.record({
      q: fc.integer({ min: 0, max: 100 }),
      wait: fc.integer({ min: 0, max: 30 }),
      run: fc.integer({ min: 0, max: 30 }),
      approval: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(callArb, { minLength: 1, maxLength: 25 }), (specs) => {
        const calls: CallTrace[] = specs.map((c, index) => ({
          id: `c${index}`,
          name: 't',
          index,
          status: 'success',
          queuedAt: c.q + 0.3,
          conflictsClearedAt: c.q + c.wait / 2,
          approvedAt: c.q + c.wait,
          readyAt: c.q + c.wait,
          startedAt: c.q + c.wait + 0.5,
          endedAt: c.q + c.wait + 0.5 + c.run,
          waitedFor: [],
          limits: ['global'],
          approval: c.approval ? 'approved' : 'auto',
        }));
        validate(
          toChromeTrace({
            turnId: 1,
            path: [],
            startedAt: 0,
            endedAt: 200,
            calls,
            limits: {},
            summary: summarizeTurn(calls, {}),
          }).traceEvents,
        );
      }),
      { numRuns: 300 },
    );
  });
});
