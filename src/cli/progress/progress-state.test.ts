import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../../agent/run-agent.js';
import { ProgressState } from './progress-state.js';
import { type CallRef, ev } from './test-support.js';

const toolCall = (id: string, name: string, input: unknown): AgentEvent => ({
  type: 'tool-call',
  step: 1,
  call: { id, name, input: JSON.stringify(input) },
});

describe('ProgressState', () => {
  it('follows 30 concurrent calls, longest running first', () => {
    const state = new ProgressState();
    state.onAgentEvent({ type: 'step-start', step: 1 }, 0);
    const refs: CallRef[] = [];
    for (let i = 0; i < 30; i++) {
      const ref = { callId: `c${i}`, toolName: 'read_file', index: i };
      refs.push(ref);
      state.onAgentEvent(toolCall(ref.callId, 'read_file', { path: `src/f${i}.ts` }), i);
      state.onSchedulerEvent(ev.queued(ref, i));
    }
    for (const [i, ref] of refs.entries()) state.onSchedulerEvent(ev.started(ref, 40 + i));
    state.onSchedulerEvent(ev.progress(refs[5] as CallRef, 80, { progress: 3, total: 10 }));

    const snap = state.snapshot(100, 20);
    expect(snap.counts).toMatchObject({ running: 30, queued: 0, waiting: 0, done: 0, total: 30 });
    expect(snap.startedAt).toBe(0);
    expect(snap.agent).toEqual({ step: 1, phase: 'calling' });
    expect(snap.calls).toHaveLength(20);
    expect(snap.calls[0]).toMatchObject({ callId: 'c0', description: 'read_file src/f0.ts' });
    expect(snap.calls[0]?.startedAt).toBe(40);
    expect(snap.calls[5]?.progress).toEqual({ progress: 3, total: 10 });

    for (const [i, ref] of refs.entries()) {
      state.onSchedulerEvent(ev.finished(ref, 200 + i, i === 7 ? 'error' : 'success'));
    }
    const end = state.snapshot(300);
    expect(end.counts).toMatchObject({ running: 0, done: 29, failed: 1, total: 30 });
    expect(end.calls).toEqual([]);
    expect(state.retained).toEqual({ calls: 0, turns: 1, groups: 0, links: 0 });
  });

  it('names the tools a call waits for, and forgets blockers once they finish', () => {
    const state = new ProgressState();
    const read = { callId: 'c1', toolName: 'read_file', index: 0 };
    const grep = { callId: 'c2', toolName: 'grep', index: 1 };
    const edit = { callId: 'c3', toolName: 'edit_file', index: 2 };
    for (const ref of [read, grep, edit]) state.onSchedulerEvent(ev.queued(ref, 0));
    state.onSchedulerEvent(ev.started(read, 1));
    state.onSchedulerEvent(ev.started(grep, 1));
    const waiting = state.onSchedulerEvent(ev.conflict(edit, 2, ['c1', 'c2']));
    expect(waiting.status).toBe('waiting-conflict');
    expect(waiting.waitingOn).toEqual([
      { callId: 'c1', toolName: 'read_file' },
      { callId: 'c2', toolName: 'grep' },
    ]);
    state.onSchedulerEvent(ev.finished(read, 5));
    expect(state.snapshot(6).calls.find((c) => c.callId === 'c3')?.waitingOn).toEqual([
      { callId: 'c2', toolName: 'grep' },
    ]);

    // Asked for approval while still waiting: approvals come first in a snapshot.
    const asked = state.onSchedulerEvent(ev.approval(edit, 7, { path: 'src/a.ts' }));
    expect(asked).toMatchObject({ status: 'awaiting-approval', description: 'edit_file src/a.ts' });
    expect(state.snapshot(8).calls.map((c) => c.callId)).toEqual(['c3', 'c2']);
    expect(state.snapshot(8).counts.awaitingApproval).toBe(1);

    state.onApproval([], 'c3', true, 9);
    expect(state.snapshot(9).calls.find((c) => c.callId === 'c3')?.status).toBe('waiting-conflict');
    state.onSchedulerEvent(ev.finished(grep, 10));
    const started = state.onSchedulerEvent(ev.started(edit, 11));
    expect(started.status).toBe('running');
    expect(started.waitingOn).toBeUndefined();
  });

  it('tells slot waits, denials and timeouts apart', () => {
    const state = new ProgressState();
    const fetch = { callId: 'f', toolName: 'github__search', index: 0 };
    const shell = { callId: 's', toolName: 'shell', index: 1 };
    state.onSchedulerEvent(ev.queued(fetch, 0));
    expect(state.onSchedulerEvent(ev.slot(fetch, 1, 'mcp:github'))).toMatchObject({
      status: 'waiting-slot',
      slot: 'mcp:github',
    });
    state.onSchedulerEvent(ev.started(fetch, 2));
    expect(
      state.onSchedulerEvent(ev.finished(fetch, 3, 'timeout', 'Timed out after 1s')),
    ).toMatchObject({
      status: 'timeout',
      error: 'Timed out after 1s',
      startedAt: 2,
      endedAt: 3,
    });
    state.onSchedulerEvent(ev.approval(shell, 4, { command: 'rm -rf /' }));
    const denied = state.onSchedulerEvent(ev.finished(shell, 5, 'denied', 'Denied: no.\nmore'));
    expect(denied).toMatchObject({ status: 'denied', error: 'Denied: no.' });
    // A denial is the user's or a policy's decision, not a failure: counted on its own.
    expect(state.snapshot(6).counts).toMatchObject({ failed: 1, denied: 1, cancelled: 0, done: 0 });
    expect(state.outcomes).toEqual({ success: 0, error: 0, timeout: 1, denied: 1, cancelled: 0 });
  });

  it('counts subagent groups by agent name, at every depth', () => {
    const state = new ProgressState();
    const tasks: CallRef[] = [];
    for (let i = 0; i < 5; i++) {
      const ref = { callId: `t${i}`, toolName: 'task', index: i };
      tasks.push(ref);
      const input = { description: `part ${i}`, prompt: 'Review it', agent: 'reviewer' };
      state.onAgentEvent(toolCall(ref.callId, 'task', input), 0);
      state.onSchedulerEvent(ev.queued(ref, 0));
    }
    const plain = { callId: 't5', toolName: 'task', index: 5 };
    state.onAgentEvent(toolCall('t5', 'task', { description: 'misc', prompt: 'Do it' }), 0);
    state.onSchedulerEvent(ev.queued(plain, 0));
    for (const [i, ref] of [...tasks, plain].entries()) {
      state.onSchedulerEvent(ev.started(ref, 1));
      const label = i < 5 ? `reviewer#${i + 1}` : 'agent#6';
      state.onSchedulerEvent(ev.progress(ref, 1, { message: `${label} running` }));
    }
    // A subagent's own calls carry its path; its task calls have no input known here.
    const inner = { turnId: 2, callId: 'x1', toolName: 'grep', path: ['reviewer#1'] };
    state.onSchedulerEvent(ev.queued(inner, 2));
    const nested = { turnId: 3, callId: 'n1', toolName: 'task', path: ['reviewer#2'] };
    state.onSchedulerEvent(ev.queued(nested, 2));
    state.onSchedulerEvent(ev.started(nested, 3));
    state.onSchedulerEvent(ev.progress(nested, 3, { message: 'helper#7 queued' }));

    let snap = state.snapshot(4);
    expect(snap.groups.map((g) => [g.path, g.text, g.running])).toEqual([
      [[], 'reviewers 0/5 done', 5],
      [[], 'agent 0/1 done', 1],
      [['reviewer#2'], 'helper 0/1 done', 1],
    ]);
    expect(snap.calls.find((c) => c.callId === 't0')).toMatchObject({
      description: 'task reviewer "part 0"',
      agentName: 'reviewer',
      agentLabel: 'reviewer#1',
    });
    expect(snap.calls.find((c) => c.callId === 'x1')?.path).toEqual(['reviewer#1']);

    state.onSchedulerEvent(ev.finished(tasks[0] as CallRef, 5));
    state.onSchedulerEvent(ev.finished(tasks[1] as CallRef, 5, 'error'));
    state.onSchedulerEvent(ev.finished(tasks[2] as CallRef, 5));
    snap = state.snapshot(6);
    expect(snap.groups[0]).toMatchObject({ text: 'reviewers 3/5 done (1 failed)', running: 2 });
    state.onSchedulerEvent(ev.finished(tasks[3] as CallRef, 7, 'cancelled'));
    const last = state.onSchedulerEvent(ev.finished(tasks[4] as CallRef, 7, 'denied'));
    expect(last.group).toMatchObject({
      name: 'reviewer',
      text: 'reviewers 5/5 done (1 failed, 1 denied, 1 cancelled)',
      total: 5,
      done: 5,
      failed: 1,
      denied: 1,
      cancelled: 1,
    });
    expect(state.snapshot(8).groups.map((g) => g.name)).toEqual(['agent', 'helper']);
    expect(state.snapshot(8).groupCount).toBe(2);
  });

  it('describes a root call whichever of the agent or the scheduler speaks first', () => {
    const state = new ProgressState();
    const ref = { callId: 'late', toolName: 'shell' };
    expect(state.onSchedulerEvent(ev.queued(ref, 0)).description).toBe('shell');
    state.onAgentEvent(toolCall('late', 'shell', { command: 'make' }), 1);
    expect(state.snapshot(2).calls[0]?.description).toBe('shell "make"');
    expect(state.retained.links).toBe(0);
  });

  it('keys calls by turn and position: repeated ids in a turn stay apart', () => {
    const state = new ProgressState();
    const first = { callId: 'dup', toolName: 'read_file', index: 0 };
    const second = { callId: 'dup', toolName: 'read_file', index: 1 };
    const other = { turnId: 2, callId: 'dup', toolName: 'read_file', index: 0 };
    state.onSchedulerEvent(ev.queued(first, 0));
    state.onSchedulerEvent(ev.started(first, 1));
    state.onSchedulerEvent(ev.queued(second, 1));
    state.onSchedulerEvent(ev.finished(second, 2, 'error', 'Duplicate call id "dup".'));
    state.onSchedulerEvent(ev.queued(other, 2));
    const snap = state.snapshot(3);
    expect(snap.counts).toMatchObject({ running: 1, queued: 1, failed: 1, total: 3 });
  });

  it('keeps memory bounded over many turns', () => {
    const state = new ProgressState({ keepTurns: 16 });
    let at = 0;
    for (let turn = 1; turn <= 1000; turn++) {
      const path = turn % 3 === 0 ? [`reviewer#${turn}`] : [];
      const refs = Array.from({ length: 10 }, (_, i) => ({
        turnId: turn,
        callId: `c${i}`,
        toolName: i === 0 ? 'task' : 'grep',
        index: i,
        path,
      }));
      for (const ref of refs) {
        if (path.length === 0)
          state.onAgentEvent(toolCall(ref.callId, ref.toolName, { pattern: 'x' }), at);
        state.onSchedulerEvent(ev.queued(ref, at++));
        state.onSchedulerEvent(ev.started(ref, at++));
        state.onSchedulerEvent(ev.progress(ref, at++, { progress: 1, total: 2, message: 'half' }));
      }
      for (const ref of refs) state.onSchedulerEvent(ev.finished(ref, at++));
    }
    expect(state.snapshot(at).counts).toMatchObject({ done: 10_000, total: 10_000, running: 0 });
    const kept = state.retained;
    expect(kept.calls).toBe(0);
    expect(kept.turns).toBeLessThanOrEqual(16);
    expect(kept.groups).toBeLessThanOrEqual(16);
    expect(kept.links).toBe(0);

    // Announced calls the scheduler never saw are kept only up to a bound.
    for (let i = 0; i < 1000; i++) state.onAgentEvent(toolCall(`lost${i}`, 'grep', {}), at);
    expect(state.retained.links).toBeLessThanOrEqual(256);
  });

  it('sanitizes what events carry', () => {
    const state = new ProgressState();
    const ref = { callId: 'c\u001b[2J1', toolName: 'evil\u001b]0;x\u0007tool', path: ['a\nb#1'] };
    state.onSchedulerEvent(ev.started(ref, 0));
    const view = state.onSchedulerEvent(ev.progress(ref, 1, { message: 'step\u001b[1A\r\n2' }));
    expect(view).toMatchObject({ callId: 'c1', toolName: 'eviltool', path: ['a b#1'] });
    expect(view.progress?.message).toBe('step 2');
  });
});
