import { AsyncResource } from 'node:async_hooks';
import type { ApprovalMode, ApprovalResponse, Approver } from '../approval/approval.js';
import { SalvoError } from '../errors.js';
import { toContent } from '../tool/content.js';
import type { ProgressInfo, Tool } from '../tool/define-tool.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { abortReason, admitCall, checkCall } from './admission.js';
import type { CallResult, ToolCall } from './call.js';
import { CallContext } from './call-context.js';
import { CallRecord, errorMessage, failure } from './call-record.js';
import type { ConflictTracker } from './conflict-tracker.js';
import type { EventChannel, SchedulerEvent } from './events.js';
import type { Task, TaskGraph, TaskHooks } from './task-graph.js';
import { buildTrace } from './turn-trace.js';

/** What a turn shares with its scheduler. Internal. */
export interface SchedulerCore {
  tools: ReadonlyMap<string, Tool>;
  graph: TaskGraph<CallRecord>;
  tracker: ConflictTracker<CallRecord>;
  /** `global` and the tool's groups, computed once per tool. */
  limitsOf(tool: Tool): readonly string[];
  events: EventChannel;
  limits: Record<string, number>;
  approvalMode: ApprovalMode;
  approver: Approver | undefined;
  defaultTimeoutMs: number;
  maxInputBytes: number;
  /** Identical read-only calls of a turn run once and share the result. */
  dedupeReads: boolean;
  /** Bumped whenever a call that writes (or is exclusive) is admitted: shared reads go stale. */
  writeEpoch: number;
  now: () => number;
  nextSeq(): number;
  nextTurnId(): number;
}

export interface TurnOptions {
  /** Aborting it cancels every call of the turn that has no result yet. */
  signal?: AbortSignal;
  /** Cancel the rest of the turn when a call fails. @default false */
  cancelOnError?: boolean;
  /** Who is asking, for approval requests: empty for the root agent. @default [] */
  path?: readonly string[];
}

export interface TurnOutcome {
  /** Exactly one per call, in call order. */
  results: CallResult[];
  trace: TurnTrace;
}

// Entry points for the task graph's hooks: reachable from this module only.
const kStart = Symbol('start');
const kBlocked = Symbol('blocked');
const kNow = Symbol('now');
const kReleased = Symbol('released');

/** Thrown at the host when it adds to a turn it already ended. */
export class TurnClosedError extends SalvoError {}

/**
 * One model response's calls. Add calls as soon as their arguments are complete; end the turn
 * when the response ends; `done` resolves with one result per call, in call order.
 */
export class Turn {
  readonly id: number;
  /** Resolves once the turn has ended and every call has its result. Never rejects. */
  readonly done: Promise<TurnOutcome>;

  readonly #core: SchedulerCore;
  readonly #options: TurnOptions;
  readonly #records: CallRecord[] = [];
  readonly #ids = new Set<string>();
  /** Reads that identical later reads may share, with the write epoch they were admitted in. */
  readonly #reads = new Map<string, { record: CallRecord; epoch: number }>();
  /** Calls not yet admitted, in call order: claims are registered strictly in that order. */
  readonly #admissions: CallRecord[] = [];
  #admitHead = 0;
  #unresolved = 0;
  #ended = false;
  #cancelReason: string | undefined;
  #finished = false;
  #resolveDone!: (outcome: TurnOutcome) => void;
  #onAbort: (() => void) | undefined;

  constructor(core: SchedulerCore, options: TurnOptions = {}) {
    this.#core = core;
    this.#options = options;
    this.id = core.nextTurnId();
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    const signal = options.signal;
    if (signal?.aborted) {
      this.#cancelReason = abortReason(signal);
    } else if (signal) {
      this.#onAbort = () => this.cancel(abortReason(signal));
      signal.addEventListener('abort', this.#onAbort, { once: true });
    }
  }

  /** Calls added so far. */
  get size(): number {
    return this.#records.length;
  }

  /** Adds a call. Throws only when the turn was already ended: anything wrong with the call itself becomes its result. */
  add(call: ToolCall): void {
    if (this.#ended) throw new TurnClosedError('Cannot add a call to a turn after `end()`');
    const core = this.#core;
    const raw = (typeof call === 'object' && call !== null ? call : {}) as Partial<ToolCall>;
    const record = new CallRecord(
      this.id,
      this.#records.length,
      core.nextSeq(),
      typeof raw.id === 'string' ? raw.id : String(raw.id ?? ''),
      typeof raw.name === 'string' ? raw.name : String(raw.name ?? ''),
      core.now(),
      this,
    );
    // Tools run in the async context of the code that added the call, not of whichever call
    // freed their slot: tracing through AsyncLocalStorage depends on it.
    record.scope = new AsyncResource('salvo.call');
    this.#records.push(record);
    this.#unresolved++;
    this.#emit(record, { type: 'queued' });

    if (this.#cancelReason !== undefined) {
      this.#resolve(record, this.#cancelled(record));
      return;
    }
    const checked = checkCall(call, this.#ids, core.tools, core.maxInputBytes);
    if (!checked.ok) {
      this.#resolve(record, failure(record, 'error', checked.message, checked.cause));
      return;
    }
    this.#ids.add(record.id);
    record.tool = checked.tool;
    const validation = checked.validation;
    if (validation instanceof Promise) {
      record.validating = validation.then((result) => this.#validated(record, result));
    } else if (validation.ok) {
      record.input = validation.value;
    } else {
      this.#resolve(record, failure(record, 'error', validation.message));
      return;
    }
    this.#admissions.push(record);
    this.#pumpAdmissions();
  }

  /** No more calls: `done` resolves once every call has its result. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#maybeFinish();
  }

  /** Cancels every call without a result: waiting calls never start, running ones are aborted. */
  cancel(reason = 'the turn was cancelled'): void {
    if (this.#cancelReason !== undefined) return;
    this.#cancelReason = reason;
    for (const record of this.#records) {
      if (!record.result) this.#resolve(record, this.#cancelled(record));
    }
  }

  /** Cancels one call by id. Returns false when there is no such call without a result. */
  cancelCall(id: string, reason = 'the call was cancelled'): boolean {
    const record = this.#records.find((r) => r.id === id && !r.result);
    if (!record) return false;
    this.#resolve(record, failure(record, 'cancelled', `Cancelled: ${reason}.`));
    return true;
  }

  #validated(
    record: CallRecord,
    result: { ok: true; value: unknown } | { ok: false; message: string },
  ): void {
    record.validating = undefined;
    if (record.result) return;
    if (result.ok) record.input = result.value;
    else this.#resolve(record, failure(record, 'error', result.message));
    this.#pumpAdmissions();
  }

  /** Admits calls in call order; stops at one whose validation is still running. */
  #pumpAdmissions(): void {
    const queue = this.#admissions;
    while (this.#admitHead < queue.length) {
      const record = queue[this.#admitHead] as CallRecord;
      if (record.validating && !record.result) return;
      this.#admitHead++;
      if (!record.result) this.#admit(record);
    }
    this.#admissions.length = 0;
    this.#admitHead = 0;
  }

  #admit(record: CallRecord): void {
    const core = this.#core;
    const tool = record.tool as Tool;
    const admission = admitCall(tool, record.input, core.approvalMode, core.approver !== undefined);
    if (!admission.run) {
      if (admission.status === 'denied') record.approval = 'denied';
      this.#resolve(record, failure(record, admission.status, admission.message, admission.cause));
      return;
    }
    const { claims, needsApproval } = admission;
    if (claims === null || claims.some((c) => c.mode === 'write')) {
      core.writeEpoch++;
    } else if (core.dedupeReads && claims.length > 0 && !needsApproval) {
      const original = this.#sharedRead(record, tool);
      if (original) {
        this.#follow(record, original);
        return;
      }
    }
    record.claims = claims;
    record.limits = core.limitsOf(tool);
    const waitFor = core.tracker.acquire(record, claims);
    let after: Task<CallRecord>[] | undefined;
    if (waitFor.length > 0) {
      after = [];
      const ids: string[] = [];
      for (const earlier of waitFor) {
        ids.push(earlier.id);
        if (earlier.task) after.push(earlier.task);
      }
      record.waitedFor = ids;
      this.#emit(record, { type: 'waiting', reason: 'conflict', on: ids });
    }
    if (!needsApproval) record.approvedAt = record.queuedAt;
    const task = core.graph.create({
      seq: record.seq,
      limits: record.limits,
      data: record,
      after,
      gates: needsApproval ? 1 : 0,
    });
    record.task = task;
    core.graph.submit(task);
    if (needsApproval && !record.result) this.#askApproval(record, core.approver as Approver);
  }

  /**
   * The earlier identical read of this turn whose result this call can share: same tool, same
   * input, and no write admitted anywhere since. Registers this call as the one to share otherwise.
   */
  #sharedRead(record: CallRecord, tool: Tool): CallRecord | undefined {
    let key: string;
    try {
      key = `${tool.name}\u0000${stableJson(record.input)}`;
    } catch {
      return undefined; // input JSON cannot hold: never shared
    }
    const epoch = this.#core.writeEpoch;
    const earlier = this.#reads.get(key);
    if (earlier && earlier.epoch === epoch) return earlier.record;
    this.#reads.set(key, { record, epoch });
    return undefined;
  }

  #follow(record: CallRecord, original: CallRecord): void {
    record.sharedWith = original.id;
    record.approvedAt = record.queuedAt;
    if (original.result) this.#resolve(record, shared(record, original.result));
    else (original.followers ??= []).push(record);
  }

  #askApproval(record: CallRecord, approver: Approver): void {
    const controller = new AbortController();
    record.approvalController = controller;
    this.#emit(record, { type: 'awaiting-approval', input: record.input });
    const request = {
      callId: record.id,
      toolName: record.name,
      input: record.input,
      claims: record.claims ?? [],
      path: this.#options.path ?? [],
      signal: controller.signal,
    };
    // Asked at once and concurrently: other calls never wait for this answer unless they conflict.
    Promise.resolve()
      .then(() => approver(request))
      .then(
        (response) => this.#decided(record, response),
        (error) =>
          this.#decided(record, {
            decision: 'deny',
            reason: `the approver failed: ${errorMessage(error)}`,
          }),
      );
  }

  #decided(record: CallRecord, response: ApprovalResponse): void {
    record.approvalController = undefined;
    if (record.result) return;
    const decision = typeof response === 'string' ? response : response?.decision;
    const reason = typeof response === 'object' && response !== null ? response.reason : undefined;
    if (decision === 'approve') {
      record.approvedAt = this.#core.now();
      record.approval = 'approved';
      this.#core.graph.open(record.task as NonNullable<CallRecord['task']>);
      return;
    }
    // Anything but a clear approval denies: an approver's bug must never let a call through.
    record.approvedAt = this.#core.now();
    record.approval = 'denied';
    const why =
      decision === 'deny'
        ? (reason ?? 'the user denied this call')
        : `the approver answered ${JSON.stringify(response)}`;
    this.#resolve(record, failure(record, 'denied', `Denied: ${why}.`));
  }

  [kStart](record: CallRecord, waitedOn: string | undefined): void {
    const core = this.#core;
    const tool = record.tool as Tool;
    record.startedAt = core.now();
    record.limitWaitedOn = waitedOn;
    record.running = true;
    const ctx = new CallContext(record, this.#progress);
    record.context = ctx;
    this.#emit(record, { type: 'started' });

    let output: unknown;
    try {
      output = record.scope
        ? record.scope.runInAsyncScope(tool.execute, tool, record.input, ctx)
        : tool.execute(record.input as never, ctx);
    } catch (error) {
      this.#failed(record, error);
      this.#settle(record);
      return;
    }
    if (!isPromiseLike(output)) {
      // A synchronous tool: no timer, no promise, nothing left to wait for.
      this.#succeeded(record, output);
      this.#settle(record);
      return;
    }
    const timeoutMs = tool.timeoutMs ?? core.defaultTimeoutMs;
    if (Number.isFinite(timeoutMs)) {
      record.timer = setTimeout(() => {
        record.timer = undefined;
        const message = `Timed out after ${timeoutMs} ms: ${tool.name} was stopped.`;
        ctx.abort(new DOMException(message, 'TimeoutError'));
        this.#resolve(record, failure(record, 'timeout', message));
      }, timeoutMs);
    }
    Promise.resolve(output).then(
      (value) => {
        this.#succeeded(record, value);
        this.#settle(record);
      },
      (error) => {
        this.#failed(record, error);
        this.#settle(record);
      },
    );
  }

  /** `execute` is over: only now do its claims and slots go, even past a timeout or cancel. */
  #settle(record: CallRecord): void {
    record.running = false;
    if (record.timer) clearTimeout(record.timer);
    record.timer = undefined;
    if (record.task) this.#core.graph.settle(record.task);
  }

  readonly #progress = (record: CallRecord, info: ProgressInfo): void => {
    if (!record.result) this.#emit(record, { type: 'progress', progress: info });
  };

  [kBlocked](record: CallRecord, limit: string): void {
    this.#emit(record, { type: 'waiting', reason: 'slot', limit });
  }

  [kNow](): number {
    return this.#core.now();
  }

  [kReleased](record: CallRecord): void {
    this.#core.tracker.release(record);
    // Done with: let the garbage collector have them before the turn ends.
    record.task = undefined;
    record.scope = undefined;
    record.context = undefined;
  }

  #succeeded(record: CallRecord, output: unknown): void {
    if (record.result) return;
    this.#resolve(record, {
      id: record.id,
      name: record.name,
      status: 'success',
      isError: false,
      content: toContent(output),
      output,
    });
  }

  #failed(record: CallRecord, error: unknown): void {
    if (record.result) return;
    this.#resolve(record, failure(record, 'error', `Error: ${errorMessage(error)}`, error));
  }

  #resolve(record: CallRecord, result: CallResult): void {
    if (record.result) return;
    const core = this.#core;
    record.result = result;
    record.endedAt = core.now();
    if (record.approvalController) {
      record.approvalController.abort();
      record.approvalController = undefined;
    }
    if (record.running) {
      if (result.status === 'cancelled') {
        record.context?.abort(new DOMException(result.error?.message ?? 'Cancelled', 'AbortError'));
      }
    } else if (record.task) {
      core.graph.settle(record.task);
    }
    this.#emit(record, { type: 'finished', result });
    this.#unresolved--;
    if (record.followers) {
      for (const follower of record.followers) this.#resolve(follower, shared(follower, result));
      record.followers = undefined;
    }
    if (result.status === 'error' && this.#options.cancelOnError) {
      this.cancel(`call ${record.id} failed`);
    }
    this.#maybeFinish();
  }

  #cancelled(record: CallRecord): CallResult {
    return failure(
      record,
      'cancelled',
      `Cancelled: ${this.#cancelReason ?? 'the turn was cancelled'}.`,
    );
  }

  #maybeFinish(): void {
    if (this.#finished || !this.#ended || this.#unresolved > 0) return;
    this.#finished = true;
    if (this.#onAbort) this.#options.signal?.removeEventListener('abort', this.#onAbort);
    const results = this.#records.map((r) => r.result as CallResult);
    const records = this.#records;
    const limits = this.#core.limits;
    const now = this.#core.now();
    let trace: TurnTrace | undefined;
    const outcome: TurnOutcome = {
      results,
      // Built on first read: a host that never looks at the trace does not pay for it.
      get trace() {
        trace ??= buildTrace(records, limits, now);
        return trace;
      },
    };
    // Resolve after every event of the turn has been delivered, so hosts see a complete log.
    this.#core.events.afterFlush(() => this.#resolveDone(outcome));
  }

  #emit(
    record: CallRecord,
    event: DistributiveOmit<SchedulerEvent, 'at' | 'turnId' | 'callId' | 'toolName' | 'index'>,
  ): void {
    const events = this.#core.events;
    if (!events.active) return;
    events.emit({
      ...event,
      at: this.#core.now(),
      turnId: this.id,
      callId: record.id,
      toolName: record.name,
      index: record.index,
    } as SchedulerEvent);
  }
}

/** The result of the call `record` shared, under its own id. */
function shared(record: CallRecord, result: CallResult): CallResult {
  return { ...result, id: record.id, name: record.name };
}

/** JSON with object keys sorted, so equal inputs give equal keys. Throws on what JSON cannot hold. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol') {
      throw new TypeError('not JSON');
    }
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    const sorted: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
    return sorted;
  });
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/**
 * How the scheduler's task graph reaches the turn that owns each call: one object for every
 * call of every turn.
 */
export const callHooks: TaskHooks<CallRecord> = {
  onDependenciesSettled(record) {
    record.conflictsClearedAt = (record.owner as Turn)[kNow]();
  },
  onReady(record) {
    record.readyAt = (record.owner as Turn)[kNow]();
    return true;
  },
  onBlocked(record, limit) {
    (record.owner as Turn)[kBlocked](record, limit);
  },
  start(record, _task, waitedOn) {
    (record.owner as Turn)[kStart](record, waitedOn);
  },
  onSettled(record) {
    (record.owner as Turn)[kReleased](record);
  },
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
