import type { AgentEvent } from '../../agent/run-agent.js';
import type { SchedulerEvent } from '../../schedule/events.js';
import type { CallResult, CallStatus } from '../../tool/call.js';
import { sanitizeInline } from '../../trace/sanitize-text.js';
import {
  type Bucket,
  bucketOf,
  type CallEntry,
  cleanProgress,
  createCallEntry,
  finishedState,
  shortError,
  toCallView,
} from './call-entry.js';
import { type CallOutcomes, emptyOutcomes } from './call-outcomes.js';
import { describeCall, parseCallInput } from './describe-call.js';
import type {
  AgentActivity,
  CallState,
  CallView,
  GroupView,
  ProgressSnapshot,
} from './progress-snapshot.js';
import { RootInputs } from './root-inputs.js';
import { shellOutcome } from './shell-outcome.js';
import { agentLabelOf, SubagentGroups } from './subagent-groups.js';
import { TaskAgents } from './task-agents.js';

export interface ProgressStateOptions {
  /** When the work began, for the elapsed time. @default the first event's time */
  startedAt?: number;
  /** Turns without unfinished calls whose group counts are kept. @default 32 */
  keepTurns?: number;
  /** Columns call descriptions are made for; renderers cut them further. @default 160 */
  descriptionWidth?: number;
}

interface TurnInfo {
  path: readonly string[];
  unfinished: number;
  /** Unfinished calls by their (raw) id: conflict waits name ids. */
  byId: Map<string, CallEntry>;
}

const defaultAgent = 'agent';

/**
 * What every call is doing, built from scheduler events (all agents) and the root agent's
 * events. Only unfinished calls are kept, in one insertion-ordered map per status, so a
 * snapshot costs O(calls shown), not O(calls ever); finished calls leave counters behind.
 * One state per scheduler: turn ids are unique within a scheduler.
 */
export class ProgressState {
  readonly #options: Required<Omit<ProgressStateOptions, 'startedAt'>>;
  #startedAt: number | undefined;
  readonly #active = new Map<string, CallEntry>();
  readonly #buckets: Record<Bucket, Map<string, CallEntry>> = {
    awaiting: new Map(),
    running: new Map(),
    waiting: new Map(),
    queued: new Map(),
  };
  readonly #turns = new Map<number, TurnInfo>();
  readonly #rootInputs = new RootInputs<CallEntry>();
  readonly #groups = new SubagentGroups();
  readonly #taskAgents = new TaskAgents();
  #agent: AgentActivity = { step: 0, phase: 'idle' };
  readonly #outcomes = emptyOutcomes();
  #total = 0;

  constructor(options: ProgressStateOptions = {}) {
    this.#startedAt = options.startedAt;
    this.#options = {
      keepTurns: options.keepTurns ?? 32,
      descriptionWidth: options.descriptionWidth ?? 160,
    };
  }

  /**
   * What is kept, for memory checks: unfinished calls, turns, groups, and links (root inputs
   * not yet matched with their call, task calls linked to their subagent).
   */
  get retained(): { calls: number; turns: number; groups: number; links: number } {
    return {
      calls: this.#active.size,
      turns: this.#turns.size,
      groups: this.#groups.size,
      links: this.#rootInputs.size + this.#taskAgents.size,
    };
  }

  /** How many calls ended with each status so far. */
  get outcomes(): CallOutcomes {
    return { ...this.#outcomes };
  }

  /** Takes in one scheduler event; returns the call as it stands after it. */
  onSchedulerEvent(event: SchedulerEvent): CallView {
    this.#startedAt ??= event.at;
    const key = `${event.turnId}:${event.index}`;
    const entry = this.#active.get(key) ?? this.#create(event, key);
    if ('input' in event && !entry.described) this.#describe(entry, event.input);
    switch (event.type) {
      case 'waiting': {
        if (event.reason === 'conflict') {
          const turn = this.#turns.get(entry.turnId);
          const on = Array.isArray(event.on) ? event.on.map(String) : [];
          entry.waitingOnRaw = on;
          entry.waitingOn = on.map((id) => ({
            callId: sanitizeInline(id),
            toolName: turn?.byId.get(id)?.toolName ?? '',
          }));
          this.#setStatus(entry, 'waiting-conflict', event.at);
        } else {
          entry.slot = sanitizeInline(String(event.limit));
          this.#setStatus(entry, 'waiting-slot', event.at);
        }
        break;
      }
      case 'awaiting-approval':
        this.#setStatus(entry, 'awaiting-approval', event.at);
        break;
      case 'started':
        entry.startedAt = event.at;
        entry.waitingOn = entry.waitingOnRaw = entry.slot = undefined;
        this.#setStatus(entry, 'running', event.at);
        break;
      case 'progress':
        this.#progress(entry, cleanProgress(event.progress));
        break;
      case 'finished':
        return this.#finish(entry, event.result, event.at);
    }
    return this.#view(entry);
  }

  /** Takes in one of the root agent's events (`at`: when it happened, same clock). */
  onAgentEvent(event: AgentEvent, at: number = performance.now()): void {
    switch (event.type) {
      case 'step-start':
        this.#startedAt ??= at;
        this.#agent = { step: event.step, phase: 'thinking' };
        break;
      case 'text-delta':
        this.#agent = { ...this.#agent, phase: 'writing' };
        break;
      case 'tool-call': {
        this.#agent = { ...this.#agent, phase: 'calling' };
        const { id, name, input } = event.call;
        const waiting = this.#rootInputs.announce(id, name, input);
        if (waiting && !waiting.described) this.#describe(waiting, input);
        break;
      }
      case 'step-finish':
        this.#agent = { ...this.#agent, phase: 'idle' };
        break;
    }
  }

  /**
   * Tells the state the host's approver answered (no scheduler event says so): an approved
   * call goes back to waiting for its conflicts, or to queued until it starts.
   */
  onApproval(path: readonly string[], callId: string, approved: boolean, at = performance.now()) {
    if (!approved) return; // a `finished` event follows
    const wanted = path.map((p) => sanitizeInline(p)).join('\u0000');
    for (const entry of this.#buckets.awaiting.values()) {
      if (entry.rawId === callId && entry.path.join('\u0000') === wanted) {
        this.#setStatus(entry, entry.waitingOn?.length ? 'waiting-conflict' : 'queued', at);
        return;
      }
    }
  }

  /** What renderers need at `now`: counts, up to `limit` groups and up to `limit` calls. */
  snapshot(now: number, limit = 20): ProgressSnapshot {
    const calls: CallView[] = [];
    for (const bucket of ['awaiting', 'running', 'waiting', 'queued'] as const) {
      for (const entry of this.#buckets[bucket].values()) {
        if (calls.length >= limit) break;
        calls.push(this.#view(entry));
      }
    }
    const { awaiting, running, waiting, queued } = this.#buckets;
    return {
      now,
      startedAt: this.#startedAt ?? now,
      counts: {
        running: running.size,
        queued: queued.size,
        waiting: waiting.size,
        awaitingApproval: awaiting.size,
        done: this.#outcomes.success,
        failed: this.#outcomes.error + this.#outcomes.timeout,
        denied: this.#outcomes.denied,
        cancelled: this.#outcomes.cancelled,
        total: this.#total,
      },
      agent: { ...this.#agent },
      groups: this.#groups.active(limit),
      groupCount: this.#groups.activeCount,
      calls,
    };
  }

  #create(event: SchedulerEvent, key: string): CallEntry {
    let turn = this.#turns.get(event.turnId);
    if (!turn) {
      const path = Array.isArray(event.path)
        ? event.path.map((p) => sanitizeInline(String(p)))
        : [];
      turn = { path, unfinished: 0, byId: new Map() };
      this.#turns.set(event.turnId, turn);
      // The subagent a task call started is at work: say so on the task's line.
      const task = this.#taskAgents.started(path);
      if (task?.agentLabel) task.progress = { message: `${task.agentLabel} running` };
    }
    const entry = createCallEntry(event, key, turn.path, this.#options.descriptionWidth);
    const { rawId, rawTool } = entry;
    turn.unfinished++;
    if (!turn.byId.has(rawId)) turn.byId.set(rawId, entry);
    this.#active.set(key, entry);
    this.#buckets.queued.set(key, entry);
    this.#total++;
    if (rawTool === 'task') {
      entry.agentName = defaultAgent;
      entry.groupKey = this.#groups.join(entry.turnId, turn.path, defaultAgent, false);
    }
    if (turn.path.length === 0) {
      const announced = this.#rootInputs.claim(rawId, rawTool, entry);
      if (announced.found) this.#describe(entry, announced.input);
    }
    return entry;
  }

  #describe(entry: CallEntry, input: unknown): void {
    entry.described = true;
    entry.description = describeCall(entry.rawTool, input, this.#options.descriptionWidth);
    this.#rootInputs.forget(entry.rawId, entry);
    if (entry.rawTool !== 'task' || entry.agentLabel) return;
    const parsed = parseCallInput(input);
    const agent =
      parsed && typeof parsed === 'object' ? (parsed as { agent?: unknown }).agent : undefined;
    const name = typeof agent === 'string' ? sanitizeInline(agent).slice(0, 64) : '';
    this.#regroup(entry, name || defaultAgent);
  }

  #progress(entry: CallEntry, progress: NonNullable<CallView['progress']>): void {
    entry.progress = progress;
    if (entry.rawTool !== 'task') return;
    // The task tool reports `reviewer#3 running`: the agent's real name and label.
    const agent = agentLabelOf(progress.message);
    if (!agent) return;
    entry.agentLabel = agent.label;
    this.#taskAgents.link(entry, agent.label);
    this.#regroup(entry, agent.name);
  }

  #regroup(entry: CallEntry, name: string): void {
    if (entry.agentName === name || entry.groupKey === undefined) return;
    const running = entry.status === 'running';
    this.#groups.leave(entry.groupKey, running);
    entry.agentName = name;
    entry.groupKey = this.#groups.join(entry.turnId, entry.path, name, running);
  }

  #setStatus(entry: CallEntry, status: CallState, at: number): void {
    const from = bucketOf(entry.status);
    const to = bucketOf(status);
    if (from) this.#buckets[from].delete(entry.key);
    if (to) this.#buckets[to].set(entry.key, entry);
    if (entry.groupKey !== undefined && (entry.status === 'running') !== (status === 'running')) {
      this.#groups.running(entry.groupKey, status === 'running' ? 1 : -1);
    }
    entry.status = status;
    entry.since = at;
  }

  #finish(entry: CallEntry, result: CallResult | undefined, at: number): CallView {
    const status = finishedState(result);
    if (status !== 'done') entry.error = shortError(result);
    const shell = shellOutcome(entry.rawTool, result);
    if (shell) {
      entry.exit = shell.exit;
      entry.tail = shell.tail;
    }
    entry.endedAt = at;
    this.#setStatus(entry, status, at); // a running group call stops running here
    this.#active.delete(entry.key);
    this.#rootInputs.forget(entry.rawId, entry);
    this.#taskAgents.forget(entry);
    const outcome = (status === 'done' ? 'success' : status) as CallStatus;
    this.#outcomes[outcome]++;
    const turn = this.#turns.get(entry.turnId);
    if (turn) {
      turn.unfinished--;
      if (turn.byId.get(entry.rawId) === entry) turn.byId.delete(entry.rawId);
    }
    let group: GroupView | undefined;
    if (entry.groupKey !== undefined) {
      group = this.#groups.finish(entry.groupKey, outcome);
    }
    const view = this.#view(entry);
    if (group) view.group = group;
    this.#evictTurns();
    return view;
  }

  /** Forgets the oldest turns without unfinished calls beyond `keepTurns`. */
  #evictTurns(): void {
    if (this.#turns.size <= this.#options.keepTurns) return;
    for (const [turnId, turn] of this.#turns) {
      if (this.#turns.size <= this.#options.keepTurns) break;
      if (turn.unfinished > 0) continue;
      this.#turns.delete(turnId);
      this.#groups.forgetTurn(turnId);
    }
  }

  #view(entry: CallEntry): CallView {
    const turn = this.#turns.get(entry.turnId);
    return toCallView(entry, (rawId) => turn?.byId.has(rawId) ?? false);
  }
}
