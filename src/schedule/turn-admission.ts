import type { Approver } from '../approval/approval.js';
import { readApproval } from '../approval/read-approval.js';
import type { Tool } from '../tool/define-tool.js';
import { admitCall } from './admission.js';
import { type CallRecord, errorMessage, failure } from './call-record.js';
import type { TurnPort } from './scheduler-core.js';
import { type SharedReads, sharedResult } from './shared-reads.js';
import type { Task } from './task-graph.js';

// Admitting a validated call: its claims against every other call's, its task in the graph,
// and its approval, asked at once. Every function takes the call's turn as `port`.

/** Registers the call's claims and dependencies, and asks for approval if it needs it. */
export function admit(
  port: TurnPort,
  record: CallRecord,
  sharedReads: SharedReads | undefined,
): void {
  const core = port.core;
  const tool = record.tool as Tool;
  const admission = admitCall(
    tool,
    record.input,
    core.approvalMode,
    core.approver !== undefined,
    record.preApproved,
  );
  if (!admission.run) {
    if (admission.status === 'denied') record.approval = 'denied';
    port.resolve(record, failure(record, admission.status, admission.message, admission.cause));
    return;
  }
  const { claims, needsApproval } = admission;
  record.admittedAt = core.now();
  if (record.preApproved && admission.asked) record.approval = 'approved';
  if (claims === null || claims.some((c) => c.mode === 'write')) {
    core.writeEpoch++;
  } else if (sharedReads && claims.length > 0 && !needsApproval && !record.awaitingReady) {
    const leader = sharedReads.leaderFor(record, tool.name, core.writeEpoch);
    // A leader the host cancelled may have been stopped: never wait on it.
    if (leader && leader.result?.status !== 'cancelled') {
      follow(port, record, leader);
      return;
    }
  }
  record.claims = claims;
  record.limits = core.limitsOf(tool);
  const { after, running, before } = core.tracker.acquire(record, claims);
  let waitOn: Task<CallRecord>[] | undefined;
  if (after.length > 0 || running.length > 0) {
    waitOn = [];
    const ids: string[] = [];
    for (const earlier of after) {
      ids.push(earlier.id);
      if (earlier.task) waitOn.push(earlier.task);
    }
    for (const later of running) {
      ids.push(later.id);
      if (later.task) waitOn.push(later.task);
      later.backWaiters ??= [];
      later.backWaiters.push(record);
    }
    record.waitedFor = ids;
    port.emit(record, { type: 'waiting', reason: 'conflict', on: ids });
  }
  if (!needsApproval) record.approvedAt = record.queuedAt;
  const task = core.graph.create({
    seq: record.seq,
    limits: record.limits,
    data: record,
    after: waitOn,
    // Approval and `ready` (a framework that has not run the call yet) are gates: no slot held.
    gates: (needsApproval ? 1 : 0) + (record.awaitingReady ? 1 : 0),
  });
  record.task = task;
  // Calls after it in the order that have not started (a later call of the parent's turn,
  // when this is a subagent's call) now wait for it.
  for (const later of before) {
    if (!later.task || !core.graph.addDependency(later.task, task)) continue;
    later.waitedFor = [...later.waitedFor, record.id];
    (later.owner as TurnPort).emit(later, { type: 'waiting', reason: 'conflict', on: [record.id] });
  }
  core.graph.submit(task);
  if (needsApproval && !record.result) askApproval(port, record, core.approver as Approver);
}

/** Shares the run of an identical earlier read instead of running again. */
function follow(port: TurnPort, record: CallRecord, leader: CallRecord): void {
  record.sharedWith = leader.id;
  record.leader = leader;
  const admitted = record.admittedAt ?? record.queuedAt;
  record.conflictsClearedAt = admitted;
  record.approvedAt = admitted;
  if (leader.result && leader.result.status !== 'cancelled') {
    port.resolve(record, sharedResult(record, leader.result));
  } else {
    leader.followers ??= [];
    leader.followers.push(record);
  }
}

function askApproval(port: TurnPort, record: CallRecord, approver: Approver): void {
  const controller = new AbortController();
  record.approvalController = controller;
  // Asked: until the answer comes, the trace says so (a call cancelled first stays 'pending').
  record.approval = 'pending';
  port.emit(record, { type: 'awaiting-approval', input: record.input });
  const request = {
    callId: record.id,
    toolName: record.name,
    input: record.input,
    claims: record.claims ?? [],
    path: port.path,
    signal: controller.signal,
  };
  // Asked at once and concurrently: other calls never wait for this answer unless they conflict.
  Promise.resolve()
    .then(() => (record.result ? 'deny' : approver(request)))
    .then(
      (response) => decided(port, record, readApproval(response)),
      (error) =>
        decided(port, record, {
          approved: false,
          reason: `the approver failed: ${errorMessage(error)}`,
        }),
    );
}

function decided(
  port: TurnPort,
  record: CallRecord,
  decision: { approved: boolean; reason: string },
): void {
  record.approvalController = undefined;
  if (record.result) return;
  record.approvedAt = port.core.now();
  if (decision.approved) {
    record.approval = 'approved';
    if (record.task) port.core.graph.open(record.task);
    return;
  }
  record.approval = 'denied';
  // A reason that is a sentence already keeps its own full stop.
  const reason = decision.reason.replace(/\s+$/, '');
  const stop = /[.!?]$/.test(reason) ? '' : '.';
  port.resolve(record, failure(record, 'denied', `Denied: ${reason}${stop}`));
}
