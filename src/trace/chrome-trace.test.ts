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
      [1, 'root'],
      [2, 'reviewer#1'],
    ]);
  });

  it("draws each model request on its agent's model lane, its phases nested, tools beside it", () => {
    const call: CallTrace = {
      id: 'a',
      name: 'read',
      index: 0,
      status: 'success',
      queuedAt: 300,
      conflictsClearedAt: 300,
      startedAt: 300,
      endedAt: 900,
      waitedFor: [],
      limits: ['global'],
      approval: 'auto',
    };
    const turn = (
      turnId: number,
      path: string[],
      model: TurnTrace['model'],
      calls: CallTrace[],
    ): TurnTrace => ({
      turnId,
      path,
      startedAt: 0,
      endedAt: 0,
      model,
      calls,
      limits: { global: Infinity },
      summary: summarizeTurn(calls, {}),
      ...(path.length > 0 ? { parent: { turnId: 1, callId: 'a' } } : {}),
    });
    const chrome = toChromeTrace([
      turn(
        1,
        [],
        {
          provider: 'anthropic',
          model: 'claude-x',
          step: 1,
          queuedAt: 100,
          sentAt: 100,
          firstTokenAt: 250,
          endedAt: 600,
          inputTokens: 1200,
          outputTokens: 80,
          finishReason: 'tool-calls',
        },
        [call],
      ),
      turn(
        2,
        ['reviewer#1'],
        {
          provider: 'anthropic',
          model: 'claude-x',
          step: 1,
          queuedAt: 400,
          sentAt: 700,
          firstTokenAt: 800,
          endedAt: 1000,
          limitWaitedOn: 'subagent',
          finishReason: 'stop',
        },
        [],
      ),
    ]);
    validate(chrome.traceEvents);
    const x = chrome.traceEvents.filter((e) => e.ph === 'X');
    const chat = x.filter((e) => e.cat === 'model');
    expect(chat.map((e) => [e.name, e.pid, e.tid, e.ts, e.dur])).toEqual([
      ['chat claude-x', 1, 1, 0, 500_000],
      ['chat claude-x', 2, 1, 300_000, 600_000],
    ]);
    expect(chat[0]?.args).toMatchObject({
      inputTokens: 1200,
      outputTokens: 80,
      finishReason: 'tool-calls',
    });
    const phases = x
      .filter((e) => e.cat === 'model-phase')
      .map((e) => [e.pid, e.name, e.ts, e.dur]);
    expect(phases).toEqual([
      [1, 'waiting: first token', 0, 150_000],
      [1, 'streaming', 150_000, 350_000],
      [2, 'waiting: slot (subagent)', 300_000, 300_000],
      [2, 'waiting: first token', 600_000, 100_000],
      [2, 'streaming', 700_000, 200_000],
    ]);
    // The call started inside the answer, on a lane of its own below the model's.
    const read = x.find((e) => e.args?.callId === 'a');
    expect([read?.pid, read?.tid, read?.ts]).toEqual([1, 2, 200_000]);
    // The call ran the subagent: its wait for a slot and its work are not the call's running.
    const own = x.filter((e) => e.cat === 'phase' && e.pid === 1).map((e) => [e.name, e.ts, e.dur]);
    expect(own).toEqual([
      ['running', 200_000, 100_000],
      ['waiting: slot (subagent)', 300_000, 300_000],
      ['subagent working', 600_000, 200_000],
    ]);
    const threads = chrome.traceEvents
      .filter((e) => e.name === 'thread_name')
      .map((e) => [e.pid, e.tid, e.args?.name]);
    expect(threads).toEqual([
      [1, 1, 'model'],
      [1, 2, 'calls 1'],
      [2, 1, 'model'],
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
      fc.property(
        fc.array(callArb, { minLength: 1, maxLength: 25 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 100 }), fc.integer({ min: 0, max: 40 })), {
          maxLength: 4,
        }),
        (specs, models) => {
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
          // Model requests of one agent, overlapping or not (a hand-edited trace may say so).
          const turns: TurnTrace[] = models.map(([at, long], i) => ({
            turnId: i + 2,
            path: [],
            startedAt: at,
            endedAt: at + long,
            model: {
              provider: 'p',
              model: 'm',
              step: i + 1,
              queuedAt: at,
              sentAt: at + long / 4,
              firstTokenAt: at + long / 2,
              endedAt: at + long,
              finishReason: 'stop',
            },
            calls: [],
            limits: {},
            summary: summarizeTurn([], {}),
          }));
          validate(
            toChromeTrace([
              ...turns,
              {
                turnId: 1,
                path: [],
                startedAt: 0,
                endedAt: 200,
                calls,
                limits: {},
                summary: summarizeTurn(calls, {}),
              },
            ]).traceEvents,
          );
        },
      ),
      { numRuns: 300 },
    );
  });
});
