import { type CallRecord, errorMessage, failure } from './call-record.js';
import type { TurnPort } from './scheduler-core.js';
import type { TaskHooks } from './task-graph.js';
import { cancelledResult, dropTicket, readyToRun, startCall } from './turn-execution.js';

/**
 * How the scheduler's task graph reaches the turn that owns each call: one object for every
 * call of every turn.
 */
export const callHooks: TaskHooks<CallRecord> = {
  onDependenciesSettled(record) {
    record.conflictsClearedAt = (record.owner as TurnPort).core.now();
  },
  onReady(record) {
    const port = record.owner as TurnPort;
    if (!record.result && port.cancelReason !== undefined) {
      // Its conflicts cleared while the turn was being cancelled: it never starts.
      port.resolve(record, cancelledResult(port, record));
    }
    if (record.result) {
      if (record.task) port.core.graph.settle(record.task);
      return false;
    }
    record.readyAt = port.core.now();
    return readyToRun(port, record);
  },
  onUnready(record) {
    dropTicket(record.owner as TurnPort, record);
  },
  onBlocked(record, limit) {
    (record.owner as TurnPort).emit(record, { type: 'waiting', reason: 'slot', limit });
  },
  start(record, _task, waitedOn) {
    startCall(record.owner as TurnPort, record, waitedOn);
  },
  onSettled(record) {
    const port = record.owner as TurnPort;
    port.core.tracker.release(record);
    dropTicket(port, record);
    // Done with: let the garbage collector have them before the turn ends.
    record.task = undefined;
    record.scope = undefined;
    record.context = undefined;
    record.backWaiters = undefined;
  },
  /** A hook threw: a bug, but it still ends as one error result and frees what it held. */
  onError(record, error) {
    (record.owner as TurnPort).resolve(
      record,
      failure(record, 'error', `Internal error in salvo: ${errorMessage(error)}`, error),
    );
  },
};
