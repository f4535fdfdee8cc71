import { z } from 'zod';
import {
  defineTool,
  type Model,
  type ModelEvent,
  runAgent,
  Scheduler,
  type Tool,
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
 * A model that streams 5 tool calls over 1 s, each tool 300 ms: how much sooner the turn ends
 * when tools start as soon as their arguments are complete (salvo) than when they start after the
 * stream (every harness that executes a finished message). The loop is the same `runAgent` for
 * every contender; only the moment the calls reach it differs.
 */
export const streaming: Scenario = {
  name: 'streaming',
  description: 'a model streams 5 tool calls over 1 s, each tool 300 ms; turn latency',
  target: 'salvo at least 25% lower than executing after the stream ends',
  contenders: [
    'salvo',
    'after-stream',
    'one-at-a-time',
    'salvo-same-file',
    'after-stream-same-file',
  ],
  async run({ reps = 5, quick = false } = {}) {
    const calls = 5;
    const streamMs = quick ? 50 : 1000;
    const toolMs = quick ? 15 : 300;
    const gap = streamMs / calls;
    const read = defineTool({
      name: 'fetch_doc',
      description: 'Fetches a document',
      input: z.object({ n: z.number() }),
      claims: [],
      execute: (_i, ctx) => sleep(toolMs, ctx.signal).then(() => 'doc'),
    });
    const edit = defineTool({
      name: 'edit_file',
      description: 'Edits a file',
      input: z.object({ n: z.number() }),
      claims: [{ key: 'fs:/repo/src/app.ts', mode: 'write' }],
      execute: (_i, ctx) => sleep(toolMs, ctx.signal).then(() => 'edited'),
    });
    const contender = (
      name: string,
      tool: Tool,
      buffered: boolean,
      maxConcurrency = Infinity,
    ): Contender => ({
      name,
      async run() {
        const model = pacedModel(tool.name, calls, gap);
        const result = await runAgent({
          model: buffered ? afterStream(model) : model,
          scheduler: new Scheduler({ tools: [tool], maxConcurrency }),
          messages: 'go',
        });
        const statuses = result.messages.flatMap((m) => (m.role === 'tool' ? m.results : []));
        if (result.finishReason !== 'stop' || statuses.some((r) => r.status !== 'success')) {
          throw new Error(`${name}: the run did not succeed (${result.finishReason})`);
        }
      },
    });
    const independent = await measure({
      scenario: this.name,
      // The last call's arguments end with the stream; its tool runs after that.
      lowerBoundMs: streamMs + toolMs,
      contenders: [
        contender('salvo', read, false),
        contender('after-stream', read, true),
        contender('one-at-a-time', read, true, 1),
      ],
      reps,
    });
    const chained = await measure({
      scenario: this.name,
      // Five edits of one file run one after another from the first call's arguments on.
      lowerBoundMs: gap + calls * toolMs,
      contenders: [
        contender('salvo-same-file', edit, false),
        contender('after-stream-same-file', edit, true),
      ],
      reps,
    });
    return [...independent, ...chained];
  },
  verdicts(rows) {
    const context = (v: Verdict): Verdict => ({
      ...v,
      met: undefined,
      goal: `${v.goal} (context)`,
    });
    return [
      ratioVerdict(rows, 'salvo', 'one-at-a-time', { max: 0.75 }),
      ratioVerdict(rows, 'salvo-same-file', 'after-stream-same-file', { max: 0.75 }),
      context(ratioVerdict(rows, 'salvo', 'after-stream', { max: 1 })),
    ];
  },
};

/** Streams `count` tool calls, one every `gapMs`, the answer ending with the last; then "done". */
function pacedModel(tool: string, count: number, gapMs: number): Model {
  return {
    provider: 'bench',
    modelId: 'paced',
    async *stream(request) {
      if (request.messages.length > 1) {
        yield { type: 'text-delta', text: 'done' } satisfies ModelEvent;
        yield { type: 'finish', reason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } };
        return;
      }
      for (let n = 1; n <= count; n++) {
        const id = `call_${n}`;
        yield { type: 'tool-call-start', id, name: tool };
        await sleep(gapMs, request.signal); // the arguments streaming in
        yield { type: 'tool-call', id, name: tool, input: JSON.stringify({ n }) };
      }
      yield { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 0, outputTokens: 0 } };
    },
    toProviderMessages: (messages) => [...messages],
  };
}

/** The same model, its events held until the stream ends: tools can only start afterwards. */
function afterStream(model: Model): Model {
  return {
    ...model,
    async *stream(request) {
      const events: ModelEvent[] = [];
      for await (const event of model.stream(request)) events.push(event);
      yield* events;
    },
  };
}
