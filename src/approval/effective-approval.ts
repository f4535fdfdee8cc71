import type { Claim } from '../tool/claims.js';
import type { ApprovalMode, ApprovalPolicy } from './approval.js';

/**
 * What to do with a call, given the tool's policy for its input and the host's mode.
 * `claims` is `null` for an exclusive call.
 */
export function effectiveApproval(
  policy: ApprovalPolicy,
  mode: ApprovalMode,
  claims: readonly Claim[] | null,
): ApprovalPolicy {
  if (policy !== 'ask') return policy;
  switch (mode) {
    case 'yolo':
      return 'auto';
    case 'never-ask':
      return 'deny';
    case 'auto-edit':
      return isFileEdit(claims) ? 'auto' : 'ask';
    case 'ask':
      return 'ask';
  }
}

/** A call that claims files and nothing else: what `auto-edit` lets through. */
function isFileEdit(claims: readonly Claim[] | null): boolean {
  return claims !== null && claims.length > 0 && claims.every((c) => c.key.startsWith('fs:'));
}
