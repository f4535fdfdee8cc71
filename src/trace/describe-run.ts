import { duration } from './run-advice.js';
import type { RunSummary } from './summarize-run.js';

/** The figures worth saying about a run, as short phrases (see `describeRun`). */
export function runFacts(s: RunSummary): {
  /** `model 1.2 s, tools 0.4 s, waits 0.1 s`: the wall along the critical path. */
  split: string;
  /** `5 subagents at once`, `tools 2.1x parallel`, `streaming saved 0.3 s`: only what happened. */
  notes: string[];
} {
  const { wallSplit: w } = s;
  // Parts too small to see at this scale are left out; model and tools are always named.
  const visible = (ms: number) => ms >= Math.max(1, s.wallMs * 0.01);
  const parts: string[] = [];
  if (s.model.requests > 0) parts.push(`model ${duration(w.modelMs)}`);
  if (s.calls > 0 || s.model.requests === 0) parts.push(`tools ${duration(w.toolsMs)}`);
  if (visible(w.waitsMs)) parts.push(`waits ${duration(w.waitsMs)}`);
  const notes: string[] = [];
  const { count, mostAtOnce } = s.subagents;
  if (count === 1) notes.push('1 subagent');
  else if (count > 1) {
    notes.push(mostAtOnce > 1 ? `${count} subagents, ${mostAtOnce} at once` : `${count} subagents`);
  }
  // Below 1.05 nothing ran beside anything else: a fact, not worth a word.
  if (s.toolParallelism >= 1.05) notes.push(`tools ${s.toolParallelism.toFixed(1)}x parallel`);
  if (s.streamingSavedMs >= 1 && visible(s.streamingSavedMs)) {
    notes.push(`streaming saved ${duration(s.streamingSavedMs)}`);
  }
  return { split: parts.join(', '), notes };
}

/**
 * The run in one line: `wall 1.9 s: model 1.2 s, tools 0.4 s on the critical path; 5
 * subagents, 5 at once; tools 2.1x parallel; streaming saved 0.3 s`. Says only what happened:
 * no figure that reads as a fault when nothing went wrong.
 */
export function describeRun(s: RunSummary): string {
  const { split, notes } = runFacts(s);
  return [`wall ${duration(s.wallMs)}: ${split} on the critical path`, ...notes].join('; ');
}
