import { z } from 'zod';
import {
  type AgentMessage,
  agentTool,
  defineTool,
  runAgent,
  Scheduler,
  type ScriptedTurn,
  SubagentManager,
  scriptedModel,
  taskTool,
} from '../../src/index.js';
import { measure, ratioVerdict, type Scenario, sleep } from '../harness.js';

/**
 * 1,000 subagents started by one response, each two model steps streamed at 5 ms a chunk with
 * three 10 ms tool calls in the first: what a fan-out of that size costs next to one subagent
 * of the same shape (the lower bound: they could all run at once).
 */
export const subagentsScale: Scenario = {
  name: 'subagents-scale',
  description:
    '1,000 subagents at maxConcurrent 1,000 (2 model steps at 5 ms a chunk, 3 tool calls of 10 ms)',
  target: 'salvo <= 1.5x one subagent of the same shape',
  contenders: ['salvo', 'promise-all', 'one-subagent'],
  async run({ reps = 5, quick = false } = {}) {
    const count = quick ? 20 : 1000;
    const chunkMs = quick ? 1 : 5;
    const toolMs = quick ? 1 : 10;
    const work = defineTool({
      name: 'work',
      description: 'Does a step of work',
      input: z.object({ part: z.number() }),
      claims: [],
      execute: (_i, ctx) => sleep(toolMs, ctx.signal).then(() => 'ok'),
    });
    // Root: one response with `n` task calls, then an answer. Subagents: three tool calls in
    // their first response, then an answer.
    const model = (n: number, delayMs: number) =>
      scriptedModel({
        chunkDelayMs: delayMs,
        chunkSize: 64,
        turns: (request): ScriptedTurn => {
          const answered = request.messages.some((m) => m.role === 'tool');
          if (request.tools.some((t) => t.name === 'task')) {
            return answered
              ? { text: 'all parts migrated' }
              : {
                  toolCalls: Array.from({ length: n }, (_, i) => ({
                    name: 'task',
                    input: { description: `part ${i}`, prompt: `migrate part ${i}` },
                  })),
                };
          }
          return answered
            ? { text: 'part migrated' }
            : { toolCalls: [0, 1, 2].map((part) => ({ name: 'work', input: { part } })) };
        },
      });
    const rootTools = [{ name: 'task', description: '', inputSchema: {} }];
    const subagentTools = [{ name: 'work', description: '', inputSchema: {} }];
    const contender = (name: string, n: number) => ({
      name,
      async run() {
        const manager = new SubagentManager({
          model: model(n, chunkMs),
          maxConcurrent: 1000,
          maxTotal: Infinity,
          maxDepth: 1,
        });
        const scheduler = new Scheduler({
          tools: [work, taskTool(manager), agentTool(manager)],
          tracer: false,
        });
        manager.attach(scheduler);
        const result = await runAgent({
          model: model(n, 0),
          scheduler,
          messages: 'migrate',
          guidance: false,
          maxSteps: 3,
        });
        const agents = manager.agents();
        if (result.finishReason !== 'stop' || agents.some((a) => a.status !== 'done')) {
          throw new Error(`${name}: the fan-out did not finish (${result.finishReason})`);
        }
      },
    });
    // The same agents driven by a bare loop (the model's stream, then Promise.all over the tool
    // calls, no scheduler, claims, limits, approvals or trace): what the scripted model and the
    // timers alone cost on this machine, a floor no scheduler goes under.
    const bare = {
      name: 'promise-all',
      async run() {
        const agent = async (m: ReturnType<typeof model>, prompt: string): Promise<void> => {
          // Each agent its own signal, as salvo gives each subagent.
          const signal = new AbortController().signal;
          const messages: AgentMessage[] = [{ role: 'user', content: prompt }];
          const tools = m === root ? rootTools : subagentTools;
          for (;;) {
            const calls: { name: string; input: string }[] = [];
            for await (const event of m.stream({ system: '', messages, tools, signal })) {
              if (event.type === 'tool-call') calls.push({ name: event.name, input: event.input });
            }
            if (calls.length === 0) return;
            await Promise.all(
              calls.map((c) =>
                c.name === 'task'
                  ? agent(sub, (JSON.parse(c.input) as { prompt: string }).prompt)
                  : sleep(toolMs, signal),
              ),
            );
            messages.push({ role: 'assistant', content: '', toolCalls: [] });
            messages.push({ role: 'tool', results: [] });
          }
        };
        const root = model(count, 0);
        const sub = model(count, chunkMs);
        await agent(root, 'migrate');
      },
    };
    const rows = await measure({
      scenario: this.name,
      lowerBoundMs: 0,
      contenders: [contender('salvo', count), bare, contender('one-subagent', 1)],
      reps,
      warmup: 3,
    });
    // One subagent of the same shape (plus the root's two steps) is the floor of the fan-out.
    const one = rows.find((m) => m.row.contender === 'one-subagent')?.row.ms ?? 0;
    for (const m of rows) m.row.lowerBoundMs = one;
    return rows;
  },
  verdicts(rows) {
    return [
      ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.5 }),
      { ...ratioVerdict(rows, 'salvo', 'promise-all', {}), goal: 'for context', met: undefined },
    ];
  },
};
