import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentEvent } from '../agent/run-agent.js';
import type { SchedulerEvent } from '../schedule/events.js';
import { ApprovalQueue } from './approval-queue.js';
import { JsonReporter } from './json-reporter.js';
import { ev, result } from './progress/test-support.js';
import type { Reporter, RunEnd } from './reporter.js';
import { approvalRequest, Capture, testIo } from './test-reporter-support.js';

function setup(): { reporter: Reporter; stdout: Capture; stderr: Capture } {
  const stdout = new Capture();
  const stderr = new Capture();
  return { reporter: new JsonReporter(testIo(stdout, stderr)), stdout, stderr };
}

/** Every stdout line parsed; fails unless stdout is nothing but JSON objects, one per line. */
function records(stdout: Capture): Record<string, unknown>[] {
  if (stdout.text === '') return [];
  expect(stdout.text.endsWith('\n')).toBe(true);
  return stdout.text
    .slice(0, -1)
    .split('\n')
    .map((line) => {
      const value: unknown = JSON.parse(line);
      expect(value).toBeTypeOf('object');
      expect(value).not.toBeNull();
      expect(Array.isArray(value)).toBe(false);
      expect((value as { event?: unknown }).event).toBeTypeOf('string');
      return value as Record<string, unknown>;
    });
}

const shell = { callId: 'c1', toolName: 'shell', index: 0 };
const read = { callId: 'c2', toolName: 'read_file', index: 1, path: ['reviewer#1'] };

const end: RunEnd = {
  finishReason: 'stop',
  text: 'All done.\nBye "now"',
  wallMs: 1234.5,
  calls: 2,
  steps: 3,
  usage: { inputTokens: 10, outputTokens: 20 },
  parallelism: 1.5,
  transcriptFile: 'transcript.json',
};

describe('JsonReporter', () => {
  it('writes one JSON object per line for every event of a run, and nothing else on stdout', () => {
    const { reporter, stdout } = setup();
    const schedulerEvents: SchedulerEvent[] = [
      ev.queued(shell, 1, { command: 'ls' }),
      ev.approval(shell, 2, { command: 'ls' }),
      ev.conflict(read, 3, ['c1']),
      ev.slot(read, 4, 'subagent'),
      ev.started(shell, 5),
      ev.progress(shell, 6, { progress: 1, total: 2, message: 'half "way"\nthere' }),
      ev.finished(shell, 7),
      ev.finished(read, 8, 'error', 'Error: boom\u001b[2J\r\n\u2028'),
    ];
    const agentEvents: AgentEvent[] = [
      { type: 'step-start', step: 1 },
      { type: 'text-delta', step: 1, text: 'Hello\n{"not": "a record"}\n' },
      { type: 'tool-call', step: 1, call: { id: 'c1', name: 'shell', input: '{"command":"ls"}' } },
      { type: 'tool-result', step: 1, result: result(shell, 'success', 'a\nb') },
      { type: 'step-finish', step: 1, reason: 'tool-calls' },
    ];
    reporter.runStarted('list the files\nplease');
    for (const event of schedulerEvents) reporter.schedulerEvent(event);
    for (const event of agentEvents) reporter.agentEvent(event);
    reporter.approvalAnswered(approvalRequest('c1', 'shell', {}), true);
    reporter.info('human line');
    reporter.warn('careful');
    reporter.runEnded(end);
    reporter.close();

    const lines = records(stdout);
    expect(lines.map((r) => r.event)).toEqual([
      'run.start',
      'call.queued',
      'call.awaiting-approval',
      'call.waiting',
      'call.waiting',
      'call.started',
      'call.progress',
      'call.finished',
      'call.finished',
      'agent.step-start',
      'agent.text-delta',
      'agent.tool-call',
      'agent.tool-result',
      'agent.step-finish',
      'approval',
      'warning',
      'run.end',
    ]);
    // The records carry the events' fields as they were, with `type` replaced by `event`, and a
    // call's input as JSON (models send it as a JSON string).
    schedulerEvents.forEach((event, i) => {
      const { type, ...rest } = event;
      expect(lines[i + 1]).toEqual(JSON.parse(JSON.stringify({ event: `call.${type}`, ...rest })));
    });
    agentEvents.forEach((event, i) => {
      const { type, ...rest } = event;
      const expected =
        event.type === 'tool-call'
          ? { ...rest, call: { ...event.call, input: { command: 'ls' } } }
          : rest;
      expect(lines[i + 9]).toEqual({ event: `agent.${type}`, ...expected });
    });
    expect(lines[0]).toEqual({ event: 'run.start', prompt: 'list the files\nplease' });
    expect(lines[14]).toEqual({ event: 'approval', callId: 'c1', path: [], approved: true });
    expect(lines[15]).toEqual({ event: 'warning', message: 'careful' });
    // How the calls ended, counted from the events, unless the run says.
    expect(lines[16]).toEqual({
      event: 'run.end',
      outcomes: { success: 1, error: 1, denied: 0, cancelled: 0, timeout: 0 },
      ...end,
    });
  });

  it("gives a shell command's exit code on its call.finished record, and counts per prompt", () => {
    const { reporter, stdout } = setup();
    const text = (status: 'success' | 'error', body: string) => ev.finished(shell, 1, status, body);
    reporter.runStarted('first');
    reporter.schedulerEvent(text('error', 'one\ntwo\n[exit code 3]'));
    reporter.schedulerEvent(text('error', 'before\n[killed by signal SIGKILL]'));
    reporter.schedulerEvent(text('success', 'fine\n[exit code 0]'));
    // Another tool's text that looks the same is not a shell command's exit.
    reporter.schedulerEvent(ev.finished(read, 2, 'error', 'x\n[exit code 9]'));
    reporter.schedulerEvent(ev.finished(shell, 3, 'denied', 'Denied: no.'));
    reporter.runEnded(end);
    reporter.runStarted('second');
    reporter.schedulerEvent(ev.finished(shell, 4, 'cancelled', 'Cancelled: cancelled by Ctrl-C.'));
    reporter.runEnded({ ...end, finishReason: 'cancelled', cancelReason: 'cancelled by Ctrl-C' });
    const finished = records(stdout).filter((r) => r.event === 'call.finished');
    expect(finished.map((r) => [r.exitCode, r.signal])).toEqual([
      [3, undefined],
      [null, 'SIGKILL'],
      [0, undefined],
      [undefined, undefined],
      [undefined, undefined],
      [undefined, undefined],
    ]);
    const ends = records(stdout).filter((r) => r.event === 'run.end');
    expect(ends.map((r) => r.outcomes)).toEqual([
      { success: 1, error: 3, denied: 1, cancelled: 0, timeout: 0 },
      { success: 0, error: 0, denied: 0, cancelled: 1, timeout: 0 },
    ]);
    expect(ends[1]).toMatchObject({
      finishReason: 'cancelled',
      cancelReason: 'cancelled by Ctrl-C',
    });
  });

  it("gives a call's input as JSON in every event, and arguments that are not JSON as sent", () => {
    const { reporter, stdout } = setup();
    reporter.schedulerEvent(ev.queued(shell, 0, '{"command":"ls"}'));
    reporter.schedulerEvent(ev.queued(read, 0, '{"path": "a'));
    reporter.agentEvent({
      type: 'tool-call',
      step: 1,
      call: { id: 'c1', name: 'shell', input: '{"command":"ls"}' },
    });
    const [queued, broken, call] = records(stdout);
    expect(queued?.input).toEqual({ command: 'ls' });
    expect(broken?.input).toBe('{"path": "a');
    expect(call?.call).toEqual({ id: 'c1', name: 'shell', input: { command: 'ls' } });
  });

  it('sends human lines to stderr only', () => {
    const { reporter, stdout, stderr } = setup();
    reporter.info('Cancelling: every call gets its result.');
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('Cancelling: every call gets its result.\n');
    reporter.warn('could not save the transcript');
    expect(stderr.text).toContain('salvo: could not save the transcript\n');
    expect(records(stdout)).toEqual([
      { event: 'warning', message: 'could not save the transcript' },
    ]);
  });

  it('close writes nothing', () => {
    const { reporter, stdout, stderr } = setup();
    reporter.close();
    reporter.close();
    expect(stdout.text).toBe('');
    expect(stderr.text).toBe('');
  });

  describe('approval prompts', () => {
    it('asks on stderr once per request at the head of the queue', () => {
      const { reporter, stdout, stderr } = setup();
      const queue: ApprovalQueue = new ApprovalQueue({ onChange: () => reporter.approvals(queue) });
      const controller = new AbortController();
      const ask = (callId: string, toolName: string, input: unknown) =>
        queue.approver({ ...approvalRequest(callId, toolName, input), signal: controller.signal });
      ask('c1', 'shell', { command: 'rm -rf build' });
      ask('c2', 'write_file', { path: 'a.ts' });
      const prompts = () => stderr.text.split('\n').filter(Boolean);
      expect(prompts()).toEqual([
        'salvo: approve shell {"command":"rm -rf build"}? [y] approve [n] deny [a] approve all shell (1 waiting)',
      ]);
      queue.answer('y');
      expect(prompts()).toHaveLength(2);
      expect(prompts()[1]).toBe(
        'salvo: approve write_file {"path":"a.ts"}? [y] approve [n] deny [a] approve all write_file (1 waiting)',
      );
      queue.answer('n');
      expect(prompts()).toHaveLength(2);
      // Prompts are for people: stdout stays machine-readable.
      expect(stdout.text).toBe('');
    });

    it('asks again when a later request reuses a call id (ids repeat across turns)', () => {
      const { reporter, stderr } = setup();
      const queue: ApprovalQueue = new ApprovalQueue({ onChange: () => reporter.approvals(queue) });
      queue.approver(approvalRequest('call_0', 'shell', { command: 'ls' }));
      queue.answer('y');
      // The next turn: some providers number calls per response, so `call_0` comes back.
      queue.approver(approvalRequest('call_0', 'shell', { command: 'pwd' }));
      const prompts = stderr.text.split('\n').filter(Boolean);
      expect(prompts).toHaveLength(2);
      expect(prompts[1]).toContain('{"command":"pwd"}');
    });

    it('hides nothing of the input: escapes, bidi and zero-width characters shown as escapes', () => {
      const { reporter, stderr } = setup();
      const queue: ApprovalQueue = new ApprovalQueue({ onChange: () => reporter.approvals(queue) });
      const command = 'echo ok\u202e\u200b\u009b8m\u001b[8m\nrm -rf ~';
      queue.approver(approvalRequest('c1', 'shell\u001b[8m', { command }));
      expect(stderr.text).toBe(
        'salvo: approve shell {"command":"echo ok\\u202e\\u200b\\u009b8m\\u001b[8m\\nrm -rf ~"}? [y] approve [n] deny [a] approve all shell (1 waiting)\n',
      );
    });

    it('writes nothing for an empty queue', () => {
      const { reporter, stdout, stderr } = setup();
      reporter.approvals(new ApprovalQueue());
      expect(stdout.text).toBe('');
      expect(stderr.text).toBe('');
    });
  });

  it('keeps a line for a call whose error cannot be written as JSON', () => {
    const { reporter, stdout } = setup();
    const cause = new Error('socket hang up') as Error & { self?: unknown; size?: bigint };
    cause.self = cause;
    cause.size = 10n;
    const finished = ev.finished(shell, 10, 'error', 'Error: socket hang up');
    if (finished.type !== 'finished' || !finished.result.error) throw new Error('unexpected');
    finished.result.error.cause = cause;
    reporter.schedulerEvent(finished);
    reporter.agentEvent({ type: 'tool-result', step: 1, result: finished.result });
    reporter.runEnded(end);
    const lines = records(stdout);
    expect(lines.map((r) => r.event)).toEqual(['call.finished', 'agent.tool-result', 'run.end']);
    expect(lines[0]).toMatchObject({
      callId: 'c1',
      result: {
        status: 'error',
        error: {
          message: 'Error: socket hang up',
          // An Error cause keeps its name and message (plain JSON would give `{}`).
          cause: { name: 'Error', message: 'socket hang up' },
        },
      },
    });
  });

  it('still writes the event when a value refuses to be serialized at all', () => {
    const { reporter, stdout } = setup();
    const finished = ev.finished(shell, 10, 'error', 'Error: odd');
    if (finished.type !== 'finished' || !finished.result.error) throw new Error('unexpected');
    finished.result.error.cause = {
      toJSON() {
        throw new Error('no');
      },
    };
    reporter.schedulerEvent(finished);
    expect(records(stdout)).toEqual([
      { event: 'call.finished', callId: 'c1', unserializable: 'no' },
    ]);
  });

  it('property: any text stays one JSON record per line, read back as written', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            kind: fc.constantFrom('text', 'info', 'warn', 'progress', 'prompt'),
            text: fc.string({ unit: 'binary', maxLength: 40 }),
          }),
          { maxLength: 20 },
        ),
        (items) => {
          const { reporter, stdout } = setup();
          const expected: Record<string, unknown>[] = [];
          for (const { kind, text } of items) {
            if (kind === 'text') {
              reporter.agentEvent({ type: 'text-delta', step: 1, text });
              expected.push({ event: 'agent.text-delta', step: 1, text });
            } else if (kind === 'info') {
              reporter.info(text);
            } else if (kind === 'warn') {
              reporter.warn(text);
              expected.push({ event: 'warning', message: text });
            } else if (kind === 'progress') {
              const event = ev.progress(shell, 1, { message: text });
              reporter.schedulerEvent(event);
              const { type, ...rest } = event;
              expected.push({ event: `call.${type}`, ...rest });
            } else {
              reporter.runStarted(text);
              expected.push({ event: 'run.start', prompt: text });
            }
          }
          const lines = records(stdout);
          // Strings with lone surrogates come back as U+FFFD at worst; compare what JSON keeps.
          expect(lines).toEqual(JSON.parse(JSON.stringify(expected)));
        },
      ),
      { numRuns: 200 },
    );
  });
});
