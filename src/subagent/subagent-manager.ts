import type { Model, Usage } from '../agent/model.js';
import { type AgentResult, runAgent } from '../agent/run-agent.js';
import { InvalidOptionError } from '../errors.js';
import { AbortFanout } from '../schedule/abort-fanout.js';
import { Limiter } from '../schedule/limiter.js';
import type { Scheduler } from '../schedule/scheduler.js';
import type { TurnParent } from '../tool/define-tool.js';
import { assertCount, assertTimeoutMs } from '../validate-options.js';
import { AgentSlot } from './agent-slot.js';
import {
  localDispatcher,
  type SubagentDispatch,
  type SubagentDispatcher,
  type SubagentTask,
  taskIdPart,
} from './subagent-dispatcher.js';

/** What a subagent is: the shape of a definition file (see `loadAgentDefinitions`). */
export interface SubagentDefinition {
  name: string;
  description: string;
  /** The subagent's system prompt. */
  prompt: string;
  /** Tool names it may use (a subset of the parent's). @default all of the scheduler's but task/agent */
  tools?: readonly string[];
  /** A model id from `models`. */
  model?: string;
  maxTurns?: number;
  timeoutMs?: number;
}

export interface SubagentManagerOptions {
  /** The model subagents use unless their definition names one of `models`. */
  model: Model;
  models?: Record<string, Model>;
  /** Subagents running at once, at every depth, foreground or detached. @default 4 */
  maxConcurrent?: number;
  /** How deep subagents may nest: 1 lets the root start subagents that start none. @default 2 */
  maxDepth?: number;
  /** Subagents one manager may start in all. @default 100 */
  maxTotal?: number;
  /** A subagent's time, from its start. @default 600_000 */
  timeoutMs?: number;
  /** Model requests a subagent may make. @default 20 */
  maxTurns?: number;
  definitions?: readonly SubagentDefinition[];
  /** Finished agents kept for `status`/`peek`/`wait`, at most, once their result was read. @default 100 */
  keepFinished?: number;
  /** How long a finished agent whose result was read stays listed. @default 600_000 */
  keepFinishedMs?: number;
  /** Offer subagents the `batch` tool (see `runAgent`). @default false */
  batchTool?: boolean;
  /**
   * Where subagents run: another process or machine (`bullmqDispatcher` from `salvo/bullmq`).
   * The manager keeps depth, totals, timeouts and cancellation either way.
   * @default localDispatcher: in this process, on the attached scheduler
   */
  dispatcher?: SubagentDispatcher;
  /** This run's id, the first part of every task id (`run:turn:call`). @default a random UUID */
  runId?: string;
}

export type AgentStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'timeout';

/** A subagent, as the manager tracks it. */
export interface AgentRecord {
  id: string;
  /** `reviewer#2`: its definition's name and a number. */
  label: string;
  /** Its path: the caller's path and its label. */
  path: readonly string[];
  status: AgentStatus;
  prompt: string;
  /** The answer so far, or the final one. */
  text: string;
  result?: AgentResult;
  error?: string;
  /** Set when the agent settles. */
  done: Promise<AgentRecord>;
  /** True once a parent has read its final result. */
  read: boolean;
  /** When it got a slot and started (performance.now), and when it settled. */
  startedAt?: number;
  /** The worker running it, when a dispatcher runs it elsewhere. */
  worker?: string;
  endedAt?: number;
}

/** The names the manager's own tools use; a subagent never gets them past `maxDepth`. */
export const subagentToolNames = ['task', 'agent'] as const;

interface Running {
  record: AgentRecord;
  controller: AbortController;
  /** Its run's signal: its controller, its timeout and its caller's signal. */
  signal: AbortSignal;
  slot: AgentSlot;
  /** Detached agents it started: cancelled when it ends, if still running. */
  detached: Set<Running> | undefined;
  /** Start order: agents waiting for a slot are served in it. */
  seq: number;
}

/**
 * Runs subagents: each one `runAgent` with its own transcript and tool allowlist, on the
 * parent's scheduler (so the same limits, approver and approval mode apply to every depth), with
 * an abort signal chained to its caller's. One limit covers every subagent at every depth: an
 * agent holds its slot while its model answers and while one of its calls runs, and gives it
 * back while all of its calls wait (for its children, an approval, or another agent's call), so
 * nesting never starves and never deadlocks.
 */
export class SubagentManager {
  readonly maxConcurrent: number;
  readonly maxDepth: number;
  readonly #options: SubagentManagerOptions;
  readonly #limiter: Limiter;
  readonly #agents = new Map<string, Running>();
  readonly #byPath = new Map<string, Running>();
  readonly #definitions = new Map<string, SubagentDefinition>();
  readonly #dispatcher: SubagentDispatcher;
  readonly #runId: string;
  #scheduler: Scheduler | undefined;
  #started = 0;
  readonly #usage: Usage = { inputTokens: 0, outputTokens: 0 };
  /** One listener per caller signal, however many agents it starts. */
  readonly #aborts = new AbortFanout();
  /** Agents that ended since the last `#prune`. */
  #endedSincePrune = 0;
  #prunedAt = performance.now();

  constructor(options: SubagentManagerOptions) {
    if (typeof options?.model?.stream !== 'function') {
      throw new InvalidOptionError('model', 'a Model', options?.model);
    }
    const {
      maxConcurrent = 4,
      maxDepth = 2,
      maxTotal = 100,
      timeoutMs = 600_000,
      maxTurns = 20,
    } = options;
    assertCount('maxConcurrent', maxConcurrent, { allowInfinity: false });
    assertCount('maxDepth', maxDepth, { allowInfinity: false });
    assertCount('maxTotal', maxTotal);
    assertTimeoutMs('timeoutMs', timeoutMs);
    assertCount('maxTurns', maxTurns, { allowInfinity: false });
    this.#options = { ...options, maxTotal, timeoutMs, maxTurns };
    this.maxConcurrent = maxConcurrent;
    this.maxDepth = maxDepth;
    this.#limiter = new Limiter({ subagent: maxConcurrent });
    if (options.dispatcher !== undefined && typeof options.dispatcher?.dispatch !== 'function') {
      throw new InvalidOptionError('dispatcher', 'a SubagentDispatcher', options.dispatcher);
    }
    this.#dispatcher = options.dispatcher ?? localDispatcher;
    this.#runId = taskIdPart(options.runId ?? crypto.randomUUID());
    for (const definition of options.definitions ?? [])
      this.#definitions.set(definition.name, definition);
  }

  /** The scheduler subagents' calls run on: the parent's. Call once it exists. */
  attach(scheduler: Scheduler): this {
    this.#scheduler = scheduler;
    return this;
  }

  /** The definitions a model may name, by name. */
  get definitions(): ReadonlyMap<string, SubagentDefinition> {
    return this.#definitions;
  }

  /** Tokens used by every subagent that has finished, pruned records included. */
  get usage(): Usage {
    return { ...this.#usage };
  }

  /** Agents started so far, finished ones included while they are kept. */
  agents(): AgentRecord[] {
    return [...this.#agents.values()].map((a) => a.record);
  }

  get(id: string): AgentRecord | undefined {
    return this.#agents.get(id)?.record;
  }

  /** Agents waiting for a slot, in the order they will start. */
  queued(): AgentRecord[] {
    return [...this.#agents.values()]
      .filter((a) => a.record.status === 'queued')
      .sort((a, b) => a.seq - b.seq)
      .map((a) => a.record);
  }

  /**
   * Starts a subagent for a caller (its path; `[]` for the root) and returns its record at
   * once. Throws, with a message for the model, when depth or total would be exceeded or the
   * definition is unknown.
   */
  start(spec: {
    prompt: string;
    agent?: string;
    callerPath: readonly string[];
    /** Ends the agent when it aborts: the calling call's (`task`) or run's (`agent start`). */
    signal?: AbortSignal;
    /**
     * The call that started it (`ctx.asParent`): the agent's calls are that call's
     * descendants in the order of nested work, and its turns' traces name it.
     */
    parentCall?: TurnParent;
    /**
     * Runs in the background (`agent start`): when its caller is a subagent, it is cancelled
     * if still running when that subagent ends.
     */
    detached?: boolean;
    /** Called once the agent leaves the queue and starts (a caller's progress report). */
    onRunning?: (record: AgentRecord) => void;
    /** Called when a dispatcher says which worker runs it (`record.worker`). */
    onWorker?: (record: AgentRecord) => void;
  }): AgentRecord {
    const scheduler = this.#scheduler;
    if (!scheduler)
      throw new Error(
        'Subagents are not available: the host has not attached a scheduler (manager.attach).',
      );
    const depth = spec.callerPath.length + 1;
    if (depth > this.maxDepth) {
      throw new Error(
        `Subagents may nest ${this.maxDepth} deep; a subagent started here would be at depth ${depth}. Do the work yourself.`,
      );
    }
    if (this.#started >= (this.#options.maxTotal as number)) {
      throw new Error(
        `This run may start ${this.#options.maxTotal} subagents in all, and has. Do the remaining work yourself.`,
      );
    }
    const definition = spec.agent === undefined ? undefined : this.#definitions.get(spec.agent);
    if (spec.agent !== undefined && !definition) {
      const names = [...this.#definitions.keys()];
      throw new Error(
        `Unknown agent "${spec.agent}". ${names.length > 0 ? `Available: ${names.join(', ')}.` : 'No agent definitions are available; leave agent out.'}`,
      );
    }
    const caller =
      spec.callerPath.length > 0 ? this.#byPath.get(spec.callerPath.join('\u0000')) : undefined;
    if (spec.detached && caller && isFinal(caller.record.status)) {
      throw new Error('The agent that asked to start a detached agent has already finished.');
    }
    this.#started++;
    const label = `${definition?.name ?? 'agent'}#${this.#started}`;
    // One controller per agent: its cancel, its timeout and its caller's signal all abort it.
    const controller = new AbortController();
    const signal = controller.signal;
    const timeoutMs = definition?.timeoutMs ?? (this.#options.timeoutMs as number);
    const timer =
      timeoutMs <= maxTimerMs
        ? setTimeout(() => {
            controller.abort(
              new DOMException(`${label} timed out after ${timeoutMs} ms`, 'TimeoutError'),
            );
          }, timeoutMs)
        : undefined;
    const callerSignal = spec.signal;
    let unsubscribe: (() => void) | undefined;
    if (callerSignal?.aborted) controller.abort(callerSignal.reason);
    else if (callerSignal) {
      unsubscribe = this.#aborts.subscribe(callerSignal, () =>
        controller.abort(callerSignal.reason),
      );
    }
    let settle!: (record: AgentRecord) => void;
    const record: AgentRecord = {
      id: `a${this.#started}`,
      label,
      path: [...spec.callerPath, label],
      status: 'queued',
      prompt: spec.prompt,
      text: '',
      done: new Promise((resolve) => {
        settle = resolve;
      }),
      read: false,
    };
    const markRunning = () => {
      if (record.status !== 'queued') return;
      record.status = 'running';
      record.startedAt = performance.now();
      try {
        spec.onRunning?.(record);
      } catch {
        // A caller's report must not stop the agent.
      }
    };
    const slot = new AgentSlot(this.#limiter, this.#started, markRunning);
    const task: SubagentTask = {
      id: spec.parentCall
        ? `${this.#runId}:${taskIdPart(spec.parentCall.turnId)}:${taskIdPart(spec.parentCall.callId)}`
        : `${this.#runId}:-:${taskIdPart(label)}`,
      prompt: spec.prompt,
      ...(definition ? { agent: definition.name } : {}),
      path: record.path,
      maxTurns: definition?.maxTurns ?? (this.#options.maxTurns as number),
    };
    const running: Running = {
      record,
      controller,
      signal,
      slot,
      detached: undefined,
      seq: this.#started,
    };
    if (spec.detached && caller) {
      caller.detached ??= new Set();
      caller.detached.add(running);
    }
    this.#agents.set(record.id, running);
    this.#byPath.set(record.path.join('\u0000'), running);
    void this.#run(running, task, markRunning, definition, scheduler, spec).then(() => {
      record.endedAt = performance.now();
      clearTimeout(timer);
      unsubscribe?.();
      slot.close();
      this.#endDetached(running);
      if (caller) caller.detached?.delete(running);
      this.#byPath.delete(record.path.join('\u0000'));
      settle(record);
      this.#prune();
    });
    return record;
  }

  /** Cancels every agent still queued or running (the host's Ctrl-C). */
  cancelAll(reason = 'the run was cancelled'): void {
    for (const { record } of this.#agents.values()) this.cancel(record.id, reason);
  }

  /**
   * The signal of the agent at `path`: its run's, aborted when it is cancelled, times out, its
   * caller's signal aborts, or it ends.
   */
  signalOf(path: readonly string[]): AbortSignal | undefined {
    return this.#byPath.get(path.join('\u0000'))?.signal;
  }

  /** Cancels an agent and, through its signal, every agent below it. */
  cancel(id: string, reason = 'cancelled by its parent'): boolean {
    const running = this.#agents.get(id);
    if (!running || isFinal(running.record.status)) return false;
    running.controller.abort(new Error(reason));
    return true;
  }

  /**
   * An agent ended: the detached agents it started that still run are cancelled (nothing may
   * outlive the agent that started it), and its answer says so.
   */
  #endDetached(running: Running): void {
    const { record } = running;
    const left = [...(running.detached ?? [])].filter((c) => !isFinal(c.record.status));
    running.detached = undefined;
    // Anything still chained to its signal (a call that ignored its abort) stops now.
    if (record.status !== 'done' || left.length > 0) {
      running.controller.abort(new Error(`${record.label} ended`));
    }
    if (left.length === 0) return;
    for (const child of left) this.cancel(child.record.id, `${record.label} ended`);
    const names = left.map((c) => `${c.record.label} (${c.record.id})`).join(', ');
    const verb = left.length === 1 ? 'was' : 'were';
    record.text += `${record.text ? '\n\n' : ''}Note: ${names} ${verb} still running when ${record.label} finished, and ${verb} cancelled.`;
  }

  async #run(
    running: Running,
    task: SubagentTask,
    markRunning: () => void,
    definition: SubagentDefinition | undefined,
    scheduler: Scheduler,
    spec: { parentCall?: TurnParent; onWorker?: (record: AgentRecord) => void },
  ): Promise<void> {
    const { record, signal, slot } = running;
    let settled = false;
    const runHere = () => {
      const allowed = this.#allowedTools(definition, record.path.length, scheduler);
      const model = definition?.model
        ? (this.#options.models?.[definition.model] ?? this.#options.model)
        : this.#options.model;
      return runAgent({
        model,
        system:
          definition?.prompt ??
          'You are a subagent: do the task you are given, then answer with what you found or did.',
        tools: allowed,
        scheduler,
        messages: record.prompt,
        maxSteps: task.maxTurns,
        signal,
        path: record.path,
        hold: slot,
        batchTool: this.#options.batchTool === true,
        ...(spec.parentCall ? { parent: spec.parentCall } : {}),
        onEvent: (event) => {
          if (event.type === 'text-delta') record.text += event.text;
          if (event.type === 'step-start') record.text = '';
        },
      });
    };
    const dispatch: SubagentDispatch = {
      task,
      signal,
      takeSlot: () => slot.take(signal),
      progress: (update) => {
        if (settled) return;
        if (typeof update?.worker === 'string' && update.worker !== record.worker) {
          record.worker = update.worker;
          try {
            spec.onWorker?.(record);
          } catch {
            // A caller's report must not stop the agent.
          }
        }
        if (update?.started) markRunning();
        if (typeof update?.text === 'string') record.text = update.text;
      },
      runHere,
    };
    try {
      const result = await this.#dispatcher.dispatch(dispatch);
      settled = true;
      if (signal.aborted && result.finishReason !== 'cancelled') {
        // Arrived after the agent was cancelled or timed out: the cancel stands.
        record.status = abortStatus(signal);
        record.error = reasonText(signal.reason);
        return;
      }
      record.result = result;
      this.#usage.inputTokens += result.usage.inputTokens;
      this.#usage.outputTokens += result.usage.outputTokens;
      record.text = result.text;
      record.status = statusOf(result, signal);
      if (result.error) record.error = result.error.message;
    } catch (error) {
      settled = true;
      record.status = signal.aborted ? abortStatus(signal) : 'failed';
      record.error = error instanceof Error ? error.message : String(error);
    }
  }

  /** The scheduler's tools this agent may use; task/agent only while it may still nest. */
  #allowedTools(definition: SubagentDefinition | undefined, depth: number, scheduler: Scheduler) {
    const names = new Set(definition?.tools ?? [...scheduler.tools.keys()]);
    for (const name of subagentToolNames) {
      if (depth < this.maxDepth && scheduler.tools.has(name)) names.add(name);
      else names.delete(name);
    }
    return [...scheduler.tools.values()].filter((tool) => names.has(tool.name));
  }

  /**
   * Drops finished agents whose result was read: past `keepFinished` (oldest first) or
   * `keepFinishedMs` after they ended. An unread result is never dropped.
   */
  #prune(): void {
    // A pass looks at every agent: run one per `keepFinished` endings (at least 32) or once
    // `keepFinishedMs` has passed since the last, so a fan-out of thousands stays linear.
    const keep = this.#options.keepFinished ?? 100;
    const maxAge = this.#options.keepFinishedMs ?? 600_000;
    const now = performance.now();
    const due = ++this.#endedSincePrune >= Math.max(32, keep) || now - this.#prunedAt >= maxAge;
    if (!due) return;
    this.#endedSincePrune = 0;
    this.#prunedAt = now;
    const finished = [...this.#agents.values()].filter(
      (a) => isFinal(a.record.status) && a.record.read,
    );
    finished.forEach((old, index) => {
      const tooMany = index < finished.length - keep;
      const tooOld = now - (old.record.endedAt ?? now) > maxAge;
      if (tooMany || tooOld) this.#agents.delete(old.record.id);
    });
  }
}

function reasonText(reason: unknown): string {
  return reason instanceof Error || reason instanceof DOMException
    ? reason.message
    : String(reason);
}

/** Longest delay a Node timer takes as it is (about 24.8 days); longer means never. */
const maxTimerMs = 2 ** 31 - 1;

function isFinal(status: AgentStatus): boolean {
  return status !== 'queued' && status !== 'running';
}

function abortStatus(signal: AbortSignal): AgentStatus {
  const reason = signal.reason as { name?: string } | undefined;
  return reason?.name === 'TimeoutError' ? 'timeout' : 'cancelled';
}

function statusOf(result: AgentResult, signal: AbortSignal): AgentStatus {
  if (result.finishReason === 'cancelled') return abortStatus(signal);
  if (result.finishReason === 'error') return 'failed';
  return 'done';
}
