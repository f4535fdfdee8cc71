import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { AgentMessage, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { type Claim, claimsConflict } from '../tool/claims.js';
import { defineTool } from '../tool/define-tool.js';
import { SubagentManager } from './subagent-manager.js';
import { agentTool, taskTool } from './subagent-tools.js';

// Random agent trees, depth up to 3: each agent answers with one or two responses, each a mix
// of work calls (random claims, exclusive ones included), tasks and detached agents. Whatever
// the claims and caps, every run finishes, conflicting work never overlaps, and no limit is
// ever exceeded.

interface Work {
  kind: 'work';
  tool: string;
}
interface Child {
  kind: 'task' | 'start';
  agent: AgentNode;
}
type Item = Work | Child;
interface AgentNode {
  responses: Item[][];
}

/** The work tools: their claims (`null`: exclusive), whether they ask, their group. */
const workTools: Record<string, { claims: Claim[] | null; ask?: boolean; group?: string }> = {
  read_a: { claims: [{ key: 'fs:/r/a', mode: 'read' }] },
  write_a: { claims: [{ key: 'fs:/r/a', mode: 'write' }] },
  write_b: { claims: [{ key: 'fs:/r/b', mode: 'write' }], ask: true },
  write_root: { claims: [{ key: 'fs:/r', mode: 'write' }] },
  exclusive: { claims: null },
  exclusive_ask: { claims: null, ask: true },
  pure: { claims: [] },
  grouped: { claims: [{ key: 'fs:/r/b', mode: 'read' }], group: 'g' },
};

const workArb: fc.Arbitrary<Item> = fc
  .constantFrom(...Object.keys(workTools))
  .map((tool) => ({ kind: 'work' as const, tool }));

function agentArb(depth: number): fc.Arbitrary<AgentNode> {
  const item: fc.Arbitrary<Item> =
    depth >= 3
      ? workArb
      : fc.oneof(
          { weight: 3, arbitrary: workArb },
          {
            weight: 2,
            arbitrary: fc.record({
              kind: fc.constantFrom('task' as const, 'task' as const, 'start' as const),
              agent: fc.constant(null).chain(() => agentArb(depth + 1)),
            }),
          },
        );
  return fc.record({
    responses: fc.array(fc.array(item, { minLength: 1, maxLength: 3 }), {
      minLength: 1,
      maxLength: 2,
    }),
  });
}

/** Each agent's prompt is its node as JSON: the model plays it out, one response per step. */
function treeModel() {
  return scriptedModel({
    turns: (request: ModelRequest): ScriptedTurn => {
      const node = JSON.parse(
        (request.messages[0] as Extract<AgentMessage, { role: 'user' }>).content,
      ) as AgentNode;
      const step = request.messages.filter((m) => m.role === 'tool').length;
      const started = node.responses.flat().some((i) => i.kind === 'start');
      if (step < node.responses.length) {
        const items = node.responses[step] as Item[];
        return {
          toolCalls: items.map((i) =>
            i.kind === 'work'
              ? { name: i.tool, input: {} }
              : i.kind === 'task'
                ? { name: 'task', input: { description: 'part', prompt: JSON.stringify(i.agent) } }
                : { name: 'agent', input: { action: 'start', prompt: JSON.stringify(i.agent) } },
          ),
        };
      }
      // Wait for the detached agents it started, then answer.
      if (started && step === node.responses.length) {
        return { toolCalls: [{ name: 'agent', input: { action: 'wait', timeoutMs: 600_000 } }] };
      }
      return { text: 'done' };
    },
  });
}

describe('nested subagents with random claims and caps', () => {
  it('always finish, never overlap conflicting work, never exceed a limit', async () => {
    await fc.assert(
      fc.asyncProperty(
        agentArb(0),
        fc.integer({ min: 1, max: 3 }),
        fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity)),
        fc.integer({ min: 1, max: 2 }),
        fc.integer({ min: 0, max: 2 }),
        async (tree, maxConcurrent, maxConcurrency, groupCap, delay) => {
          const running = new Map<string, { claims: Claim[] | null; agent: string }>();
          let peakCalls = 0;
          let peakGroup = 0;
          let peakAgents = 0;
          let inGroup = 0;
          const problems: string[] = [];
          let next = 0;
          const tools = Object.entries(workTools).map(([name, spec]) =>
            defineTool({
              name,
              description: '',
              input: z.object({}),
              ...(spec.claims === null ? {} : { claims: spec.claims }),
              ...(spec.group ? { group: spec.group } : {}),
              approval: spec.ask ? 'ask' : 'auto',
              execute: async (_input, ctx) => {
                const id = `${ctx.path.join('/')}:${ctx.callId}:${next++}`;
                for (const [other, held] of running) {
                  if (overlapping(spec.claims, held.claims)) {
                    problems.push(`${name} ${id} overlapped ${other}`);
                  }
                }
                running.set(id, { claims: spec.claims, agent: ctx.path.join('/') });
                peakCalls = Math.max(peakCalls, running.size);
                if (spec.group) peakGroup = Math.max(peakGroup, ++inGroup);
                const agents = new Set(
                  [...running.values()].map((r) => r.agent).filter((a) => a !== ''),
                );
                peakAgents = Math.max(peakAgents, agents.size);
                await new Promise((r) => setTimeout(r, delay));
                running.delete(id);
                if (spec.group) inGroup--;
                return 'ok';
              },
            }),
          );
          const manager = new SubagentManager({ model: treeModel(), maxConcurrent, maxDepth: 3 });
          const scheduler = new Scheduler({
            tools: [...tools, taskTool(manager), agentTool(manager)],
            maxConcurrency,
            limits: { g: groupCap },
            approver: () =>
              new Promise((resolve) => setTimeout(() => resolve('approve'), delay + 1)),
          });
          manager.attach(scheduler);
          const result = await runAgent({
            model: treeModel(),
            scheduler,
            messages: JSON.stringify(tree),
            guidance: false,
          });
          await Promise.all(manager.agents().map((a) => a.done));
          expect(result.finishReason).toBe('stop');
          expect(problems).toEqual([]);
          expect(peakCalls).toBeLessThanOrEqual(maxConcurrency);
          expect(peakGroup).toBeLessThanOrEqual(groupCap);
          // Subagents' work runs only while their agent holds one of the manager's slots.
          expect(peakAgents).toBeLessThanOrEqual(maxConcurrent);
          for (const agent of manager.agents()) expect(agent.status).toBe('done');
          expect(result.messages.filter((m) => m.role === 'tool').length).toBe(
            tree.responses.length + (tree.responses.flat().some((i) => i.kind === 'start') ? 1 : 0),
          );
        },
      ),
      { numRuns: 120, timeout: 10_000 },
    );
  }, 300_000);
});

function overlapping(a: Claim[] | null, b: Claim[] | null): boolean {
  if (a === null || b === null) return true;
  return a.some((x) => b.some((y) => claimsConflict(x, y)));
}
