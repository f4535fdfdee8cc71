import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentResult } from '../agent/run-agent.js';
import { scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { type Deferred, deferred, flush } from '../schedule/test-support.js';
import type { SubagentDispatch, SubagentDispatcher } from './subagent-dispatcher.js';
import { SubagentManager, type SubagentManagerOptions } from './subagent-manager.js';
import { taskTool } from './subagent-tools.js';

function resultOf(text: string): AgentResult {
  return {
    text,
    finishReason: 'stop',
    messages: [],
    transcript: [],
    usage: { inputTokens: 1, outputTokens: 2 },
    traces: [],
    stepTraces: [],
    steps: 1,
  };
}

/** A dispatcher the test answers by hand: every dispatch waits for the test. */
function fakeDispatcher() {
  const dispatched: { dispatch: SubagentDispatch; answer: Deferred<AgentResult> }[] = [];
  const dispatcher: SubagentDispatcher = {
    dispatch: (dispatch) => {
      const answer = deferred<AgentResult>();
      dispatched.push({ dispatch, answer });
      return answer.promise;
    },
  };
  return { dispatcher, dispatched };
}

function setup(options: Partial<SubagentManagerOptions> = {}) {
  const fake = fakeDispatcher();
  // The coordinator's own model is never asked: the dispatcher runs every agent.
  const model = scriptedModel({ turns: [] });
  const manager = new SubagentManager({
    model,
    dispatcher: fake.dispatcher,
    runId: 'run1',
    definitions: [{ name: 'reviewer', description: 'reviews', prompt: 'Review.' }],
    ...options,
  });
  const scheduler = new Scheduler({ tools: [taskTool(manager)] });
  manager.attach(scheduler);
  return { ...fake, manager, scheduler };
}

const task = (id: string, prompt: string, agent?: string) => ({
  id,
  name: 'task',
  input: { description: prompt, prompt, ...(agent ? { agent } : {}) },
});

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !check(); i++) await flush(1);
  expect(check()).toBe(true);
}

describe('SubagentManager with a dispatcher', () => {
  it('hands each agent over as plain data with a run:turn:call id, and fills results in call order whatever order they arrive in', async () => {
    const { dispatched, scheduler } = setup();
    const outcome = scheduler.run([
      task('c1', 'one'),
      task('c:2', 'two', 'reviewer'),
      task('c3', 'three'),
    ]);
    await until(() => dispatched.length === 3);
    const tasks = dispatched.map((d) => d.dispatch.task);
    expect(tasks.map((t) => t.prompt)).toEqual(['one', 'two', 'three']);
    expect(tasks[1]?.agent).toBe('reviewer');
    expect(tasks[0]?.agent).toBeUndefined();
    // One id per call, three parts, a `:` inside a call id escaped.
    const ids = tasks.map((t) => t.id);
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id.split(':')).toHaveLength(3);
    expect(ids[0]).toMatch(/^run1:\d+:c1$/);
    expect(ids[1]).toMatch(/^run1:\d+:c%3A2$/);
    // Plain data: it survives JSON as it is (no tools, no functions, no model).
    expect(JSON.parse(JSON.stringify(tasks[1]))).toEqual(tasks[1]);
    for (const d of [...dispatched].reverse()) {
      d.answer.resolve(resultOf(`answer ${d.dispatch.task.prompt}`));
      await flush(2);
    }
    const { results } = await outcome;
    expect(results.map((r) => [r.id, r.status, r.output])).toEqual([
      ['c1', 'success', 'answer one'],
      ['c:2', 'success', 'answer two'],
      ['c3', 'success', 'answer three'],
    ]);
  });

  it('reports the worker that runs an agent as progress of its task call', async () => {
    const { dispatched, manager } = setup();
    const events: string[] = [];
    const scheduler = new Scheduler({
      tools: [taskTool(manager)],
      onEvent: (event) => {
        if (event.type === 'progress' && event.progress.message)
          events.push(event.progress.message);
      },
    });
    manager.attach(scheduler);
    const outcome = scheduler.run([task('c1', 'one')]);
    await until(() => dispatched.length === 1);
    dispatched[0]?.dispatch.progress({ started: true, worker: 'host-b:42' });
    // Events reach listeners on their own schedule, never holding the scheduler up.
    await until(() => events.includes('agent#1 running on host-b:42'));
    dispatched[0]?.answer.resolve(resultOf('done'));
    await outcome;
  });

  it('reaches the dispatcher with the cancel, and reports a result that arrives afterwards as cancelled', async () => {
    const { dispatched, manager } = setup();
    const record = manager.start({ prompt: 'slow', callerPath: [] });
    await until(() => dispatched.length === 1);
    const first = dispatched[0] as (typeof dispatched)[number];
    first.dispatch.progress({ started: true, worker: 'w1', text: 'half' });
    expect(record).toMatchObject({ status: 'running', worker: 'w1', text: 'half' });
    expect(first.dispatch.signal.aborted).toBe(false);
    manager.cancel(record.id, 'stop it');
    expect(first.dispatch.signal.aborted).toBe(true);
    // The late answer and any report after it change nothing.
    first.answer.resolve(resultOf('late answer'));
    await record.done;
    first.dispatch.progress({ text: 'later still', worker: 'w2' });
    expect(record).toMatchObject({
      status: 'cancelled',
      error: 'stop it',
      text: 'half',
      worker: 'w1',
    });
    expect(record.result).toBeUndefined();
    expect(manager.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
  });

  it("aborts every dispatched agent's signal when the turn that started them is cancelled", async () => {
    const { dispatched, scheduler } = setup();
    const controller = new AbortController();
    const outcome = scheduler.run([task('c1', 'one'), task('c2', 'two')], {
      signal: controller.signal,
    });
    await until(() => dispatched.length === 2);
    controller.abort(new Error('user pressed Ctrl-C'));
    expect(dispatched.every((d) => d.dispatch.signal.aborted)).toBe(true);
    for (const d of dispatched) d.answer.resolve(resultOf('too late'));
    const { results } = await outcome;
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('gives a dispatcher that takes slots no more than maxConcurrent at once, first come first served', async () => {
    const { dispatched, manager } = setup({ maxConcurrent: 1 });
    const a = manager.start({ prompt: 'a', callerPath: [] });
    const b = manager.start({ prompt: 'b', callerPath: [] });
    await until(() => dispatched.length === 2);
    const [first, second] = dispatched as [(typeof dispatched)[0], (typeof dispatched)[0]];
    const releaseA = await first.dispatch.takeSlot();
    let bHeld = false;
    const bSlot = second.dispatch.takeSlot().then((release) => {
      bHeld = true;
      return release;
    });
    await flush(5);
    expect([a.status, b.status, bHeld]).toEqual(['running', 'queued', false]);
    releaseA();
    first.answer.resolve(resultOf('a done'));
    (await bSlot)();
    expect(b.status).toBe('running');
    second.answer.resolve(resultOf('b done'));
    await Promise.all([a.done, b.done]);
    expect([a.text, b.text]).toEqual(['a done', 'b done']);
  });

  it('stops waiting for a slot when the agent is cancelled', async () => {
    const { dispatched, manager } = setup({ maxConcurrent: 1 });
    manager.start({ prompt: 'a', callerPath: [] });
    const b = manager.start({ prompt: 'b', callerPath: [] });
    await until(() => dispatched.length === 2);
    await dispatched[0]?.dispatch.takeSlot();
    const waiting = dispatched[1]?.dispatch.takeSlot();
    manager.cancel(b.id, 'not needed');
    await expect(waiting).rejects.toThrow('not needed');
  });

  it('property: whatever order answers and cancels arrive in, one result per call in call order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }).chain((n) =>
          fc.record({
            order: fc.shuffledSubarray([...Array(n).keys()], { minLength: n, maxLength: n }),
            cancelled: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
            repeats: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
          }),
        ),
        async ({ order, cancelled, repeats }) => {
          const { dispatched, scheduler, manager } = setup({ maxConcurrent: 8 });
          const calls = order.map((_, i) => task(`c${i}`, `p${i}`));
          const outcome = scheduler.run(calls);
          await until(() => dispatched.length === calls.length);
          for (const i of order) {
            const d = dispatched.find((x) => x.dispatch.task.prompt === `p${i}`);
            if (!d) throw new Error(`p${i} was not dispatched`);
            if (cancelled[i]) {
              const record = manager.agents().find((a) => a.prompt === `p${i}`);
              manager.cancel(record?.id ?? '', 'cancelled');
            }
            d.answer.resolve(resultOf(`answer ${i}`));
            // A second answer and a late report change nothing.
            if (repeats[i]) {
              d.answer.resolve(resultOf(`again ${i}`));
              d.dispatch.progress({ text: `late ${i}` });
            }
            await flush(1);
          }
          const { results } = await outcome;
          expect(results.map((r) => r.id)).toEqual(calls.map((c) => c.id));
          results.forEach((r, i) => {
            if (cancelled[i]) expect(r.status).not.toBe('success');
            else expect([r.status, r.output]).toEqual(['success', `answer ${i}`]);
          });
        },
      ),
      { numRuns: 40 },
    );
  });

  it('refuses a dispatcher that is not one', () => {
    expect(
      () =>
        new SubagentManager({
          model: scriptedModel({ turns: [] }),
          dispatcher: {} as SubagentDispatcher,
        }),
    ).toThrow(/dispatcher/);
  });
});
