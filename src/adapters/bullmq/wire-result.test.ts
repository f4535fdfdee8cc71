import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readTaskPayload } from './task-payload.js';
import { errorResult, fromWire, toWire } from './wire-result.js';

describe('fromWire: a worker answer read as untrusted', () => {
  it('round-trips a result through JSON, its error as an Error', () => {
    const result = { ...errorResult('tool exploded'), text: 'partial', steps: 2 };
    const back = fromWire(JSON.parse(JSON.stringify(toWire(result, 'w1'))));
    expect(back).toMatchObject({ text: 'partial', finishReason: 'error', steps: 2, worker: 'w1' });
    expect(back.error).toBeInstanceOf(Error);
    expect(back.error?.message).toBe('tool exploded');
  });

  it('turns anything else into an error result, never a throw', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = fromWire(value);
        expect(typeof result.text).toBe('string');
        expect(result.usage.inputTokens).toBeGreaterThanOrEqual(0);
        expect(Array.isArray(result.messages)).toBe(true);
      }),
    );
    expect(fromWire({ text: 'x', finishReason: 'shutdown' })).toMatchObject({
      finishReason: 'error',
    });
    expect(fromWire(null).error?.message).toMatch(/not a result/);
    expect(
      fromWire({ text: 'ok', finishReason: 'stop', usage: { inputTokens: -5, outputTokens: 'x' } })
        .usage,
    ).toEqual({ inputTokens: 0, outputTokens: 0 });
  });
});

describe('readTaskPayload: a job read as untrusted', () => {
  it('keeps a task as it was sent', () => {
    const task = { prompt: 'review a.ts', agent: 'reviewer', path: ['reviewer#1'], maxTurns: 5 };
    expect(readTaskPayload(JSON.parse(JSON.stringify(task)))).toEqual(task);
  });

  it('refuses a job without a prompt with a one-line reason, and bounds the rest', () => {
    expect(() => readTaskPayload({ agent: 'x' })).toThrow(/`prompt` must be a string/);
    expect(() => readTaskPayload('rm -rf /')).toThrow(/`prompt`/);
    expect(() => readTaskPayload({ prompt: 'p', agent: 3 })).toThrow(/`agent`/);
    expect(readTaskPayload({ prompt: 'p', path: [1, 2], maxTurns: -1 })).toEqual({
      prompt: 'p',
      path: [],
      maxTurns: 1,
    });
    // Only the task's fields: nothing else a sender adds reaches the worker's run.
    expect(readTaskPayload({ prompt: 'p', tools: ['shell'], apiKey: 'k' })).toEqual({
      prompt: 'p',
      path: [],
      maxTurns: 1,
    });
  });
});
