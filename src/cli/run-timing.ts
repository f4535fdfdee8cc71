import type { RunSummary } from '../trace/summarize-run.js';

/** Where a run's time went, for its end line (see `summarizeRun`). */
export interface RunTiming {
  /** Model requests made, every agent's. */
  requests: number;
  /** Along the critical path: model, tools and waits. */
  modelMs: number;
  toolsMs: number;
  waitsMs: number;
  /** Calls running at once, on average, while any ran. */
  toolParallelism: number;
  /** Subagents that ran, and the most at once. */
  subagents: number;
  subagentsAtOnce: number;
}

export function runTiming(run: RunSummary): RunTiming {
  return {
    requests: run.model.requests,
    modelMs: run.wallSplit.modelMs,
    toolsMs: run.wallSplit.toolsMs,
    waitsMs: run.wallSplit.waitsMs,
    toolParallelism: run.toolParallelism,
    subagents: run.subagents.count,
    subagentsAtOnce: run.subagents.mostAtOnce,
  };
}
