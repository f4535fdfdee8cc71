import { describe, expect, it } from 'vitest';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from '../../agent/model.js';
import { demoAgentDefinitions } from './demo-agents.js';
import { demoModels } from './demo-model.js';

const builtins = ['read_file', 'list_dir', 'glob', 'grep', 'write_file', 'edit_file', 'shell'];

function request(system: string, tools: string[], messages: AgentMessage[]): ModelRequest {
  return {
    system,
    messages,
    tools: tools.map((name) => ({ name, description: name, inputSchema: { type: 'object' } })),
    signal: new AbortController().signal,
  };
}

async function answer(model: Model, req: ModelRequest) {
  const events: ModelEvent[] = [];
  for await (const event of model.stream(req)) events.push(event);
  return {
    text: events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join(''),
    calls: events.flatMap((e) => (e.type === 'tool-call' ? [e] : [])),
  };
}

const assistant: AgentMessage = { role: 'assistant', content: '', toolCalls: [] };

describe('demoModels', () => {
  const { root, reviewer } = demoModels({ chunkDelayMs: 0, firstTokenDelayMs: 0 });
  const mcp = ['files__read_text_file', 'files__directory_tree', 'memory__read_graph'];
  const user: AgentMessage = { role: 'user', content: 'review' };

  it('answers from the request alone: the same request, the same answer', async () => {
    const req = request('', [...builtins, ...mcp, 'task'], [user]);
    const first = await answer(root, req);
    expect(first.calls.map((c) => c.name)).toEqual([
      'list_dir',
      'glob',
      'read_file',
      'read_file',
      'files__directory_tree',
      'memory__read_graph',
      'shell',
    ]);
    expect(await answer(root, req)).toEqual(first);
    const fanOut = await answer(root, request('', [...builtins, 'task'], [user, assistant]));
    expect(fanOut.calls.map((c) => JSON.parse(c.input).agent)).toEqual(
      demoAgentDefinitions().map((d) => d.name),
    );
  });

  it('makes do with the built-in tools when the MCP servers are missing', async () => {
    const orient = await answer(root, request('', [...builtins, 'task'], [user]));
    expect(orient.calls.map((c) => c.name)).toEqual([
      'list_dir',
      'glob',
      'read_file',
      'read_file',
      'glob',
      'shell',
    ]);
    const security = demoAgentDefinitions()[0]?.prompt as string;
    const step = await answer(reviewer, request(security, builtins, [user]));
    expect(step.calls.map((c) => c.name)).toEqual(['grep', 'grep', 'read_file', 'read_file']);
    const record = await answer(reviewer, request(security, builtins, [user, assistant]));
    expect(record.calls.every((c) => !c.name.startsWith('memory__'))).toBe(true);
  });

  it('tells reviewers apart by their definition and ends each with its findings', async () => {
    for (const definition of demoAgentDefinitions()) {
      const final = await answer(
        reviewer,
        request(definition.prompt, builtins, [user, assistant, assistant]),
      );
      expect(final.calls).toEqual([]);
      expect(final.text).toMatch(/^- \S+:\d+ — /m);
    }
    const lost = await answer(reviewer, request('someone else', builtins, [user]));
    expect(lost.calls).toEqual([]);
  });

  it('checks its options', () => {
    expect(() => demoModels({ chunkDelayMs: -1 })).toThrow(/chunkDelayMs/);
    expect(() => demoModels({ firstTokenDelayMs: Number.NaN })).toThrow(/firstTokenDelayMs/);
  });
});
