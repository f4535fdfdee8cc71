import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../errors.js';
import { deferred } from '../../schedule/test-support.js';
import type { ModelEvent } from '../model.js';
import { ModelApiError } from './model-api-error.js';
import { openAIModel } from './openai-model.js';
import {
  collect,
  collectError,
  modelRequest,
  readFileTool,
  transcriptWithTools,
} from './test-model-request.js';
import {
  completionStream,
  done,
  errorChunk,
  finishChunk,
  httpError,
  roleChunk,
  textChunk,
  toolArgs,
  toolStart,
} from './test-openai-sse.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

function model(maxRetries = 0, maxTokens?: number) {
  return openAIModel({
    model: 'gpt-test',
    apiKey: 'test-key',
    baseURL: `${server.url}/v1`,
    maxRetries,
    ...(maxTokens === undefined ? {} : { maxTokens }),
  });
}

const toolCalls = (events: ModelEvent[]) => events.filter((e) => e.type === 'tool-call');

describe('openAIModel', () => {
  it('streams text and usage, and sends the system prompt, tools and messages', async () => {
    server.enqueue(
      completionStream([textChunk('Hel'), textChunk('lo')], 'stop', { input: 12, output: 3 }),
    );
    const events = await collect(
      model(0, 1024).stream(modelRequest({ system: 'Be brief.', tools: [readFileTool] })),
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 12, outputTokens: 3 } },
    ]);
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe('Bearer test-key');
    expect(request?.body).toEqual({
      model: 'gpt-test',
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 1024,
      tools: [
        {
          type: 'function',
          function: {
            name: 'read_file',
            description: 'Read a UTF-8 file',
            parameters: readFileTool.inputSchema,
          },
        },
      ],
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
    });
  });

  it('leaves out an empty system prompt, an empty tool list and an unset maxTokens', async () => {
    server.enqueue(completionStream([textChunk('ok')]));
    await collect(model().stream(modelRequest()));
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('tools');
    expect(body).not.toHaveProperty('max_tokens');
    expect(body.messages).toEqual([{ role: 'user', content: 'Hi' }]);
  });

  it('streams several tool calls in one message, each complete when its arguments are', async () => {
    server.enqueue(
      completionStream(
        [
          toolStart(0, 'call_1', 'read_file'),
          toolArgs(0, '{"path":'),
          toolArgs(0, '"a.ts"}'),
          toolStart(1, 'call_2', 'read_file'),
          toolArgs(1, '{"path":"b.ts"}'),
        ],
        'tool_calls',
      ),
    );
    const events = await collect(model().stream(modelRequest({ tools: [readFileTool] })));
    expect(events).toEqual([
      { type: 'tool-call-start', id: 'call_1', name: 'read_file' },
      { type: 'tool-call-delta', id: 'call_1', delta: '{"path":' },
      { type: 'tool-call-delta', id: 'call_1', delta: '"a.ts"}' },
      { type: 'tool-call', id: 'call_1', name: 'read_file', input: '{"path":"a.ts"}' },
      { type: 'tool-call-start', id: 'call_2', name: 'read_file' },
      { type: 'tool-call-delta', id: 'call_2', delta: '{"path":"b.ts"}' },
      { type: 'tool-call', id: 'call_2', name: 'read_file', input: '{"path":"b.ts"}' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 20 } },
    ]);
  });

  it('gathers interleaved argument deltas by index', async () => {
    server.enqueue(
      completionStream(
        [
          toolStart(0, 'call_1', 'read_file'),
          toolStart(1, 'call_2', 'grep'),
          toolArgs(0, '{"pa'),
          toolArgs(1, '{"pattern":'),
          toolArgs(0, 'th":"a.ts"'),
          toolArgs(1, '"TODO"}'),
          toolArgs(0, '}'),
        ],
        'tool_calls',
      ),
    );
    const events = await collect(model().stream(modelRequest()));
    expect(events.map((e) => `${e.type} ${'id' in e ? e.id : ''}`.trim())).toEqual([
      'tool-call-start call_1',
      'tool-call-start call_2',
      'tool-call-delta call_1',
      'tool-call-delta call_2',
      'tool-call-delta call_1',
      'tool-call-delta call_2',
      'tool-call call_2',
      'tool-call-delta call_1',
      'tool-call call_1',
      'finish',
    ]);
    expect(toolCalls(events)).toEqual([
      { type: 'tool-call', id: 'call_2', name: 'grep', input: '{"pattern":"TODO"}' },
      { type: 'tool-call', id: 'call_1', name: 'read_file', input: '{"path":"a.ts"}' },
    ]);
  });

  it('yields a tool call while the rest of the answer is still streaming', async () => {
    const rest = deferred();
    server.enqueue(
      completionStream(
        [
          toolStart(0, 'call_1', 'read_file', '{"path":"a.ts"}'),
          { wait: rest.promise },
          toolStart(1, 'call_2', 'read_file', '{"path":"b.ts"}'),
        ],
        'tool_calls',
      ),
    );
    const seen: string[] = [];
    for await (const event of model().stream(modelRequest())) {
      seen.push(event.type === 'tool-call' ? `tool-call ${event.id}` : event.type);
      if (event.type === 'tool-call' && event.id === 'call_1') {
        seen.push('release');
        rest.resolve();
      }
    }
    expect(seen).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call call_1',
      'release',
      'tool-call-start',
      'tool-call-delta',
      'tool-call call_2',
      'finish',
    ]);
  });

  it('yields no tool-call for a call cut off by finish_reason length', async () => {
    server.enqueue(
      completionStream(
        [
          toolStart(0, 'call_1', 'read_file', '{"path":"a.ts"}'),
          toolStart(1, 'call_2', 'read_file'),
          toolArgs(1, '{"path":"b.'),
        ],
        'length',
        { input: 10, output: 4096 },
      ),
    );
    const events = await collect(model().stream(modelRequest()));
    expect(toolCalls(events).map((e) => e.id)).toEqual(['call_1']);
    expect(events.filter((e) => e.type === 'tool-call-start').map((e) => e.id)).toEqual([
      'call_1',
      'call_2',
    ]);
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'length',
      usage: { inputTokens: 10, outputTokens: 4096 },
    });
  });

  it('yields invalid or empty arguments as they are when finish_reason arrives', async () => {
    server.enqueue(
      completionStream(
        [toolStart(0, 'call_1', 'read_file', '{"path": a.ts}'), toolStart(1, 'call_2', 'list_dir')],
        'tool_calls',
      ),
    );
    const events = await collect(model().stream(modelRequest()));
    expect(toolCalls(events)).toEqual([
      { type: 'tool-call', id: 'call_1', name: 'read_file', input: '{"path": a.ts}' },
      { type: 'tool-call', id: 'call_2', name: 'list_dir', input: '{}' },
    ]);
  });

  it('maps every finish reason', async () => {
    const cases: Array<[string, string]> = [
      ['stop', 'stop'],
      ['tool_calls', 'tool-calls'],
      ['length', 'length'],
      ['content_filter', 'content-filter'],
      ['something_new', 'other'],
    ];
    for (const [reason] of cases) server.enqueue(completionStream([textChunk('x')], reason));
    const reasons: string[] = [];
    for (const _ of cases) {
      const finish = (await collect(model().stream(modelRequest()))).at(-1);
      if (finish?.type === 'finish') reasons.push(finish.reason);
    }
    expect(reasons).toEqual(cases.map(([, reason]) => reason));
  });

  it('takes the usage from a server that sends no usage chunk as zeros', async () => {
    server.enqueue({
      type: 'stream',
      steps: [roleChunk(), textChunk('hi'), finishChunk('stop'), done()],
    });
    const events = await collect(model().stream(modelRequest()));
    expect(events.at(-1)).toEqual({
      type: 'finish',
      reason: 'stop',
      usage: { inputTokens: 0, outputTokens: 0 },
    });
  });

  it('throws a clear error for an HTTP error', async () => {
    server.enqueue(
      httpError(400, "Invalid schema for function 'read_file'.", 'invalid_request_error'),
    );
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe(
      "openai: 400 invalid_request_error: Invalid schema for function 'read_file'.",
    );
    expect(error).toMatchObject({ provider: 'openai', status: 400 });
  });

  it('throws a clear error for an error sent mid-stream, after the events before it', async () => {
    server.enqueue({
      type: 'stream',
      steps: [roleChunk(), textChunk('Let me'), errorChunk('The server had an error.')],
    });
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect((error as Error).message).toBe('openai: server_error: The server had an error.');
  });

  it('throws a clear error when the connection drops mid-stream', async () => {
    const received = deferred();
    server.enqueue({
      type: 'stream',
      steps: [roleChunk(), textChunk('Let me'), { wait: received.promise }, { drop: true }],
    });
    const events: ModelEvent[] = [];
    const run = (async () => {
      for await (const event of model().stream(modelRequest())) {
        events.push(event);
        received.resolve();
      }
    })();
    const error = await run.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toMatch(/^openai: connection lost: terminated/);
  });

  it('throws when the stream ends before a finish_reason', async () => {
    server.enqueue({ type: 'stream', steps: [roleChunk(), textChunk('Let me')] });
    const { error } = await collectError(model().stream(modelRequest()));
    expect((error as Error).message).toBe(
      'openai: the stream ended before the answer was complete (no finish_reason)',
    );
  });

  it('retries a 429, then streams the answer', async () => {
    server.enqueue(
      httpError(429, 'Rate limit reached for requests', 'requests', 'rate_limit_exceeded'),
      completionStream([textChunk('ok')]),
    );
    const events = await collect(model(2).stream(modelRequest()));
    expect(events.map((e) => e.type)).toEqual(['retry', 'text-delta', 'finish']);
    expect(events[0]).toMatchObject({ type: 'retry', reason: 'rate-limited', attempt: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries and names the rate limit', async () => {
    const limited = httpError(
      429,
      'Rate limit reached for requests',
      'requests',
      'rate_limit_exceeded',
    );
    server.enqueue(limited, limited);
    const { error } = await collectError(model(1).stream(modelRequest()));
    expect((error as Error).message).toBe(
      'openai: 429 rate_limit_exceeded: Rate limit reached for requests',
    );
    expect(server.requests).toHaveLength(2);
  });

  it('stops the stream when the signal aborts, and throws the abort reason', async () => {
    const never = deferred();
    server.enqueue({
      type: 'stream',
      steps: [roleChunk(), textChunk('Let me'), { wait: never.promise }],
    });
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

  it('closes the connection when the consumer stops reading', async () => {
    const never = deferred();
    server.enqueue({
      type: 'stream',
      steps: [roleChunk(), textChunk('Let me'), { wait: never.promise }],
    });
    for await (const event of model().stream(modelRequest())) {
      expect(event).toEqual({ type: 'text-delta', text: 'Let me' });
      break;
    }
    expect(await server.requests[0]?.outcome).toBe('client-closed');
    never.resolve();
  });

  it('sends a transcript with tool calls and results as Chat Completions expects', async () => {
    server.enqueue(completionStream([textChunk('Done.')]));
    const m = model();
    await collect(m.stream(modelRequest({ system: 'Be brief.', messages: transcriptWithTools })));
    const expected = [
      { role: 'user', content: 'Read a.ts and b.ts' },
      {
        role: 'assistant',
        content: 'Reading both.',
        tool_calls: [
          {
            id: 'call_a',
            type: 'function',
            function: { name: 'read_file', arguments: '{"path":"a.ts"}' },
          },
          { id: 'call_b', type: 'function', function: { name: 'read_file', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_a', content: 'export const a = 1;' },
      {
        role: 'tool',
        tool_call_id: 'call_b',
        content: 'The arguments were cut off by the output limit.',
      },
      { role: 'user', content: 'Now b.ts again, please.' },
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_c', type: 'function', function: { name: 'read_file', arguments: '{}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_c', content: 'export const b = 2;' },
    ];
    const sent = (server.requests[0]?.body as { messages?: unknown[] } | undefined)?.messages;
    expect(sent).toEqual([{ role: 'system', content: 'Be brief.' }, ...expected]);
    expect(m.toProviderMessages(transcriptWithTools)).toEqual(expected);
  });

  it('works with a local server that needs no API key', async () => {
    const saved = process.env.OPENAI_API_KEY;
    delete process.env.OPENAI_API_KEY;
    try {
      server.enqueue(completionStream([textChunk('ok')]));
      const local = openAIModel({ model: 'qwen3:8b', baseURL: `${server.url}/v1`, maxRetries: 0 });
      await collect(local.stream(modelRequest()));
      expect(server.requests[0]?.headers.authorization).toBe('Bearer none');
      expect(() => openAIModel({ model: 'gpt-test' })).toThrow(InvalidOptionError);
    } finally {
      if (saved !== undefined) process.env.OPENAI_API_KEY = saved;
    }
  });

  it('validates its options', () => {
    expect(() => openAIModel({ model: '', apiKey: 'k' })).toThrow(InvalidOptionError);
    expect(() => openAIModel({ model: 'm', apiKey: 'k', maxTokens: 0 })).toThrow(
      'Expected `maxTokens` to be a number from 1 and up, got `0` (number)',
    );
    expect(() =>
      openAIModel({ model: 'm', apiKey: 'k', maxTokensParam: 'max' as 'max_tokens' }),
    ).toThrow(InvalidOptionError);
  });
});
