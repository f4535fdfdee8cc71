import { describe, expect, it } from 'vitest';
import type { AgentMessage, Model, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { flush } from '../schedule/test-support.js';
import { SubagentManager, type SubagentManagerOptions } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

/**
 * Scripts by prompt: `task:<p>` runs a task; `start:<p>` starts a detached agent and then
 * answers; `start-wait:<p>` starts one and waits for it; `loop` calls `agent status` for ever
 * (a detached agent that would keep calling its model until `maxTurns`).
 */
function promptModel(requests: { prompt: string; signal: AbortSignal }[]): Model {
  return scriptedModel({
    chunkDelayMs: 1,
    turns: (request: ModelRequest): ScriptedTurn => {
      const prompt = (request.messages[0] as Extract<AgentMessage, { role: 'user' }>).content;
      requests.push({ prompt, signal: request.signal });
      const answered = request.messages.filter((m) => m.role === 'tool').length;
      const [kind = '', rest = ''] = [
        prompt.slice(0, prompt.indexOf(':')),
        prompt.slice(prompt.indexOf(':') + 1),
      ];
      if (prompt === 'loop') return { toolCalls: [{ name: 'agent', input: { action: 'status' } }] };
      if (answered > 0 && kind !== 'start-wait') return { text: `done ${prompt}` };
      if (kind === 'task')
        return { toolCalls: [{ name: 'task', input: { description: rest, prompt: rest } }] };
      if (kind === 'start' || (kind === 'start-wait' && answered === 0))
        return { toolCalls: [{ name: 'agent', input: { action: 'start', prompt: rest } }] };
      if (kind === 'start-wait' && answered === 1)
        return { toolCalls: [{ name: 'agent', input: { action: 'wait', mode: 'all' } }] };
      return { text: `done ${prompt}` };
    },
  });
}

function setup(options: Partial<SubagentManagerOptions> = {}) {
  const requests: { prompt: string; signal: AbortSignal }[] = [];
  const model = promptModel(requests);
  const manager = new SubagentManager({ model, maxTurns: 1000, maxDepth: 3, ...options });
  const scheduler = new Scheduler({ tools: [taskTool(manager), agentTool(manager)] });
  manager.attach(scheduler);
  return { manager, scheduler, model, requests };
}

/** Resolves once `check` holds, polling between event-loop turns. */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 10_000 && !check(); i++) await new Promise((r) => setTimeout(r, 1));
  expect(check()).toBe(true);
}

describe('detached agents end with the agent or run that started them', () => {
  it('cancels a detached grandchild when the root run is aborted', async () => {
    const { manager, scheduler, model, requests } = setup();
    const controller = new AbortController();
    const run = runAgent({
      model,
      scheduler,
      messages: 'task:start-wait:loop',
      signal: controller.signal,
    });
    await until(() => requests.filter((r) => r.prompt === 'loop').length >= 3);
    controller.abort(new Error('user pressed Ctrl-C'));
    const result = await run;
    expect(result.finishReason).toBe('cancelled');
    await Promise.all(manager.agents().map((a) => a.done));
    expect(manager.agents().map((a) => [a.path.length, a.status])).toEqual([
      [1, 'cancelled'],
      [2, 'cancelled'],
    ]);
    // Nothing calls a model after its run was cancelled.
    const count = requests.length;
    await flush(10);
    expect(requests.length).toBe(count);
    expect(requests.every((r) => r.signal.aborted)).toBe(true);
  });

  it('cancels a detached agent the root started when the root run is aborted', async () => {
    const { manager, scheduler, model, requests } = setup();
    const controller = new AbortController();
    const run = runAgent({
      model,
      scheduler,
      messages: 'start-wait:loop',
      signal: controller.signal,
    });
    await until(() => requests.filter((r) => r.prompt === 'loop').length >= 3);
    controller.abort(new Error('user pressed Ctrl-C'));
    await run;
    await Promise.all(manager.agents().map((a) => a.done));
    expect(manager.agents().map((a) => a.status)).toEqual(['cancelled']);
  });

  it('cancels the detached agents a subagent left running when it finishes, and says so', async () => {
    const { manager, scheduler, model } = setup();
    const result = await runAgent({ model, scheduler, messages: 'task:start:loop' });
    expect(result.finishReason).toBe('stop');
    await Promise.all(manager.agents().map((a) => a.done));
    const [child, grandchild] = manager.agents();
    expect(child?.status).toBe('done');
    expect(grandchild?.status).toBe('cancelled');
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    const text = tool.results[0]?.content[0];
    expect(text).toMatchObject({ type: 'text' });
    expect((text as { text: string }).text).toMatch(/agent#2.*still running.*cancelled/);
  });

  it('cancels the detached agents of a subagent that times out', async () => {
    const { manager, scheduler, model, requests } = setup({ timeoutMs: 200 });
    const result = await runAgent({ model, scheduler, messages: 'task:start-wait:loop' });
    expect(result.finishReason).toBe('stop');
    await Promise.all(manager.agents().map((a) => a.done));
    // The grandchild was started with the child's own timeout: both end by it.
    const statuses = manager.agents().map((a) => a.status);
    expect(statuses[0]).toBe('timeout');
    expect(['timeout', 'cancelled']).toContain(statuses[1]);
    const count = requests.length;
    await flush(10);
    expect(requests.length).toBe(count);
  });
});
