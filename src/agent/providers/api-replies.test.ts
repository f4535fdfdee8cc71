import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Model, ModelEvent } from '../model.js';
import { anthropicModel } from './anthropic-model.js';
import { ModelApiError } from './model-api-error.js';
import { openAIModel } from './openai-model.js';
import { openAIResponsesModel } from './openai-responses-model.js';
import { messageStream, textBlock } from './test-anthropic-sse.js';
import { collect, collectError, modelRequest } from './test-model-request.js';
import { completionStream, textChunk } from './test-openai-sse.js';
import { textResponse } from './test-responses-sse.js';
import { type ScriptedResponse, startTestServer, type TestServer } from './test-server.js';

// Every provider against answers that are not its API's: a web server's 404 page, a 200 that is
// not a stream, a rate limit that passes. Real SDKs, real HTTP, on loopback.

let server: TestServer;

beforeEach(async () => {
  server = await startTestServer();
});

afterEach(async () => {
  await server.close();
});

interface Provider {
  name: string;
  /** The base URL the model is given. */
  path: string;
  model(maxRetries: number): Model;
  /** A complete answer whose text is `ok`. */
  ok(): ScriptedResponse;
  /** What the base URL should look like, as the hint says. */
  advice: RegExp;
}

const providers: Provider[] = [
  {
    name: 'openai',
    path: '/v1',
    model: (maxRetries) =>
      openAIModel({ model: 'm', apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries }),
    ok: () => completionStream([textChunk('ok')]),
    advice: /it should end in \/v1 for OpenAI-compatible servers$/,
  },
  {
    name: 'anthropic',
    path: '',
    model: (maxRetries) =>
      anthropicModel({ model: 'm', apiKey: 'k', baseURL: server.url, maxRetries }),
    ok: () => messageStream(textBlock(0, 'ok')),
    advice: /it should be the server itself, without \/v1/,
  },
  {
    name: 'openai-responses',
    path: '/v1',
    model: (maxRetries) =>
      openAIResponsesModel({ model: 'm', apiKey: 'k', baseURL: `${server.url}/v1`, maxRetries }),
    ok: () => textResponse(['ok']),
    advice: /it should end in \/v1, on a server that speaks the Responses API/,
  },
];

const page404 = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>404 &mdash; Not Found</title>
<style>body { color: red }</style></head>
<body><h1>Not Found</h1><p>The requested URL was not found on this server.</p></body></html>`;

/** An API error as both APIs word it, with only the headers given (no quick `retry-after-ms`). */
function apiError(
  status: number,
  message: string,
  headers: Record<string, string>,
): ScriptedResponse {
  return {
    type: 'raw',
    status,
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ type: 'error', error: { type: 'api_error', message } }),
  };
}

async function failure(model: Model): Promise<ModelApiError> {
  const { error } = await collectError(model.stream(modelRequest()));
  if (!ModelApiError.isInstance(error)) throw error;
  return error;
}

describe.each(providers)('$name: answers that are not the API', (p) => {
  it('a 404 HTML page: its status, type and title, and a base URL hint, not the page', async () => {
    server.enqueue({
      type: 'raw',
      status: 404,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: page404,
    });
    const error = await failure(p.model(2));
    expect(error.kind).toBe('api');
    expect(error.status).toBe(404);
    expect(error.hint).toBe('base-url');
    expect(error.reply).toEqual({
      status: 404,
      contentType: 'text/html',
      excerpt: '404 — Not Found',
    });
    expect(error.message).toContain(`${p.name}: 404: the server answered text/html: “404`);
    expect(error.message).toContain(`check the base URL (${server.url}${p.path})`);
    expect(error.message).toMatch(p.advice);
    expect(error.message).not.toMatch(/<|DOCTYPE|color: red/);
    // A 404 is not retried.
    expect(server.requests).toHaveLength(1);
  });

  it('a 404 in plain text says so too', async () => {
    server.enqueue({
      type: 'raw',
      status: 404,
      headers: { 'content-type': 'text/plain' },
      body: '404 page not found\n',
    });
    const error = await failure(p.model(0));
    expect(error.apiMessage).toBe('the server answered text/plain: “404 page not found”');
    expect(error.hint).toBe('base-url');
  });

  it('a 502 page from a proxy: what it said, without a base URL hint', async () => {
    server.enqueue({
      type: 'raw',
      status: 502,
      headers: { 'content-type': 'text/html', 'x-should-retry': 'false' },
      body: '<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>',
    });
    const error = await failure(p.model(2));
    expect(error.apiMessage).toBe('the server answered text/html: “502 Bad Gateway”');
    expect(error.hint).toBeUndefined();
  });

  it('a 200 in plain text is what the server answered, not a stream cut short', async () => {
    server.enqueue({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'text/plain' },
      body: 'Hello from a web server\u001b[2J',
    });
    const error = await failure(p.model(2));
    expect(error.kind).toBe('invalid-data');
    expect(error.hint).toBe('base-url');
    expect(error.apiMessage).toBe(
      'the server answered 200 text/plain instead of an event stream: “Hello from a web server”',
    );
    expect(error.message).not.toMatch(/ended before|connection/);
    expect(server.requests).toHaveLength(1);
  });

  it('a 200 HTML page, and a 200 JSON that ignored `stream`, are named as such', async () => {
    server.enqueue(
      { type: 'raw', status: 200, headers: { 'content-type': 'text/html' }, body: page404 },
      {
        type: 'raw',
        status: 200,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 'x', object: 'chat.completion', choices: [] }),
      },
    );
    const html = await failure(p.model(0));
    expect(html.apiMessage).toMatch(
      /^the server answered 200 text\/html instead of an event stream: “404/,
    );
    const json = await failure(p.model(0));
    expect(json.apiMessage).toMatch(
      /^the server answered 200 application\/json instead of an event stream: “\{"id":"x"/,
    );
  });

  it('a 200 JSON carrying an API error gives that error', async () => {
    server.enqueue({
      type: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ error: { message: 'Invalid API key', code: 'invalid_api_key' } }),
    });
    const error = await failure(p.model(0));
    expect(error.message).toBe(`${p.name}: invalid_api_key: Invalid API key`);
    expect(error.hint).toBeUndefined();
  });

  it('an event stream under another label still streams', async () => {
    const ok = p.ok();
    if (ok.type !== 'stream') throw new Error('a stream');
    server.enqueue({ ...ok, headers: { 'content-type': 'text/plain' } });
    const events = await collect(p.model(0).stream(modelRequest()));
    expect(events.filter((e) => e.type === 'text-delta')).toEqual([
      { type: 'text-delta', text: 'ok' },
    ]);
  });

  it('a 429 is retried after its retry-after, and the wait is streamed first', async () => {
    const limited: ScriptedResponse = {
      type: 'error',
      status: 429,
      body: { error: { type: 'rate_limit_error', message: 'Slow down' } },
      headers: { 'retry-after-ms': '30' },
    };
    server.enqueue(limited, limited, p.ok());
    const events: ModelEvent[] = await collect(p.model(2).stream(modelRequest()));
    const host = new URL(server.url).host;
    const retries = events.filter((e) => e.type === 'retry');
    expect(retries).toEqual([
      {
        type: 'retry',
        attempt: 2,
        maxAttempts: 3,
        delayMs: 30,
        reason: 'rate-limited',
        status: 429,
        server: host,
        message: 'Slow down',
      },
      expect.objectContaining({ attempt: 3, maxAttempts: 3, reason: 'rate-limited' }),
    ]);
    expect(events.at(-1)?.type).toBe('finish');
    expect(server.requests).toHaveLength(3);
  });

  it('a 529 overloaded is retried as overloaded; a 400 is not retried', async () => {
    server.enqueue(
      {
        type: 'error',
        status: 529,
        body: { error: { type: 'overloaded_error', message: 'Overloaded' } },
      },
      p.ok(),
      {
        type: 'error',
        status: 400,
        body: { error: { type: 'invalid_request_error', message: 'Bad' } },
      },
    );
    const events = await collect(p.model(2).stream(modelRequest()));
    expect(events[0]).toMatchObject({ type: 'retry', reason: 'overloaded', status: 529 });
    await failure(p.model(2));
    expect(server.requests).toHaveLength(3);
  });

  it('a retry-after longer than a minute fails at once, with the API’s words', async () => {
    server.enqueue(apiError(429, 'Daily quota used up', { 'retry-after': '3600' }));
    const error = await failure(p.model(2));
    expect(error.status).toBe(429);
    expect(error.message).toContain('Daily quota used up');
    expect(server.requests).toHaveLength(1);
  });

  it('the wait before a retry ends when the request is aborted', async () => {
    server.enqueue(apiError(503, 'Busy', { 'retry-after': '50' }));
    const controller = new AbortController();
    const reason = new Error('cancelled by the user');
    const stream = p.model(2).stream(modelRequest({ signal: controller.signal }));
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'retry', delayMs: 50_000 });
    const next = iterator.next();
    controller.abort(reason);
    await expect(next).rejects.toBe(reason);
    expect(server.requests).toHaveLength(1);
  });
});
