// The one change worth making to a run, in the words of where it came from: the CLI's flags
// and config, or the library's options.

import type { LostTime } from './run-blame.js';

/** Where a run came from: its advice names CLI flags or library options. */
export type RunSource = 'library' | 'cli';

/** What `recommend` reads of the run summary. */
export interface AdviceFacts {
  calls: number;
  wallMs: number;
  efficiency: number;
  lost: LostTime;
}

/**
 * The single most useful change, judged by the time it would have saved, or that there was
 * none. Waits that were right (calls touching the same file, in CLI runs whose tools declare
 * exactly what they touch) are not faults.
 */
export function recommend(s: AdviceFacts, source: RunSource = 'library'): string {
  if (s.calls === 0) return 'No calls ran.';
  const cli = source === 'cli';
  // Below this a cause is not worth a change: 5% of the wall, and at least 20 ms.
  const worth = Math.max(20, s.wallMs * 0.05);
  const candidates: { ms: number; text: string }[] = [];
  const limit = s.lost.limits[0];
  if (limit) {
    const requests = limit.requests ?? 0;
    const who =
      limit.calls === 0
        ? plural(requests, 'model request')
        : requests === 0
          ? plural(limit.calls, 'call')
          : `${plural(limit.calls, 'call')} and ${plural(requests, 'model request')}`;
    candidates.push({
      ms: limit.ms,
      text: `${who} waited ${duration(limit.ms)} ${limitPhrase(limit.limit, limit.capacity, cli)}`,
    });
  }
  const blocker = s.lost.conflicts.blockers[0];
  const mcpServer = blocker ? /^(.+?)__./.exec(blocker.name)?.[1] : undefined;
  // Built-in tools claim exactly the files they touch: in a CLI run, waiting on them is right.
  if (blocker && (!cli || blocker.exclusive || mcpServer !== undefined)) {
    const fix =
      cli && mcpServer !== undefined
        ? `MCP server ${mcpServer} runs its calls one at a time under trust 'none': set "trust": "annotations" for it in salvo.json if its read-only hints can be believed.`
        : blocker.exclusive
          ? `${blocker.name} declares no claims, so it is exclusive: declare what it really touches.`
          : `check that ${blocker.name}'s claims are no wider than what it touches.`;
    candidates.push({
      ms: blocker.ms,
      text: `${plural(blocker.calls, 'call')} waited ${duration(blocker.ms)} behind ${blocker.name} (${blocker.id}): ${fix}`,
    });
  }
  const { approvals } = s.lost;
  if (approvals.calls > 0) {
    const behind =
      approvals.behind.calls > 0
        ? `, holding back ${plural(approvals.behind.calls, 'call')} behind ${approvals.calls === 1 ? 'it' : 'them'} for ${duration(approvals.behind.ms)}`
        : '';
    const pending =
      approvals.pending > 0
        ? ` (${approvals.pending === approvals.calls ? (approvals.pending === 1 ? 'never answered' : 'none answered') : `${approvals.pending} never answered`}: the run ended first)`
        : '';
    const fix = cli
      ? 'answer sooner (a approves a tool for the session), or run with --approval auto-edit for file edits.'
      : "approve sooner, or use approvalMode 'auto-edit' for file edits.";
    candidates.push({
      ms: approvals.ms + approvals.behind.ms,
      text: `${plural(approvals.calls, 'call')} waited ${duration(approvals.ms)} for approval${pending}${behind}: ${fix}`,
    });
  }
  const best = candidates.filter((c) => c.ms >= worth).sort((a, b) => b.ms - a.ms)[0];
  if (best) return best.text;
  return `Nothing worth changing: no call waited long for a limit, a conflict or an approval (efficiency ${Math.round(s.efficiency * 100)}%).`;
}

/** `on limit mcp:github (2): raise it…`, in the run's own words. */
function limitPhrase(limit: string, capacity: number, cli: boolean): string {
  const cap = Number.isFinite(capacity) ? capacity : undefined;
  const server = /^mcp:(.+)$/.exec(limit)?.[1];
  if (cli) {
    if (limit === 'global') {
      return `for a slot (--max-concurrency${cap === undefined ? '' : ` ${cap}`}): raise it if the machine allows.`;
    }
    if (limit === 'subagent') {
      return `for a subagent slot (--max-subagents${cap === undefined ? '' : ` ${cap}`}): raise it if the API's rate limit allows.`;
    }
    if (server !== undefined) {
      return `for MCP server ${server} (its "maxConcurrency"${cap === undefined ? '' : ` ${cap}`} in salvo.json): raise it if the server allows.`;
    }
    return `on limit ${limit}${cap === undefined ? '' : ` (${cap})`}: raise it if the resource allows.`;
  }
  const paren = cap === undefined ? '' : ` (${cap})`;
  if (limit === 'global') return `on maxConcurrency${paren}: raise it if the resource allows.`;
  if (limit === 'subagent') {
    return `for a subagent slot (the SubagentManager's maxConcurrent${cap === undefined ? '' : ` ${cap}`}): raise it if the API's rate limit allows.`;
  }
  return `on limit ${limit}${paren}: raise it if the resource allows.`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** `850 ms`, `2.1 s`, `1 min 5 s`: as precise as a reader needs. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return `${Math.floor(s / 60)} min ${s % 60} s`;
}
