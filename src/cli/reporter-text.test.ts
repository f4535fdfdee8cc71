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
