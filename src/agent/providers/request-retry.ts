import type { ModelEvent, ModelRetry, RetryReason } from '../model.js';
import { sleep } from '../scripted-model.js';
import { ModelApiError, toModelError } from './model-api-error.js';
import { headerOf } from './server-reply.js';

/** Options of {@link withRetries}. */
export interface RetryOptions {
  /** `openai`, `anthropic`... (for the message of a failed attempt). */
  provider: string;
  /** The API's base URL: its host is the `server` of retry events. */
  baseURL: string;
  /** Retries after the first attempt. */
  maxRetries: number;
  /** Aborts the wait between attempts (the abort reason is thrown). */
  signal: AbortSignal;
  /**
   * The longest wait honoured. A server asking for more (`retry-after: 3600`, a used-up quota)
   * fails at once rather than holding the run.
   * @default 60_000
   */
  maxDelayMs?: number;
  /** The backoff's jitter, injectable for tests. @default Math.random */
  random?: () => number;
}

/** The backoff without `retry-after`: 0.5 s doubling to 8 s, less up to a quarter (as the SDKs). */
const firstDelayMs = 500;
const longestBackoffMs = 8_000;

/**
 * Opens a model request, sending it again after a failure that may pass (429, 408, 409, 5xx and
 * 529, a connection that failed or timed out) at most `maxRetries` times. Each wait is yielded as
 * a `retry` event before it starts, so the user sees it, and ends early when `signal` aborts. Only
 * the opening is retried: once a stream has begun, its data may already have been used.
 *
 * Use with `yield*`: `const stream = yield* withRetries(() => client.create(...), options)`.
 * Throws what the last attempt threw.
 */
export async function* withRetries<T>(
  open: () => Promise<T>,
  options: RetryOptions,
): AsyncGenerator<ModelEvent, T, undefined> {
  const maxAttempts = options.maxRetries + 1;
  for (let attempt = 1; ; attempt++) {
    try {
      return await open();
    } catch (error) {
      if (options.signal.aborted || attempt >= maxAttempts) throw error;
      const retry = retryAfterFailure(error, attempt + 1, maxAttempts, options);
      if (!retry) throw error;
      yield { type: 'retry', ...retry };
      await sleep(retry.delayMs, options.signal);
    }
  }
}

/** The retry to make after `error`, or `undefined` when it would not help. */
export function retryAfterFailure(
  error: unknown,
  attempt: number,
  maxAttempts: number,
  options: Pick<RetryOptions, 'provider' | 'baseURL' | 'signal' | 'maxDelayMs' | 'random'>,
): ModelRetry | undefined {
  // salvo's own errors (an answer that is not a stream) are the same on every attempt.
  if (ModelApiError.isInstance(error) || !(error instanceof Error)) return undefined;
  const record = error as unknown as { status?: unknown; headers?: unknown };
  const status = typeof record.status === 'number' ? record.status : undefined;
  const reason = status === undefined ? connectionReason(error) : statusReason(status);
  if (!reason) return undefined;
  const shouldRetry = headerOf(record.headers, 'x-should-retry');
  if (shouldRetry === 'false') return undefined;
  if (shouldRetry !== 'true' && reason === 'other') return undefined;
  const maxDelayMs = options.maxDelayMs ?? 60_000;
  const asked = askedDelayMs(record.headers);
  if (asked !== undefined && asked > maxDelayMs) return undefined;
  const delayMs = Math.round(asked ?? backoffMs(attempt - 1, options.random ?? Math.random));
  const described = toModelError(options.provider, error, options.signal);
  return {
    attempt,
    maxAttempts,
    delayMs,
    reason: reason === 'other' ? 'server-error' : reason,
    ...(status === undefined ? {} : { status }),
    server: hostOf(options.baseURL),
    message: ModelApiError.isInstance(described) ? described.apiMessage : String(described),
  };
}

function statusReason(status: number): RetryReason | 'other' {
  if (status === 429) return 'rate-limited';
  if (status === 503 || status === 529) return 'overloaded';
  if (status === 408) return 'timeout';
  if (status === 409 || status >= 500) return 'server-error';
  return 'other';
}

/**
 * A request that got no answer: the SDKs' `APIConnectionError` and `APIConnectionTimeoutError`.
 * A refused connection is not retried: nothing listens there (a local server that is not
 * running), and half a second later nothing will.
 */
function connectionReason(error: Error): RetryReason | undefined {
  const type = `${error.name} ${error.constructor?.name ?? ''}`;
  if (!type.includes('APIConnection')) return undefined;
  if (type.includes('Timeout')) return 'timeout';
  if (causeCodes(error).includes('ECONNREFUSED')) return undefined;
  return 'connection';
}

function causeCodes(error: Error): string[] {
  const codes: string[] = [];
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && typeof cause === 'object' && cause !== null; depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cause = (cause as { cause?: unknown }).cause;
  }
  return codes;
}

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date). */
function askedDelayMs(headers: unknown): number | undefined {
  const ms = Number.parseFloat(headerOf(headers, 'retry-after-ms') ?? '');
  if (Number.isFinite(ms) && ms >= 0) return ms;
  const after = headerOf(headers, 'retry-after');
  if (after === undefined) return undefined;
  const seconds = Number.parseFloat(after);
  if (Number.isFinite(seconds)) return seconds >= 0 ? seconds * 1000 : undefined;
  const date = Date.parse(after);
  return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoffMs(retry: number, random: () => number): number {
  const base = Math.min(firstDelayMs * 2 ** (retry - 1), longestBackoffMs);
  return base * (1 - random() * 0.25);
}

function hostOf(baseURL: string): string {
  try {
    return new URL(baseURL).host || baseURL;
  } catch {
    return baseURL;
  }
}
