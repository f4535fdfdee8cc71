import { AsyncResource } from 'node:async_hooks';
import { SalvoError } from '../errors.js';
import type { CallResult, ToolCall } from '../tool/call.js';
import type { Tool } from '../tool/define-tool.js';
import { endCallSpan, startCallSpan } from '../trace/call-span.js';
import type { ModelRequestTrace, TurnTrace } from '../trace/call-trace.js';
import { abortedByTimeout, abortReason, checkCall } from './admission.js';
import { CallRecord, errorMessage, failure } from './call-record.js';
import type { SchedulerEvent } from './events.js';
import type { Lineage } from './lineage.js';
import {
  type CallEvent,
  parentRecordKey,
  type SchedulerCore,
  type TurnPort,
} from './scheduler-core.js';
import { SharedReads, sharedResult } from './shared-reads.js';
import { admit } from './turn-admission.js';
import { becameSuspended, cancelledResult } from './turn-execution.js';
import {
  type AddOptions,
  checkAddOptions,
  checkTurnOptions,
  type TurnEndOptions,
  type TurnOptions,
} from './turn-options.js';
import { buildTrace } from './turn-trace.js';

export interface TurnOutcome {
  /** Exactly one per call, in call order. */
  results: CallResult[];
  trace: TurnTrace;
}

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
  readonly #port: TurnPort;
  readonly #records: CallRecord[] = [];
  readonly #ids = new Set<string>();
  /** Made on the first call that could share a run (`dedupeReads`). */
  #sharedReads: SharedReads | undefined;
  /** The tools this turn's calls may use. */
  readonly #tools: ReadonlyMap<string, Tool>;
  /** Where this turn's calls stand in the order of nested work: under their parent call. */
  readonly #lineage: Lineage;
  /** The parent call, while it runs: suspended on this turn until the turn is done. */
  #parentRecord: CallRecord | undefined;
  /** Calls not yet admitted, in call order: claims are registered strictly in that order. */
  #admissions: CallRecord[] = [];
  #admitHead = 0;
  #pumping = false;
  #unresolved = 0;
  /** Calls holding (or waiting for) a ticket of the agent's slot. */
  #tickets = 0;
  #ended = false;
  /** The model request that made the calls, given to `end`. */
  #model: ModelRequestTrace | undefined;
  #cancelReason: string | undefined;
  #cancelledByTimeout = false;
  #finished = false;
  #resolveDone!: (outcome: TurnOutcome) => void;
  #unsubscribeAbort: (() => void) | undefined;

  constructor(core: SchedulerCore, options: TurnOptions = {}) {
    checkTurnOptions(options);
    this.#core = core;
    this.#options = options;
    this.#tools = options.tools ? allowedTools(core, options.tools) : core.tools;
    this.id = core.nextTurnId();
    this.done = new Promise((resolve) => {
      this.#resolveDone = resolve;
    });
    const turn = this;
    this.#port = {
      id: this.id,
      core,
      path: options.path ?? [],
      hold: options.hold,
      signal: options.signal,
      get cancelReason() {
        return turn.#cancelReason;
      },
      get cancelledByTimeout() {
        return turn.#cancelledByTimeout;
      },
      resolve: (record, result) => this.#resolve(record, result),
      emit: (record, event) => this.#emit(record, event),
      ticketsChanged: (delta) => {
        this.#tickets += delta;
        this.#checkBlocked();
      },
      find: (callId) => this.#records.findLast((r) => r.id === callId),
    };
    const parent = options.parent;
    const parentRecord = parent
      ? ((parent as { [parentRecordKey]?: CallRecord })[parentRecordKey] ??
        core.turns.get(parent.turnId)?.find(parent.callId))
      : undefined;
    this.#lineage = parent?.lineage ?? parentRecord?.lineage ?? [];
    core.turns.set(this.id, this.#port);
    if (parentRecord?.running) {
      this.#parentRecord = parentRecord;
      parentRecord.childTurns++;
      if (parentRecord.childTurns === 1 && parentRecord.waits === 0) {
        becameSuspended(parentRecord.owner as TurnPort, parentRecord);
      }
    }
    const signal = options.signal;
    if (signal?.aborted) {
      this.#cancelReason = abortReason(signal);
      this.#cancelledByTimeout = abortedByTimeout(signal);
    } else if (signal) {
      this.#unsubscribeAbort = core.aborts.subscribe(signal, () =>
        this.#cancel(abortReason(signal), abortedByTimeout(signal)),
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
   * Adds a call; resolves with its result the moment it settles, not when the turn ends (never
   * rejects). Throws only when the turn was already ended or `options` is malformed: anything
   * wrong with the call itself becomes its result.
   */
  add(call: ToolCall, options?: AddOptions): Promise<CallResult> {
    if (this.#ended) throw new TurnClosedError('Cannot add a call to a turn after `end()`');
    if (options !== undefined) checkAddOptions(options);
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
      this.#port,
    );
    record.parentLineage = this.#lineage;
    const settled = new Promise<CallResult>((resolve) => {
      record.deliver = resolve;
    });
    record.settled = settled;
    // Tools and listeners run in the async context of the code that added the call, not of
    // whichever call freed their slot: tracing through AsyncLocalStorage depends on it. A call
    // that starts inside `add` runs in that context already: see the end of `add`.
    if (core.events.active) record.scope = new AsyncResource('salvo.call');
    if (core.tracer) record.span = startCallSpan(core.tracer, record.name || 'unknown', record.id);
    this.#records.push(record);
    this.#unresolved++;
    this.#emit(record, { type: 'queued', input });

    if (this.#cancelReason !== undefined) {
      this.#resolve(record, cancelledResult(this.#port, record));
      return settled;
    }
    const checked = checkCall(
      { readable, id, name, input },
      this.#ids,
      this.#tools,
      core.maxInputBytes,
    );
    if (!checked.ok) {
      this.#resolve(record, failure(record, 'error', checked.message, checked.cause));
      return settled;
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
      return settled;
    }
    if (options?.approved === true) record.preApproved = true;
    if (options?.ready !== undefined) this.#awaitReady(record, options.ready);
    this.#admissions.push(record);
    this.#pumpAdmissions();
    if (!record.scope && !record.result && record.startedAt === undefined) {
      record.scope = new AsyncResource('salvo.call');
    }
    return settled;
  }

  /**
   * The result of the call with this id, as it settles (the first call of that id, should the
   * model have repeated one). `undefined` when no call of this turn has that id.
   */
  result(id: string): Promise<CallResult> | undefined {
    return this.#records.find((r) => r.id === id)?.settled;
  }

  /** Holds the call's start until `ready` settles; a rejection cancels it. */
  #awaitReady(record: CallRecord, ready: PromiseLike<unknown>): void {
    record.awaitingReady = true;
    Promise.resolve(ready).then(
      () => {
        record.awaitingReady = false;
        if (!record.result && record.task) this.#core.graph.open(record.task);
      },
      (error: unknown) => {
        record.awaitingReady = false;
        if (!record.result) {
          this.#resolve(record, failure(record, 'cancelled', `Cancelled: ${errorMessage(error)}`));
        }
      },
    );
  }

  /**
   * No more calls: `done` resolves once every call has its result. Idempotent (the first call's
   * options count). `model` is the request whose answer made the calls, for the trace.
   */
  end(options: TurnEndOptions = {}): void {
    if (this.#ended) return;
    this.#ended = true;
    const model = (options as TurnEndOptions | null)?.model;
    if (isModelRequest(model)) this.#model = { ...model };
    this.#checkBlocked();
    this.#maybeFinish();
  }

  /**
   * Cancels every call without a result: waiting calls never start (not even one whose
   * conflicts clear while the others are being cancelled), running ones are aborted.
   */
  cancel(reason = 'the turn was cancelled'): void {
    this.#cancel(reason, false);
  }

  #cancel(reason: string, byTimeout: boolean): void {
    if (this.#cancelReason !== undefined) return;
    this.#cancelReason = reason;
    this.#cancelledByTimeout = byTimeout;
    this.#cancelRest();
  }

  /**
   * Cancels one call by id (`timeout`: a deadline stopped it, status `timeout`). Returns false
   * when there is no such call without a result.
   */
  cancelCall(
    id: string,
    reason = 'the call was cancelled',
    options?: { timeout?: boolean },
  ): boolean {
    const record = this.#records.find((r) => r.id === id && !r.result);
    if (!record) return false;
    const result =
      options?.timeout === true
        ? failure(record, 'timeout', `Timed out: ${reason.replace(/[.\s]+$/, '')}.`)
        : failure(record, 'cancelled', `Cancelled: ${reason}.`);
    this.#resolve(record, result);
    return true;
  }

  #cancelRest(): void {
    for (const record of this.#records) {
      if (!record.result) this.#resolve(record, cancelledResult(this.#port, record));
    }
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
        if (!record.result) {
          if (this.#core.dedupeReads) this.#sharedReads ??= new SharedReads();
          admit(this.#port, record, this.#sharedReads);
        }
      }
      this.#admissions = [];
      this.#admitHead = 0;
    } finally {
      this.#pumping = false;
    }
  }

  /**
   * Gives the call its result. A call that has one already keeps it; its run's later result
   * still goes to the calls sharing that run.
   */
  #resolve(record: CallRecord, result: CallResult): void {
    if (record.result) {
      this.#shareWithFollowers(record, result);
      return;
    }
    record.result = result;
    record.endedAt = this.#core.now();
    const deliver = record.deliver;
    if (deliver) {
      record.deliver = undefined;
      deliver(result);
    }
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
    // Decided before anything is released: a call freed by this one must not start first.
    const failed = result.status === 'error' || result.status === 'timeout';
    const cancelTurn =
      failed && this.#options.cancelOnError === true && this.#cancelReason === undefined;
    if (cancelTurn) this.#cancelReason = `call ${record.id} failed`;

    const cancelled = result.status === 'cancelled';
    // A cancelled call whose run others share keeps running for them.
    if (!(cancelled && hasWaitingFollowers(record))) this.#stop(record);
    if (!cancelled) this.#shareWithFollowers(record, result);
    const leader = record.leader;
    if (leader?.result?.status === 'cancelled' && !hasWaitingFollowers(leader)) this.#stop(leader);

    if (cancelTurn) this.#cancelRest();
    if (this.#admissions.length > 0) this.#pumpAdmissions();
    this.#maybeFinish();
  }

  /** Stops a call that has its result: aborts it if it runs, withdraws it if it waits. */
  #stop(record: CallRecord): void {
    if (record.running) {
      const status = record.result?.status;
      // A tool that timed out by itself (its own TimeoutError) has returned: nothing to abort.
      if (status === 'cancelled' || (status === 'timeout' && !record.returned)) {
        // A deadline reaches the tool as a TimeoutError, as a framework's own would.
        const reason = record.result?.error?.message ?? 'Cancelled';
        const name = status === 'timeout' ? 'TimeoutError' : 'AbortError';
        record.context?.abort(new DOMException(reason, name));
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

  /** Ended, with calls left that all wait: the agent's slot is not needed for now. */
  #checkBlocked(): void {
    const hold = this.#options.hold;
    if (hold && this.#ended && !this.#finished && this.#unresolved > 0 && this.#tickets === 0) {
      hold.pause();
    }
  }

  #maybeFinish(): void {
    if (this.#finished || !this.#ended || this.#unresolved > 0) return;
    this.#finished = true;
    this.#unsubscribeAbort?.();
    this.#core.turns.delete(this.id);
    // The agent goes on (its next model request): take its slot back now, while a call that
    // just finished may still hold it, so another agent cannot take it in between.
    void this.#options.hold?.resume();
    const parentRecord = this.#parentRecord;
    if (parentRecord) {
      this.#parentRecord = undefined;
      parentRecord.childTurns--;
    }
    const results = this.#records.map((r) => r.result as CallResult);
    const records = this.#records;
    const limits = this.#core.limits;
    const now = this.#core.now();
    const parent = this.#options.parent;
    const turn = {
      turnId: this.id,
      path: this.#options.path ?? [],
      parent: parent ? { turnId: parent.turnId, callId: parent.callId } : undefined,
      model: this.#model,
      holdLimit: holdLimit(this.#options.hold),
    };
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

  #emit(record: CallRecord, event: CallEvent): void {
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

/**
 * The scheduler's tools a turn may use, in the scheduler's order ("unknown tool" messages list
 * them as the host defined them). Kept per list of names, so an agent's steps share one map.
 */
function allowedTools(core: SchedulerCore, names: readonly string[]): ReadonlyMap<string, Tool> {
  const tools = core.tools;
  const cached = core.allowedTools.get(names);
  if (cached?.from === tools) return cached.allowed;
  const wanted = new Set(names);
  let allowed: ReadonlyMap<string, Tool> = tools;
  if ([...tools.keys()].some((name) => !wanted.has(name))) {
    allowed = new Map([...tools].filter(([name]) => wanted.has(name)));
  }
  core.allowedTools.set(names, { from: tools, allowed });
  return allowed;
}

/** The limit an agent's slot stands for, when the hold says (a host's own hold may not). */
function holdLimit(hold: TurnOptions['hold']): { name: string; capacity: number } | undefined {
  const limit = hold?.limit;
  if (typeof limit?.name !== 'string' || typeof limit.capacity !== 'number') return undefined;
  return { name: limit.name, capacity: limit.capacity };
}

/** Enough of a model request to trace: its times are numbers (a host may pass anything). */
function isModelRequest(value: unknown): value is ModelRequestTrace {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  return ['queuedAt', 'sentAt', 'endedAt'].every((k) => Number.isFinite(m[k]));
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

export type { TurnEndOptions, TurnOptions } from './turn-options.js';
