import { describe, expect, it } from 'vitest';
import { ProgressState } from './progress-state.js';
import { liveBlockHeight, liveRenderer, renderLiveBlock } from './render-live.js';
import { type CallRef, ev } from './test-support.js';
import { textWidth } from './text-width.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing colors to measure
const colors = /\u001b\[[0-9;]*m/g;
const visible = (line: string) => textWidth(line.replace(colors, ''));

/** A busy moment: approvals, running calls of the root and of subagents, waits of each kind. */
function busyState(): ProgressState {
  const state = new ProgressState({ startedAt: 0 });
  let index = 0;
  /** A call: its input announced by the root agent, or shown for approval when `ask`. */
  const call = (toolName: string, input: unknown, extra: Partial<CallRef> = {}, ask = false) => {
    const ref = { callId: `c${index}`, toolName, index: index++, ...extra };
    if (!ask && !extra.path) {
      const announced = { id: ref.callId, name: toolName, input: JSON.stringify(input) };
      state.onAgentEvent({ type: 'tool-call', step: 1, call: announced }, 0);
    }
    state.onSchedulerEvent(ev.queued(ref, 0));
    if (ask) state.onSchedulerEvent(ev.approval(ref, 0, input));
    return ref;
  };
  const read = call('read_file', { path: 'src/index.ts' });
  state.onSchedulerEvent(ev.started(read, 100));
  state.onSchedulerEvent(ev.progress(read, 150, { progress: 45, total: 100, message: 'scanning' }));
  for (let i = 0; i < 3; i++) {
    const task = call('task', { description: `area ${i}`, prompt: 'Review', agent: 'reviewer' });
    state.onSchedulerEvent(ev.started(task, 200));
    state.onSchedulerEvent(ev.progress(task, 200, { message: `reviewer#${i + 1} running` }));
  }
  for (let i = 0; i < 8; i++) {
    const path = [`reviewer#${(i % 3) + 1}`];
    const grep = call('grep', undefined, { turnId: 2 + i, index: 0, path });
    state.onSchedulerEvent(ev.started(grep, 300 + i));
  }
  call('edit_file', { path: 'src/a.ts' }, {}, true);
  call('shell', { command: 'rm -rf build' }, {}, true);
  const edit = call('write_file', { path: 'src/index.ts' });
  state.onSchedulerEvent(ev.conflict(edit, 400, ['c0']));
  const fetch = call('github__search', { query: 'is:open label:bug' });
  state.onSchedulerEvent(ev.slot(fetch, 400, 'mcp:github'));
  call('glob', { pattern: '**/*.md' });
  return state;
}

describe('renderLiveBlock', () => {
  it('shows approvals first, then groups, running calls and waits, with what is left out', () => {
    const lines = renderLiveBlock(busyState().snapshot(1300), {
      now: 1300,
      columns: 80,
      rows: 14,
      frame: 0,
    });
    expect(lines).toEqual([
      '⠋ 2 awaiting approval, 12 running, 2 waiting, 1 queued · 1.3s',
      '? edit_file src/a.ts        1.3s  awaiting approval',
      '? shell "rm -rf build"      1.3s  awaiting approval',
      '⠿ reviewers 0/3 done  3 running',
      '⠋ read_file src/index.ts    1.2s  45% scanning',
      '⠋ task reviewer "area 0"    1.1s  reviewer#1 running',
      '⠋ task reviewer "area 1"    1.1s  reviewer#2 running',
      '⠋ task reviewer "area 2"    1.1s  reviewer#3 running',
      '⠋ reviewer#1 › grep         1.0s',
      '… and 7 more running, 2 waiting, 1 queued',
    ]);
  });

  it('shows every call when there is room, with why each one waits', () => {
    const lines = renderLiveBlock(busyState().snapshot(1300, 30), {
      now: 1300,
      columns: 80,
      rows: 40,
      frame: 3,
    });
    expect(lines).toHaveLength(1 + 2 + 1 + 12 + 3);
    expect(lines.slice(-4)).toEqual([
      '⠸ reviewer#2 › grep                     0.9s',
      '· write_file src/index.ts               0.9s  waits for read_file (c0)',
      '· github__search "is:open label:bug"    0.9s  waits for a slot: mcp:github',
      '· glob "**/*.md"                        1.3s  queued',
    ]);
  });

  it('keeps the block short: at most rows - 4 and 20 lines', () => {
    const snapshot = busyState().snapshot(1000, 40);
    const options = { now: 1000, columns: 80, frame: 0 };
    expect(renderLiveBlock(snapshot, { ...options, rows: 8 })).toHaveLength(4);
    expect(renderLiveBlock(snapshot, { ...options, rows: 3 })).toHaveLength(1);
    expect(renderLiveBlock(snapshot, { ...options, rows: 100, maxLines: 6 })).toHaveLength(6);
    expect(liveBlockHeight(100)).toBe(20);
    const small = renderLiveBlock(snapshot, { ...options, rows: 8 });
    expect(small[1]).toContain('awaiting approval');
    expect(small[3]).toBe('… and 12 more running, 2 waiting, 1 queued, 1 group');
  });

  it('fits every line in the columns, colored or not', () => {
    const state = busyState();
    const wide = { callId: 'w', toolName: 'read_file', index: 99, turnId: 50, path: ['翻訳者#9'] };
    state.onSchedulerEvent(ev.approval(wide, 0, { path: '日本語/とても長いファイル名.ts' }));
    const snapshot = state.snapshot(5000, 40);
    for (const columns of [1, 5, 10, 20, 33, 40, 41, 60, 80, 120]) {
      for (const color of [false, true]) {
        const lines = renderLiveBlock(snapshot, { now: 5000, columns, rows: 30, frame: 7, color });
        for (const line of lines) expect(visible(line)).toBeLessThanOrEqual(columns);
        if (!color) for (const line of lines) expect(line).not.toContain('\u001b');
      }
    }
    const colored = renderLiveBlock(snapshot, {
      now: 0,
      columns: 80,
      rows: 30,
      frame: 0,
      color: true,
    });
    expect(colored[1]).toContain('\u001b[33m');
  });

  it('says what the agent does when no call is in flight', () => {
    const state = new ProgressState();
    state.onAgentEvent({ type: 'step-start', step: 2 }, 1000);
    const lines = renderLiveBlock(state.snapshot(3500), {
      now: 3500,
      columns: 80,
      rows: 24,
      frame: 1,
    });
    expect(lines).toEqual(['⠙ step 2 · thinking · 2.5s']);
  });

  it('renders through liveRenderer with a snapshot no larger than the block', () => {
    const render = liveRenderer(busyState(), { maxLines: 5 });
    const lines = render({ now: 1300, columns: 60, rows: 40, frame: 0 });
    expect(lines).toHaveLength(5);
    expect(lines[4]).toMatch(/^… and \d+ more running/);
  });
});
