import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../errors.js';
import { deferred } from '../../schedule/test-support.js';
import type { AgentMessage, ModelEvent, ReasoningPart } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import {
  type OpenAIResponsesModelOptions,
  openAIResponsesModel,
} from './openai-responses-model.js';
import {
  collect,
  collectError,
  modelRequest,
  readFileTool,
  success,
  transcriptWithTools,
} from './test-model-request.js';
import {
  argumentsDelta,
  argumentsDone,
  completed,
  errorEvent,
  failed,
  functionCall,
  functionCallItem,
  httpError,
  incomplete,
  outputItemAdded,
  outputItemDone,
  reasoning,
  responsesStream,
  textMessage,
  textResponse,
} from './test-responses-sse.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

function model(options: Partial<OpenAIResponsesModelOptions> = {}) {
  return openAIResponsesModel({
    model: 'gpt-test',
    apiKey: 'test-key',
    baseURL: `${server.url}/v1`,
    maxRetries: 0,
    ...options,
  });
}

const toolCalls = (events: ModelEvent[]) => events.filter((e) => e.type === 'tool-call');
const bodyOf = async (n: number) => (await server.request(n)).body as Record<string, unknown>;

describe('openAIResponsesModel', () => {
  it('streams text and usage, and sends instructions, tools, input and options', async () => {
    server.enqueue(textResponse(['Hel', 'lo'], { input: 12, output: 3 }));
    const m = model({
      maxTokens: 1024,
      reasoningEffort: 'low',
      reasoningSummary: 'auto',
      temperature: 0.5,
      headers: { 'x-gateway-team': 'salvo' },
    });
    expect(m.provider).toBe('openai-responses');
    expect(m.modelId).toBe('gpt-test');
    const events = await collect(
      m.stream(modelRequest({ system: 'Be brief.', tools: [readFileTool] })),
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 12, outputTokens: 3 } },
    ]);
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/responses');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(request?.headers['x-gateway-team']).toBe('salvo');
    expect(request?.body).toEqual({
      model: 'gpt-test',
      instructions: 'Be brief.',
      input: [{ role: 'user', content: 'Hi' }],
      tools: [
        {
          type: 'function',
          name: 'read_file',
          description: 'Read a UTF-8 file',
          parameters: readFileTool.inputSchema,
          strict: false,
        },
      ],
      parallel_tool_calls: true,
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
      reasoning: { effort: 'low', summary: 'auto' },
      max_output_tokens: 1024,
      temperature: 0.5,
    });
  });

  it('leaves out what is empty or unset, and sends parallelToolCalls: false', async () => {
    server.enqueue(textResponse(['ok']), textResponse(['ok']));
    await collect(model().stream(modelRequest()));
    expect(await bodyOf(0)).toEqual({
      model: 'gpt-test',
      input: [{ role: 'user', content: 'Hi' }],
      stream: true,
      store: false,
      include: ['reasoning.encrypted_content'],
    });
    await collect(
      model({ parallelToolCalls: false }).stream(modelRequest({ tools: [readFileTool] })),
    );
    expect(await bodyOf(1)).toMatchObject({ parallel_tool_calls: false });
  });

  it('yields each of two interleaved calls the moment its own arguments are done', async () => {
    const firstRan = deferred();
    server.enqueue(
      responsesStream(
        [
          outputItemAdded(0, functionCallItem('fc_1', 'call_a', 'read_file', '', 'in_progress')),
          outputItemAdded(1, functionCallItem('fc_2', 'call_b', 'grep', '', 'in_progress')),
          argumentsDelta('fc_1', 0, '{"pa'),
          argumentsDelta('fc_2', 1, '{"pattern":'),
          argumentsDelta('fc_1', 0, 'th":"a.ts"}'),
          argumentsDone('fc_1', 0, 'read_file', '{"path":"a.ts"}'),
          // The server holds the rest until the consumer has seen call_a complete.
          { wait: firstRan.promise },
          argumentsDelta('fc_2', 1, '"TODO"}'),
          outputItemDone(0, functionCallItem('fc_1', 'call_a', 'read_file', '{"path":"a.ts"}')),
          argumentsDone('fc_2', 1, 'grep', '{"pattern":"TODO"}'),
          outputItemDone(1, functionCallItem('fc_2', 'call_b', 'grep', '{"pattern":"TODO"}')),
        ],
        completed([
          functionCallItem('fc_1', 'call_a', 'read_file', '{"path":"a.ts"}'),
          functionCallItem('fc_2', 'call_b', 'grep', '{"pattern":"TODO"}'),
        ]),
      ),
    );
    const seen: string[] = [];
    const events: ModelEvent[] = [];
    for await (const event of model().stream(modelRequest({ tools: [readFileTool] }))) {
      events.push(event);
      seen.push(`${event.type}${'id' in event ? ` ${event.id}` : ''}`);
      if (event.type === 'tool-call' && event.id === 'call_a') {
        seen.push('release');
        firstRan.resolve();
      }
    }
    expect(seen).toEqual([
      'tool-call-start call_a',
      'tool-call-start call_b',
      'tool-call-delta call_a',
      'tool-call-delta call_b',
      'tool-call-delta call_a',
      'tool-call call_a',
      'release',
      'tool-call-delta call_b',
      'tool-call call_b',
      'finish',
    ]);
    expect(toolCalls(events)).toEqual([
      { type: 'tool-call', id: 'call_a', name: 'read_file', input: '{"path":"a.ts"}' },
      { type: 'tool-call', id: 'call_b', name: 'grep', input: '{"pattern":"TODO"}' },
    ]);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'tool-calls',
      usage: { inputTokens: 10, outputTokens: 20 },
    });
  });

  it('yields reasoning as a part, and sends it back unchanged before the calls', async () => {
    const thought = reasoning(0, 'rs_1', ['**Planning**', 'Read both files.'], 'gAAAA-secret==');
    const callA = functionCall(1, 'fc_1', 'call_a', 'read_file', ['{"path":"a.ts"}']);
    const callB = functionCall(2, 'fc_2', 'call_b', 'read_file', ['{"path":', '"b.ts"}']);
    server.enqueue(
      responsesStream(
        [...thought.steps, ...callA.steps, ...callB.steps],
        completed([thought.item, callA.item, callB.item]),
      ),
      textResponse(['Done.']),
    );
    const m = model({ reasoningEffort: 'high', reasoningSummary: 'auto' });
    const events = await collect(m.stream(modelRequest({ tools: [readFileTool] })));
    expect(events.filter((e) => e.type === 'reasoning-delta')).toEqual([
      { type: 'reasoning-delta', text: '**Planning**' },
      { type: 'reasoning-delta', text: '\n\nRead both files.' },
    ]);
    const summary = [
      { type: 'summary_text', text: '**Planning**' },
      { type: 'summary_text', text: 'Read both files.' },
    ];
    const part: ReasoningPart = {
      provider: 'openai-responses',
      kind: 'reasoning',
      text: '**Planning**\n\nRead both files.',
      data: { id: 'rs_1', encrypted_content: 'gAAAA-secret==', summary },
    };
    expect(events.filter((e) => e.type === 'reasoning')).toEqual([{ type: 'reasoning', part }]);
    // The reasoning part comes before the calls, as the items did.
    expect(events.map((e) => e.type).indexOf('reasoning')).toBeLessThan(
      events.map((e) => e.type).indexOf('tool-call-start'),
    );
    expect(toolCalls(events).map((e) => e.id)).toEqual(['call_a', 'call_b']);

    const transcript: AgentMessage[] = [
      { role: 'user', content: 'Hi' },
      {
        role: 'assistant',
        content: '',
        reasoning: [part],
        toolCalls: [
          { id: 'call_a', name: 'read_file', input: '{"path":"a.ts"}' },
          { id: 'call_b', name: 'read_file', input: '{"path":"b.ts"}' },
        ],
      },
      {
        role: 'tool',
        results: [
          success('call_a', 'read_file', 'export const a = 1;'),
          success('call_b', 'read_file', 'export const b = 2;'),
        ],
      },
    ];
    await collect(m.stream(modelRequest({ messages: transcript, tools: [readFileTool] })));
    const input = (await bodyOf(1)).input as Record<string, unknown>[];
    expect(input).toEqual([
      { role: 'user', content: 'Hi' },
      { type: 'reasoning', id: 'rs_1', encrypted_content: 'gAAAA-secret==', summary },
      { type: 'function_call', call_id: 'call_a', name: 'read_file', arguments: '{"path":"a.ts"}' },
      { type: 'function_call', call_id: 'call_b', name: 'read_file', arguments: '{"path":"b.ts"}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'export const a = 1;' },
      { type: 'function_call_output', call_id: 'call_b', output: 'export const b = 2;' },
    ]);
    const callIds = input.filter((i) => i.type === 'function_call').map((i) => i.call_id);
    const outputIds = input.filter((i) => i.type === 'function_call_output').map((i) => i.call_id);
    expect(outputIds).toEqual(callIds);
  });

  it('yields no tool-call for a call max_output_tokens cut off; finishes with length', async () => {
    const callA = functionCall(0, 'fc_1', 'call_a', 'read_file', ['{"path":"a.ts"}']);
    server.enqueue(
      responsesStream(
        [
          ...callA.steps,
          outputItemAdded(1, functionCallItem('fc_2', 'call_b', 'read_file', '', 'in_progress')),
          argumentsDelta('fc_2', 1, '{"path":"b.'),
        ],
        incomplete(
          'max_output_tokens',
          [
            callA.item,
            functionCallItem('fc_2', 'call_b', 'read_file', '{"path":"b.', 'incomplete'),
          ],
          { input: 10, output: 4096 },
        ),
      ),
    );
    const events = await collect(model({ maxTokens: 4096 }).stream(modelRequest()));
    expect(toolCalls(events).map((e) => e.id)).toEqual(['call_a']);
    expect(events.filter((e) => e.type === 'tool-call-start').map((e) => e.id)).toEqual([
      'call_a',
      'call_b',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'length',
      usage: { inputTokens: 10, outputTokens: 4096 },
    });
  });

  it('finishes with content-filter when the content filter cut the response', async () => {
    const message = textMessage(0, 'msg_1', ['I can']);
    server.enqueue(responsesStream(message.steps, incomplete('content_filter', [message.item])));
    const events = await collect(model().stream(modelRequest()));
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'content-filter' });
  });

  it('takes a missing usage as zeros', async () => {
    server.enqueue(textResponse(['hi'], null));
    const events = await collect(model().stream(modelRequest()));
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('throws a ModelApiError with the server message for response.failed', async () => {
    const message = textMessage(0, 'msg_1', ['Let me']);
    server.enqueue(
      responsesStream(
        message.steps.slice(0, 3),
        failed('server_error', 'The model failed to generate a response.'),
      ),
    );
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe(
      'openai-responses: server_error: The model failed to generate a response.',
    );
    expect(error).toMatchObject({
      provider: 'openai-responses',
      type: 'server_error',
      apiMessage: 'The model failed to generate a response.',
    });
  });

  it('throws a ModelApiError with the server message for an error event', async () => {
    server.enqueue(
      responsesStream([errorEvent('rate_limit_exceeded', 'Rate limit reached for gpt-test.')]),
    );
    const { error } = await collectError(model().stream(modelRequest()));
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe(
      'openai-responses: rate_limit_exceeded: Rate limit reached for gpt-test.',
    );
  });

  it('throws a ModelApiError for an error event that nests its error object', async () => {
    server.enqueue(
      responsesStream([
        {
          event: 'error',
          data: { type: 'error', error: { type: 'server_error', code: null, message: 'Boom.' } },
        },
      ]),
    );
    const { error } = await collectError(model().stream(modelRequest()));
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe('openai-responses: server_error: Boom.');
  });

  it('throws a clear error for an HTTP error', async () => {
    server.enqueue(httpError(400, "Invalid schema for function 'read_file'."));
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([]);
    expect((error as Error).message).toBe(
      "openai-responses: 400 invalid_request_error: Invalid schema for function 'read_file'.",
    );
    expect(error).toMatchObject({ provider: 'openai-responses', status: 400 });
  });

  it('throws when the stream ends without a terminal event', async () => {
    server.enqueue(responsesStream(textMessage(0, 'msg_1', ['Let me']).steps));
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe(
      'openai-responses: the stream ended before the response was complete (no response.completed)',
    );
  });

  it('stops the stream when the signal aborts, and throws the abort reason', async () => {
    const never = deferred();
    const message = textMessage(0, 'msg_1', ['Let me']);
    server.enqueue(responsesStream([...message.steps.slice(0, 3), { wait: never.promise }]));
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const events: ModelEvent[] = [];
    const run = (async () => {
      for await (const event of model().stream(modelRequest({ signal: controller.signal }))) {
        events.push(event);
        // Abort once the stream is waiting for the server's next event.
        setImmediate(() => controller.abort(reason));
      }
    })();
    await expect(run).rejects.toBe(reason);
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect(await server.requests[0]?.outcome).toBe('client-closed');
    never.resolve();
  });

  it('stops while waiting for the response headers', async () => {
    const never = deferred();
    server.enqueue({ type: 'stream', steps: [], headersAfter: never.promise });
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const run = collect(model().stream(modelRequest({ signal: controller.signal })));
    const request = await server.request(0);
    controller.abort(reason);
    await expect(run).rejects.toBe(reason);
    expect(await request.outcome).toBe('client-closed');
    never.resolve();
  });

  it('throws the reason at once for a signal aborted before the request', async () => {
    const controller = new AbortController();
    const reason = new Error('too late');
    controller.abort(reason);
    await expect(collect(model().stream(modelRequest({ signal: controller.signal })))).rejects.toBe(
      reason,
    );
    expect(server.requests).toHaveLength(0);
  });

  it('sends a transcript with tool calls and results as the Responses API expects', async () => {
    server.enqueue(textResponse(['Done.']));
    const m = model();
    const foreign: ReasoningPart = {
      provider: 'anthropic',
      kind: 'thinking',
      text: 'hmm',
      signature: 's',
    };
    const messages = transcriptWithTools.map((message) =>
      message.role === 'assistant' ? { ...message, reasoning: [foreign] } : message,
    );
    await collect(m.stream(modelRequest({ system: 'Be brief.', messages })));
    const expected = [
      { role: 'user', content: 'Read a.ts and b.ts' },
      { role: 'assistant', content: 'Reading both.' },
      { type: 'function_call', call_id: 'call_a', name: 'read_file', arguments: '{"path":"a.ts"}' },
      { type: 'function_call', call_id: 'call_b', name: 'read_file', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_a', output: 'export const a = 1;' },
      {
        type: 'function_call_output',
        call_id: 'call_b',
        output: 'The arguments were cut off by the output limit.',
      },
      { role: 'user', content: 'Now b.ts again, please.' },
      { type: 'function_call', call_id: 'call_c', name: 'read_file', arguments: '{}' },
      { type: 'function_call_output', call_id: 'call_c', output: 'export const b = 2;' },
    ];
    const body = await bodyOf(0);
    expect(body.instructions).toBe('Be brief.');
    expect(body.input).toEqual(expected);
    expect(m.toProviderMessages(messages)).toEqual(expected);
  });

  it('works with a server that needs no API key', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      server.enqueue(textResponse(['ok']));
      const local = openAIResponsesModel({
        model: 'gpt-oss',
        baseURL: `${server.url}/v1`,
        maxRetries: 0,
      });
      await collect(local.stream(modelRequest()));
      expect(server.requests[0]?.headers.authorization).toBe('Bearer none');
      expect(() => openAIResponsesModel({ model: 'gpt-test' })).toThrow(InvalidOptionError);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('validates its options', () => {
    const base = { model: 'm', apiKey: 'k' };
    expect(() => openAIResponsesModel({ ...base, model: '' })).toThrow(InvalidOptionError);
    expect(() => openAIResponsesModel({ ...base, maxTokens: 0 })).toThrow(
      'Expected `maxTokens` to be a number from 1 and up, got `0` (number)',
    );
    expect(() => openAIResponsesModel({ ...base, maxRetries: -1 })).toThrow(InvalidOptionError);
    expect(() => openAIResponsesModel({ ...base, temperature: 3 })).toThrow(
      'Expected `temperature` to be a number from 0 to 2, got `3` (number)',
    );
    expect(() => openAIResponsesModel({ ...base, reasoningEffort: '' as 'low' })).toThrow(
      InvalidOptionError,
    );
    expect(() => openAIResponsesModel({ ...base, reasoningSummary: 'long' as 'auto' })).toThrow(
      InvalidOptionError,
    );
    expect(() =>
      openAIResponsesModel({ ...base, parallelToolCalls: 'yes' as unknown as boolean }),
    ).toThrow(InvalidOptionError);
    expect(() =>
      openAIResponsesModel({ ...base, headers: { 'x-n': 1 } as unknown as Record<string, string> }),
    ).toThrow('Expected `headers` to be an object of header names to string values');
    expect(() => openAIResponsesModel({ ...base, logLevel: 'loud' as 'off' })).toThrow(
      InvalidOptionError,
    );
  });
});
