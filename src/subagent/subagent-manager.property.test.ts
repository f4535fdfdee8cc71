import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentMessage, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { defineTool } from '../tool/define-tool.js';
import { SubagentManager } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

/** A subagent tree: some work of its own, children run as tasks or detached agents. */
interface Node {
  work: number;
  detached: boolean;
  children: Node[];
}

const nodeArb: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.record({
    work: fc.integer({ min: 0, max: 2 }),
    detached: fc.boolean(),
    children: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.constant<Node[]>([]),
      fc.array(tie('node'), { maxLength: 3 }),
    ),
  }),
})).node;

/** Each agent's prompt is its subtree as JSON: the model plays it out step by step. */
function treeModel() {
  return scriptedModel({
    turns: (request: ModelRequest): ScriptedTurn => {
      const node = JSON.parse(
        (request.messages[0] as Extract<AgentMessage, { role: 'user' }>).content,
      ) as Node;
      const steps = request.messages.filter((m) => m.role === 'tool').length;
      const tasks = node.children.filter((c) => !c.detached);
      const detached = node.children.filter((c) => c.detached);
      const plan: ScriptedTurn[] = [];
      if (detached.length > 0)
        plan.push({
          toolCalls: detached.map((c) => ({
            name: 'agent',
            input: { action: 'start', prompt: JSON.stringify(c) },
          })),
        });
      if (tasks.length > 0)
        plan.push({
          toolCalls: tasks.map((c) => ({
            name: 'task',
            input: { description: 'part', prompt: JSON.stringify(c) },
          })),
        });
      for (let i = 0; i < node.work; i++) plan.push({ toolCalls: [{ name: 'work', input: {} }] });
      if (detached.length > 0)
        plan.push({
          toolCalls: [
            { name: 'agent', input: { action: 'wait', mode: 'all', timeoutMs: 600_000 } },
          ],
        });
      return plan[steps] ?? { text: 'done' };
    },
  });
}

describe('SubagentManager properties', () => {
  it('never exceeds its limit or its depth, and always finishes, on random fan-outs', async () => {
    await fc.assert(
      fc.asyncProperty(
        nodeArb,
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 3 }),
        async (tree, maxConcurrent, maxDepth) => {
          let working = 0;
          let peak = 0;
          const work = defineTool({
            name: 'work',
            description: '',
            input: z.object({}),
            claims: [],
            execute: async () => {
              peak = Math.max(peak, ++working);
              await new Promise((resolve) => setImmediate(resolve));
              working--;
              return 'worked';
            },
          });
          const manager = new SubagentManager({ model: treeModel(), maxConcurrent, maxDepth });
          const scheduler = new Scheduler({ tools: [work, taskTool(manager), agentTool(manager)] });
          manager.attach(scheduler);
          const root = { ...tree, work: 0 };
          const result = await runAgent({
            model: treeModel(),
            scheduler,
            messages: JSON.stringify(root),
            guidance: false,
          });
          await Promise.all(manager.agents().map((a) => a.done));
          expect(result.finishReason).toBe('stop');
          // Work runs only inside subagents holding a slot (the root does none here).
          expect(peak).toBeLessThanOrEqual(maxConcurrent);
          for (const agent of manager.agents()) {
            expect(agent.path.length).toBeLessThanOrEqual(maxDepth);
            expect(agent.status).toBe('done');
          }
        },
      ),
      { numRuns: 150, timeout: 3000 },
    );
  }, 120_000);
});
