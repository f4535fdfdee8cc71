import { BaseChatModel } from '@langchain/core/language_models/chat_models';
import { AIMessage, type BaseMessage, type ToolMessage } from '@langchain/core/messages';
import type { ChatResult } from '@langchain/core/outputs';
import { tool } from '@langchain/core/tools';
import { END, MessagesAnnotation, START, StateGraph } from '@langchain/langgraph';
import { ToolNode, toolsCondition } from '@langchain/langgraph/prebuilt';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { deferred } from '../schedule/test-support.js';
import { salvoToolNode, toLangChainTools, tracesOf } from './langchain.js';
import { at, fileWorld, lostUpdateCalls, type World } from './test-world.js';

// LangGraph with a fake chat model: one AI message of tool calls, then one of text.

type Call = { id: string; name: string; input: Record<string, unknown> };

/** Answers with `steps` of tool calls, then "done"; records the messages of each request. */
class FakeChatModel extends BaseChatModel {
  readonly requests: BaseMessage[][] = [];
  constructor(readonly steps: Call[][]) {
    super({});
  }
  _llmType(): string {
    return 'fake';
  }
  async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.requests.push(messages);
    const calls = this.steps[this.requests.length - 1];
    const message = new AIMessage({
      content: calls ? '' : 'done',
      tool_calls: (calls ?? []).map((c) => ({ id: c.id, name: c.name, args: c.input })),
    });
    return { generations: [{ text: '', message }] };
  }
}

/** A ReAct graph: the model, then the tools node while the model asks for tools. */
function agentGraph(
  model: FakeChatModel,
  tools: ConstructorParameters<typeof StateGraph>[0] | unknown,
) {
  return new StateGraph(MessagesAnnotation)
    .addNode('agent', async (state) => ({ messages: [await model.invoke(state.messages)] }))
    .addNode('tools', tools as never)
    .addEdge(START, 'agent')
    .addConditionalEdges('agent', toolsCondition, ['tools', END])
    .addEdge('tools', 'agent')
    .compile();
}

function resultsSent(model: FakeChatModel): Record<string, { text: string; status?: string }> {
  const sent: Record<string, { text: string; status?: string }> = {};
  for (const message of model.requests[1] ?? []) {
    if (message.getType() !== 'tool') continue;
    const tm = message as ToolMessage;
    sent[tm.tool_call_id] = { text: String(tm.content), status: tm.status };
  }
  return sent;
}

function plainToolNode(world: World) {
  return new ToolNode(
    ['edit_file', 'read_file'].map((name) =>
      tool(
        (input: Record<string, unknown>, config) =>
          world.run(name, input, String(config.toolCall?.id ?? '?')),
        { name, description: name, schema: z.object({}).passthrough() },
      ),
    ),
  );
}

describe('salvo/langchain', () => {
  it('loses an edit on its own; keeps both with salvo, in call order, reads beside the first', async () => {
    const alone = fileWorld();
    await agentGraph(new FakeChatModel([lostUpdateCalls as Call[]]), plainToolNode(alone)).invoke({
      messages: [{ role: 'user', content: 'edit' }],
    });
    expect(alone.files.get('a.txt')).toBe('v0+two');

    const world = fileWorld();
    const node = salvoToolNode(world.scheduler());
    const model = new FakeChatModel([lostUpdateCalls as Call[]]);
    const state = await agentGraph(model, node).invoke({
      messages: [{ role: 'user', content: 'edit' }],
    });
    expect(state.messages.at(-1)?.content).toBe('done');
    expect(world.files.get('a.txt')).toBe('v0+one+two');
    expect(at(world.log, 'end e1')).toBeLessThan(at(world.log, 'start e2'));
    expect(at(world.log, 'start r1')).toBeLessThan(at(world.log, 'end e1'));
    expect(at(world.log, 'start r2')).toBeLessThan(at(world.log, 'end e1'));
    expect(resultsSent(model)).toEqual({
      e1: { text: 'edited a.txt', status: 'success' },
      e2: { text: 'edited a.txt', status: 'success' },
      r1: { text: 'b0', status: 'success' },
      r2: { text: 'b0', status: 'success' },
    });
    expect(tracesOf(node).map((t) => t.calls.map((c) => c.id))).toEqual([['e1', 'e2', 'r1', 'r2']]);
  });

  it('takes what ToolNode takes: a message list, and skips calls answered already', async () => {
    const world = fileWorld({ editMs: 1 });
    const node = salvoToolNode(world.scheduler());
    const ai = new AIMessage({
      content: '',
      tool_calls: [
        { id: 'r1', name: 'read_file', args: { path: 'b.txt' } },
        { id: 'x', name: 'no_such_tool', args: {} },
      ],
    });
    const output = (await node.invoke([ai])) as ToolMessage[];
    expect(output.map((m) => [m.tool_call_id, m.status])).toEqual([
      ['r1', 'success'],
      ['x', 'error'],
    ]);
    expect(String(output[1]?.content)).toMatch(/^Unknown tool "no_such_tool"/);
    const again = (await node.invoke({ messages: [ai, output[0] as ToolMessage] })) as {
      messages: ToolMessage[];
    };
    expect(again.messages.map((m) => m.tool_call_id)).toEqual(['x']);
    expect(toLangChainTools(world.scheduler(), { tools: ['read_file'] })).toEqual([
      {
        type: 'function',
        function: { name: 'read_file', description: 'Read a file', parameters: expect.any(Object) },
      },
    ]);
  });

  it('holds a named limit', async () => {
    const world = fileWorld();
    const fetches = [1, 2, 3, 4, 5].map((n) => ({
      id: `f${n}`,
      name: 'fetch_url',
      input: { url: `https://example.test/${n}` },
    }));
    const model = new FakeChatModel([fetches]);
    await agentGraph(model, salvoToolNode(world.scheduler())).invoke({
      messages: [{ role: 'user', content: 'fetch' }],
    });
    expect(world.peakFetches).toBe(2);
    expect(Object.keys(resultsSent(model))).toHaveLength(5);
  });

  it('a denied call reaches the model as a refusal; a pending approval holds back no other call', async () => {
    const world = fileWorld({ editMs: 5 });
    const decision = deferred<'approve' | 'deny'>();
    const node = salvoToolNode(world.scheduler({ approver: () => decision.promise }));
    const model = new FakeChatModel([
      [
        { id: 'e1', name: 'edit_file_ask', input: { path: 'a.txt', append: 'one' } },
        { id: 'r1', name: 'read_file', input: { path: 'b.txt' } },
      ],
    ]);
    const run = agentGraph(model, node).invoke({ messages: [{ role: 'user', content: 'edit' }] });
    while (!world.log.includes('end r1')) await new Promise((r) => setTimeout(r, 1));
    decision.resolve('deny');
    await run;
    expect(world.log).not.toContain('start e1');
    expect(resultsSent(model).e1).toMatchObject({
      status: 'error',
      text: expect.stringMatching(/^Denied: /),
    });
  });

  it("cancellation (the graph's signal) reaches running calls", async () => {
    const world = fileWorld({ editMs: 10_000 });
    const model = new FakeChatModel([lostUpdateCalls.slice(0, 1) as Call[]]);
    const controller = new AbortController();
    const run = agentGraph(model, salvoToolNode(world.scheduler())).invoke(
      { messages: [{ role: 'user', content: 'edit' }] },
      { signal: controller.signal },
    );
    while (!world.log.includes('start e1')) await new Promise((r) => setTimeout(r, 1));
    controller.abort();
    await expect(run).rejects.toThrow();
    expect(world.aborted.has('e1')).toBe(true);
  });
});
