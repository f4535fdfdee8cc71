import { describe, expect, it } from 'vitest';
import type { SchedulerEvent } from '../../schedule/events.js';
import { ProgressState } from './progress-state.js';
import { PlainRenderer } from './render-plain.js';
import { ev } from './test-support.js';

/** Feeds events through a state and a plain renderer, as the CLI does without a TTY. */
function run(events: SchedulerEvent[], renderer = new PlainRenderer()): string[] {
  const state = new ProgressState();
  const call = (id: string, name: string, input: unknown) =>
    state.onAgentEvent(
      { type: 'tool-call', step: 1, call: { id, name, input: JSON.stringify(input) } },
      0,
    );
  call('c1', 'read_file', { path: 'src/a.ts' });
  call('c2', 'edit_file', { path: 'src/a.ts' });
  call('c3', 'shell', { command: 'npm test' });
  call('t1', 'task', { description: 'auth', prompt: 'Review', agent: 'reviewer' });
  call('t2', 'task', { description: 'api', prompt: 'Review', agent: 'reviewer' });
  return events.flatMap((event) => renderer.lines(event, state.onSchedulerEvent(event)));
}

const read = { callId: 'c1', toolName: 'read_file', index: 0 };
const edit = { callId: 'c2', toolName: 'edit_file', index: 1 };
const shell = { callId: 'c3', toolName: 'shell', index: 2 };

describe('PlainRenderer', () => {
  it('writes one stable line per meaningful transition', () => {
    const lines = run([
      ev.queued(read, 1000),
      ev.queued(edit, 1000),
      ev.queued(shell, 1000),
      ev.started(read, 1010),
      ev.conflict(edit, 1010, ['c1']),
      ev.approval(edit, 1010, { path: 'src/a.ts' }),
      ev.slot(shell, 1010, 'shell'),
      ev.finished(read, 1430),
      ev.started(shell, 1500),
      ev.finished(edit, 2000, 'denied', 'Denied: the user said no.'),
      ev.finished(shell, 3700, 'error', 'Exit code 1\nlots of output\u001b[2J'),
    ]);
    expect(lines).toEqual([
      '[+0.0s] read_file src/a.ts (c1): started',
      '[+0.0s] edit_file src/a.ts (c2): waits for read_file (c1)',
      '[+0.0s] edit_file src/a.ts (c2): awaiting approval',
      '[+0.0s] shell "npm test" (c3): waits for a slot: shell',
      '[+0.4s] read_file src/a.ts (c1): done in 0.4s',
      '[+0.5s] shell "npm test" (c3): started',
      '[+1.0s] edit_file src/a.ts (c2): denied: the user said no',
      '[+2.7s] shell "npm test" (c3): failed after 2.2s: Exit code 1',
    ]);
  });

  it('writes progress at most once a second per call, and only when it changed', () => {
    const events: SchedulerEvent[] = [ev.queued(shell, 0), ev.started(shell, 0)];
    for (let at = 100; at <= 3000; at += 100) {
      events.push(
        ev.progress(shell, at, { progress: Math.floor(at / 1000), total: 3, message: 'testing' }),
      );
    }
    events.push(ev.progress(shell, 3500, { progress: 3, total: 3, message: 'testing' }));
    const lines = run(events).filter((l) => l.includes('/3'));
    expect(lines).toEqual([
      '[+0.1s] shell "npm test" (c3): 0/3 testing',
      '[+1.1s] shell "npm test" (c3): 1/3 testing',
      '[+2.1s] shell "npm test" (c3): 2/3 testing',
      '[+3.5s] shell "npm test" (c3): 3/3 testing',
    ]);
  });

  it('says when a group of subagents is all done, and prefixes subagent calls', () => {
    const t1 = { callId: 't1', toolName: 'task', index: 0, turnId: 5 };
    const t2 = { callId: 't2', toolName: 'task', index: 1, turnId: 5 };
    const grep = { callId: 'g', toolName: 'grep', turnId: 6, path: ['reviewer#1'] };
    const lines = run([
      ev.queued(t1, 0),
      ev.queued(t2, 0),
      ev.started(t1, 0),
      ev.started(t2, 0),
      ev.started(grep, 100),
      ev.finished(grep, 200, 'timeout', 'Timed out after 0.1s.'),
      ev.finished(t1, 1000),
      ev.finished(t2, 1200, 'cancelled', 'Cancelled: the run was cancelled.'),
    ]);
    expect(lines).toEqual([
      '[+0.0s] task reviewer "auth" (t1): started',
      '[+0.0s] task reviewer "api" (t2): started',
      '[+0.1s] reviewer#1 › grep (g): started',
      '[+0.2s] reviewer#1 › grep (g): timed out after 0.1s',
      '[+1.0s] task reviewer "auth" (t1): done in 1.0s',
      '[+1.2s] task reviewer "api" (t2): cancelled after 1.2s',
      '[+1.2s] reviewers 2/2 done (1 cancelled)',
    ]);
    for (const line of lines) expect(line).not.toContain('\u001b');
  });
});

describe('PlainRenderer, shell commands', () => {
  const lines = (n: number) => Array.from({ length: n }, (_, i) => `out ${i + 1}`).join('\n');

  function finish(
    status: 'success' | 'error',
    text: string,
    options: ConstructorParameters<typeof PlainRenderer>[0] = {},
    path: string[] = [],
  ): string[] {
    const state = new ProgressState();
    const renderer = new PlainRenderer(options);
    const ref = { callId: 's1', toolName: 'shell', path };
    const events = [
      ev.queued(ref, 0, { command: 'npm test' }),
      ev.started(ref, 0),
      ev.finished(ref, 1500, status, text),
    ];
    return events.flatMap((event) => renderer.lines(event, state.onSchedulerEvent(event)));
  }

  it('says the exit code of a failed command, with the last 5 lines of its output', () => {
    expect(finish('error', `${lines(9)}\n[exit code 3]`)).toEqual([
      '[+0.0s] shell "npm test" (s1): started',
      '[+1.5s] shell "npm test" (s1): exit 3 after 1.5s',
      '  │ … 4 earlier lines',
      '  │ out 5',
      '  │ out 6',
      '  │ out 7',
      '  │ out 8',
      '  │ out 9',
    ]);
    expect(finish('error', 'boom\n[killed by signal SIGTERM]').slice(1)).toEqual([
      '[+1.5s] shell "npm test" (s1): killed by SIGTERM after 1.5s',
      '  │ boom',
    ]);
    expect(finish('error', '(no output)\n[exit code 1]').slice(1)).toEqual([
      '[+1.5s] shell "npm test" (s1): exit 1 after 1.5s',
    ]);
  });

  it("shows the main agent's successful commands' last 3 lines, a subagent's none", () => {
    expect(finish('success', `${lines(4)}\n[exit code 0]`).slice(1)).toEqual([
      '[+1.5s] shell "npm test" (s1): done in 1.5s',
      '  │ … 1 earlier line',
      '  │ out 2',
      '  │ out 3',
      '  │ out 4',
    ]);
    expect(finish('success', `${lines(4)}\n[exit code 0]`, {}, ['reviewer#1']).slice(1)).toEqual([
      '[+1.5s] reviewer#1 › shell "npm test" (s1): done in 1.5s',
    ]);
    // A subagent's failure shows: it is what went wrong.
    expect(finish('error', `${lines(2)}\n[exit code 2]`, {}, ['reviewer#1']).slice(1)).toEqual([
      '[+1.5s] reviewer#1 › shell "npm test" (s1): exit 2 after 1.5s',
      '  │ out 1',
      '  │ out 2',
    ]);
  });

  it('cuts output lines to the width, and with marks the call line too, the description first', () => {
    const long = `${'x'.repeat(100)}\n[exit code 1]`;
    const out = finish('error', long, { columns: 40, marks: true });
    expect(out.slice(1)).toEqual([
      '✗ [+1.5s] shell… (s1): exit 1 after 1.5s',
      `  │ ${'x'.repeat(35)}…`,
    ]);
    expect(finish('success', 'ok\n[exit code 0]', { marks: true })[1]).toBe(
      '✓ [+1.5s] shell "npm test" (s1): done in 1.5s',
    );
    // Colored: the mark red, the output dimmed; nothing else.
    const colored = finish('error', 'bad\n[exit code 1]', { marks: true, color: true }).slice(1);
    expect(colored).toEqual([
      '\u001b[31m✗\u001b[39m [+1.5s] shell "npm test" (s1): exit 1 after 1.5s',
      '\u001b[2m  │ bad\u001b[22m',
    ]);
  });
});
