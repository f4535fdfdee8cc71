/** The plain data renderers read: what `ProgressState.snapshot` returns. */

import type { OutputTail, ShellExit } from './shell-outcome.js';

export type CallState =
  | 'queued'
  | 'waiting-conflict'
  | 'waiting-slot'
  | 'awaiting-approval'
  | 'running'
  | 'done'
  | 'error'
  | 'denied'
  | 'cancelled'
  | 'timeout';

/** An earlier call this one waits for. */
export interface Blocker {
  callId: string;
  /** `''` when the blocking call was not seen. */
  toolName: string;
}

/** One call, as far as the events told. All text is sanitized and safe to print. */
export interface CallView {
  /** Unique across turns: turn id and position in the turn. */
  key: string;
  turnId: number;
  callId: string;
  toolName: string;
  index: number;
  /** The agent whose call it is: `[]` for the root, `['reviewer#2']` for a subagent. */
  path: readonly string[];
  /** `read_file src/a.ts`: the tool name alone until the input is known. */
  description: string;
  status: CallState;
  /** When the call entered its current status (ms, the scheduler's clock). */
  since: number;
  queuedAt: number;
  startedAt?: number;
  endedAt?: number;
  progress?: { progress?: number; total?: number; message?: string };
  /** For `waiting-conflict`: the calls it waits for (those still unfinished, when known). */
  waitingOn?: readonly Blocker[];
  /** For `waiting-slot`: the limit that is full (`global`, `mcp:github`). */
  slot?: string;
  /** For finished calls other than `done`: what went wrong, one short line. */
  error?: string;
  /** For finished `shell` calls: how the command ended, and the last lines of its output. */
  exit?: ShellExit;
  tail?: OutputTail;
  /** For `task` calls: the subagent's name and its label once known (`reviewer#3`). */
  agentName?: string;
  agentLabel?: string;
  /** Only on the view `onSchedulerEvent` returns for a finished `task` call: its group now. */
  group?: GroupView;
}

/** The `task` calls of one turn that start the same kind of agent. */
export interface GroupView {
  turnId: number;
  /** The agent whose turn started them. */
  path: readonly string[];
  /** The agent definition's name (`reviewer`), `agent` for the default. */
  name: string;
  /** `reviewers 3/5 done`, `reviewer 0/1 done`, with `(1 failed, 1 cancelled)` when any were. */
  text: string;
  total: number;
  /** Finished, whatever their status. */
  done: number;
  /** Finished with an error or a timeout. */
  failed: number;
  denied: number;
  cancelled: number;
  running: number;
}

export interface ProgressCounts {
  running: number;
  queued: number;
  /** Waiting for a conflicting call or a slot. */
  waiting: number;
  awaitingApproval: number;
  /** Finished with success. */
  done: number;
  /** Finished with an error or a timeout. */
  failed: number;
  /** Denied (by the user, a policy, or for want of a terminal to ask). */
  denied: number;
  cancelled: number;
  /** Every call seen. */
  total: number;
}

export interface AgentActivity {
  /** The root agent's current step (model request), 0 before the first. */
  step: number;
  /** `thinking` before the model's first output, `writing` text, `calling` tools, `idle`. */
  phase: 'idle' | 'thinking' | 'writing' | 'calling';
}

export interface ProgressSnapshot {
  now: number;
  /** When the work began: the state's `startedAt`, or its first event. */
  startedAt: number;
  counts: ProgressCounts;
  agent: AgentActivity;
  /** Groups with unfinished calls, oldest first, at most the limit asked for. */
  groups: GroupView[];
  /** All groups with unfinished calls. */
  groupCount: number;
  /**
   * Unfinished calls, most important first, at most the limit asked for: awaiting approval
   * (longest first), running (longest first), waiting (longest first), queued.
   */
  calls: CallView[];
}
