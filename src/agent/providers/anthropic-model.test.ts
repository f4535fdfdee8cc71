import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../errors.js';
import { deferred } from '../../schedule/test-support.js';
import type { ModelEvent } from '../model.js';
import { anthropicModel } from './anthropic-model.js';
import { ModelApiError } from './model-api-error.js';
import {
  blockStop,
  errorEvent,
  httpError,
  inputJsonDelta,
  messageDelta,
  messageStart,
  messageStop,
  messageStream,
  textBlock,
  textDelta,
  textStart,
  toolUseBlock,
  toolUseStart,
} from './test-anthropic-sse.js';
import {
  collect,
  collectError,
  modelRequest,
  readFileTool,
  transcriptWithTools,
} from './test-model-request.js';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

function model(maxRetries = 0) {
  return anthropicModel({
    model: 'claude-test-1',
    apiKey: 'test-key',
    baseURL: server.url,
    maxRetries,
  });
}

describe('anthropicModel', () => {
  it('streams text and usage, and sends the system prompt, tools and messages', async () => {
    server.enqueue(messageStream(textBlock(0, 'Hel', 'lo'), 'end_turn', { input: 12, output: 3 }));
    const events = await collect(
      model().stream(modelRequest({ system: 'Be brief.', tools: [readFileTool] })),
    );
    expect(events).toEqual([
      { type: 'text-delta', text: 'Hel' },
      { type: 'text-delta', text: 'lo' },
      { type: 'finish', reason: 'stop', usage: { inputTokens: 12, outputTokens: 3 } },
    ]);
    const [request] = server.requests;
    expect(request?.path).toBe('/v1/messages');
    // SDK 1.x sends the key as a bearer token; older ones as `x-api-key`.
    const { authorization, 'x-api-key': apiKey } = request?.headers ?? {};
    expect(authorization === 'Bearer test-key' || apiKey === 'test-key').toBe(true);
    expect(request?.body).toEqual({
      model: 'claude-test-1',
      max_tokens: 8192,
      stream: true,
      // The system prompt and the tools are the cached prefix of every step.
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      tools: [
        {
          name: 'read_file',
          description: 'Read a UTF-8 file',
          input_schema: readFileTool.inputSchema,
          cache_control: { type: 'ephemeral' },
        },
      ],
      messages: [{ role: 'user', content: 'Hi' }],
    });
  });

  it('leaves out an empty system prompt and an empty tool list', async () => {
    server.enqueue(messageStream(textBlock(0, 'ok')));
    await collect(model().stream(modelRequest()));
    const body = server.requests[0]?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('system');
    expect(body).not.toHaveProperty('tools');
  });

  it('streams several tool calls in one message, each complete at its block stop', async () => {
    server.enqueue(
      messageStream(
        [
          ...textBlock(0, 'Reading both.'),
          ...toolUseBlock(1, 'toolu_1', 'read_file', '{"path":', '"a.ts"}'),
          ...toolUseBlock(2, 'toolu_2', 'read_file', '{"pa', 'th":"b.ts"}'),
        ],
        'tool_use',
      ),
    );
    const events = await collect(model().stream(modelRequest({ tools: [readFileTool] })));
    expect(events).toEqual([
      { type: 'text-delta', text: 'Reading both.' },
      { type: 'tool-call-start', id: 'toolu_1', name: 'read_file' },
      { type: 'tool-call-delta', id: 'toolu_1', delta: '{"path":' },
      { type: 'tool-call-delta', id: 'toolu_1', delta: '"a.ts"}' },
      { type: 'tool-call', id: 'toolu_1', name: 'read_file', input: '{"path":"a.ts"}' },
      { type: 'tool-call-start', id: 'toolu_2', name: 'read_file' },
      { type: 'tool-call-delta', id: 'toolu_2', delta: '{"pa' },
      { type: 'tool-call-delta', id: 'toolu_2', delta: 'th":"b.ts"}' },
      { type: 'tool-call', id: 'toolu_2', name: 'read_file', input: '{"path":"b.ts"}' },
      { type: 'finish', reason: 'tool-calls', usage: { inputTokens: 10, outputTokens: 20 } },
    ]);
  });

  it('yields a tool call while the rest of the message is still streaming', async () => {
    const rest = deferred();
    server.enqueue({
      type: 'stream',
      steps: [
        messageStart(),
        ...toolUseBlock(0, 'toolu_1', 'read_file', '{"path":"a.ts"}'),
        { wait: rest.promise },
        ...toolUseBlock(1, 'toolu_2', 'read_file', '{"path":"b.ts"}'),
        messageDelta('tool_use', 30),
        messageStop(),
      ],
    });
    const seen: string[] = [];
    for await (const event of model().stream(modelRequest())) {
      seen.push(event.type === 'tool-call' ? `tool-call ${event.id}` : event.type);
      if (event.type === 'tool-call' && event.id === 'toolu_1') {
        seen.push('release');
        rest.resolve();
      }
    }
    expect(seen).toEqual([
      'tool-call-start',
      'tool-call-delta',
      'tool-call toolu_1',
      'release',
      'tool-call-start',
      'tool-call-delta',
      'tool-call toolu_2',
      'finish',
    ]);
  });

  it('yields no tool-call for a block cut off by max_tokens, closed or not', async () => {
    for (const closed of [true, false]) {
      server.enqueue({
        type: 'stream',
        steps: [
          messageStart(),
          ...toolUseBlock(0, 'toolu_1', 'read_file', '{"path":"a.ts"}'),
          toolUseStart(1, 'toolu_2', 'read_file'),
          inputJsonDelta(1, '{"path":"b.'),
          ...(closed ? [blockStop(1)] : []),
          messageDelta('max_tokens', 4096),
          messageStop(),
        ],
      });
      const events = await collect(model().stream(modelRequest()));
      expect(events.filter((e) => e.type === 'tool-call').map((e) => e.id)).toEqual(['toolu_1']);
      expect(events.filter((e) => e.type === 'tool-call-start').map((e) => e.id)).toEqual([
        'toolu_1',
        'toolu_2',
      ]);
      expect(events.at(-1)).toEqual({
        type: 'finish',
        reason: 'length',
        usage: { inputTokens: 10, outputTokens: 4096 },
      });
    }
  });

  it('yields invalid or empty arguments as they are once the message proves them complete', async () => {
    server.enqueue(
      messageStream(
        [
          ...toolUseBlock(0, 'toolu_1', 'read_file', '{"path": a.ts}'),
          ...toolUseBlock(1, 'toolu_2', 'list_dir'),
          ...toolUseBlock(2, 'toolu_3', 'read_file', '{"path":"c.ts"}'),
        ],
        'tool_use',
      ),
    );
    const events = await collect(model().stream(modelRequest()));
    expect(events.filter((e) => e.type === 'tool-call')).toEqual([
      { type: 'tool-call', id: 'toolu_1', name: 'read_file', input: '{"path": a.ts}' },
      { type: 'tool-call', id: 'toolu_2', name: 'list_dir', input: '{}' },
      { type: 'tool-call', id: 'toolu_3', name: 'read_file', input: '{"path":"c.ts"}' },
    ]);
  });

  it('maps every stop reason', async () => {
    const cases: Array<[string, string]> = [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['tool_use', 'tool-calls'],
      ['max_tokens', 'length'],
      ['refusal', 'content-filter'],
      ['pause_turn', 'other'],
    ];
    for (const [stopReason] of cases) server.enqueue(messageStream(textBlock(0, 'x'), stopReason));
    const reasons: string[] = [];
    for (const _ of cases) {
      const events = await collect(model().stream(modelRequest()));
      const finish = events.at(-1);
      if (finish?.type === 'finish') reasons.push(finish.reason);
    }
    expect(reasons).toEqual(cases.map(([, reason]) => reason));
  });

  it('throws a clear error for an HTTP error', async () => {
    server.enqueue(httpError(529, 'overloaded_error', 'Overloaded'));
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ModelApiError);
    expect((error as Error).message).toBe('anthropic: 529 overloaded_error: Overloaded');
    expect(error).toMatchObject({ provider: 'anthropic', status: 529, type: 'overloaded_error' });
  });

  it('throws a clear error for an error event mid-stream, after the events before it', async () => {
    server.enqueue({
      type: 'stream',
      steps: [
        messageStart(),
        textStart(0),
        textDelta(0, 'Let me'),
        errorEvent('overloaded_error', 'Overloaded'),
      ],
    });
    const { error, events } = await collectError(model().stream(modelRequest()));
    expect(events).toEqual([{ type: 'text-delta', text: 'Let me' }]);
    expect((error as Error).message).toBe('anthropic: overloaded_error: Overloaded');
    expect(error).toMatchObject({ status: undefined, type: 'overloaded_error' });
  });

  it('throws a clear error when the connection drops mid-stream', async () => {
    const received = deferred();
    server.enqueue({
      type: 'stream',
      steps: [
        messageStart(),
        textStart(0),
        textDelta(0, 'Let me'),
        { wait: received.promise },
        { drop: true },
      ],
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
    expect((error as Error).message).toMatch(/^anthropic: connection lost: terminated/);
  });

  it('throws when the stream ends before the message is complete', async () => {
    server.enqueue({ type: 'stream', steps: [messageStart(), ...textBlock(0, 'Let me')] });
    const { error } = await collectError(model().stream(modelRequest()));
    expect((error as Error).message).toBe(
      'anthropic: the stream ended before the message was complete (no message_delta)',
    );
  });

  it('retries a 429, then streams the answer', async () => {
    server.enqueue(
      httpError(429, 'rate_limit_error', 'Number of request tokens has exceeded your limit.'),
      messageStream(textBlock(0, 'ok')),
    );
    const events = await collect(model(2).stream(modelRequest()));
    expect(events.map((e) => e.type)).toEqual(['retry', 'text-delta', 'finish']);
    expect(events[0]).toMatchObject({ type: 'retry', reason: 'rate-limited', attempt: 2 });
    expect(server.requests).toHaveLength(2);
  });

  it('gives up after maxRetries and names the rate limit', async () => {
    const limited = httpError(429, 'rate_limit_error', 'Too many requests');
    server.enqueue(limited, limited);
    const { error } = await collectError(model(1).stream(modelRequest()));
    expect((error as Error).message).toBe('anthropic: 429 rate_limit_error: Too many requests');
    expect(server.requests).toHaveLength(2);
  });

  it('stops the stream when the signal aborts, and throws the abort reason', async () => {
    const never = deferred();
    server.enqueue({
      type: 'stream',
      steps: [messageStart(), textStart(0), textDelta(0, 'Let me'), { wait: never.promise }],
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
      steps: [messageStart(), textStart(0), textDelta(0, 'Let me'), { wait: never.promise }],
    });
    for await (const event of model().stream(modelRequest())) {
      expect(event).toEqual({ type: 'text-delta', text: 'Let me' });
      break;
    }
    expect(await server.requests[0]?.outcome).toBe('client-closed');
    never.resolve();
  });

  it('sends no request when the signal is already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('too late'));
    const { error } = await collectError(
      model().stream(modelRequest({ signal: controller.signal })),
    );
    expect((error as Error).message).toBe('too late');
    expect(server.requests).toHaveLength(0);
  });

  it('sends a transcript with tool calls and results as the Messages API expects', async () => {
    server.enqueue(messageStream(textBlock(0, 'Done.')));
    const m = model();
    await collect(m.stream(modelRequest({ messages: transcriptWithTools })));
    const expected = [
      { role: 'user', content: 'Read a.ts and b.ts' },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Reading both.' },
          { type: 'tool_use', id: 'call_a', name: 'read_file', input: { path: 'a.ts' } },
          { type: 'tool_use', id: 'call_b', name: 'read_file', input: {} },
        ],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_a',
            content: [{ type: 'text', text: 'export const a = 1;' }],
          },
          {
            type: 'tool_result',
            tool_use_id: 'call_b',
            content: [{ type: 'text', text: 'The arguments were cut off by the output limit.' }],
            is_error: true,
          },
          { type: 'text', text: 'Now b.ts again, please.' },
        ],
      },
      {
        role: 'assistant',
        content: [{ type: 'tool_use', id: 'call_c', name: 'read_file', input: {} }],
      },
      {
        role: 'user',
        content: [
          {
            type: 'tool_result',
            tool_use_id: 'call_c',
            content: [{ type: 'text', text: 'export const b = 2;' }],
          },
        ],
      },
    ];
    const sent = (server.requests[0]?.body as { messages?: unknown[] } | undefined)?.messages;
    expect(sent).toEqual(expected);
    expect(m.toProviderMessages(transcriptWithTools)).toEqual(expected);
  });

  it('validates its options', () => {
    expect(() => anthropicModel({ model: '' })).toThrow(InvalidOptionError);
    expect(() => anthropicModel({ model: 'm', apiKey: 'k', maxTokens: 0 })).toThrow(
      'Expected `maxTokens` to be a number from 1 and up, got `0` (number)',
    );
    expect(() => anthropicModel({ model: 'm', apiKey: 'k', maxRetries: -1 })).toThrow(
      InvalidOptionError,
    );
  });
});
