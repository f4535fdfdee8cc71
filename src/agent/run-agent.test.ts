import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Scheduler } from '../schedule/scheduler.js';
import { deferred, untilAborted } from '../schedule/test-support.js';
import { defineTool } from '../tool/define-tool.js';
import { parallelToolGuidance } from './guidance.js';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from './model.js';
import { runAgent } from './run-agent.js';
import { scriptedModel } from './scripted-model.js';

const add = defineTool({
  name: 'add',
  description: 'Adds two numbers',
  input: z.object({ a: z.number(), b: z.number() }),
  claims: [],
  execute: (i) => String(i.a + i.b),
});

describe('runAgent', () => {
  it('loops model -> tools -> model until the model answers, keeping a valid transcript', async () => {
    const requests: ModelRequest[] = [];
    const model = scriptedModel({
      turns: (request, index) => {
        requests.push({ ...request, messages: [...request.messages] });
        return index === 0
          ? {
              text: 'Let me add.',
              toolCalls: [
                { id: 'c1', name: 'add', input: { a: 1, b: 2 } },
                { id: 'c2', name: 'add', input: { a: 3, b: 4 } },
              ],
              usage: { inputTokens: 10, outputTokens: 5 },
            }
          : { text: 'The sums are 3 and 7.', usage: { inputTokens: 20, outputTokens: 6 } };
      },
    });
    const result = await runAgent({
      model,
      tools: [add],
      messages: 'Add 1+2 and 3+4',
      system: 'You are careful.',
    });
    expect(result.finishReason).toBe('stop');
    expect(result.text).toBe('The sums are 3 and 7.');
    expect(result.steps).toBe(2);
    expect(result.usage).toEqual({ inputTokens: 30, outputTokens: 11 });
    expect(result.traces).toHaveLength(1);
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results.map((r) => [r.id, r.content])).toEqual([
      ['c1', [{ type: 'text', text: '3' }]],
      ['c2', [{ type: 'text', text: '7' }]],
    ]);
    // The second request carried the first answer and its results.
    expect(requests[1]?.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'tool']);
    expect(requests[0]?.system).toBe(`You are careful.\n\n${parallelToolGuidance}`);
    expect(requests[0]?.tools[0]).toMatchObject({ name: 'add', inputSchema: { type: 'object' } });
  });

  it("shows each request the scheduler's tools as they are then (setTools)", async () => {
    let scheduler!: Scheduler;
    const mul = defineTool({
      name: 'mul',
      description: 'Multiplies two numbers',
      input: z.object({ a: z.number(), b: z.number() }),
      claims: [],
      execute: (i) => String(i.a * i.b),
    });
    // Calling `grow` adds `mul`, as an MCP server's tools/list_changed would.
    const grow = defineTool({
      name: 'grow',
      description: 'Adds a tool',
      input: z.object({}),
      claims: [],
      execute: () => {
        scheduler.setTools([add, grow, mul]);
        return 'grown';
      },
    });
    scheduler = new Scheduler({ tools: [add, grow] });
    const shown: string[][] = [];
    const model = scriptedModel({
      turns: (request, index) => {
        shown.push(request.tools.map((t) => t.name));
        if (index === 0) return { toolCalls: [{ id: 'g', name: 'grow', input: {} }] };
        if (index === 1) return { toolCalls: [{ id: 'm', name: 'mul', input: { a: 6, b: 7 } }] };
        return { text: 'done' };
      },
    });
    const result = await runAgent({ model, scheduler, messages: 'grow, then multiply' });
    expect(shown).toEqual([
      ['add', 'grow'],
      ['add', 'grow', 'mul'],
      ['add', 'grow', 'mul'],
    ]);
    const tool = result.messages[4] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results.map((r) => [r.status, r.content])).toEqual([
      ['success', [{ type: 'text', text: '42' }]],
    ]);
  });

  it('starts the first tool before the model has finished streaming', async () => {
    const log: string[] = [];
    const firstStarted = deferred();
    const slow = defineTool({
      name: 'note',
      description: '',
      input: z.object({ n: z.number() }),
      claims: [],
      execute: (i) => {
        log.push(`tool ${i.n} started`);
        firstStarted.resolve();
        return 'ok';
      },
    });
    // The model only finishes its answer once the first tool has started: if tools ran after the
    // stream, this would never finish.
    const model: Model = {
      provider: 'test',
      modelId: 'test',
      async *stream(request) {
        if (request.messages.length > 1) {
          yield { type: 'text-delta', text: 'done' } satisfies ModelEvent;
          yield { type: 'finish', reason: 'stop', usage: { inputTokens: 0, outputTokens: 0 } };
          return;
        }
        yield { type: 'tool-call', id: 'a', name: 'note', input: '{"n":1}' };
        await firstStarted.promise;
        log.push('stream still open');
        yield { type: 'tool-call', id: 'b', name: 'note', input: '{"n":2}' };
        yield { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 0, outputTokens: 0 } };
      },
      toProviderMessages: (m) => [...m],
    };
    const result = await runAgent({ model, tools: [slow], messages: 'go' });
    expect(log).toEqual(['tool 1 started', 'stream still open', 'tool 2 started']);
    expect(result.finishReason).toBe('stop');
  });

  it('never runs a call whose arguments were cut off, and says so in its result', async () => {
    let ran = 0;
    const counted = defineTool({
      name: 'write',
      description: '',
      input: z.object({ text: z.string() }),
      claims: [],
      execute: () => {
        ran++;
        return 'ok';
      },
    });
    const model = scriptedModel({
      turns: [
        {
          toolCalls: [
            { id: 'a', name: 'write', input: { text: 'short' } },
            { id: 'b', name: 'write', input: { text: 'x'.repeat(200) } },
          ],
          cutOff: true,
        },
        { text: 'retrying later' },
      ],
    });
    const result = await runAgent({ model, tools: [counted], messages: 'write' });
    expect(ran).toBe(1);
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results.map((r) => r.status)).toEqual(['success', 'error']);
    expect(tool.results[1]?.error?.message).toMatch(/output token limit/);
  });

  it('sends invalid arguments back as an error result the model can repair', async () => {
    const model = scriptedModel({
      turns: [
        { toolCalls: [{ id: 'a', name: 'add', input: { a: 'one', b: 2 } }] },
        { toolCalls: [{ id: 'b', name: 'add', input: { a: 1, b: 2 } }] },
        { text: '3' },
      ],
    });
    const result = await runAgent({ model, tools: [add], messages: 'add' });
    const first = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(first.results[0]?.error?.message).toMatch(/Invalid input for add: a:/);
    expect(result.text).toBe('3');
  });

  it('ends at maxSteps with a clear reason', async () => {
    const model = scriptedModel({
      turns: () => ({ toolCalls: [{ name: 'add', input: { a: 1, b: 1 } }] }),
    });
    const result = await runAgent({ model, tools: [add], messages: 'loop', maxSteps: 3 });
    expect(result.finishReason).toBe('max-steps');
    expect(result.steps).toBe(3);
    expect(result.messages.at(-1)?.role).toBe('tool');
  });

  it('keeps the transcript valid when the stream fails mid-answer', async () => {
    let signal: AbortSignal | undefined;
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: z.object({}),
      claims: [],
      execute: (_i, ctx) => {
        signal = ctx.signal;
        return untilAborted(ctx.signal);
      },
    });
    const model: Model = {
      provider: 'test',
      modelId: 'test',
      async *stream() {
        yield { type: 'text-delta', text: 'Working' };
        yield { type: 'tool-call', id: 'a', name: 'hang', input: '{}' };
        yield { type: 'tool-call-start', id: 'b', name: 'hang' };
        throw new Error('test: 529 overloaded_error: Overloaded');
      },
      toProviderMessages: (m) => [...m],
    };
    const result = await runAgent({ model, tools: [hang], messages: 'go' });
    expect(result.finishReason).toBe('error');
    expect(result.error?.message).toBe('test: 529 overloaded_error: Overloaded');
    expect(signal?.aborted).toBe(true);
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results.map((r) => [r.id, r.status])).toEqual([
      ['a', 'cancelled'],
      ['b', 'error'],
    ]);
  });

  it('stops when its signal aborts, with every call answered', async () => {
    const controller = new AbortController();
    const hang = defineTool({
      name: 'hang',
      description: '',
      input: z.object({}),
      claims: [],
      execute: (_i, ctx) => {
        controller.abort(new Error('user pressed Ctrl-C'));
        return untilAborted(ctx.signal);
      },
    });
    const model = scriptedModel({
      turns: [{ toolCalls: [{ id: 'a', name: 'hang', input: {} }] }, { text: 'never asked' }],
    });
    const result = await runAgent({
      model,
      scheduler: new Scheduler({ tools: [hang] }),
      messages: 'go',
      signal: controller.signal,
      guidance: false,
    });
    expect(result.finishReason).toBe('cancelled');
    expect(result.steps).toBe(1);
    const tool = result.messages[2] as Extract<AgentMessage, { role: 'tool' }>;
    expect(tool.results[0]?.status).toBe('cancelled');
  });

  it('traces every model request on the scheduler’s clock: first token, end, tokens, reason', async () => {
    let clock = 0;
    const scheduler = new Scheduler({ tools: [add], now: () => clock });
    let served = 0;
    const model: Model = {
      provider: 'anthropic',
      modelId: 'claude-test',
      async *stream(): AsyncIterable<ModelEvent> {
        const step = ++served;
        clock += 100;
        yield { type: 'text-delta', text: 'Adding.' };
        if (step === 1) {
          clock += 50;
          yield { type: 'tool-call', id: 'c1', name: 'add', input: '{"a":1,"b":2}' };
          clock += 200;
          yield {
            type: 'finish',
            reason: 'tool-calls',
            usage: { inputTokens: 40, outputTokens: 9 },
          };
        } else {
          clock += 50;
          yield { type: 'finish', reason: 'stop', usage: { inputTokens: 60, outputTokens: 3 } };
        }
      },
      toProviderMessages: () => [],
    };
    const result = await runAgent({ model, scheduler, messages: 'Add 1+2' });
    expect(result.stepTraces.map((t) => t.model)).toEqual([
      {
        provider: 'anthropic',
        model: 'claude-test',
        step: 1,
        queuedAt: 0,
        sentAt: 0,
        firstTokenAt: 100,
        endedAt: 350,
        inputTokens: 40,
        outputTokens: 9,
        finishReason: 'tool-calls',
      },
      {
        provider: 'anthropic',
        model: 'claude-test',
        step: 2,
        queuedAt: 350,
        sentAt: 350,
        firstTokenAt: 450,
        endedAt: 500,
        inputTokens: 60,
        outputTokens: 3,
        finishReason: 'stop',
      },
    ]);
    // The call joined the turn mid-answer; the final answer is a turn without calls.
    expect(result.stepTraces.map((t) => [t.calls.length, t.startedAt, t.endedAt])).toEqual([
      [1, 0, 350],
      [0, 350, 500],
    ]);
    expect(result.stepTraces[0]?.calls[0]?.queuedAt).toBe(150);
    expect(result.traces).toEqual([result.stepTraces[0]]);
  });

  it('traces a failed request as an error, and a cancelled one as cancelled', async () => {
    const failing: Model = {
      provider: 'openai',
      modelId: 'gpt-x',
      async *stream(): AsyncIterable<ModelEvent> {
        yield {
          type: 'retry',
          attempt: 2,
          maxAttempts: 3,
          delayMs: 1,
          reason: 'rate-limited',
          server: 'x',
          message: '429',
        };
        throw new Error('server closed the stream');
      },
      toProviderMessages: () => [],
    };
    const failed = await runAgent({ model: failing, tools: [add], messages: 'go' });
    expect(failed.stepTraces[0]?.model).toMatchObject({ finishReason: 'error', retries: 1 });
    expect(failed.stepTraces[0]?.model?.firstTokenAt).toBeUndefined();

    const controller = new AbortController();
    const hanging: Model = {
      provider: 'openai',
      modelId: 'gpt-x',
      async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
        yield { type: 'text-delta', text: 'Thinking' };
        controller.abort();
        await untilAborted(request.signal);
      },
      toProviderMessages: () => [],
    };
    const cancelled = await runAgent({
      model: hanging,
      tools: [add],
      messages: 'go',
      signal: controller.signal,
    });
    expect(cancelled.stepTraces[0]?.model?.finishReason).toBe('cancelled');
  });
});
