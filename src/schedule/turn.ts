import { AsyncResource } from 'node:async_hooks';
import type { Tracer } from '@opentelemetry/api';
import type { ApprovalMode, Approver } from '../approval/approval.js';
import { readApproval } from '../approval/read-approval.js';
import { InvalidOptionError, SalvoError } from '../errors.js';
import { toContent } from '../tool/content.js';
import type { ProgressInfo, Tool } from '../tool/define-tool.js';
import { endCallSpan, runInSpan, startCallSpan } from '../trace/call-span.js';
import type { TurnTrace } from '../trace/call-trace.js';
import type { AbortFanout } from './abort-fanout.js';
import { abortReason, admitCall, checkCall } from './admission.js';
import type { CallResult, ToolCall } from './call.js';
import { CallContext } from './call-context.js';
import { CallRecord, errorMessage, failure } from './call-record.js';
import type { ConflictTracker } from './conflict-tracker.js';
import type { EventChannel, SchedulerEvent } from './events.js';
import { SharedReads, sharedResult } from './shared-reads.js';
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
  aborts: AbortFanout;
  limits: Record<string, number>;
  approvalMode: ApprovalMode;
  approver: Approver | undefined;
  defaultTimeoutMs: number;
  maxInputBytes: number;
  /** Makes a span per call; `undefined` when the host turned tracing off. */
  tracer: Tracer | undefined;
  /** Identical read-only calls of a turn run once and share the result. */
  dedupeReads: boolean;
  /** Bumped whenever a call that writes (or is exclusive) is admitted: shared reads go stale. */
  writeEpoch: number;
  now: () => number;
  onTurnEnd: ((trace: TurnTrace) => void) | undefined;
  nextSeq(): number;
  nextTurnId(): number;
}

export interface TurnOptions {
  /**
   * Aborting it cancels every call of the turn that has no result yet. `done` still waits for
   * `end()`: call it in a `finally` when the model's stream stops, however it stops.
   */
  signal?: AbortSignal;
  /** Cancel the rest of the turn when a call fails or times out. @default false */
  cancelOnError?: boolean;
  /** Who is asking, for approval requests and traces: empty for the root agent. @default [] */
  path?: readonly string[];
  /** The call this turn's work belongs to (a subagent's turn under its parent's call), for traces. */
  parent?: { turnId: number; callId: string };
  /**
   * The only tools this turn's calls may use (a subagent's allowlist); others get an "unknown
   * tool" result listing these. @default every tool of the scheduler
   */
  tools?: readonly string[];
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
const kCrashed = Symbol('crashed');

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
  readonly #sharedReads = new SharedReads();
  /** The tools this turn's calls may use. */
  readonly #tools: ReadonlyMap<string, Tool>;
  /** Calls not yet admitted, in call order: claims are registered strictly in that order. */
  #admissions: CallRecord[] = [];
  #admitHead = 0;
  #pumping = false;
  #unresolved = 0;
  #ended = false;
  #cancelReason: string | undefined;
  #finished = false;
  #resolveDone!: (outcome: TurnOutcome) => void;
  #unsubscribeAbort: (() => void) | undefined;

  constructor(core: SchedulerCore, options: TurnOptions = {}) {
    checkTurnOptions(options);
    this.#core = core;
    this.#options = options;
    this.#tools = options.tools
      ? new Map([...core.tools].filter(([name]) => options.tools?.includes(name)))
      : core.tools;
    this.id = core.nextTurnId();
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    const signal = options.signal;
    if (signal?.aborted) {
      this.#cancelReason = abortReason(signal);
    } else if (signal) {
      this.#unsubscribeAbort = core.aborts.subscribe(signal, () =>
        this.cancel(abortReason(signal)),
      );
    }
  }

  /** The agent whose turn this is: empty for the root agent. */
  get path(): readonly string[] {
    return this.#options.path ?? [];
  }

  /** Calls added so far. */
  get size(): number {
    return this.#records.length;
  }

  /**
   * Adds a call. Throws only when the turn was already ended: anything wrong with the call
   * itself becomes its result.
   */
  add(call: ToolCall): void {
    if (this.#ended) throw new TurnClosedError('Cannot add a call to a turn after `end()`');
    const core = this.#core;
    // Read each field once, guarded: a model's or host's call object may be hostile.
    let id: unknown;
    let name: unknown;
    let input: unknown;
    let readable = typeof call === 'object' && call !== null;
    try {
      if (readable) ({ id, name, input } = call);
    } catch {
      readable = false;
    }
    const record = new CallRecord(
      this.id,
      this.#records.length,
      core.nextSeq(),
      printable(id),
      printable(name),
      core.now(),
      this,
    );
    // Tools and listeners run in the async context of the code that added the call, not of
    // whichever call freed their slot: tracing through AsyncLocalStorage depends on it.
    record.scope = new AsyncResource('salvo.call');
    if (core.tracer) record.span = startCallSpan(core.tracer, record.name || 'unknown', record.id);
    this.#records.push(record);
    this.#unresolved++;
    this.#emit(record, { type: 'queued', input });

    if (this.#cancelReason !== undefined) {
      this.#resolve(record, this.#cancelled(record));
      return;
    }
    const checked = checkCall(
      { readable, id, name, input },
      this.#ids,
      this.#tools,
      core.maxInputBytes,
    );
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

  /** No more calls: `done` resolves once every call has its result. Idempotent. */
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
    if (!record.result) {
      if (result.ok) record.input = result.value;
      else this.#resolve(record, failure(record, 'error', result.message));
    }
    this.#pumpAdmissions();
  }

  /** Admits calls in call order; stops at one whose validation is still running. */
  #pumpAdmissions(): void {
    if (this.#pumping) return; // the loop below picks up whatever changed
    this.#pumping = true;
    try {
      while (this.#admitHead < this.#admissions.length) {
        const record = this.#admissions[this.#admitHead] as CallRecord;
        if (record.validating && !record.result) return;
        this.#admitHead++;
        if (!record.result) this.#admit(record);
      }
      this.#admissions = [];
      this.#admitHead = 0;
    } finally {
      this.#pumping = false;
    }
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
    record.admittedAt = core.now();
    if (claims === null || claims.some((c) => c.mode === 'write')) {
      core.writeEpoch++;
    } else if (core.dedupeReads && claims.length > 0 && !needsApproval) {
      const leader = this.#sharedReads.leaderFor(record, tool.name, core.writeEpoch);
      // A leader the host cancelled may have been stopped: never wait on it.
      if (leader && leader.result?.status !== 'cancelled') {
        this.#follow(record, leader);
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

  /** Shares the run of an identical earlier read instead of running again. */
  #follow(record: CallRecord, leader: CallRecord): void {
    record.sharedWith = leader.id;
    record.leader = leader;
    const admitted = record.admittedAt ?? record.queuedAt;
    record.conflictsClearedAt = admitted;
    record.approvedAt = admitted;
    if (leader.result && leader.result.status !== 'cancelled') {
      this.#resolve(record, sharedResult(record, leader.result));
    } else {
      leader.followers ??= [];
      leader.followers.push(record);
    }
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
      .then(() => (record.result ? 'deny' : approver(request)))
      .then(
        (response) => this.#decided(record, readApproval(response)),
        (error) =>
          this.#decided(record, {
            approved: false,
            reason: `the approver failed: ${errorMessage(error)}`,
          }),
      );
  }

  #decided(record: CallRecord, decision: { approved: boolean; reason: string }): void {
    record.approvalController = undefined;
    if (record.result) return;
    record.approvedAt = this.#core.now();
    if (decision.approved) {
      record.approval = 'approved';
      if (record.task) this.#core.graph.open(record.task);
      return;
    }
    record.approval = 'denied';
    // A reason that is a sentence already keeps its own full stop.
    const reason = decision.reason.replace(/\s+$/, '');
    const stop = /[.!?]$/.test(reason) ? '' : '.';
    this.#resolve(record, failure(record, 'denied', `Denied: ${reason}${stop}`));
  }

  [kStart](record: CallRecord, waitedOn: string | undefined): void {
    const core = this.#core;
    const tool = record.tool as Tool;
    record.startedAt = core.now();
    record.limitWaitedOn = waitedOn;
    record.running = true;
    const ctx = new CallContext(record, this.#progress, this.#yieldSlots);
    record.context = ctx;
    this.#emit(record, { type: 'started' });

    let output: unknown;
    let pending: boolean;
    try {
      const span = record.span;
      const execute = span
        ? () => runInSpan(span, () => tool.execute(record.input as never, ctx))
        : () => tool.execute(record.input as never, ctx);
      output = record.scope ? record.scope.runInAsyncScope(execute) : execute();
      pending = isPromiseLike(output); // reads `then`, which a hostile value may make throw
    } catch (error) {
      this.#ran(record, { ok: false, error });
      return;
    }
    if (!pending) {
      // A synchronous tool: no timer, no promise, nothing left to wait for.
      this.#ran(record, { ok: true, value: output });
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
      (value) => this.#ran(record, { ok: true, value }),
      (error: unknown) => this.#ran(record, { ok: false, error }),
    );
  }

  /**
   * `execute` is over. Its result goes to the call (unless it already has one: timed out or
   * cancelled) and to the calls sharing it; then, and only then, its claims and slots go.
   */
  #ran(
    record: CallRecord,
    outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
  ): void {
    try {
      let result: CallResult;
      if (outcome.ok) {
        try {
          const content = toContent(outcome.value);
          result = {
            id: record.id,
            name: record.name,
            status: 'success',
            isError: false,
            content,
            output: outcome.value,
          };
        } catch (error) {
          result = failure(record, 'error', `Error: ${record.name}: ${errorMessage(error)}`, error);
        }
      } else if (isTimeoutError(outcome.error)) {
        // The tool's own deadline (an SDK's request timeout, AbortSignal.timeout) is a timeout too.
        result = failure(
          record,
          'timeout',
          `Timed out: ${errorMessage(outcome.error)}`,
          outcome.error,
        );
      } else {
        result = failure(record, 'error', `Error: ${errorMessage(outcome.error)}`, outcome.error);
      }
      if (!record.result) this.#resolve(record, result);
      else this.#shareWithFollowers(record, result);
    } finally {
      record.running = false;
      if (record.timer) clearTimeout(record.timer);
      record.timer = undefined;
      if (record.task) this.#core.graph.settle(record.task);
    }
  }

  readonly #yieldSlots = (record: CallRecord): (() => Promise<void>) => {
    if (!record.task || record.result) return () => Promise.resolve();
    const takeBack = this.#core.graph.yieldSlots(record.task);
    // Concurrent waits of one call: the first gave the slots back and times the stretch.
    if (record.slotsYieldedSince !== undefined) return takeBack;
    const since = this.#core.now();
    record.slotsYieldedSince = since;
    return async () => {
      try {
        await takeBack();
      } finally {
        if (record.slotsYieldedSince === since) {
          record.slotsYieldedMs += this.#core.now() - since;
          record.slotsYieldedSince = undefined;
        }
      }
    };
  };

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

  /** A hook threw: a bug, but it still ends as one error result and frees what it held. */
  [kCrashed](record: CallRecord, error: unknown): void {
    this.#resolve(
      record,
      failure(record, 'error', `Internal error in salvo: ${errorMessage(error)}`, error),
    );
  }

  #resolve(record: CallRecord, result: CallResult): void {
    if (record.result) return;
    record.result = result;
    record.endedAt = this.#core.now();
    if (record.approvalController) {
      record.approvalController.abort();
      record.approvalController = undefined;
    }
    this.#emit(record, { type: 'finished', result });
    this.#unresolved--;
    if (record.span) {
      endCallSpan(record.span, result, record, this.#options.path ?? []);
      record.span = undefined;
    }

    const cancelled = result.status === 'cancelled';
    // A cancelled call whose run others share keeps running for them.
    if (!(cancelled && hasWaitingFollowers(record))) this.#stop(record);
    if (!cancelled) this.#shareWithFollowers(record, result);
    const leader = record.leader;
    if (leader?.result?.status === 'cancelled' && !hasWaitingFollowers(leader)) this.#stop(leader);

    if ((result.status === 'error' || result.status === 'timeout') && this.#options.cancelOnError) {
      this.cancel(`call ${record.id} failed`);
    }
    if (this.#admissions.length > 0) this.#pumpAdmissions();
    this.#maybeFinish();
  }

  /** Stops a call that has its result: aborts it if it runs, withdraws it if it waits. */
  #stop(record: CallRecord): void {
    if (record.running) {
      if (record.result?.status === 'cancelled') {
        const reason = record.result.error?.message ?? 'Cancelled';
        record.context?.abort(new DOMException(reason, 'AbortError'));
      }
    } else if (record.task) {
      this.#core.graph.settle(record.task);
    }
  }

  #shareWithFollowers(record: CallRecord, result: CallResult): void {
    if (!record.followers) return;
    for (const follower of record.followers) {
      if (!follower.result) this.#resolve(follower, sharedResult(follower, result));
    }
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
    this.#unsubscribeAbort?.();
    const results = this.#records.map((r) => r.result as CallResult);
    const records = this.#records;
    const limits = this.#core.limits;
    const now = this.#core.now();
    const turn = { turnId: this.id, path: this.#options.path ?? [], parent: this.#options.parent };
    let trace: TurnTrace | undefined;
    const outcome: TurnOutcome = {
      results,
      // Built on first read: a host that never looks at the trace does not pay for it.
      get trace() {
        trace ??= buildTrace(records, limits, now, turn);
        return trace;
      },
    };
    // Resolve after every event of the turn has been delivered, so hosts see a complete log.
    this.#core.events.afterFlush(() => {
      const onTurnEnd = this.#core.onTurnEnd;
      if (onTurnEnd) {
        try {
          onTurnEnd(outcome.trace);
        } catch {
          // A host's hook cannot break the turn.
        }
      }
      this.#resolveDone(outcome);
    });
  }

  #emit(
    record: CallRecord,
    event: DistributiveOmit<
      SchedulerEvent,
      'at' | 'turnId' | 'callId' | 'toolName' | 'index' | 'path'
    >,
  ): void {
    const events = this.#core.events;
    if (!events.active) return;
    const full = {
      ...event,
      at: this.#core.now(),
      turnId: this.id,
      callId: record.id,
      toolName: record.name,
      index: record.index,
      path: this.#options.path ?? [],
    } as SchedulerEvent;
    events.emit(full, record.scope);
  }
}

function isTimeoutError(error: unknown): boolean {
  try {
    return typeof error === 'object' && error !== null && (error as Error).name === 'TimeoutError';
  } catch {
    return false;
  }
}

function hasWaitingFollowers(record: CallRecord): boolean {
  return record.followers?.some((f) => !f.result) ?? false;
}

/** An id or name as text for results and traces, whatever the model sent. */
function printable(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    return String(value);
  }
  return '';
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}

/** Options are a developer's: a mistake throws at once, naming the option. */
function checkTurnOptions(options: unknown): asserts options is TurnOptions {
  if (typeof options !== 'object' || options === null) {
    throw new InvalidOptionError('options', 'an object', options);
  }
  const { signal, cancelOnError, path } = options as Record<string, unknown>;
  if (
    signal !== undefined &&
    (typeof signal !== 'object' ||
      signal === null ||
      typeof (signal as AbortSignal).addEventListener !== 'function' ||
      typeof (signal as AbortSignal).aborted !== 'boolean')
  ) {
    throw new InvalidOptionError('signal', 'an AbortSignal', signal);
  }
  if (cancelOnError !== undefined && typeof cancelOnError !== 'boolean') {
    throw new InvalidOptionError('cancelOnError', 'a boolean', cancelOnError);
  }
  if (path !== undefined && !(Array.isArray(path) && path.every((p) => typeof p === 'string'))) {
    throw new InvalidOptionError('path', 'an array of strings', path);
  }
  const { tools } = options as Record<string, unknown>;
  if (tools !== undefined && !(Array.isArray(tools) && tools.every((t) => typeof t === 'string'))) {
    throw new InvalidOptionError('tools', 'an array of tool names', tools);
  }
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
  onError(record, error) {
    (record.owner as Turn)[kCrashed](record, error);
  },
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
