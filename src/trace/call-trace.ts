import type { CallStatus } from '../tool/call.js';

/** What every view (HTML report, text chart, Chrome trace) calls the root agent. */
export const rootAgentName = 'root';

/**
 * What happened to one call, as timestamps in milliseconds of the scheduler's clock.
 * Waiting for conflicts and waiting for approval run at the same time; waiting for a slot starts
 * once both are over.
 */
export interface CallTrace {
  id: string;
  name: string;
  /** Position in the turn (the model's order). */
  index: number;
  status: CallStatus;
  /** Added to the turn. */
  queuedAt: number;
  /** Input parsed and validated, claims registered: waiting for conflicts starts here. */
  admittedAt?: number;
  /** Every earlier conflicting call had settled (equals `queuedAt` when there were none). */
  conflictsClearedAt?: number;
  /** The approval was decided (equals `queuedAt` when none was needed). */
  approvedAt?: number;
  /** Ready to run: conflicts cleared and approved; waiting for a slot from here. */
  readyAt?: number;
  /** A slot of every limit was granted and `execute` was called. */
  startedAt?: number;
  /** The result was resolved. */
  endedAt: number;
  /** Ids of the earlier calls this call conflicted with and waited for. */
  waitedFor: string[];
  /** The limit that held the call back longest while it waited for a slot. */
  limitWaitedOn?: string;
  /** Limits the call counted against (`global` first). */
  limits: string[];
  /** The call declared no claims: it conflicted with every call. */
  exclusive?: boolean;
  /**
   * Of its running time, how long the call gave its slots back to wait for work it started
   * (`ctx.waitFor`: a `task` call while its subagent runs). That time is not the call's work.
   */
  slotsYieldedMs?: number;
  /** The identical earlier read whose result this call shared instead of running (`dedupeReads`). */
  sharedWith?: string;
  /**
   * How approval went: not needed, approved by the approver, denied, or still pending when the
   * call ended (asked, never answered: the run was cancelled first).
   */
  approval: 'auto' | 'approved' | 'denied' | 'pending';
}

/**
 * One model request of an agent, timed on the scheduler's clock: waiting for the agent's slot
 * (a subagent's), waiting for the first token, then streaming the answer (its tool calls join
 * the turn as they complete).
 */
export interface ModelRequestTrace {
  /** The `Model.provider`: `anthropic`, `openai`, `scripted`... */
  provider: string;
  /** The `Model.modelId`. */
  model: string;
  /** The agent's step: 1 for its first request. */
  step: number;
  /** The agent was ready to ask: from here it waited for its slot, if it had to. */
  queuedAt: number;
  /** The request was sent (its slot held). */
  sentAt: number;
  /** The first part of the answer arrived (text, reasoning or a tool call). */
  firstTokenAt?: number;
  /** The stream ended, or failed. */
  endedAt: number;
  /** The limit the request waited for between `queuedAt` and `sentAt` (`subagent`). */
  limitWaitedOn?: string;
  /** Tokens the provider reported, when it did. */
  inputTokens?: number;
  outputTokens?: number;
  /** Why the answer ended: the model's reason, or `error` / `cancelled` when the stream failed. */
  finishReason:
    | 'stop'
    | 'tool-calls'
    | 'length'
    | 'content-filter'
    | 'other'
    | 'error'
    | 'cancelled';
  /** Attempts sent again before the answer began (rate limits, overload): counted in time to first token. */
  retries?: number;
}

/** Per turn: where the time went and how parallel it was. */
export interface TurnSummary {
  /** First call queued to last result. */
  wallMs: number;
  /** Sum of every call's running time. */
  workMs: number;
  /** work / wall. */
  parallelism: number;
  /** Ids of the chain of calls that set the wall time, first to last. */
  criticalPath: string[];
  criticalPathMs: number;
  /** The makespan a perfect scheduler could reach with the same calls, conflicts, approvals and limits. */
  lowerBoundMs: number;
  /** lowerBound / wall, at most 1. */
  efficiency: number;
  /** Summed over calls. */
  waits: { conflictsMs: number; approvalMs: number; slotMs: number };
}

export interface TurnTrace {
  /** The turn's id, unique within its scheduler. */
  turnId: number;
  /** Who ran the turn: empty for the root agent, the subagent path otherwise (`['reviewer#2']`). */
  path: readonly string[];
  /** The call whose work this turn is part of (a subagent's turn under its `task` call). */
  parent?: { turnId: number; callId: string };
  /** The earliest time in the turn: its model request's `queuedAt`, else its first call's. */
  startedAt: number;
  /** The latest time in the turn: its last result, or the end of its model request. */
  endedAt: number;
  /**
   * The model request whose answer made this turn's calls (`runAgent` records it; a turn the
   * host ran itself has none). A turn without calls is a model request that made none.
   */
  model?: ModelRequestTrace;
  calls: CallTrace[];
  /** Every limit in force, by name: `global` is `maxConcurrency`. */
  limits: Record<string, number>;
  summary: TurnSummary;
}
