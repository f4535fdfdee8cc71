import { describe, expect, it } from 'vitest';
import type { ModelRetry } from '../agent/model.js';
import { retryLine } from './retry-line.js';

const base: ModelRetry = {
  attempt: 2,
  maxAttempts: 3,
  delayMs: 2000,
  reason: 'rate-limited',
  status: 429,
  server: 'api.openai.com',
  message: 'Rate limit reached for gpt-4.1 in organization org-x on tokens per min',
};

describe('retryLine', () => {
  it('says who, why, how long and which attempt', () => {
    expect(retryLine(base)).toBe(
      'rate limited by api.openai.com, retrying in 2 s (attempt 2 of 3)',
    );
    expect(retryLine({ ...base, reason: 'overloaded', status: 529, delayMs: 480 })).toBe(
      'api.openai.com is overloaded (529), retrying in 0.5 s (attempt 2 of 3)',
    );
    expect(
      retryLine({ ...base, reason: 'server-error', status: 502, message: 'Bad gateway' }),
    ).toBe('api.openai.com answered 502: Bad gateway, retrying in 2 s (attempt 2 of 3)');
    expect(
      retryLine({
        ...base,
        reason: 'connection',
        status: undefined,
        message: 'Connection error.',
        attempt: 3,
      }),
    ).toBe(
      'the connection to api.openai.com failed: Connection error., retrying in 2 s (attempt 3 of 3)',
    );
    expect(retryLine({ ...base, reason: 'timeout', status: undefined, delayMs: 12_400 })).toBe(
      'api.openai.com did not answer in time, retrying in 12 s (attempt 2 of 3)',
    );
  });

  it('keeps a server’s words to one short, harmless line', () => {
    const line = retryLine({
      ...base,
      reason: 'server-error',
      status: 500,
      message: `boom\u001b[2J\n${'x'.repeat(200)}`,
    });
    expect(line).not.toContain('\u001b');
    expect(line).not.toContain('\n');
    expect(line.length).toBeLessThan(140);
  });
});
