import type { AgentResult } from '../agent/run-agent.js';

/** A subagent's work as it can travel to another process: plain data, no tools, no secrets. */
export interface SubagentTask {
  /**
   * Stable for the same call of the same run: `run:turn:call` (each part free of `:`), or
   * `run:0:<label>` for an agent no call started. A queue may use it to refuse a second copy.
   */
  id: string;
  prompt: string;
  /** The definition's name; where it runs, that side's definition of the same name applies. */
  agent?: string;
  /** Its path: its caller's and its label. */
  path: readonly string[];
  /** Model requests it may make. */
  maxTurns: number;
}

/** What ran it, and the answer so far, as it comes in. */
export interface SubagentProgress {
  /** It left the queue and started, on `worker` when it runs elsewhere. */
  started?: boolean;
  worker?: string;
  /** The answer so far (replaces the previous). */
  text?: string;
}

/** One subagent handed to a dispatcher. */
export interface SubagentDispatch {
  readonly task: SubagentTask;
  /** Aborts when the agent is cancelled, times out, or its caller's signal aborts. */
  readonly signal: AbortSignal;
  /**
   * Takes the agent's slot of the manager's `maxConcurrent` for work done elsewhere, and
   * resolves with its release; rejects with the signal's reason when it aborts first.
   */
  takeSlot(): Promise<() => void>;
  /** Reports progress; ignored once the agent settled (a late or repeated report). */
  progress(update: SubagentProgress): void;
  /** Runs the agent in this process, on the manager's scheduler: the local dispatcher's way. */
  runHere(): Promise<AgentResult>;
}

/**
 * Where subagents run. The manager keeps everything around a run (its record, limits, its
 * signal and cancellation, its caller's call order); the dispatcher only runs it and resolves
 * once with its result. A result that arrives after the agent was cancelled is reported as
 * cancelled.
 */
export interface SubagentDispatcher {
  dispatch(dispatch: SubagentDispatch): Promise<AgentResult>;
  /** Lets go of what it holds (connections); the host calls it once the run is over. */
  close?(): Promise<void>;
}

/** The default: every subagent runs here, on the manager's scheduler. */
export const localDispatcher: SubagentDispatcher = {
  dispatch: (dispatch) => dispatch.runHere(),
};

/** One part of a task id: `:` and `%` escaped, so `run:turn:call` splits in three. */
export function taskIdPart(part: string | number): string {
  return String(part).replaceAll('%', '%25').replaceAll(':', '%3A');
}
