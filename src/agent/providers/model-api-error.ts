import { SalvoError } from '../../errors.js';
import {
  baseUrlAdvice,
  headerOf,
  mediaType,
  replyExcerpt,
  type ServerReply,
} from './server-reply.js';

const marker = Symbol.for('salvo.model-api-error');

/** What failed, for hosts that word it: see `ModelApiError.kind`. */
export type ModelErrorKind = 'api' | 'connection' | 'connection-lost' | 'invalid-data';

/**
 * What to check, when the answer points at a setup mistake rather than a failure: `base-url` the
 * server answered something that is not this API (a 404 page, a 200 that is not a stream), so
 * the base URL most likely points somewhere else.
 */
export type ModelErrorHint = 'base-url';

/**
 * A model provider's API failed: an HTTP error, an error event in the middle of the stream, a
 * lost connection, or data the provider's SDK could not parse. The message names the provider,
 * the HTTP status when there is one and the API's own words, for example
 * `anthropic: 529 overloaded_error: Overloaded`.
 */
export class ModelApiError extends SalvoError {
  readonly [marker] = true;
  /** `anthropic`, `openai`... */
  readonly provider: string;
  /** The HTTP status, when the API answered with one (not for errors sent mid-stream). */
  readonly status: number | undefined;
  /** The API's error type or code, such as `overloaded_error` or `rate_limit_exceeded`. */
  readonly type: string | undefined;
  /** The API's own message, or what went wrong on the way (`terminated`...). */
  readonly apiMessage: string;
  /**
   * What failed: `api` the server answered with an error (an HTTP status, or an error in the
   * stream), `connection` it could not be reached, `connection-lost` the answer broke off on the
   * way, `invalid-data` the stream could not be read.
   */
  readonly kind: ModelErrorKind;
  /**
   * What the server answered when it was neither the API's error nor an event stream (an HTML
   * page, plain text): status, content type and first words.
   */
  readonly reply: ServerReply | undefined;
  /** What to check (see {@link ModelErrorHint}); the message says it too. */
  readonly hint: ModelErrorHint | undefined;
  /** The base URL the request went to, when the provider knows it. */
  readonly baseURL: string | undefined;

  constructor(fields: {
    provider: string;
    status?: number | undefined;
    type?: string | undefined;
    apiMessage: string;
    kind?: ModelErrorKind;
    reply?: ServerReply | undefined;
    hint?: ModelErrorHint | undefined;
    baseURL?: string | undefined;
    cause?: unknown;
  }) {
    const { provider, status, type, apiMessage, cause, hint, baseURL } = fields;
    const head = [status, type].filter((part) => part !== undefined && part !== '').join(' ');
    const advice =
      hint === 'base-url'
        ? `; check the base URL${baseURL ? ` (${baseURL})` : ''}: ${baseUrlAdvice(provider)}`
        : '';
    super(`${provider}: ${head === '' ? '' : `${head}: `}${apiMessage}${advice}`, { cause });
    this.provider = provider;
    this.status = status;
    this.type = type;
    this.apiMessage = apiMessage;
    this.kind = fields.kind ?? 'api';
    this.reply = fields.reply;
    this.hint = hint;
    this.baseURL = baseURL;
  }

  static override isInstance(value: unknown): value is ModelApiError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/**
 * What to throw for an error out of a provider's SDK: the abort reason when the caller aborted
 * (a cancel is never reported as an API failure), else a {@link ModelApiError}. `baseURL` is
 * named in the hint of an answer that is not the API's.
 */
export function toModelError(
  provider: string,
  error: unknown,
  signal: AbortSignal,
  baseURL?: string,
): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof ModelApiError) return error;
  return new ModelApiError({ provider, ...describeSdkError(error), baseURL, cause: error });
}

/**
 * The status, type and message of an SDK error. Both SDKs' `APIError` carry `status` and the
 * parsed JSON body in `error`: Anthropic keeps the whole body (`{ type, error: { type, message } }`),
 * OpenAI only its `error` member (`{ message, type, code }`).
 */
function describeSdkError(error: unknown): {
  status: number | undefined;
  type: string | undefined;
  apiMessage: string;
  kind: ModelErrorKind;
  reply?: ServerReply;
  hint?: ModelErrorHint;
} {
  if (!(error instanceof Error)) {
    return { status: undefined, type: undefined, apiMessage: String(error), kind: 'api' };
  }
  const record = error as unknown as Record<string, unknown>;
  const status = typeof record.status === 'number' ? record.status : undefined;
  const body = asRecord(record.error);
  const inner = asRecord(body?.error) ?? body;
  // OpenAI's `code` (`rate_limit_exceeded`) says more than its `type` (`requests`).
  const type = stringField(inner, 'code') ?? stringField(inner, 'type');
  // The SDKs prefix their own message with the status: keep it once, in front.
  const message = withCause(error);
  const fallback =
    status !== undefined && message.startsWith(`${status} `)
      ? message.slice(`${status} `.length)
      : message;
  const kind: ModelErrorKind = body || status !== undefined ? 'api' : kindOf(error);
  const prefix =
    kind === 'invalid-data'
      ? 'invalid stream data: '
      : kind === 'connection-lost'
        ? 'connection lost: '
        : '';
  // Ollama and others answer `{ "error": "model 'x' not found" }`: the string is the message.
  const ownMessage =
    stringField(inner, 'message') ??
    (typeof record.error === 'string' && record.error !== '' ? record.error : undefined) ??
    stringField(body, 'error');
  if (status !== undefined && ownMessage === undefined && type === undefined) {
    return foreignAnswer(status, record.headers, body ? JSON.stringify(body) : fallback);
  }
  const apiMessage = ownMessage ?? `${prefix}${fallback}`;
  return { status, type, apiMessage: apiMessage.trim() === '' ? error.name : apiMessage, kind };
}

/**
 * An error status whose body is not the API's error (an HTML page, plain text, JSON of another
 * shape): said as what the server answered, in a few sanitized words rather than the whole page.
 * A 404 or 405 that is not JSON means the path is no API's: the base URL is the likely mistake.
 * (OpenAI's SDK drops a JSON body without `error`, so such a 404 may as well be vLLM's "no such
 * model": no hint then.)
 */
function foreignAnswer(status: number, headers: unknown, body: string) {
  const header = headerOf(headers, 'content-type');
  const text = /^status code \(no body\)$/.test(body) ? '' : body;
  const reply: ServerReply = {
    status,
    contentType: mediaType(header),
    excerpt: replyExcerpt(text, header ?? ''),
  };
  const unread = reply.excerpt === '' && reply.contentType.includes('json');
  const apiMessage =
    reply.excerpt !== ''
      ? `the server answered ${reply.contentType || 'with no content type'}: “${reply.excerpt}”`
      : reply.contentType === ''
        ? 'an empty answer, no error message'
        : `the server answered ${reply.contentType} without an error message`;
  const pathMissing = (status === 404 || status === 405) && !unread;
  return {
    status,
    type: undefined,
    apiMessage,
    kind: 'api' as const,
    reply,
    ...(pathMissing ? { hint: 'base-url' as const } : {}),
  };
}

/** What kind of failure an error without an API body is. */
function kindOf(error: Error): ModelErrorKind {
  if (error.name === 'SyntaxError') return 'invalid-data';
  // "Connection error.", "Request timed out.": the request never got an answer.
  const type = error.constructor?.name ?? '';
  if (error.name.startsWith('APIConnection') || type.startsWith('APIConnection')) {
    return 'connection';
  }
  const code = String(codeOf(error.cause) ?? codeOf(error) ?? '');
  const lost = error.message === 'terminated' || /^(ECONNRESET|EPIPE|UND_ERR_SOCKET)$/.test(code);
  return lost ? 'connection-lost' : 'api';
}

function codeOf(value: unknown): unknown {
  return typeof value === 'object' && value !== null
    ? (value as { code?: unknown }).code
    : undefined;
}

/**
 * The message with its causes: `terminated (other side closed)`, `Connection error. (fetch
 * failed: connect ECONNREFUSED 127.0.0.1:9)`. Node's fetch hides the socket's reason in `cause`.
 */
function withCause(error: Error): string {
  const causes: string[] = [];
  let cause = error.cause;
  for (let depth = 0; depth < 3 && cause instanceof Error; depth++) {
    const text = cause.message;
    if (text !== '' && !error.message.includes(text) && !causes.includes(text)) causes.push(text);
    cause = cause.cause;
  }
  return causes.length === 0 ? error.message : `${error.message} (${causes.join(': ')})`;
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
