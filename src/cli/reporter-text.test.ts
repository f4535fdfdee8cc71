import { describe, expect, it } from 'vitest';
import type { RunEnd } from './reporter.js';
import { endLine, thoughtLine } from './reporter-text.js';

const end: RunEnd = {
  finishReason: 'stop',
  text: '',
  wallMs: 2100,
  calls: 4,
  steps: 2,
  usage: { inputTokens: 30, outputTokens: 12 },
  parallelism: 1.5,
};

describe('endLine', () => {
  it('counts the calls that failed, were denied or were cancelled, each apart', () => {
    const outcomes = { success: 1, error: 1, timeout: 0, denied: 1, cancelled: 1 };
    expect(endLine({ ...end, outcomes })).toBe(
      '— done in 2.1s · 4 tool calls (1 failed, 1 denied, 1 cancelled) · parallelism 1.5x · 42 tokens',
    );
    const clean = { success: 4, error: 0, timeout: 0, denied: 0, cancelled: 0 };
    expect(endLine({ ...end, outcomes: clean })).toBe(
      '— done in 2.1s · 4 tool calls · parallelism 1.5x · 42 tokens',
    );
  });

  it('says where the time went, not a parallelism that reads as a fault', () => {
    const timing = {
      requests: 4,
      modelMs: 1200,
      toolsMs: 400,
      waitsMs: 0,
      toolParallelism: 2.1,
      subagents: 5,
      subagentsAtOnce: 5,
    };
    // A subagent fan-out: its tools' work over the wall is tiny, and nothing went wrong.
    const fanOut = { ...end, wallMs: 1900, calls: 12, parallelism: 0.01, timing };
    expect(endLine(fanOut)).toBe(
      '— done in 1.9s · 12 tool calls · model 1.2s, tools 400ms · tools 2.1x parallel · 5 subagents, 5 at once · 42 tokens',
    );
    expect(endLine(fanOut)).not.toMatch(/parallelism/);
    // Calls one after the other: no parallel figure at all; long waits are named.
    const serial = {
      ...timing,
      toolParallelism: 1,
      subagents: 0,
      subagentsAtOnce: 0,
      waitsMs: 800,
    };
    expect(endLine({ ...end, wallMs: 2400, timing: serial })).toBe(
      '— done in 2.4s · 4 tool calls · model 1.2s, tools 400ms, waits 800ms · 42 tokens',
    );
    // Without timing (a `!command`), a parallelism below 1 says nothing either.
    expect(endLine({ ...end, parallelism: 0.4 })).toBe('— done in 2.1s · 4 tool calls · 42 tokens');
  });

  it('says one of a thing in the singular', () => {
    const one = { ...end, calls: 1, usage: { inputTokens: 1, outputTokens: 0 } };
    expect(endLine(one)).toBe('— done in 2.1s · 1 tool call · 1 token');
    expect(endLine({ ...one, finishReason: 'max-steps', steps: 1 })).toMatch(
      /^— stopped after 1 model request \(raise --max-steps\)/,
    );
    expect(thoughtLine('hmm')).toBe('thought: hmm (1 word)');
  });

  it('says what cancelled the run, once, in one phrase', () => {
    const cancelled = { ...end, finishReason: 'cancelled' };
    expect(endLine({ ...cancelled, cancelReason: 'cancelled by Ctrl-C' })).toMatch(
      /^— run cancelled by Ctrl-C after 2\.1s · 4 tool calls · /,
    );
    expect(endLine({ ...cancelled, cancelReason: 'stopped by SIGTERM' })).toMatch(
      /^— run stopped by SIGTERM after 2\.1s · /,
    );
    // Without a reason, an error that is one says it; another error is not taken for one.
    expect(endLine({ ...cancelled, error: 'cancelled by Ctrl-C' })).toMatch(
      /^— run cancelled by Ctrl-C after 2\.1s · /,
    );
    expect(endLine({ ...cancelled, error: 'Request was aborted.' })).toMatch(
      /^— run cancelled after 2\.1s · /,
    );
    for (const reason of ['cancelled by Ctrl-C', 'stopped by SIGTERM', undefined]) {
      const line = endLine({ ...cancelled, ...(reason ? { cancelReason: reason } : {}) });
      expect(line).not.toMatch(/cancelled.*cancelled|Cancelled/);
    }
  });

  it('says how a run that is not the model’s ended (a `!command` of the user)', () => {
    expect(endLine({ ...end, finishReason: 'error' })).toMatch(/^— failed after 2\.1s · /);
    expect(endLine({ ...end, finishReason: 'timeout' })).toMatch(/^— timed out after 2\.1s · /);
    expect(endLine({ ...end, finishReason: 'denied' })).toMatch(/^— denied · /);
  });
});
