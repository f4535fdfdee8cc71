import fc from 'fast-check';
import { describe, expect, it, vi } from 'vitest';
import type { ApprovalRequest, ApprovalResponse } from '../approval/approval.js';
import {
  ApprovalQueue,
  approvalKeys,
  deniedByUser,
  maxReasonLength,
  reasonKeys,
} from './approval-queue.js';
import { PermissionRules } from './permissions/permission-rules.js';

interface Asked {
  request: ApprovalRequest;
  controller: AbortController;
  /** The approver's answer once it has settled (`undefined` until then). */
  response: () => ApprovalResponse | undefined;
  /** How many times the answer arrived (a promise settles once: this checks nobody re-asks). */
  settlements: () => number;
  done: Promise<ApprovalResponse>;
}

let ids = 0;

/** Asks `queue` about one call of `toolName` and records the answer when it comes. */
function ask(
  queue: ApprovalQueue,
  toolName: string,
  options: {
    callId?: string;
    path?: readonly string[];
    input?: unknown;
    aborted?: boolean;
    claims?: ApprovalRequest['claims'];
  } = {},
): Asked {
  const controller = new AbortController();
  if (options.aborted) controller.abort();
  const request: ApprovalRequest = {
    callId: options.callId ?? `call_${++ids}`,
    toolName,
    input: options.input ?? { n: ids },
    claims: options.claims ?? [],
    path: options.path ?? [],
    signal: controller.signal,
  };
  let response: ApprovalResponse | undefined;
  let settlements = 0;
  const done = Promise.resolve(queue.approver(request)).then((r) => {
    response = r;
    settlements++;
    return r;
  });
  return {
    request,
    controller,
    response: () => response,
    settlements: () => settlements,
    done,
  };
}

/** Lets every settled approval deliver its answer (a macrotask: all microtasks ran before). */
const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

const decision = (r: ApprovalResponse | undefined) =>
  r === undefined ? undefined : typeof r === 'string' ? r : r.decision;

const pendingIds = (queue: ApprovalQueue) => queue.pending.map((p) => p.request.callId);

/** `n`, then Enter with no reason: a plain denial. */
function deny(queue: ApprovalQueue): boolean {
  return queue.answer('n') && queue.answer(reasonKeys.enter);
}

/** Types text as keys, one character at a time. */
function type(queue: ApprovalQueue, text: string): void {
  for (const key of text) queue.answer(key);
}

const shellInput = (command: string) => ({ input: { command } });

describe('ApprovalQueue', () => {
  it("'a' leaves alone a call of the tool that a callback cancelled meanwhile", async () => {
    const answered: string[] = [];
    let second: Asked | undefined;
    const queue = new ApprovalQueue({
      onAnswer: (request) => {
        answered.push(request.callId);
        second?.controller.abort(); // the first answer cancels the second call
      },
    });
    const first = ask(queue, 'shell', { callId: 'one', ...shellInput('npm test') });
    second = ask(queue, 'shell', { callId: 'two', ...shellInput('npm test') });
    expect(queue.answer('a')).toBe(true);
    await flush();
    expect(decision(first.response())).toBe('approve');
    expect(second.response()).toEqual({ decision: 'deny', reason: 'withdrawn' });
    expect(answered).toEqual(['one']);
    expect(queue.counts).toEqual({ approved: 1, denied: 0 });
  });

  it('keeps a request waiting, oldest first, stamped with the injected clock', async () => {
    let now = 100;
    const onChange = vi.fn();
    const queue = new ApprovalQueue({ onChange, now: () => now });
    const first = ask(queue, 'shell');
    now = 250;
    const second = ask(queue, 'write_file');
    await flush();
    expect(first.response()).toBeUndefined();
    expect(second.response()).toBeUndefined();
    expect(queue.pending.map((p) => p.request)).toEqual([first.request, second.request]);
    expect(queue.pending.map((p) => p.since)).toEqual([100, 250]);
    expect(onChange).toHaveBeenCalledTimes(2);
    expect(queue.counts).toEqual({ approved: 0, denied: 0 });
  });

  it('shows the new request to onChange already in the queue', () => {
    const seen: string[][] = [];
    const queue: ApprovalQueue = new ApprovalQueue({
      onChange: () => seen.push(pendingIds(queue)),
    });
    ask(queue, 'shell', { callId: 'a' });
    ask(queue, 'shell', { callId: 'b' });
    expect(seen).toEqual([['a'], ['a', 'b']]);
  });

  it('y approves the oldest request only', async () => {
    const onAnswer = vi.fn();
    const queue = new ApprovalQueue({ onAnswer });
    const first = ask(queue, 'shell');
    const second = ask(queue, 'shell');
    expect(queue.answer(approvalKeys.approve)).toBe(true);
    await flush();
    expect(first.response()).toBe('approve');
    expect(second.response()).toBeUndefined();
    expect(queue.pending.map((p) => p.request)).toEqual([second.request]);
    expect(onAnswer).toHaveBeenCalledExactlyOnceWith(first.request, true);
    expect(queue.counts).toEqual({ approved: 1, denied: 0 });
    expect(queue.rules.rules).toEqual([]);
  });

  it('n then Enter without a reason denies the oldest request with a line the model can read', async () => {
    const onAnswer = vi.fn();
    const queue = new ApprovalQueue({ onAnswer });
    const first = ask(queue, 'shell');
    const second = ask(queue, 'shell');
    expect(queue.answer('n')).toBe(true);
    await flush();
    // Not denied yet: the reason is being typed.
    expect(first.response()).toBeUndefined();
    expect(queue.reason).toEqual({ request: first.request, text: '', withdrawn: false });
    expect(queue.answer(reasonKeys.enter)).toBe(true);
    await flush();
    expect(first.response()).toEqual({ decision: 'deny', reason: deniedByUser });
    expect(second.response()).toBeUndefined();
    expect(queue.reason).toBeUndefined();
    expect(onAnswer).toHaveBeenCalledExactlyOnceWith(first.request, false);
    expect(queue.counts).toEqual({ approved: 0, denied: 1 });
  });

  describe('n: deny with a reason', () => {
    it('sends what was typed, y, n and a included, as the model reads it', async () => {
      const onChange = vi.fn();
      const queue = new ApprovalQueue({ onChange });
      const first = ask(queue, 'shell', shellInput('npm install'));
      const second = ask(queue, 'shell');
      queue.answer('n');
      onChange.mockClear();
      type(queue, 'use pnpm, not yarn anyway');
      expect(queue.reason?.text).toBe('use pnpm, not yarn anyway');
      // Every keystroke redraws the prompt; none answers anything.
      expect(onChange).toHaveBeenCalledTimes('use pnpm, not yarn anyway'.length);
      expect(queue.pending).toHaveLength(2);
      expect(queue.answer('\r')).toBe(true);
      await flush();
      expect(first.response()).toEqual({
        decision: 'deny',
        reason: 'The user denied this call: use pnpm, not yarn anyway',
      });
      expect(second.response()).toBeUndefined();
      expect(queue.rules.rules).toEqual([]);
    });

    it('edits the reason: Backspace, Ctrl-W, Ctrl-U; drops keys that are not text', () => {
      const queue = new ApprovalQueue();
      ask(queue, 'shell');
      queue.answer('n');
      type(queue, 'use  pnpmx');
      queue.answer(reasonKeys.backspace);
      expect(queue.reason?.text).toBe('use  pnpm');
      queue.answer(reasonKeys.deleteWord);
      expect(queue.reason?.text).toBe('use  ');
      for (const key of ['\u0007', '\t', '\u200b', '\u202e', '\u2028', '\u0000']) {
        expect(queue.answer(key)).toBe(false);
      }
      expect(queue.reason?.text).toBe('use  ');
      type(queue, 'ça 😀');
      expect(queue.reason?.text).toBe('use  ça 😀');
      queue.answer(reasonKeys.backspace);
      expect(queue.reason?.text).toBe('use  ça ');
      queue.answer(reasonKeys.clearLine);
      expect(queue.reason?.text).toBe('');
    });

    it('Esc sends no reason, whatever was typed', async () => {
      const queue = new ApprovalQueue();
      const first = ask(queue, 'shell');
      queue.answer('n');
      type(queue, 'half a thought');
      expect(queue.answer(reasonKeys.escape)).toBe(true);
      await flush();
      expect(first.response()).toEqual({ decision: 'deny', reason: deniedByUser });
    });

    it('keeps at most the longest reason, trimmed', async () => {
      const queue = new ApprovalQueue();
      const first = ask(queue, 'shell');
      queue.answer('n');
      type(queue, `  ${'x'.repeat(maxReasonLength + 50)}`);
      expect([...(queue.reason?.text ?? '')]).toHaveLength(maxReasonLength);
      queue.answer(reasonKeys.enter);
      await flush();
      const response = first.response();
      expect(
        typeof response === 'object' && response.reason?.endsWith('x'.repeat(maxReasonLength - 2)),
      ).toBe(true);
    });

    it('a call cancelled while its reason is typed: keys stay text until Enter or Esc, then the next request is asked', async () => {
      const onAnswer = vi.fn();
      const queue = new ApprovalQueue({ onAnswer });
      const first = ask(queue, 'shell');
      const second = ask(queue, 'shell');
      queue.answer('n');
      type(queue, 'no');
      first.controller.abort();
      expect(queue.reason).toEqual({ request: first.request, text: 'no', withdrawn: true });
      // A `y` meant as text can never approve the next request.
      expect(queue.answer('y')).toBe(false);
      expect(queue.answer(reasonKeys.enter)).toBe(true);
      await flush();
      expect(first.response()).toEqual({ decision: 'deny', reason: 'withdrawn' });
      expect(second.response()).toBeUndefined();
      expect(queue.reason).toBeUndefined();
      expect(onAnswer).not.toHaveBeenCalled();
      expect(queue.answer('y')).toBe(true);
      await flush();
      expect(second.response()).toBe('approve');
    });

    it('denyAll ends the reason too', async () => {
      const queue = new ApprovalQueue();
      const first = ask(queue, 'shell');
      queue.answer('n');
      type(queue, 'wait');
      queue.denyAll('The user cancelled the run.');
      await flush();
      expect(first.response()).toEqual({ decision: 'deny', reason: 'The user cancelled the run.' });
      expect(queue.reason).toBeUndefined();
      expect(queue.answer('y')).toBe(false);
    });
  });

  it('accepts upper-case keys', async () => {
    const queue = new ApprovalQueue();
    const first = ask(queue, 'shell');
    const second = ask(queue, 'shell');
    const third = ask(queue, 'edit');
    expect(queue.answer('Y')).toBe(true);
    expect(queue.answer('N')).toBe(true);
    expect(queue.answer(reasonKeys.enter)).toBe(true);
    expect(queue.answer('A')).toBe(true);
    await flush();
    expect([first, second, third].map((a) => decision(a.response()))).toEqual([
      'approve',
      'deny',
      'approve',
    ]);
    expect(queue.rules.rules).toEqual([{ kind: 'tool', name: 'edit' }]);
  });

  it('ignores other keys and an empty queue, without touching anything', async () => {
    const onChange = vi.fn();
    const onAnswer = vi.fn();
    const queue = new ApprovalQueue({ onChange, onAnswer });
    for (const key of ['y', 'n', 'a']) expect(queue.answer(key)).toBe(false);
    const waiting = ask(queue, 'shell');
    onChange.mockClear();
    for (const key of ['x', 'yes', 'no', '', ' ', '\r', 'q', '1']) {
      expect(queue.answer(key)).toBe(false);
    }
    await flush();
    expect(waiting.response()).toBeUndefined();
    expect(queue.pending).toHaveLength(1);
    expect(onChange).not.toHaveBeenCalled();
    expect(onAnswer).not.toHaveBeenCalled();
    expect(queue.counts).toEqual({ approved: 0, denied: 0 });
  });

  it('answers several waiting approvals one at a time, in the order they came', async () => {
    const queue = new ApprovalQueue();
    const asked = ['shell', 'write_file', 'shell', 'fetch'].map((tool) => ask(queue, tool));
    const heads: string[] = [];
    for (const key of ['n', 'y', 'y', 'n']) {
      heads.push(queue.pending[0]?.request.callId ?? '');
      if (key === 'n') deny(queue);
      else queue.answer(key);
    }
    await flush();
    expect(heads).toEqual(asked.map((a) => a.request.callId));
    expect(asked.map((a) => decision(a.response()))).toEqual([
      'deny',
      'approve',
      'approve',
      'deny',
    ]);
    expect(queue.pending).toHaveLength(0);
    expect(queue.counts).toEqual({ approved: 2, denied: 2 });
  });

  describe('a: approve and add the scoped rule the prompt shows', () => {
    it('for a shell command, its prefix: approves the waiting calls it covers, leaving the others in order', async () => {
      const onAnswer = vi.fn();
      const onChange = vi.fn();
      const queue = new ApprovalQueue({ onAnswer, onChange });
      const s1 = ask(queue, 'shell', shellInput('npm test'));
      const w1 = ask(queue, 'write_file');
      const s2 = ask(queue, 'shell', { path: ['reviewer#1'], ...shellInput('npm test -- -u') });
      const s3 = ask(queue, 'shell', shellInput('npm test; rm -rf ~'));
      const s4 = ask(queue, 'shell', shellInput('npm run build'));
      expect(queue.proposal()).toEqual({
        ok: true,
        rules: [{ kind: 'shell', words: ['npm', 'test'] }],
        label: 'always allow "npm test …"',
      });
      onChange.mockClear();
      expect(queue.answer('a')).toBe(true);
      await flush();
      for (const s of [s1, s2]) expect(s.response()).toBe('approve');
      for (const s of [w1, s3, s4]) expect(s.response()).toBeUndefined();
      expect(queue.pending.map((p) => p.request)).toEqual([w1.request, s3.request, s4.request]);
      expect(queue.rules.list()).toEqual(['1. shell: npm test …']);
      expect(onAnswer.mock.calls).toEqual([
        [s1.request, true],
        [s2.request, true],
      ]);
      expect(onChange).toHaveBeenCalled();
      expect(queue.counts).toEqual({ approved: 2, denied: 0 });
    });

    it('tells onRuleAdded what was granted, once per a; y adds nothing and tells nothing', async () => {
      const onRuleAdded = vi.fn();
      const queue = new ApprovalQueue({ onRuleAdded });
      const s1 = ask(queue, 'shell', shellInput('npm test'));
      const s2 = ask(queue, 'shell', shellInput('git status --short'));
      expect(queue.answer('a')).toBe(true);
      expect(onRuleAdded.mock.calls).toEqual([
        [
          'Rule added: always allow "npm test …" (/permissions lists and revokes rules, /permissions save keeps them)',
        ],
      ]);
      expect(queue.answer('y')).toBe(true);
      await flush();
      expect([s1.response(), s2.response()]).toEqual(['approve', 'approve']);
      expect(onRuleAdded).toHaveBeenCalledTimes(1);
      // A display that throws keeps the answer and the rule.
      const throwing = new ApprovalQueue({
        onRuleAdded: () => {
          throw new Error('display broke');
        },
      });
      const s3 = ask(throwing, 'shell', shellInput('npm test'));
      expect(throwing.answer('a')).toBe(true);
      await flush();
      expect(s3.response()).toBe('approve');
      expect(throwing.rules.list()).toEqual(['1. shell: npm test …']);
    });

    it('approves later calls the rule covers at once, without queueing them', async () => {
      const onChange = vi.fn();
      const onAnswer = vi.fn();
      const queue = new ApprovalQueue({ onChange, onAnswer });
      ask(queue, 'shell', shellInput('git commit -m one'));
      queue.answer('a');
      onChange.mockClear();
      onAnswer.mockClear();
      const controller = new AbortController();
      const direct = queue.approver({
        callId: 'later',
        toolName: 'shell',
        input: { command: 'git commit -am two' },
        claims: [],
        path: ['sub#2'],
        signal: controller.signal,
      });
      // Synchronous: a call a rule covers never waits behind the prompt.
      expect(direct).toBe('approve');
      const other = ask(queue, 'shell', shellInput('git push'));
      await flush();
      expect(other.response()).toBeUndefined();
      expect(queue.pending.map((p) => p.request)).toEqual([other.request]);
      expect(onChange).toHaveBeenCalledTimes(1); // only for git push
      expect(onAnswer).not.toHaveBeenCalled();
      expect(queue.counts).toEqual({ approved: 2, denied: 0 });
    });

    it('is not an answer where no rule can be made, and says why', async () => {
      const onChange = vi.fn();
      const queue = new ApprovalQueue({ onChange });
      const asked = ask(queue, 'shell', shellInput('rm -rf build'));
      onChange.mockClear();
      expect(queue.proposal()).toEqual({
        ok: false,
        reason: '`rm` can delete or overwrite any file: approve each such command once',
      });
      expect(queue.answer('a')).toBe(false);
      await flush();
      expect(asked.response()).toBeUndefined();
      expect(queue.rules.rules).toEqual([]);
      expect(onChange).not.toHaveBeenCalled();
    });

    it('uses the rules it is given: saved rules approve at once, edits by the workspace', async () => {
      const rules = new PermissionRules();
      rules.add([{ kind: 'shell', words: ['npm', 'test'] }]);
      const queue = new ApprovalQueue({ rules });
      expect(queue.rules).toBe(rules);
      expect(ask(queue, 'shell', shellInput('npm test')).request).toBeDefined();
      await flush();
      expect(queue.pending).toHaveLength(0);
      // No workspace: no edit rule.
      ask(queue, 'edit_file', { input: { path: 'a.ts', old_string: 'a', new_string: 'b' } });
      expect(queue.proposal()).toMatchObject({ ok: false });
      expect(queue.answer('a')).toBe(false);
    });

    it('a y does not add a rule', async () => {
      const queue = new ApprovalQueue();
      ask(queue, 'shell', shellInput('npm test'));
      queue.answer('y');
      const second = ask(queue, 'shell', shellInput('npm test'));
      await flush();
      expect(second.response()).toBeUndefined();
      expect(queue.rules.rules).toEqual([]);
    });

    it('a rule check that throws asks rather than approves', async () => {
      const rules = new PermissionRules();
      rules.covers = () => {
        throw new Error('broken');
      };
      const queue = new ApprovalQueue({ rules });
      const asked = ask(queue, 'shell', shellInput('npm test'));
      await flush();
      expect(asked.response()).toBeUndefined();
      expect(queue.pending).toHaveLength(1);
    });
  });

  describe('unattended', () => {
    const reason = 'Not run: nobody to ask.';

    it('denies at once with the configured reason, telling onUnattended each time', async () => {
      const onUnattended = vi.fn();
      const onChange = vi.fn();
      const onAnswer = vi.fn();
      const queue = new ApprovalQueue({ unattended: reason, onUnattended, onChange, onAnswer });
      const controller = new AbortController();
      const request: ApprovalRequest = {
        callId: 'c1',
        toolName: 'shell',
        input: {},
        claims: [],
        path: [],
        signal: controller.signal,
      };
      expect(queue.approver(request)).toEqual({ decision: 'deny', reason });
      const second = ask(queue, 'write_file');
      await flush();
      expect(second.response()).toEqual({ decision: 'deny', reason });
      expect(onUnattended.mock.calls).toEqual([[request], [second.request]]);
      expect(queue.pending).toHaveLength(0);
      expect(onChange).not.toHaveBeenCalled();
      expect(onAnswer).not.toHaveBeenCalled();
      expect(queue.counts).toEqual({ approved: 0, denied: 2 });
      expect(queue.answer('y')).toBe(false);
    });

    it('keeps the answer when onUnattended throws', async () => {
      const queue = new ApprovalQueue({
        unattended: reason,
        onUnattended: () => {
          throw new Error('display broke');
        },
      });
      const asked = ask(queue, 'shell');
      await flush();
      expect(asked.response()).toEqual({ decision: 'deny', reason });
    });
  });

  describe('a call cancelled while it waits', () => {
    it('leaves the queue, is withdrawn, and is never approved afterwards', async () => {
      const onChange = vi.fn();
      const onAnswer = vi.fn();
      const queue = new ApprovalQueue({ onChange, onAnswer });
      const first = ask(queue, 'shell');
      const second = ask(queue, 'shell');
      onChange.mockClear();
      first.controller.abort();
      expect(queue.pending.map((p) => p.request)).toEqual([second.request]);
      expect(onChange).toHaveBeenCalledTimes(1);
      // `y` now answers the next call, not the withdrawn one; `a` cannot reach it either.
      expect(queue.answer('y')).toBe(true);
      ask(queue, 'shell', shellInput('npm test'));
      queue.answer('a');
      await flush();
      expect(first.response()).toEqual({ decision: 'deny', reason: 'withdrawn' });
      expect(first.settlements()).toBe(1);
      expect(second.response()).toBe('approve');
      expect(onAnswer.mock.calls.map(([r]) => r)).not.toContain(first.request);
      // Withdrawn calls are neither approved nor denied by the user.
      expect(queue.counts).toEqual({ approved: 2, denied: 0 });
    });

    it('a request whose signal is already aborted never enters the queue', async () => {
      const onChange = vi.fn();
      const queue = new ApprovalQueue({ onChange });
      const asked = ask(queue, 'shell', { aborted: true });
      expect(queue.pending).toHaveLength(0);
      expect(queue.answer('y')).toBe(false);
      await flush();
      expect(asked.response()).toEqual({ decision: 'deny', reason: 'withdrawn' });
      expect(onChange).not.toHaveBeenCalled();
    });

    it('an abort after the answer changes nothing', async () => {
      const onChange = vi.fn();
      const queue = new ApprovalQueue({ onChange });
      const first = ask(queue, 'shell');
      const second = ask(queue, 'shell');
      queue.answer('y');
      onChange.mockClear();
      first.controller.abort();
      await flush();
      expect(first.response()).toBe('approve');
      expect(queue.pending.map((p) => p.request)).toEqual([second.request]);
      expect(onChange).not.toHaveBeenCalled();
    });
  });

  it('denyAll denies everything waiting with the reason', async () => {
    const onChange = vi.fn();
    const queue = new ApprovalQueue({ onChange });
    const asked = [ask(queue, 'shell'), ask(queue, 'edit'), ask(queue, 'shell')];
    onChange.mockClear();
    queue.denyAll('The user cancelled the run.');
    await flush();
    for (const a of asked) {
      expect(a.response()).toEqual({ decision: 'deny', reason: 'The user cancelled the run.' });
    }
    expect(queue.pending).toHaveLength(0);
    expect(onChange).toHaveBeenCalledTimes(3);
    expect(queue.counts).toEqual({ approved: 0, denied: 3 });
    // Their signals may abort later: nothing happens twice.
    for (const a of asked) a.controller.abort();
    await flush();
    expect(onChange).toHaveBeenCalledTimes(3);
  });

  it('keeps answers when onChange and onAnswer throw', async () => {
    const queue = new ApprovalQueue({
      onChange: () => {
        throw new Error('render failed');
      },
      onAnswer: () => {
        throw new Error('render failed');
      },
    });
    const first = ask(queue, 'shell');
    const second = ask(queue, 'shell', shellInput('npm test'));
    expect(queue.pending).toHaveLength(2);
    expect(deny(queue)).toBe(true);
    expect(queue.answer('a')).toBe(true);
    await flush();
    expect(decision(first.response())).toBe('deny');
    expect(second.response()).toBe('approve');
    expect(queue.pending).toHaveLength(0);
  });

  describe('property: random requests, answers, reasons and cancellations', () => {
    /** Commands and the rule each needs (`undefined`: none can be made). */
    const commands: Record<string, string | undefined> = {
      'npm test': 'npm test',
      'npm test -- -x': 'npm test',
      'git commit -m x': 'git commit',
      'rm -rf x': undefined,
      'npm test; rm -rf x': undefined,
    };
    type Op =
      | {
          kind: 'request';
          tool: string;
          command: string;
          path: readonly string[];
          aborted: boolean;
        }
      | { kind: 'answer'; key: string }
      | { kind: 'abort'; target: number };

    const opArb: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 4,
        arbitrary: fc.record({
          kind: fc.constant('request' as const),
          tool: fc.constantFrom('shell', 'shell', 'edit', 'fetch'),
          command: fc.constantFrom(...Object.keys(commands)),
          path: fc.constantFrom([], ['sub#1']),
          aborted: fc.integer({ min: 0, max: 9 }).map((n) => n === 0),
        }),
      },
      {
        weight: 5,
        arbitrary: fc.record({
          kind: fc.constant('answer' as const),
          key: fc.constantFrom('y', 'n', 'a', 'Y', 'A', 'x', '\r', '\u001b'),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('abort' as const),
          target: fc.nat({ max: 40 }),
        }),
      },
    );

    it('settles each request once, approves only what the user allowed, shows only unsettled requests', async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), async (ops) => {
          const answered = new Map<string, boolean[]>();
          const queue: ApprovalQueue = new ApprovalQueue({
            onAnswer: (request, approved) => {
              const list = answered.get(request.callId) ?? [];
              list.push(approved);
              answered.set(request.callId, list);
            },
            onChange: () => {
              // Whenever the display looks, no settled request is on show.
              for (const p of queue.pending) expect(settledNow.has(p.request.callId)).toBe(false);
            },
          });
          const asked: Asked[] = [];
          /** Requests whose answer was given, synchronously known (before the promise delivers). */
          const settledNow = new Set<string>();
          /** Why a request may be approved: `y` on it, or `a` / a rule covering it. */
          const allowed = new Set<string>();
          const deniedByKey = new Set<string>();
          const withdrawn = new Set<string>();
          /** The model of the rules: tool names, and shell prefixes. */
          const ruleTools = new Set<string>();
          const rulePrefixes = new Set<string>();
          let draft: string | undefined;
          const covered = (a: Asked) => {
            const { toolName, input } = a.request;
            if (toolName !== 'shell') return ruleTools.has(toolName);
            const prefix = commands[(input as { command: string }).command];
            return prefix !== undefined && rulePrefixes.has(prefix);
          };

          for (const op of ops) {
            if (op.kind === 'request') {
              const a = ask(queue, op.tool, {
                path: op.path,
                aborted: op.aborted,
                input: { command: op.command },
              });
              asked.push(a);
              if (covered(a)) {
                allowed.add(a.request.callId);
                settledNow.add(a.request.callId);
              } else if (op.aborted) {
                withdrawn.add(a.request.callId);
                settledNow.add(a.request.callId);
              }
            } else if (op.kind === 'answer') {
              const head = queue.pending[0];
              const key = op.key.toLowerCase();
              const before = [...queue.pending];
              const accepted = queue.answer(op.key);
              if (draft !== undefined) {
                // While a reason is typed, only Enter and Esc answer; the rest is text.
                const ends = key === '\r' || key === '\u001b';
                expect(accepted).toBe(ends);
                if (ends) {
                  if (!settledNow.has(draft)) {
                    deniedByKey.add(draft);
                    settledNow.add(draft);
                  }
                  draft = undefined;
                }
                continue;
              }
              if (!head) {
                expect(accepted).toBe(false);
                continue;
              }
              const command = (head.request.input as { command: string }).command;
              const canAlways =
                head.request.toolName !== 'shell' || commands[command] !== undefined;
              expect(accepted).toBe(key === 'y' || key === 'n' || (key === 'a' && canAlways));
              if (!accepted) continue;
              if (key === 'y') {
                allowed.add(head.request.callId);
                settledNow.add(head.request.callId);
              } else if (key === 'n') {
                draft = head.request.callId;
              } else {
                if (head.request.toolName === 'shell')
                  rulePrefixes.add(commands[command] as string);
                else ruleTools.add(head.request.toolName);
                allowed.add(head.request.callId);
                settledNow.add(head.request.callId);
                for (const p of before) {
                  const entry = asked.find((a) => a.request === p.request) as Asked;
                  if (!covered(entry)) continue;
                  allowed.add(p.request.callId);
                  settledNow.add(p.request.callId);
                }
              }
            } else {
              const target = asked[op.target % Math.max(1, asked.length)];
              if (!target) continue;
              const id = target.request.callId;
              if (!settledNow.has(id)) {
                withdrawn.add(id);
                settledNow.add(id);
              }
              target.controller.abort();
            }
            // The queue holds exactly the unsettled requests, in the order they came.
            expect(pendingIds(queue)).toEqual(
              asked.map((a) => a.request.callId).filter((id) => !settledNow.has(id)),
            );
            expect(queue.reason?.request.callId).toBe(draft);
          }

          await flush();
          // Those still waiting are answered by a cancel; then every request has its one answer.
          const stillWaiting = new Set(pendingIds(queue));
          queue.denyAll('cancelled');
          await flush();
          for (const a of asked) {
            const id = a.request.callId;
            expect(a.settlements()).toBe(1);
            const got = decision(a.response());
            if (got === 'approve') expect(allowed.has(id)).toBe(true);
            if (allowed.has(id)) expect(got).toBe('approve');
            if (deniedByKey.has(id)) {
              expect(a.response()).toMatchObject({
                decision: 'deny',
                reason: expect.stringMatching(/^The user denied this call[.:]/),
              });
            }
            if (withdrawn.has(id)) {
              expect(a.response()).toEqual({ decision: 'deny', reason: 'withdrawn' });
              expect(answered.has(id)).toBe(false);
            }
            if (stillWaiting.has(id)) {
              expect(a.response()).toEqual({ decision: 'deny', reason: 'cancelled' });
            }
            // The user's answers reach onAnswer once, and say what the call got.
            const told = answered.get(id) ?? [];
            expect(told.length).toBeLessThanOrEqual(1);
            if (told.length === 1) expect(told[0]).toBe(got === 'approve');
          }
          expect(queue.pending).toHaveLength(0);
          const approved = asked.filter((a) => decision(a.response()) === 'approve').length;
          const denied = asked.length - approved - withdrawn.size;
          expect(queue.counts).toEqual({ approved, denied });
        }),
        { numRuns: 300 },
      );
    });
  });
});

describe('ApprovalQueue: edits of one file', () => {
  const write = (file: string) => [{ key: `fs:/repo/${file}`, mode: 'write' as const }];

  it('asks about an edit only once the earlier edit of its file has run, so its diff is true', async () => {
    const queue = new ApprovalQueue();
    const first = ask(queue, 'edit_file', { callId: 'e1', claims: write('a.ts') });
    const second = ask(queue, 'write_file', { callId: 'e2', claims: write('a.ts') });
    const other = ask(queue, 'edit_file', { callId: 'e3', claims: write('b.ts') });
    // The second edit of a.ts is not asked about yet; the edit of b.ts is.
    expect(queue.pending.map((e) => e.request.callId)).toEqual(['e1', 'e3']);
    queue.answer('y');
    await first.done;
    // Approved but not run: the second still waits to be asked.
    expect(queue.pending.map((e) => e.request.callId)).toEqual(['e3']);
    queue.callSettled('e1');
    expect(queue.pending.map((e) => e.request.callId)).toEqual(['e3', 'e2']);
    expect(second.response()).toBeUndefined();
    expect(other.response()).toBeUndefined();
  });

  it('a denied or cancelled earlier edit lets the next one be asked at once', async () => {
    const queue = new ApprovalQueue();
    const first = ask(queue, 'edit_file', { callId: 'e1', claims: write('a.ts') });
    const second = ask(queue, 'edit_file', { callId: 'e2', claims: write('a.ts') });
    const third = ask(queue, 'edit_file', { callId: 'e3', claims: write('a.ts') });
    queue.answer('n');
    queue.answer(reasonKeys.escape);
    await first.done;
    expect(queue.pending.map((e) => e.request.callId)).toEqual(['e2']);
    queue.answer('y');
    await second.done;
    expect(queue.pending).toHaveLength(0);
    // Cancelled before it finished: it never reports, and nothing waits for it.
    second.controller.abort();
    expect(queue.pending.map((e) => e.request.callId)).toEqual(['e3']);
    third.controller.abort();
    await third.done;
    expect(queue.pending).toHaveLength(0);
  });

  it('an edit waiting its turn is denied with the rest when the run is cancelled', async () => {
    const queue = new ApprovalQueue();
    ask(queue, 'edit_file', { callId: 'e1', claims: write('a.ts') });
    const second = ask(queue, 'edit_file', { callId: 'e2', claims: write('a.ts') });
    queue.denyAll('cancelled');
    await expect(second.done).resolves.toMatchObject({ decision: 'deny' });
  });
});
