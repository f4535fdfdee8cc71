import type { Claim } from '../tool/claims.js';

/** What a tool says about a call: run it, ask a human first, or refuse it. */
export type ApprovalPolicy = 'auto' | 'ask' | 'deny';

/**
 * How the host adjusts tool policies:
 * - `ask`: policies as tools declare them.
 * - `auto-edit`: calls that only claim files (`fs:` keys) run without asking.
 * - `yolo`: every `ask` runs without asking; `deny` still refuses.
 * - `never-ask`: for runs with nobody to ask: every `ask` is denied.
 */
export type ApprovalMode = 'ask' | 'auto-edit' | 'yolo' | 'never-ask';

export const approvalModes: readonly ApprovalMode[] = ['ask', 'auto-edit', 'yolo', 'never-ask'];

/** What the host's approver is asked, the moment a call is admitted. */
export interface ApprovalRequest {
  callId: string;
  toolName: string;
  input: unknown;
  claims: readonly Claim[];
  /** Who asks: empty for the root agent, the subagent path otherwise (`['reviewer#2']`). */
  path: readonly string[];
  /** Aborted when the call no longer needs an answer (cancelled, turn ended). */
  signal: AbortSignal;
}

export type ApprovalDecision = 'approve' | 'deny';

/** An approver answers with a decision, optionally with a reason the model will read on denial. */
export type ApprovalResponse = ApprovalDecision | { decision: ApprovalDecision; reason?: string };

export type Approver = (request: ApprovalRequest) => ApprovalResponse | Promise<ApprovalResponse>;
