import { z } from 'zod';
import {
  defineTool,
  runAgent,
  Scheduler,
  type ScriptedTurn,
  scriptedModel,
} from '../../src/index.js';
import { measure, ratioVerdict, type Scenario, sleep } from '../harness.js';

/**
 * A model that makes one tool call per answer (as some do, and as providers that forbid
 * parallel calls force) reads six files: with the `batch` tool it asks for all six in one call,
 * which salvo runs as six calls at once; without it, it takes six answers.
 */
export const batchTool: Scenario = {
  name: 'batch-tool',
  description:
    'a one-call-per-answer model reads 6 files (20 ms each), answers streamed at 10 ms a chunk: with and without the batch tool',
  target: 'salvo with batch at most half the time of one call per answer, in 2 model requests',
  contenders: ['salvo', 'one-at-a-time'],
  async run({ reps = 5, quick = false } = {}) {
    const toolMs = quick ? 1 : 20;
    const chunkMs = quick ? 1 : 10;
    const files = ['a.ts', 'b.ts', 'c.ts', 'd.ts', 'e.ts', 'f.ts'];
    const read = defineTool({
      name: 'read_file',
      description: 'Reads a file',
      input: z.object({ path: z.string() }),
      claims: (i) => [{ key: `fs:/repo/${i.path}`, mode: 'read' }],
      execute: (i, ctx) => sleep(toolMs, ctx.signal).then(() => `contents of ${i.path}`),
    });
    const model = () =>
      scriptedModel({
        chunkDelayMs: chunkMs,
        chunkSize: 48,
        turns: (request): ScriptedTurn => {
          const done = request.messages.filter((m) => m.role === 'tool').length;
          if (request.tools.some((t) => t.name === 'batch')) {
            return done === 0
              ? {
                  toolCalls: [
                    {
                      name: 'batch',
                      input: {
                        calls: files.map((path) => ({ tool: 'read_file', input: { path } })),
                      },
                    },
                  ],
                }
              : { text: 'All six files read.' };
          }
          const next = files[done];
          return next
            ? { toolCalls: [{ name: 'read_file', input: { path: next } }] }
            : { text: 'All six files read.' };
        },
      });
    const contender = (name: string, batch: boolean) => ({
      name,
      async run() {
        const scheduler = new Scheduler({ tools: [read], tracer: false });
        const result = await runAgent({
          model: model(),
          scheduler,
          messages: 'read the six files',
          guidance: false,
          batchTool: batch,
        });
        if (result.finishReason !== 'stop') throw new Error(`${name}: ${result.finishReason}`);
        return { fields: { steps: result.steps } };
      },
    });
    return measure({
      scenario: this.name,
      lowerBoundMs: 0,
      contenders: [contender('salvo', true), contender('one-at-a-time', false)],
      reps,
    });
  },
  verdicts(rows) {
    const salvo = rows.find((r) => r.contender === 'salvo') as { steps?: number } | undefined;
    return [
      ratioVerdict(rows, 'salvo', 'one-at-a-time', { max: 0.5 }),
      {
        label: 'salvo model requests',
        value: salvo?.steps ?? Number.NaN,
        goal: '2',
        met: salvo?.steps === 2,
      },
    ];
  },
};
