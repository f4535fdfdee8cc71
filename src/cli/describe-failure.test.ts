import { describe, expect, it } from 'vitest';
import { ModelApiError } from '../agent/providers/model-api-error.js';
import { describeFailure } from './describe-failure.js';

const local = { provider: 'openai' as const, baseUrl: 'http://127.0.0.1:8080' };

describe('describeFailure', () => {
  it('a 404 page: what the server answered, and what to change', () => {
    const error = new ModelApiError({
      provider: 'openai',
      status: 404,
      apiMessage: 'the server answered text/html: “404 Not Found”',
      reply: { status: 404, contentType: 'text/html', excerpt: '404 Not Found' },
      hint: 'base-url',
    });
    expect(describeFailure(local, error)).toBe(
      'http://127.0.0.1:8080 answered 404 text/html (“404 Not Found”), not an OpenAI-compatible API: check --base-url (it should end in /v1 for OpenAI-compatible servers)',
    );
    expect(describeFailure({ provider: 'anthropic', baseUrl: 'http://h/v1' }, error)).toMatch(
      /not the Anthropic API: check --base-url \(it should be the server itself, without \/v1/,
    );
  });

  it('a 200 that is not a stream is said as such, never as a broken connection', () => {
    const error = new ModelApiError({
      provider: 'openai',
      kind: 'invalid-data',
      apiMessage: 'the server answered 200 text/plain instead of an event stream: “hi”',
      reply: { status: 200, contentType: 'text/plain', excerpt: 'hi' },
      hint: 'base-url',
    });
    expect(describeFailure(local, error)).toBe(
      'http://127.0.0.1:8080 answered 200 text/plain (“hi”) instead of an event stream: check --base-url (it should end in /v1 for OpenAI-compatible servers)',
    );
    // The official API's URL is nothing the user set.
    expect(describeFailure({ provider: 'openai', baseUrl: undefined }, error)).toBe(
      'the openai API answered 200 text/plain (“hi”) instead of an event stream',
    );
  });

  it('keeps the words for unreachable servers, broken streams and plain API errors', () => {
    const connection = new ModelApiError({
      provider: 'openai',
      kind: 'connection',
      apiMessage: 'Connection error.',
    });
    expect(describeFailure(local, connection)).toBe(
      'cannot reach http://127.0.0.1:8080: openai: Connection error.',
    );
    const lost = new ModelApiError({
      provider: 'openai',
      kind: 'connection-lost',
      apiMessage: 'terminated',
    });
    expect(describeFailure(local, lost)).toBe(
      'the connection to http://127.0.0.1:8080 broke mid-answer: openai: terminated',
    );
    const limited = new ModelApiError({ provider: 'openai', status: 429, apiMessage: 'Slow down' });
    expect(describeFailure(local, limited)).toBe('openai: 429: Slow down');
    expect(describeFailure(local, new Error('boom\nline'))).toBe('boom line');
  });
});
