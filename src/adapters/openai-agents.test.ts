import {
  Agent,
  type AgentInputItem,
  type Model,
  type ModelRequest,
  type ModelResponse,
  Runner,
  setTracingDisabled,
  tool,
  Usage,
} from '@openai/agents';
import { beforeAll, describe, expect, it } from 'vitest';
import { deferred } from '../schedule/test-support.js';
import { toOpenAIAgentsTools, tracesOf } from './openai-agents.js';
import { at, fileWorld, lostUpdateCalls, type World } from './test-world.js';

// The OpenAI Agents SDK with a fake Model: one response of function calls, then one of text.

type Call = { id: string; name: string; input: unknown };

/** Answers with `steps` of function calls, then "done"; records each request's input. */
class FakeModel implements Model {
  readonly requests: AgentInputItem[][] = [];
  constructor(readonly steps: Call[][]) {}

  async getResponse(request: ModelRequest): Promise<ModelResponse> {
    this.requests.push(request.input as AgentInputItem[]);
    const calls = this.steps[this.requests.length - 1];
    const output = calls
      ? calls.map((c) => ({
          type: 'function_call' as const,
          callId: c.id,
          name: c.name,
          arguments: JSON.stringify(c.input),
          status: 'completed' as const,
        }))
      : [
          {
            type: 'message' as const,
            role: 'assistant' as const,
            status: 'completed' as const,
            content: [{ type: 'output_text' as const, text: 'done' }],
          },
        ];
    return { usage: new Usage(), output, responseId: `r${this.requests.length}` };
  }

  // biome-ignore lint/correctness/useYield: the tests never stream.
  async *getStreamedResponse(): AsyncIterable<never> {
    throw new Error('not streamed in these tests');
  }
}

/** What each call's result told the model, from the request after the calls. */
function resultsSent(model: FakeModel): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const item of model.requests[1] ?? []) {
    const entry = item as { type?: string; callId?: string; output?: unknown };
    if (entry.type !== 'function_call_result' || !entry.callId) continue;
    const output = entry.output as { text?: string } | string;
    sent[entry.callId] = typeof output === 'string' ? output : (output.text ?? '');
  }
  return sent;
}

function plainTools(world: World) {
  return ['edit_file', 'read_file'].map((name) =>
    tool({
      name,
      description: name,
      parameters: { type: 'object', properties: {}, additionalProperties: true } as never,
      strict: false,
      execute: (input, _context, details) =>
        world.run(name, input as Record<string, unknown>, details?.toolCall?.callId ?? '?'),
    }),
  );
}

const runner = new Runner({ tracingDisabled: true });
beforeAll(() => setTracingDisabled(true));

describe('salvo/openai-agents', () => {
  it('loses an edit on its own; keeps both with salvo, in call order, reads beside the first', async () => {
    const alone = fileWorld();
    const bare = new FakeModel([lostUpdateCalls]);
    await runner.run(new Agent({ name: 'a', model: bare, tools: plainTools(alone) }), 'edit');
    expect(alone.files.get('a.txt')).toBe('v0+two');

    const world = fileWorld();
    const tools = toOpenAIAgentsTools(world.scheduler());
    const model = new FakeModel([lostUpdateCalls]);
    const result = await runner.run(new Agent({ name: 'a', model, tools }), 'edit');
    expect(result.finalOutput).toBe('done');
    expect(world.files.get('a.txt')).toBe('v0+one+two');
    expect(at(world.log, 'end e1')).toBeLessThan(at(world.log, 'start e2'));
    expect(at(world.log, 'start r1')).toBeLessThan(at(world.log, 'end e1'));
    expect(at(world.log, 'start r2')).toBeLessThan(at(world.log, 'end e1'));
    expect(resultsSent(model)).toEqual({
      e1: 'edited a.txt',
      e2: 'edited a.txt',
      r1: 'b0',
      r2: 'b0',
    });
    expect(tracesOf(tools).map((t) => t.calls.map((c) => c.id))).toEqual([
      ['e1', 'e2', 'r1', 'r2'],
    ]);
  });

  it('keeps call order when a guardrail delays the first edit longer than the second', async () => {
    const world = fileWorld({ editMs: 20 });
    const tools = toOpenAIAgentsTools(world.scheduler());
    // The SDK's hook runs before each tool: the first edit's is held until a read has ended.
    const agent = new Agent({ name: 'a', model: new FakeModel([lostUpdateCalls]), tools });
    const hooked = new Runner({ tracingDisabled: true });
    for (const t of tools) {
      t.inputGuardrails = [
        {
          type: 'tool_input',
          name: 'slow-check',
          run: async ({ toolCall }: { toolCall: { callId: string } }) => {
            while (toolCall.callId === 'e1' && !world.log.includes('end r1'))
              await new Promise((r) => setTimeout(r, 1));
            return { behavior: { type: 'allow' } };
          },
        } as never,
      ];
    }
    await hooked.run(agent, 'edit');
    expect(world.files.get('a.txt')).toBe('v0+one+two');
    expect(at(world.log, 'end e1')).toBeLessThan(at(world.log, 'start e2'));
  });

  it('holds a named limit', async () => {
    const world = fileWorld();
    const tools = toOpenAIAgentsTools(world.scheduler());
    const fetches = [1, 2, 3, 4, 5].map((n) => ({
      id: `f${n}`,
      name: 'fetch_url',
      input: { url: `https://example.test/${n}` },
    }));
    const model = new FakeModel([fetches]);
    await runner.run(new Agent({ name: 'a', model, tools }), 'fetch');
    expect(world.peakFetches).toBe(2);
    expect(Object.keys(resultsSent(model))).toHaveLength(5);
  });

  it('a denied call reaches the model as a refusal; a pending approval holds back no other call', async () => {
    const world = fileWorld({ editMs: 5 });
    const decision = deferred<'approve' | 'deny'>();
    const scheduler = world.scheduler({ approver: () => decision.promise });
    const tools = toOpenAIAgentsTools(scheduler);
    const calls = [
      { id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'one' } },
      { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
    ];
    const model = new FakeModel([calls]);
    const run = runner.run(new Agent({ name: 'a', model, tools }), 'edit');
    while (!world.log.includes('end r1')) await new Promise((r) => setTimeout(r, 1));
    decision.resolve('deny');
    await run;
    expect(world.log).not.toContain('start e1');
    expect(resultsSent(model).e1).toMatch(/^Denied: /);
  });

  it("the SDK's own approval flow: an interruption, the others run, the approved call still ordered", async () => {
    const world = fileWorld({ editMs: 5 });
    const tools = toOpenAIAgentsTools(world.scheduler(), { approvals: 'framework' });
    const calls = [
      { id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'one' } },
      { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
    ];
    const agent = new Agent({ name: 'a', model: new FakeModel([calls]), tools });
    const paused = await runner.run(agent, 'edit');
    expect(paused.interruptions.map((i) => i.rawItem)).toMatchObject([{ callId: 'e1' }]);
    expect(world.log).toEqual(['start r1', 'end r1']);
    for (const interruption of paused.interruptions) paused.state.approve(interruption);
    const resumed = await runner.run(agent, paused.state);
    expect(resumed.finalOutput).toBe('done');
    expect(world.files.get('a.txt')).toBe('v0+one');
    expect(tracesOf(tools).at(-1)?.calls[0]).toMatchObject({ id: 'e1', approval: 'approved' });
  });

  it('cancellation (the run signal) reaches running calls', async () => {
    const world = fileWorld({ editMs: 10_000 });
    const tools = toOpenAIAgentsTools(world.scheduler());
    const model = new FakeModel([lostUpdateCalls.slice(0, 1)]);
    const controller = new AbortController();
    const run = runner.run(new Agent({ name: 'a', model, tools }), 'edit', {
      signal: controller.signal,
    });
    while (!world.log.includes('start e1')) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    await run.catch(() => {});
    expect(world.aborted.has('e1')).toBe(true);
  });
});
