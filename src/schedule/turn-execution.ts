import type { CallResult } from '../tool/call.js';
import { type ContentBlock, toContent } from '../tool/content.js';
import type { ProgressInfo, Tool } from '../tool/define-tool.js';
import { ToolFailure } from '../tool/tool-failure.js';
import { runInSpan } from '../trace/call-span.js';
import { isTimeoutError } from './admission.js';
import { CallContext } from './call-context.js';
import { type CallRecord, errorMessage, failure } from './call-record.js';
import type { TurnPort } from './scheduler-core.js';

// Running a call: its agent's slot, `execute` with its timeout, its result, and the waits for
// its own nested work (`ctx.waitFor`). Every function takes the call's turn as `port`.

/**
 * Whether a call whose conflicts cleared and that was approved may ask for the scheduler's
 * slots: a subagent's call needs its agent's slot first. `'wait'`: the task graph closes a
 * gate, opened once the agent's slot is held.
 */
export function readyToRun(port: TurnPort, record: CallRecord): boolean | 'wait' {
  const hold = port.hold;
  if (!hold || record.ticket?.held) return true;
  if (record.ticket) return 'wait';
  let waiting = false;
  record.ticket = hold.acquire(() => {
    if (!waiting) return;
    waiting = false;
    record.awaitingHold = false;
    if (record.task) port.core.graph.open(record.task);
  });
  port.ticketsChanged(1);
  if (record.ticket.held) return true;
  waiting = true;
  record.awaitingHold = true;
  return 'wait';
}

/** The call stopped needing its agent's slot (it settled, waits again, or is suspended). */
export function dropTicket(port: TurnPort, record: CallRecord): void {
  const ticket = record.ticket;
  if (!ticket) return;
  record.ticket = undefined;
  ticket.release();
  if (record.awaitingHold) {
    // The gate `readyToRun` closed: whatever holds the task back now, it is not the slot.
    record.awaitingHold = false;
    if (record.task) port.core.graph.open(record.task);
  }
  port.ticketsChanged(-1);
}

/** The task graph granted the call its slots: run it, unless the turn or call is over. */
export function startCall(port: TurnPort, record: CallRecord, waitedOn: string | undefined): void {
  const core = port.core;
  if (record.result || port.cancelReason !== undefined) {
    // Cancelled while its start was on its way: it never runs.
    if (!record.result) port.resolve(record, cancelledResult(port, record));
    if (record.task) core.graph.settle(record.task);
    return;
  }
  const tool = record.tool as Tool;
  record.startedAt = core.now();
  record.limitWaitedOn = waitedOn;
  record.running = true;
  const ctx = new CallContext(record, progress, suspend, port.signal);
  record.context = ctx;
  port.emit(record, { type: 'started' });

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
    ran(port, record, { ok: false, error });
    return;
  }
  if (!pending) {
    // A synchronous tool: no timer, no promise, nothing left to wait for.
    ran(port, record, { ok: true, value: output });
    return;
  }
  const timeoutMs = tool.timeoutMs ?? core.defaultTimeoutMs;
  if (Number.isFinite(timeoutMs)) {
    record.timer = setTimeout(() => {
      record.timer = undefined;
      const message = `Timed out after ${timeoutMs} ms: ${tool.name} was stopped.`;
      ctx.abort(new DOMException(message, 'TimeoutError'));
      port.resolve(record, failure(record, 'timeout', message));
    }, timeoutMs);
  }
  Promise.resolve(output).then(
    (value) => ran(port, record, { ok: true, value }),
    (error: unknown) => ran(port, record, { ok: false, error }),
  );
}

/** The result of a call its turn stopped: `timeout` when a deadline stopped the turn. */
export function cancelledResult(port: TurnPort, record: CallRecord): CallResult {
  const reason = port.cancelReason ?? 'the turn was cancelled';
  if (port.cancelledByTimeout) {
    return failure(record, 'timeout', `Timed out: ${reason.replace(/[.\s]+$/, '')}.`);
  }
  return failure(record, 'cancelled', `Cancelled: ${reason}.`);
}

/**
 * `execute` is over. Its result goes to the call (unless it already has one: timed out or
 * cancelled) and to the calls sharing it; then, and only then, its claims and slots go.
 */
function ran(
  port: TurnPort,
  record: CallRecord,
  outcome: { ok: true; value: unknown } | { ok: false; error: unknown },
): void {
  record.returned = true;
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
    } else if (ToolFailure.isInstance(outcome.error)) {
      result = failedWithOutput(record, outcome.error);
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
    // Resolved already (timed out, cancelled): `resolve` shares nothing twice.
    port.resolve(record, result);
  } finally {
    record.running = false;
    if (record.timer) clearTimeout(record.timer);
    record.timer = undefined;
    if (record.task) port.core.graph.settle(record.task);
  }
}

/** A `ToolFailure`: an error result whose content is the tool's output, as it is. */
function failedWithOutput(record: CallRecord, error: ToolFailure): CallResult {
  let content: ContentBlock[];
  try {
    content = toContent(error.output);
  } catch (problem) {
    return failure(record, 'error', `Error: ${record.name}: ${errorMessage(problem)}`, problem);
  }
  return { ...failure(record, 'error', errorMessage(error), error), content };
}

const progress = (record: CallRecord, info: ProgressInfo): void => {
  if (!record.result) (record.owner as TurnPort).emit(record, { type: 'progress', progress: info });
};

/**
 * `ctx.waitFor`: the call waits for work of its own (a subagent). Its scheduler slots and its
 * agent's slot go back, and calls it held back only because it was running stop waiting for
 * it. Returns the function that ends the wait: once the last of its concurrent waits is over,
 * it takes the slots back, first-come in call order.
 */
function suspend(record: CallRecord): (aborted: boolean) => Promise<void> {
  const port = record.owner as TurnPort;
  if (!record.running || record.result?.status === 'cancelled') return () => Promise.resolve();
  const core = port.core;
  record.waits++;
  if (record.waits === 1) {
    becameSuspended(port, record);
    dropTicket(port, record);
    record.takeBack = record.task ? core.graph.yieldSlots(record.task) : undefined;
    record.slotsYieldedSince = core.now();
  }
  let ended = false;
  return async (aborted) => {
    if (ended) return;
    ended = true;
    record.waits--;
    if (record.waits > 0) return;
    const takeBack = record.takeBack;
    const since = record.slotsYieldedSince;
    record.takeBack = undefined;
    try {
      // A cancelled or timed-out call will not run on: it needs its slots no more.
      if (!aborted && record.running) {
        await takeTicket(port, record);
        await takeBack?.();
      }
    } finally {
      if (since !== undefined && record.slotsYieldedSince === since) {
        record.slotsYieldedMs += core.now() - since;
        record.slotsYieldedSince = undefined;
      }
    }
  };
}

function takeTicket(port: TurnPort, record: CallRecord): Promise<void> | undefined {
  const hold = port.hold;
  if (!hold) return undefined;
  return new Promise<void>((resolve) => {
    record.ticket = hold.acquire(resolve);
    port.ticketsChanged(1);
  });
}

/**
 * The call is now suspended on nested work: calls before it in the order that waited for it
 * only because it was running stop waiting (its descendants' calls are ordered one by one).
 */
export function becameSuspended(port: TurnPort, record: CallRecord): void {
  const waiters = record.backWaiters;
  if (!waiters) return;
  record.backWaiters = undefined;
  const task = record.task;
  if (!task) return;
  for (const waiter of waiters) {
    if (waiter.task) port.core.graph.removeDependency(waiter.task, task);
  }
}

function isPromiseLike(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === 'function'
  );
}
