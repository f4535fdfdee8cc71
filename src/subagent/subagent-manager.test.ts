import { describe, expect, it, vi } from 'vitest';
import { z } from 'zod';
import type { AgentMessage, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import type { ApprovalRequest } from '../approval/approval.js';
import { Scheduler, type SchedulerOptions } from '../schedule/scheduler.js';
import { barrier, deferred, untilAborted } from '../schedule/test-support.js';
import { defineTool, type Tool } from '../tool/define-tool.js';
import type { TurnTrace } from '../trace/call-trace.js';
import { summarizeRun } from '../trace/summarize-run.js';
import { SubagentManager, type SubagentManagerOptions } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One scripted model for every agent: its answer depends on the agent's prompt. A prompt
 * `call:<tool>[:<json>]` calls that tool once, then answers `done <prompt>`; `task:<p1>|<p2>`
 * starts one task per prompt; anything else is answered at once.
 */
function promptModel() {
  return scriptedModel({
    turns: (request: ModelRequest): ScriptedTurn => {
      const first = request.messages[0] as Extract<AgentMessage, { role: 'user' }>;
      const prompt = first.content;
      const answered = request.messages.some((m) => m.role === 'tool');
      if (answered || !prompt.includes(':')) return { text: `done ${prompt}` };
      const [kind, rest = ''] = [
        prompt.slice(0, prompt.indexOf(':')),
        prompt.slice(prompt.indexOf(':') + 1),
      ];
      if (kind === 'task') {
        return {
          toolCalls: rest
            .split('|')
            .map((p) => ({ name: 'task', input: { description: p, prompt: p } })),
        };
      }
      const [tool = '', json = '{}'] = rest.split('::');
      return { toolCalls: [{ name: tool, input: json }] };
    },
  });
}

function setup(
  tools: Tool[],
  options: Partial<SubagentManagerOptions> = {},
  schedulerOptions: Partial<SchedulerOptions> = {},
) {
  const manager = new SubagentManager({ model: promptModel(), ...options });
  const scheduler = new Scheduler({
    tools: [...tools, taskTool(manager), agentTool(manager)],
    ...schedulerOptions,
  });
  manager.attach(scheduler);
  return { manager, scheduler };
}

const root = (scheduler: Scheduler, prompt: string, signal?: AbortSignal) =>
  runAgent({ model: promptModel(), scheduler, messages: prompt, ...(signal ? { signal } : {}) });

describe('SubagentManager', () => {
  it('runs the tasks of one response at the same time', async () => {
    const meet = barrier(2);
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({}),
      claims: [],
      execute: async () => {
        await meet();
        return 'met';
      },
    });
    const { scheduler } = setup([work]);
    // Each subagent's tool only returns once both subagents are running it.
    const result = await root(scheduler, 'task:call:work|call:work');
    expect(result.finishReason).toBe('stop');
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results.map((r) => [r.status, r.content])).toEqual([
      ['success', [{ type: 'text', text: 'done call:work' }]],
      ['success', [{ type: 'text', text: 'done call:work' }]],
    ]);
  });

  it('adds up the tokens of every subagent that finished', async () => {
    const manager = new SubagentManager({
      model: scriptedModel({
        turns: () => ({ text: 'a', usage: { inputTokens: 3, outputTokens: 4 } }),
      }),
    });
    manager.attach(new Scheduler({ tools: [] }));
    expect(manager.usage).toEqual({ inputTokens: 0, outputTokens: 0 });
    await Promise.all([
      manager.start({ prompt: 'one', callerPath: [] }).done,
      manager.start({ prompt: 'two', callerPath: [] }).done,
    ]);
    expect(manager.usage).toEqual({ inputTokens: 6, outputTokens: 8 });
  });

  it('reports a task as queued, then as running once its subagent starts', async () => {
    const messages: string[] = [];
    const { scheduler } = setup(
      [],
      { maxConcurrent: 1 },
      {
        onEvent: (e) => {
          if (e.type === 'progress' && e.progress.message)
            messages.push(`${e.callId} ${e.progress.message}`);
        },
      },
    );
    const result = await root(scheduler, 'task:one|two');
    expect(result.finishReason).toBe('stop');
    const [first, second] = (
      result.messages[1] as Extract<AgentMessage, { role: 'assistant' }>
    ).toolCalls.map((c) => c.id);
    const of = (id: string | undefined) =>
      messages.filter((m) => m.startsWith(`${id} `)).map((m) => m.slice(`${id} `.length));
    // The first gets the slot at once; the second waits for it.
    expect(of(first)).toEqual(['agent#1 running']);
    expect(of(second)).toEqual(['agent#2 queued', 'agent#2 running']);
    // The second agent started only after the first was done with its slot.
    expect(messages.indexOf(`${second} agent#2 running`)).toBeGreaterThan(
      messages.indexOf(`${first} agent#1 running`),
    );
  });

  it("names the task call a subagent's turns belong to, so its work is counted once", async () => {
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({}),
      claims: [],
      execute: () => 'ok',
    });
    const traces: TurnTrace[] = [];
    const { scheduler } = setup([work], {}, { onTurnEnd: (t) => traces.push(t) });
    await root(scheduler, 'task:call:work|call:work');
    const rootTurn = traces.find((t) => t.path.length === 0 && t.calls.length === 2);
    const taskIds = rootTurn?.calls.map((c) => c.id) ?? [];
    expect(taskIds).toHaveLength(2);
    const subTurns = traces.filter((t) => t.path.length === 1);
    // Two steps each (the call, then the answer), one task call each.
    expect(subTurns).toHaveLength(4);
    for (const t of subTurns) expect(t.parent?.turnId).toBe(rootTurn?.turnId);
    const byTask = (id: string) => subTurns.filter((t) => t.parent?.callId === id);
    expect(taskIds.map((id) => byTask(id).length)).toEqual([2, 2]);
    // One agent per task call.
    for (const id of taskIds) expect(new Set(byTask(id).map((t) => t.path[0])).size).toBe(1);
  });

  it('traces a subagent’s wait for its slot on its model request, blamed on the limit', async () => {
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({}),
      claims: [],
      execute: () => sleep(30).then(() => 'ok'),
    });
    const traces: TurnTrace[] = [];
    const { scheduler } = setup([work], { maxConcurrent: 1 }, { onTurnEnd: (t) => traces.push(t) });
    await root(scheduler, 'task:call:work|call:work');
    const firsts = traces.filter((t) => t.path.length === 1 && t.model?.step === 1);
    expect(firsts).toHaveLength(2);
    // One of the two subagents had to wait for the other to give the only slot back.
    const waited = firsts.filter((t) => t.model?.limitWaitedOn === 'subagent');
    expect(waited).toHaveLength(1);
    const m = waited[0]?.model;
    expect((m?.sentAt ?? 0) - (m?.queuedAt ?? 0)).toBeGreaterThanOrEqual(25);
    expect(waited[0]?.limits.subagent).toBe(1);
    const run = summarizeRun(traces, { source: 'cli' });
    expect(run.lost.limits[0]).toMatchObject({
      limit: 'subagent',
      capacity: 1,
      calls: 0,
      requests: 1,
    });
    expect(run.wallSplit.waits.slotsMs).toBeGreaterThanOrEqual(25);
    expect(run.subagents).toMatchObject({ count: 2, mostAtOnce: 1 });
    expect(run.recommendation).toMatch(/for a subagent slot \(--max-subagents 1\)/);
  });

  it('never runs more than maxConcurrent subagents, at any depth, and never deadlocks', async () => {
    let running = 0;
    let peak = 0;
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({}),
      claims: [],
      execute: async () => {
        peak = Math.max(peak, ++running);
        await new Promise((r) => setImmediate(r));
        running--;
        return 'ok';
      },
    });
    const { scheduler, manager } = setup(
      [work],
      { maxConcurrent: 1, maxDepth: 3 },
      { maxConcurrency: 2 },
    );
    // Five tasks, each starting its own subtask: with one slot, a parent waiting for its child
    // must give its slot back or nothing could ever run.
    const result = await root(
      scheduler,
      'task:task:call:work|task:call:work|call:work|call:work|call:work',
    );
    expect(result.finishReason).toBe('stop');
    expect(peak).toBe(1);
    expect(manager.agents().every((a) => a.status === 'done')).toBe(true);
    expect(manager.agents()).toHaveLength(7);
  });

  it('does not let a subagent nest past maxDepth', async () => {
    const { scheduler, manager } = setup([], { maxDepth: 1 });
    const result = await root(scheduler, 'task:task:deeper');
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results[0]?.status).toBe('success');
    // The depth-1 agent was not offered `task`; asking for it anyway is an unknown tool.
    const child = manager.agents()[0];
    const childTool = child?.result?.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(childTool.results[0]?.error?.message).toMatch(/Unknown tool "task"/);
  });

  it('cancels every descendant when the root turn is cancelled', async () => {
    const started = deferred();
    let grandchildSignal: AbortSignal | undefined;
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: z.object({}),
      claims: [],
      execute: (_i, ctx) => {
        grandchildSignal = ctx.signal;
        started.resolve();
        return untilAborted(ctx.signal);
      },
    });
    const { scheduler, manager } = setup([hang], { maxDepth: 3 });
    const controller = new AbortController();
    const run = root(scheduler, 'task:task:call:hang', controller.signal);
    await started.promise;
    expect(manager.agents().map((a) => a.path.length)).toEqual([1, 2]);
    controller.abort(new Error('user pressed Ctrl-C'));
    const result = await run;
    expect(result.finishReason).toBe('cancelled');
    expect(grandchildSignal?.aborted).toBe(true);
    await Promise.all(manager.agents().map((a) => a.done));
    expect(manager.agents().map((a) => a.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('ends a hanging subagent with its timeout, and the task gets a timeout result', async () => {
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: z.object({}),
      claims: [],
      execute: (_i, ctx) => untilAborted(ctx.signal),
    });
    const { scheduler } = setup([hang], { timeoutMs: 50 });
    const result = await root(scheduler, 'task:call:hang');
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results[0]?.status).toBe('timeout');
    expect(tool.results[0]?.error?.message).toMatch(/agent#1 timeout/);
  });

  it('sends approvals from depth 2 to the root approver with the path, and honours them', async () => {
    const requests: ApprovalRequest[] = [];
    const risky = defineTool({
      name: 'risky',
      description: '',
      input: z.object({}),
      claims: [],
      approval: 'ask',
      execute: () => 'did it',
    });
    const { scheduler } = setup(
      [risky],
      { maxDepth: 2 },
      {
        approver: (req) => {
          requests.push(req);
          return 'deny';
        },
      },
    );
    const result = await root(scheduler, 'task:task:call:risky');
    expect(result.finishReason).toBe('stop');
    expect(requests.map((r) => [r.toolName, r.path])).toEqual([['risky', ['agent#1', 'agent#2']]]);
  });

  it('starts detached agents, reads status without changing it, and waits for them', async () => {
    const { manager, scheduler } = setup([]);
    const turn1 = await scheduler.run([
      { id: 's1', name: 'agent', input: { action: 'start', prompt: 'first' } },
      { id: 's2', name: 'agent', input: { action: 'start', prompt: 'second' } },
    ]);
    expect(turn1.results.map((r) => r.status)).toEqual(['success', 'success']);
    const { results } = await scheduler.run([
      { id: 'w', name: 'agent', input: { action: 'wait', mode: 'all' } },
      { id: 'st', name: 'agent', input: { action: 'status' } },
    ]);
    expect(results[0]?.output).toEqual([
      { id: 'a1', agent: 'agent#1', status: 'done', text: 'done first' },
      { id: 'a2', agent: 'agent#2', status: 'done', text: 'done second' },
    ]);
    expect(manager.agents().every((a) => a.read)).toBe(true);
    const unknown = await scheduler.run([
      { id: 'p', name: 'agent', input: { action: 'peek', id: 'a9' } },
    ]);
    expect(unknown.results[0]?.error?.message).toMatch(/No agent with id "a9"/);
  });
});

describe('SubagentManager: limits over time', () => {
  it('runs 5 tasks at maxConcurrent 3 in about two task durations, never more than 3 at once', async () => {
    vi.useFakeTimers();
    try {
      let running = 0;
      let peak = 0;
      const work = defineTool({
        name: 'work',
        description: '',
        input: z.object({}),
        claims: [],
        execute: async () => {
          peak = Math.max(peak, ++running);
          await new Promise((r) => setTimeout(r, 300));
          running--;
          return 'ok';
        },
      });
      const { scheduler } = setup([work], { maxConcurrent: 3 });
      const started = Date.now();
      const run = root(scheduler, 'task:call:work|call:work|call:work|call:work|call:work');
      await vi.runAllTimersAsync();
      const result = await run;
      expect(result.finishReason).toBe('stop');
      expect(peak).toBe(3);
      expect(Date.now() - started).toBe(600);
    } finally {
      vi.useRealTimers();
    }
  });

  it('keeps a finished agent until its result was read, then for keepFinishedMs at most', async () => {
    const { manager, scheduler } = setup([], { keepFinishedMs: 0 });
    await scheduler.run([{ id: 's', name: 'agent', input: { action: 'start', prompt: 'quick' } }]);
    await manager.get('a1')?.done;
    expect(manager.get('a1')?.status).toBe('done'); // unread: kept
    await scheduler.run([{ id: 'w', name: 'agent', input: { action: 'wait', ids: ['a1'] } }]);
    await scheduler.run([{ id: 's2', name: 'agent', input: { action: 'start', prompt: 'again' } }]);
    await manager.get('a2')?.done;
    expect(manager.get('a1')).toBeUndefined(); // read, and past keepFinishedMs: dropped
  });
});
