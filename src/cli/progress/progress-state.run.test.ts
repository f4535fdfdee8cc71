import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentMessage, ModelRequest } from '../../agent/model.js';
import { runAgent } from '../../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../../agent/scripted-model.js';
import { Scheduler } from '../../schedule/scheduler.js';
import { barrier, deferred, flush } from '../../schedule/test-support.js';
import { SubagentManager } from '../../subagent/subagent-manager.js';
import { taskTool } from '../../subagent/subagent-tools.js';
import { defineTool } from '../../tool/define-tool.js';
import { ProgressState } from './progress-state.js';
import { renderLiveBlock } from './render-live.js';
import { PlainRenderer } from './render-plain.js';

/** The root starts three tasks; each subagent calls `work` on its own file, then answers. */
function model() {
  return scriptedModel({
    turns: (request: ModelRequest): ScriptedTurn => {
      const first = request.messages[0] as Extract<AgentMessage, { role: 'user' }>;
      if (request.messages.some((m) => m.role === 'tool')) return { text: 'done' };
      if (first.content === 'root') {
        return {
          toolCalls: ['a', 'b', 'c'].map((f) => ({
            name: 'task',
            input: { description: `check ${f}`, prompt: f },
          })),
        };
      }
      return { toolCalls: [{ name: 'work', input: { path: `src/${first.content}.ts` } }] };
    },
  });
}

describe('ProgressState in a real run', () => {
  it('follows the root, its subagents and their calls from real events', async () => {
    const running = barrier(4); // three subagent calls and the test
    const gate = deferred();
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({ path: z.string() }),
      claims: [],
      execute: async (_input, ctx) => {
        ctx.progress({ progress: 1, total: 2, message: 'halfway' });
        void running();
        await gate.promise;
        return 'ok';
      },
    });
    const state = new ProgressState();
    const plain = new PlainRenderer();
    const lines: string[] = [];
    const manager = new SubagentManager({ model: model() });
    const scheduler = new Scheduler({
      tools: [work, taskTool(manager)],
      onEvent: (event) => {
        lines.push(...plain.lines(event, state.onSchedulerEvent(event)));
      },
    });
    manager.attach(scheduler);

    const done = runAgent({
      model: model(),
      scheduler,
      messages: 'root',
      onEvent: (event) => state.onAgentEvent(event),
    });
    await running();
    await flush(5);
    const snap = state.snapshot(performance.now());
    expect(snap.counts).toMatchObject({ running: 6, total: 6 });
    expect(snap.groups.map((g) => g.text)).toEqual(['agents 0/3 done']);
    // A subagent's call is described from the input its `queued` event carries.
    const works = snap.calls.filter((c) => c.toolName === 'work');
    expect(works.map((c) => [c.path.length, c.description, c.progress?.message]).sort()).toEqual([
      [1, 'work src/a.ts', 'halfway'],
      [1, 'work src/b.ts', 'halfway'],
      [1, 'work src/c.ts', 'halfway'],
    ]);
    const block = renderLiveBlock(snap, { now: snap.now, columns: 80, rows: 30, frame: 0 });
    expect(block.filter((l) => /agent#\d › work .* 1\/2 halfway$/.test(l))).toHaveLength(3);
    expect(block.some((l) => /task "check a" .* agent#\d running$/.test(l))).toBe(true);

    gate.resolve();
    await done;
    await flush(5);
    expect(state.snapshot(performance.now()).counts).toMatchObject({ done: 6, running: 0 });
    expect(state.retained.calls).toBe(0);
    expect(lines.filter((l) => l.includes('done in'))).toHaveLength(6);
    expect(lines.at(-1)).toMatch(/^\[\+\d+\.\ds\] agents 3\/3 done$/);
  });
});
