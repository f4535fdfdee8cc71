import * as ai6 from 'ai';
import { MockLanguageModelV3 } from 'ai/test';
import * as ai5 from 'ai-v5';
import { MockLanguageModelV2 } from 'ai-v5/test';
import { describe, expect, it } from 'vitest';
import { deferred } from '../schedule/test-support.js';
import { renderTimeline } from '../trace/render-timeline.js';
import { toAiSdkTools, tracesOf } from './ai-sdk.js';
import { at, fileWorld, lostUpdateCalls, type World } from './test-world.js';

// The AI SDK with its own mock models (ai 6: MockLanguageModelV3, ai 5: MockLanguageModelV2):
// one step of tool calls, then a step that answers in text.

type Call = { id: string; name: string; input: unknown };

/** What one version of the SDK needs from a test. */
interface Sdk {
  version: string;
  generateText(options: Record<string, unknown>): Promise<{ steps: unknown[]; content: unknown[] }>;
  jsonSchema(schema: object): unknown;
  /** A model that answers with `steps` of calls, then "done"; `prompts` records its requests. */
  model(steps: Call[][]): { model: unknown; prompts: unknown[][] };
}

function toolCallParts(calls: Call[]) {
  return calls.map((c) => ({
    type: 'tool-call' as const,
    toolCallId: c.id,
    toolName: c.name,
    input: JSON.stringify(c.input),
  }));
}

const sdks: Sdk[] = [
  {
    version: 'ai 6',
    generateText: (options) => ai6.generateText(options as never) as never,
    jsonSchema: (schema) => ai6.jsonSchema(schema as never),
    model(steps) {
      const prompts: unknown[][] = [];
      const usage = {
        inputTokens: { total: 1, noCache: 1, cacheRead: 0, cacheWrite: 0 },
        outputTokens: { total: 1, text: 1, reasoning: 0 },
      };
      const model = new MockLanguageModelV3({
        doGenerate: async (options) => {
          prompts.push(options.prompt as unknown[]);
          const calls = steps[prompts.length - 1];
          return calls
            ? {
                content: toolCallParts(calls),
                finishReason: { unified: 'tool-calls', raw: 'tool_calls' },
                usage,
                warnings: [],
              }
            : {
                content: [{ type: 'text', text: 'done' }],
                finishReason: { unified: 'stop', raw: 'stop' },
                usage,
                warnings: [],
              };
        },
      });
      return { model, prompts };
    },
  },
  {
    version: 'ai 5',
    generateText: (options) => ai5.generateText(options as never) as never,
    jsonSchema: (schema) => ai5.jsonSchema(schema as never),
    model(steps) {
      const prompts: unknown[][] = [];
      const usage = { inputTokens: 1, outputTokens: 1, totalTokens: 2 };
      const model = new MockLanguageModelV2({
        doGenerate: async (options) => {
          prompts.push(options.prompt as unknown[]);
          const calls = steps[prompts.length - 1];
          return calls
            ? { content: toolCallParts(calls), finishReason: 'tool-calls', usage, warnings: [] }
            : {
                content: [{ type: 'text', text: 'done' }],
                finishReason: 'stop',
                usage,
                warnings: [],
              };
        },
      });
      return { model, prompts };
    },
  },
];

/** The tool results the model was sent in its second request, by call id. */
function toolResultsSent(prompts: unknown[][]): Record<string, string> {
  const sent: Record<string, string> = {};
  for (const message of prompts[1] ?? []) {
    const { role, content } = message as { role: string; content: unknown[] };
    if (role !== 'tool') continue;
    for (const part of content as { toolCallId: string; output: { value: unknown } }[]) {
      const value = part.output.value;
      sent[part.toolCallId] = typeof value === 'string' ? value : JSON.stringify(value);
    }
  }
  return sent;
}

/** The SDK's own tools, running the world's work with no salvo in between. */
function plainTools(sdk: Sdk, world: World) {
  const tools: Record<string, unknown> = {};
  for (const name of ['edit_file', 'read_file']) {
    tools[name] = {
      description: name,
      inputSchema: sdk.jsonSchema({ type: 'object' }),
      execute: (input: Record<string, unknown>, { toolCallId }: { toolCallId: string }) =>
        world.run(name, input, toolCallId),
    };
  }
  return tools;
}

describe.each(sdks)('salvo/ai-sdk under $version', (sdk) => {
  it('loses an edit on its own; keeps both with salvo, in call order, reads beside the first', async () => {
    const alone = fileWorld();
    const bare = sdk.model([lostUpdateCalls]);
    await sdk.generateText({
      model: bare.model,
      tools: plainTools(sdk, alone),
      prompt: 'edit',
      stopWhen: ai6.stepCountIs(2),
    });
    expect(alone.files.get('a.txt')).toBe('v0+two');

    const world = fileWorld();
    const scheduler = world.scheduler();
    const tools = toAiSdkTools(scheduler);
    const { model, prompts } = sdk.model([lostUpdateCalls]);
    const result = await sdk.generateText({
      model,
      tools,
      prompt: 'edit',
      stopWhen: ai6.stepCountIs(2),
    });
    expect(world.files.get('a.txt')).toBe('v0+one+two');
    expect(at(world.log, 'end e1')).toBeLessThan(at(world.log, 'start e2'));
    expect(at(world.log, 'start r1')).toBeLessThan(at(world.log, 'end e1'));
    expect(at(world.log, 'start r2')).toBeLessThan(at(world.log, 'end e1'));
    expect(result.steps).toHaveLength(2);
    expect(toolResultsSent(prompts)).toEqual({
      e1: 'edited a.txt',
      e2: 'edited a.txt',
      r1: 'b0',
      r2: 'b0',
    });
    // One turn for the step, its calls in the model's order.
    const traces = tracesOf(tools);
    expect(traces).toHaveLength(1);
    expect(traces[0]?.calls.map((c) => c.id)).toEqual(['e1', 'e2', 'r1', 'r2']);
    expect(renderTimeline(traces as never)).toContain('e2');
  });

  it('holds a named limit', async () => {
    const world = fileWorld();
    const tools = toAiSdkTools(world.scheduler());
    const fetches = [1, 2, 3, 4, 5].map((n) => ({
      id: `f${n}`,
      name: 'fetch_url',
      input: { url: `https://example.test/${n}` },
    }));
    const { model, prompts } = sdk.model([fetches]);
    await sdk.generateText({ model, tools, prompt: 'fetch', stopWhen: ai6.stepCountIs(2) });
    expect(world.peakFetches).toBe(2);
    expect(Object.keys(toolResultsSent(prompts))).toHaveLength(5);
  });

  it('a denied call reaches the model as a refusal; a pending approval holds back no other call', async () => {
    const world = fileWorld({ editMs: 5 });
    const decision = deferred<'approve' | 'deny'>();
    const asked: string[] = [];
    const scheduler = world.scheduler({
      approver: async (request) => {
        asked.push(request.callId);
        world.log.push(`asked ${request.callId}`);
        return decision.promise;
      },
    });
    const tools = toAiSdkTools(scheduler);
    const calls = [
      { id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'one' } },
      { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
    ];
    const { model, prompts } = sdk.model([calls]);
    const run = sdk.generateText({ model, tools, prompt: 'edit', stopWhen: ai6.stepCountIs(2) });
    // The read ran to its end while the edit's approval was pending.
    while (!world.log.includes('end r1')) await new Promise((resolve) => setTimeout(resolve, 1));
    expect(asked).toEqual(['e1']);
    decision.resolve('deny');
    await run;
    expect(world.log).not.toContain('start e1');
    expect(toolResultsSent(prompts).e1).toMatch(/^Denied: /);
    expect(world.files.get('a.txt')).toBe('v0');
  });

  it("cancellation (the SDK's abortSignal) reaches running calls", async () => {
    const world = fileWorld({ editMs: 10_000 });
    const tools = toAiSdkTools(world.scheduler());
    const { model } = sdk.model([lostUpdateCalls.slice(0, 1)]);
    const controller = new AbortController();
    const run = sdk.generateText({
      model,
      tools,
      prompt: 'edit',
      abortSignal: controller.signal,
      stopWhen: ai6.stepCountIs(2),
    });
    while (!world.log.includes('start e1')) await new Promise((resolve) => setTimeout(resolve, 1));
    controller.abort();
    await expect(run).rejects.toThrow();
    expect(world.aborted.has('e1')).toBe(true);
    expect(tracesOf(tools)[0]?.calls[0]?.status).toBe('cancelled');
  });
});

describe('salvo/ai-sdk: ai 6 only (hooks, the approval flow)', () => {
  it('keeps call order when a hook delays the first edit longer than the second', async () => {
    const world = fileWorld({ editMs: 20 });
    const tools = toAiSdkTools(world.scheduler());
    const { model } = (sdks[0] as Sdk).model([lostUpdateCalls]);
    await ai6.generateText({
      model: model as never,
      tools,
      prompt: 'edit',
      stopWhen: ai6.stepCountIs(2),
      experimental_onToolCallStart: async ({ toolCall }: { toolCall: { toolCallId: string } }) => {
        // The first edit is held until a read has finished: reads must not wait for it.
        if (toolCall.toolCallId !== 'e1') return;
        while (!world.log.includes('end r1')) await new Promise((r) => setTimeout(r, 1));
      },
    });
    expect(world.files.get('a.txt')).toBe('v0+one+two');
    expect(at(world.log, 'end e1')).toBeLessThan(at(world.log, 'start e2'));
    // The reads did not wait for the delayed edit.
    expect(at(world.log, 'end r1')).toBeLessThan(at(world.log, 'start e1'));
  });

  it('asks through the SDK, runs the others meanwhile, and orders the approved call by claims', async () => {
    const world = fileWorld({ editMs: 20 });
    const scheduler = world.scheduler();
    const tools = toAiSdkTools(scheduler, { approvals: 'framework' });
    const calls = [
      { id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'one' } },
      { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
    ];
    const first = (sdks[0] as Sdk).model([calls]);
    const paused = await ai6.generateText({
      model: first.model as never,
      tools,
      prompt: 'edit',
      stopWhen: ai6.stepCountIs(2),
    });
    // The read ran; the edit waits for the user, as the SDK's approval request.
    expect(world.log).toEqual(['start r1', 'end r1']);
    const request = paused.content.find((p) => p.type === 'tool-approval-request');
    expect(request?.toolCall.toolCallId).toBe('e1');

    // Approved: the SDK runs it when the conversation goes on; salvo still orders it.
    const second = (sdks[0] as Sdk).model([]);
    const messages = [
      { role: 'user' as const, content: 'edit' },
      ...paused.response.messages,
      {
        role: 'tool' as const,
        content: [
          {
            type: 'tool-approval-response' as const,
            approvalId: request?.approvalId as string,
            approved: true,
          },
        ],
      },
    ];
    await ai6.generateText({ model: second.model as never, tools, messages });
    expect(world.files.get('a.txt')).toBe('v0+one');
    expect(tracesOf(tools).at(-1)?.calls[0]).toMatchObject({ id: 'e1', approval: 'approved' });
  });

  it('under ai 5 (no approval flow) a call that needs approval still asks salvo', async () => {
    const world = fileWorld({ editMs: 5 });
    const scheduler = world.scheduler(); // no approver: such calls are denied
    const tools = toAiSdkTools(scheduler, { approvals: 'framework' });
    const calls = [{ id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'x' } }];
    const { model, prompts } = (sdks[1] as Sdk).model([calls]);
    await ai5.generateText({
      model: model as never,
      tools: tools as never,
      prompt: 'edit',
      stopWhen: ai5.stepCountIs(2) as never,
    });
    expect(world.log).toEqual([]);
    expect(toolResultsSent(prompts).e1).toMatch(/^Denied: edit_file_ask needs approval/);
    expect(tracesOf(tools)[0]?.calls[0]?.status).toBe('denied');
  });
});
