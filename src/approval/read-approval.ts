import { describeValue } from '../errors.js';
import type { ApprovalResponse } from './approval.js';

/** Longest reason carried into a result. */
const maxReason = 500;

/**
 * Reads an approver's answer. Only `'approve'` or `{ decision: 'approve' }` approves; anything
 * else, including an answer whose properties throw, denies: an approver's bug must never let a
 * call through, nor crash the host. Never throws.
 */
export function readApproval(response: ApprovalResponse | unknown): {
  approved: boolean;
  reason: string;
} {
  try {
    if (response === 'approve') return { approved: true, reason: '' };
    if (response === 'deny') return { approved: false, reason: 'the user denied this call' };
    if (typeof response === 'object' && response !== null) {
      const { decision, reason } = response as { decision?: unknown; reason?: unknown };
      if (decision === 'approve') return { approved: true, reason: '' };
      if (decision === 'deny') {
        const why =
          typeof reason === 'string' && reason.trim() !== '' ? reason : 'the user denied this call';
        return {
          approved: false,
          reason: why.length > maxReason ? `${why.slice(0, maxReason)}…` : why,
        };
      }
    }
  } catch {
    // Fall through: an answer that cannot be read denies.
  }
  return {
    approved: false,
    reason: `the approver answered ${describeValue(response)}, not 'approve' or 'deny'`,
  };
}
