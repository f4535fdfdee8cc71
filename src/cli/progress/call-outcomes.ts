import { type CallStatus, callStatuses } from '../../tool/call.js';

/** How many calls ended with each status. */
export type CallOutcomes = Record<CallStatus, number>;

export function emptyOutcomes(): CallOutcomes {
  return { success: 0, error: 0, denied: 0, cancelled: 0, timeout: 0 };
}

/** The status a result's (untrusted) status stands for: anything unknown is an error. */
export function outcomeOf(status: unknown): CallStatus {
  return callStatuses.includes(status as CallStatus) ? (status as CallStatus) : 'error';
}

/**
 * What did not succeed, in words, for people: `1 failed, 2 denied, 1 cancelled`. A timeout is a
 * failure (the call's own line says it timed out); a denial or a cancellation is not: the user
 * or the run decided, the tool did not fail.
 */
export function outcomeWords(outcomes: Partial<CallOutcomes>): string[] {
  const failed = (outcomes.error ?? 0) + (outcomes.timeout ?? 0);
  const words: string[] = [];
  if (failed > 0) words.push(`${failed} failed`);
  if ((outcomes.denied ?? 0) > 0) words.push(`${outcomes.denied} denied`);
  if ((outcomes.cancelled ?? 0) > 0) words.push(`${outcomes.cancelled} cancelled`);
  return words;
}
