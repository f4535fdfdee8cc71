import { z } from 'zod';
import {
  agentTool,
  defineTool,
  runAgent,
  Scheduler,
  type ScriptedTurn,
  SubagentManager,
  scriptedModel,
  taskTool,
} from '../../src/index.js';
import {
  type Contender,
  measure,
  ratioVerdict,
  type Scenario,
  sleep,
  type Verdict,
} from '../harness.js';

/**
 * 20 subagents of 3 scripted steps each, started by one response: how close together they
 * start (launch spread) and how long the fan-out takes next to one subagent alone, with
 * maxConcurrent 20 and 4, against one at a time.
 */
export const subagents: Scenario = {
  name: 'subagents',
  description:
    '20 subagents of 3 scripted steps each (2 tool calls of 50 ms, streamed at 10 ms a chunk)',
  target: 'launch spread under 50 ms; wall within 1.3x of one subagent at maxConcurrent 20',
  contenders: ['salvo', 'salvo-limit-4', 'one-at-a-time', 'one-subagent'],
  async run({ reps = 5, quick = false } = {}) {
    const count = quick ? 4 : 20;
    const toolMs = quick ? 5 : 50;
    const chunkMs = quick ? 1 : 10;
    const work = defineTool({
      name: 'work',
      description: 'Does a step of work',
      input: z.object({ step: z.number() }),
      claims: [],
      execute: (_i, ctx) => sleep(toolMs, ctx.signal).then(() => 'ok'),
    });
    // Root: one response with `n` task calls, then an answer. Subagents: two steps with one
    // tool call each, then an answer: 3 model requests per subagent.
    // The root answers at once, so the launch spread measures the launcher, not the root's
    // token rate; subagents stream at `chunkMs` a chunk.
    const model = (n: number, delayMs: number) =>
      scriptedModel({
        chunkDelayMs: delayMs,
        chunkSize: 64,
        turns: (request): ScriptedTurn => {
          const steps = request.messages.filter((m) => m.role === 'tool').length;
          const isRoot = request.tools.some((t) => t.name === 'task');
          if (isRoot) {
            return steps === 0
              ? {
                  toolCalls: Array.from({ length: n }, (_, i) => ({
                    name: 'task',
                    input: { description: `part ${i}`, prompt: `review part ${i}` },
                  })),
                }
              : { text: 'all parts reviewed' };
          }
          return steps < 2
            ? { toolCalls: [{ name: 'work', input: { step: steps + 1 } }] }
            : { text: 'part reviewed' };
        },
      });
    const contender = (name: string, n: number, maxConcurrent: number): Contender => ({
      name,
      async run() {
        const manager = new SubagentManager({
          model: model(n, chunkMs),
          maxConcurrent,
          maxDepth: 1,
        });
        const scheduler = new Scheduler({ tools: [work, taskTool(manager), agentTool(manager)] });
        manager.attach(scheduler);
        const result = await runAgent({
          model: model(n, 0),
          scheduler,
          messages: 'review',
          guidance: false,
        });
        const agents = manager.agents();
        if (
          result.finishReason !== 'stop' ||
          agents.length !== n ||
          agents.some((a) => a.status !== 'done')
        ) {
          throw new Error(`${name}: the fan-out did not finish (${result.finishReason})`);
        }
        const starts = agents.map((a) => a.startedAt as number);
        return { fields: { launchSpreadMs: Math.max(...starts) - Math.min(...starts) } };
      },
    });
    const rows = await measure({
      scenario: this.name,
      lowerBoundMs: 0,
      contenders: [
        contender('salvo', count, count),
        contender('salvo-limit-4', count, 4),
        { ...contender('one-at-a-time', count, 1), maxReps: 3 },
        contender('one-subagent', 1, 1),
      ],
      reps,
    });
    // One subagent alone (plus the root's two steps) is the floor of the fan-out.
    const one = rows.find((m) => m.row.contender === 'one-subagent')?.row.ms ?? 0;
    for (const m of rows) {
      m.row.lowerBoundMs = one;
      if (m.row.contender !== 'salvo') delete m.row.launchSpreadMs;
    }
    return rows;
  },
  verdicts(rows) {
    const salvo = rows.find((r) => r.contender === 'salvo') as
      | { launchSpreadMs?: number }
      | undefined;
    const spread = salvo?.launchSpreadMs ?? Number.NaN;
    const spreadVerdict: Verdict = {
      label: 'salvo launchSpreadMs',
      value: spread,
      goal: '< 50 ms',
      met: spread < 50,
    };
    return [spreadVerdict, ratioVerdict(rows, 'salvo', 'lower bound', { max: 1.3 })];
  },
};
