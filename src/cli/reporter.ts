import type { AgentEvent } from '../agent/run-agent.js';
import type { ApprovalRequest } from '../approval/approval.js';
import type { SchedulerEvent } from '../schedule/events.js';
import type { ApprovalQueue } from './approval-queue.js';
import type { CallOutcomes } from './progress/call-outcomes.js';
import type { RunTiming } from './run-timing.js';

/** What a run reports as it goes; one implementation per output kind (live, plain, JSON). */
export interface Reporter {
  /** Every scheduler event, subagents' included. */
  schedulerEvent(event: SchedulerEvent): void;
  /** The root agent's events. */
  agentEvent(event: AgentEvent): void;
  /** The approval queue changed: show its head (or nothing when it is empty). */
  approvals(queue: ApprovalQueue): void;
  /** The user answered a request (the display stops showing it as waiting). */
  approvalAnswered(request: ApprovalRequest, approved: boolean): void;
  /** A line for the user (not part of the machine-readable output). */
  info(line: string): void;
  warn(line: string): void;
  /** A prompt starts or ends (the live display runs only in between). */
  runStarted(prompt: string): void;
  runEnded(summary: RunEnd): void;
  /** Leaves the terminal as it found it. Idempotent. */
  close(): void;
}

/** How a prompt's run ended, for the last lines (or the last JSON event). */
export interface RunEnd {
  finishReason: string;
  text: string;
  wallMs: number;
  calls: number;
  steps: number;
  usage: { inputTokens: number; outputTokens: number };
  /** Tool work over the wall (`summarizeRun`'s `parallelism`); the end line prefers `timing`. */
  parallelism: number;
  /** Where the time went: the end line says model and tool time and how parallel they ran. */
  timing?: RunTiming;
  error?: string;
  /**
   * For a cancelled run: what cancelled it, as the abort reason says it (`cancelled by Ctrl-C`,
   * `stopped by SIGTERM`). The end line reads `run cancelled by Ctrl-C after 2.1s`.
   */
  cancelReason?: string;
  /**
   * How many of the run's calls ended with each status. The reporters count them from the
   * scheduler's events when the run does not say.
   */
  outcomes?: CallOutcomes;
  transcriptFile?: string;
  traceFile?: string;
  /** MCP servers that need an OAuth login (`salvo mcp login <name>`); the rest ran on. */
  needsLogin?: string[];
}
