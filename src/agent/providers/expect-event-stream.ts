import { ModelApiError } from './model-api-error.js';
import { peekNonStream, type ServerReply } from './server-reply.js';

/**
 * Checks that the 200 answer to a streaming request is an event stream before the SDK parses
 * it: anything else (an HTML page, plain text, JSON of a server that ignored `stream: true`)
 * would read as an empty stream and be misreported as one cut short. Throws a
 * {@link ModelApiError} saying what the server answered, after `abort` has dropped the request;
 * JSON carrying an API error gives that error.
 */
export async function expectEventStream(
  provider: string,
  response: Response,
  options: { baseURL: string | undefined; abort: () => void },
): Promise<void> {
  const found = await peekNonStream(response);
  if (!found) return;
  options.abort();
  throw nonStreamError(provider, found.reply, parseJson(found.head), options.baseURL);
}

function nonStreamError(
  provider: string,
  reply: ServerReply,
  body: unknown,
  baseURL: string | undefined,
): ModelApiError {
  const error = asRecord(body)?.error;
  const inner = asRecord(error);
  const message =
    stringField(inner, 'message') ??
    (typeof error === 'string' && error !== '' ? error : undefined);
  if (message !== undefined) {
    const type = stringField(inner, 'code') ?? stringField(inner, 'type');
    return new ModelApiError({ provider, type, apiMessage: message, reply, baseURL });
  }
  const what = reply.contentType === '' ? 'a body with no content type' : reply.contentType;
  const excerpt = reply.excerpt === '' ? ' (empty)' : `: “${reply.excerpt}”`;
  return new ModelApiError({
    provider,
    kind: 'invalid-data',
    apiMessage: `the server answered ${reply.status} ${what} instead of an event stream${excerpt}`,
    reply,
    hint: 'base-url',
    baseURL,
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null
    ? (value as Record<string, unknown>)
    : undefined;
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
