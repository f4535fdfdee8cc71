// Helpers for tests: scheduler events built by hand, as a run would emit them.

import type { SchedulerEvent } from '../../schedule/events.js';
import type { CallResult, CallStatus } from '../../tool/call.js';
import type { ProgressInfo } from '../../tool/define-tool.js';

export interface CallRef {
  turnId?: number;
  callId: string;
  toolName: string;
  index?: number;
  path?: readonly string[];
}

function base(ref: CallRef, at: number) {
  return {
    at,
    turnId: ref.turnId ?? 1,
    callId: ref.callId,
    toolName: ref.toolName,
    index: ref.index ?? 0,
    path: ref.path ?? [],
  };
}

export const ev = {
  // Without `input` the event looks like one whose input is unknown (the agent described it).
  queued: (ref: CallRef, at: number, input?: unknown): SchedulerEvent =>
    ({
      ...base(ref, at),
      type: 'queued',
      ...(input === undefined ? {} : { input }),
    }) as SchedulerEvent,
  conflict: (ref: CallRef, at: number, on: string[]): SchedulerEvent => ({
    ...base(ref, at),
    type: 'waiting',
    reason: 'conflict',
    on,
  }),
  slot: (ref: CallRef, at: number, limit: string): SchedulerEvent => ({
    ...base(ref, at),
    type: 'waiting',
    reason: 'slot',
    limit,
  }),
  approval: (ref: CallRef, at: number, input: unknown): SchedulerEvent => ({
    ...base(ref, at),
    type: 'awaiting-approval',
    input,
  }),
  started: (ref: CallRef, at: number): SchedulerEvent => ({ ...base(ref, at), type: 'started' }),
  progress: (ref: CallRef, at: number, progress: ProgressInfo): SchedulerEvent => ({
    ...base(ref, at),
    type: 'progress',
    progress,
  }),
  finished: (
    ref: CallRef,
    at: number,
    status: CallStatus = 'success',
    message?: string,
  ): SchedulerEvent => ({
    ...base(ref, at),
    type: 'finished',
    result: result(ref, status, message),
  }),
};

export function result(ref: CallRef, status: CallStatus, message?: string): CallResult {
  const text = message ?? (status === 'success' ? 'ok' : `${status}`);
  return {
    id: ref.callId,
    name: ref.toolName,
    status,
    content: [{ type: 'text', text }],
    isError: status !== 'success',
    ...(status === 'success' ? { output: text } : { error: { message: text } }),
  };
}
