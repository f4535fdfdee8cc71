import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ModelEvent } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { retryAfterFailure, withRetries } from './request-retry.js';

const baseURL = 'https://api.example.com/v1';
const live = new AbortController().signal;

/** An SDK status error as both SDKs shape it. */
function statusError(status: number, headers: Record<string, string> = {}, message = 'Nope') {
  return Object.assign(new Error(`${status} ${message}`), {
    status,
    headers: new Headers(headers),
    error: { message, type: 'error' },
  });
}

/** The SDKs' error for a request that got no answer. */
class APIConnectionError extends Error {
  constructor(code: string) {
    super('Connection error.', { cause: Object.assign(new Error('fetch failed'), { code }) });
    this.name = 'APIConnectionError';
  }
}

const retryOf = (error: unknown, extra: { random?: () => number; maxDelayMs?: number } = {}) =>
  retryAfterFailure(error, 2, 3, { provider: 'openai', baseURL, signal: live, ...extra });

describe('retryAfterFailure', () => {
  it('names the reason, the server and the API’s words; honours retry-after-ms, then retry-after', () => {
    expect(retryOf(statusError(429, { 'retry-after': '2' }, 'Rate limit reached'))).toEqual({
      attempt: 2,
      maxAttempts: 3,
      delayMs: 2000,
      reason: 'rate-limited',
      status: 429,
      server: 'api.example.com',
      message: 'Rate limit reached',
    });
    expect(
      retryOf(statusError(529, { 'retry-after-ms': '750', 'retry-after': '9' })),
    ).toMatchObject({ delayMs: 750, reason: 'overloaded' });
    expect(retryOf(statusError(500))).toMatchObject({ reason: 'server-error' });
    expect(retryOf(statusError(408))).toMatchObject({ reason: 'timeout' });
  });

  it('reads an HTTP date in retry-after', () => {
    vi.useFakeTimers({ now: Date.parse('2025-01-01T00:00:00Z') });
    try {
      expect(
        retryOf(statusError(429, { 'retry-after': 'Wed, 01 Jan 2025 00:00:05 GMT' })),
      ).toMatchObject({
        delayMs: 5000,
      });
    } finally {
      vi.useRealTimers();
    }
  });

  it('backs off from 0.5 s, doubling, with up to a quarter of jitter off', () => {
    const at = (attempt: number, random: number) =>
      retryAfterFailure(statusError(502), attempt, 9, {
        provider: 'openai',
        baseURL,
        signal: live,
        random: () => random,
      })?.delayMs;
    expect([at(2, 0), at(3, 0), at(4, 0), at(9, 0)]).toEqual([500, 1000, 2000, 8000]);
    expect(at(2, 1)).toBe(375);
  });

  it('does not retry what would fail again', () => {
    expect(retryOf(statusError(400))).toBeUndefined();
    expect(retryOf(statusError(404))).toBeUndefined();
    expect(retryOf(statusError(500, { 'x-should-retry': 'false' }))).toBeUndefined();
    // A wait past the cap (a used-up quota) fails now rather than holding the run.
    expect(retryOf(statusError(429, { 'retry-after': '61' }))).toBeUndefined();
    expect(
      retryOf(statusError(429, { 'retry-after': '61' }), { maxDelayMs: 120_000 }),
    ).toMatchObject({ delayMs: 61_000 });
    expect(
      retryOf(new ModelApiError({ provider: 'openai', apiMessage: 'not a stream' })),
    ).toBeUndefined();
    expect(retryOf('a string')).toBeUndefined();
  });

  it('retries what the server may answer next time, when it says so', () => {
    expect(retryOf(statusError(400, { 'x-should-retry': 'true' }))).toMatchObject({
      reason: 'server-error',
    });
  });

  it('retries a lost connection, not a refused one (nothing listens there)', () => {
    expect(retryOf(new APIConnectionError('ECONNRESET'))).toMatchObject({
      reason: 'connection',
      message: expect.stringContaining('Connection error.'),
    });
    expect(retryOf(new APIConnectionError('ECONNREFUSED'))).toBeUndefined();
    const timeout = new Error('Request timed out.');
    timeout.name = 'APIConnectionTimeoutError';
    expect(retryOf(timeout)).toMatchObject({ reason: 'timeout' });
  });
});

describe('withRetries', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Drives the generator: its events, and its result or error. */
  async function drive<T>(generator: AsyncGenerator<ModelEvent, T, undefined>) {
    const events: ModelEvent[] = [];
    for (;;) {
      const step = await generator.next();
      if (step.done) return { events, value: step.value };
      events.push(step.value);
    }
  }

  it('yields each wait before it, waits it out, and returns what the next attempt opened', async () => {
    const open = vi
      .fn<() => Promise<string>>()
      .mockRejectedValueOnce(statusError(429, { 'retry-after': '2' }))
      .mockResolvedValueOnce('stream');
    const generator = withRetries(open, {
      provider: 'openai',
      baseURL,
      maxRetries: 2,
      signal: live,
    });
    const first = await generator.next();
    expect(first.value).toMatchObject({ type: 'retry', attempt: 2, maxAttempts: 3, delayMs: 2000 });
    const rest = generator.next();
    await vi.advanceTimersByTimeAsync(1999);
    expect(open).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(await rest).toEqual({ done: true, value: 'stream' });
    expect(open).toHaveBeenCalledTimes(2);
  });

  it('throws the last failure after maxRetries retries', async () => {
    const last = statusError(503, { 'retry-after': '1' });
    const open = vi.fn<() => Promise<string>>().mockRejectedValue(last);
    const run = drive(
      withRetries(open, { provider: 'openai', baseURL, maxRetries: 2, signal: live }),
    );
    const settled = run.then(
      () => undefined,
      (error: unknown) => error,
    );
    await vi.advanceTimersByTimeAsync(2000);
    expect(await settled).toBe(last);
    expect(open).toHaveBeenCalledTimes(3);
  });

  it('maxRetries 0 sends once and throws at once', async () => {
    const error = statusError(429);
    const open = vi.fn<() => Promise<string>>().mockRejectedValue(error);
    await expect(
      drive(withRetries(open, { provider: 'openai', baseURL, maxRetries: 0, signal: live })),
    ).rejects.toBe(error);
    expect(open).toHaveBeenCalledTimes(1);
  });

  it('an abort ends the wait at once with its reason, and nothing is sent again', async () => {
    const controller = new AbortController();
    const open = vi
      .fn<() => Promise<string>>()
      .mockRejectedValue(statusError(429, { 'retry-after': '30' }));
    const generator = withRetries(open, {
      provider: 'openai',
      baseURL,
      maxRetries: 2,
      signal: controller.signal,
    });
    await generator.next();
    const waiting = generator.next();
    const reason = new Error('cancelled');
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
    expect(open).toHaveBeenCalledTimes(1);
  });
});
