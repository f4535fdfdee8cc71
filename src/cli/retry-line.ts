import type { ModelRetry } from '../agent/model.js';
import { sanitizeInline } from '../trace/sanitize-text.js';

/**
 * A model request sent again, in one line: ``rate limited by api.openai.com, retrying in 2 s
 * (attempt 2 of 3)``.
 */
export function retryLine(retry: ModelRetry): string {
  const server = sanitizeInline(retry.server);
  const status = retry.status === undefined ? '' : ` (${retry.status})`;
  const then = `retrying in ${waitText(retry.delayMs)} (attempt ${retry.attempt} of ${retry.maxAttempts})`;
  switch (retry.reason) {
    case 'rate-limited':
      return `rate limited by ${server}, ${then}`;
    case 'overloaded':
      return `${server} is overloaded${status}, ${then}`;
    case 'timeout':
      return `${server} did not answer in time${status}, ${then}`;
    case 'connection':
      return `the connection to ${server} failed${said(retry.message)}, ${then}`;
    default: {
      const answered = retry.status === undefined ? 'failed' : `answered ${retry.status}`;
      return `${server} ${answered}${said(retry.message)}, ${then}`;
    }
  }
}

/** `0.5 s`, `2 s`, `45 s`. */
function waitText(ms: number): string {
  // Tenths under a second, never "0.0 s" for a wait that is one.
  if (ms < 950) return `${(Math.max(1, Math.ceil(ms / 100)) / 10).toFixed(1)} s`;
  return `${Math.round(ms / 1000)} s`;
}

/** The failure's own words, short: `: Internal error`. */
function said(message: string): string {
  const text = sanitizeInline(message);
  if (text === '') return '';
  return `: ${text.length > 60 ? `${text.slice(0, 59).trimEnd()}…` : text}`;
}
