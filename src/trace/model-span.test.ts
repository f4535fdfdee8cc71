import { context, SpanKind } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Model, ModelRequest } from '../agent/model.js';
import { runAgent } from '../agent/run-agent.js';
import { type ScriptedTurn, scriptedModel } from '../agent/scripted-model.js';
import { Scheduler } from '../schedule/scheduler.js';
import { SubagentManager } from '../subagent/subagent-manager.js';
import { taskTool } from '../subagent/subagent-tools.js';
import { defineTool } from '../tool/define-tool.js';

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const tracer = provider.getTracer('test');

beforeAll(() => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
});
afterAll(() => {
  context.disable();
});

describe('model request spans', () => {
  it('makes a `chat {model}` span per request of every agent, per the GenAI conventions', async () => {
    exporter.reset();
    const read = defineTool({
      name: 'read',
      description: '',
      input: z.object({}),
      claims: [],
      execute: () => 'text',
    });
    const sub = scriptedModel({
      modelId: 'sub-model',
      turns: (request: ModelRequest): ScriptedTurn =>
        request.messages.some((m) => m.role === 'tool')
          ? { text: 'found', usage: { inputTokens: 30, outputTokens: 4 } }
          : {
              toolCalls: [{ name: 'read', input: {} }],
              usage: { inputTokens: 20, outputTokens: 6 },
            },
    });
    const manager = new SubagentManager({ model: sub, maxDepth: 1 });
    const scheduler = new Scheduler({ tools: [read, taskTool(manager)], tracer });
    manager.attach(scheduler);
    const root = scriptedModel({
      modelId: 'root-model',
      chunkDelayMs: 1,
      turns: [
        {
          toolCalls: [{ name: 'task', input: { description: 'd', prompt: 'look' } }],
          usage: { inputTokens: 100, outputTokens: 10 },
        },
        { text: 'done', usage: { inputTokens: 150, outputTokens: 3 } },
      ],
    });
    const result = await runAgent({ model: root, scheduler, messages: 'go' });
    expect(result.finishReason).toBe('stop');
    const spans = exporter.getFinishedSpans();
    const chats = spans.filter((s) => s.attributes['gen_ai.operation.name'] === 'chat');
    expect(chats.map((s) => s.name).sort()).toEqual([
      'chat root-model',
      'chat root-model',
      'chat sub-model',
      'chat sub-model',
    ]);
    for (const span of chats) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(span.attributes).toMatchObject({
        'gen_ai.provider.name': 'scripted',
        'gen_ai.request.stream': true,
      });
      expect(span.attributes['gen_ai.request.model']).toBe(span.name.slice('chat '.length));
      expect(typeof span.attributes['gen_ai.response.time_to_first_chunk']).toBe('number');
    }
    const first = chats.find((s) => s.attributes['gen_ai.usage.input_tokens'] === 100);
    expect(first?.attributes).toMatchObject({
      'gen_ai.usage.output_tokens': 10,
      'gen_ai.response.finish_reasons': ['tool_calls'],
      'salvo.step': 1,
    });
    // A subagent's requests nest under the task call that ran it, and say whose they are.
    const task = spans.find((s) => s.name === 'execute_tool task');
    const subChats = chats.filter((s) => s.name === 'chat sub-model');
    for (const span of subChats) {
      expect(span.parentSpanContext?.spanId).toBe(task?.spanContext().spanId);
      expect(span.attributes['salvo.agent.path']).toBe('agent#1');
    }
    // The root's requests are siblings of its calls, not their parents.
    const rootCall = spans.find((s) => s.name === 'execute_tool task');
    expect(rootCall?.parentSpanContext?.spanId).not.toBe(first?.spanContext().spanId);
  });

  it('ends a failed request’s span with its error, and none with tracer: false', async () => {
    exporter.reset();
    const failing: Model = {
      provider: 'openai',
      modelId: 'gpt-x',
      // biome-ignore lint/correctness/useYield: it fails before its first event
      async *stream() {
        throw new TypeError('socket hang up');
      },
      toProviderMessages: () => [],
    };
    const scheduler = new Scheduler({ tools: [], tracer });
    const result = await runAgent({ model: failing, scheduler, messages: 'go' });
    expect(result.finishReason).toBe('error');
    const [span] = exporter.getFinishedSpans();
    expect(span?.name).toBe('chat gpt-x');
    expect(span?.attributes).toMatchObject({
      'gen_ai.provider.name': 'openai',
      'error.type': 'TypeError',
    });
    expect(span?.status).toMatchObject({ code: 2, message: 'socket hang up' });

    exporter.reset();
    await runAgent({
      model: failing,
      scheduler: new Scheduler({ tools: [], tracer: false }),
      messages: 'go',
    });
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
