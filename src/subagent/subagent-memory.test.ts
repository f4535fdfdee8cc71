import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ModelRequest } from '../agent/model.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import { SubagentManager } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

const collect = (globalThis as { gc?: () => void }).gc;

describe('subagents at scale', () => {
  it('frees finished subagents whose results were read: memory does not grow with them', async () => {
    if (!collect) throw new Error('Run the tests with node --expose-gc (vitest.config.ts sets it)');
    const work = defineTool({
      name: 'work',
      description: '',
      input: z.object({ part: z.number() }),
      claims: [],
      execute: async () => 'ok',
    });
    const model = scriptedModel({
      turns: (request: ModelRequest): ScriptedTurn =>
        request.messages.some((m) => m.role === 'tool')
          ? { text: 'x'.repeat(2000) }
          : { toolCalls: [0, 1, 2].map((part) => ({ name: 'work', input: { part } })) },
    });
    const manager = new SubagentManager({ model, maxConcurrent: 1000, maxTotal: Infinity });
    const scheduler = new Scheduler({
      tools: [work, taskTool(manager), agentTool(manager)],
      tracer: false,
    });
    manager.attach(scheduler);
    const batch = (n: number) =>
      scheduler.run(
        Array.from({ length: n }, (_, i) => ({
          id: `t${i}`,
          name: 'task',
          input: { description: 'part', prompt: `part ${i}` },
        })),
      );
    const first = await batch(1000);
    expect(first.results.every((r) => r.status === 'success')).toBe(true);
    const early = manager.agents().map((a) => new WeakRef(a));
    for (let i = 0; i < 9; i++) {
      const { results } = await batch(1000);
      expect(results.every((r) => r.status === 'success')).toBe(true);
    }
    // 10,000 subagents ran; listed are at most `keepFinished` (100) read ones, and those that
    // were not yet read at the last pruning pass (the last batch).
    expect(manager.agents().length).toBeLessThanOrEqual(1200);
    await new Promise((r) => setImmediate(r));
    collect();
    const kept = early.filter((ref) => ref.deref() !== undefined).length;
    expect(kept).toBe(0);
  }, 60_000);
});
