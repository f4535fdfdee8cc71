import { SalvoError } from '../../errors.js';

const marker = Symbol.for('salvo.model-api-error');

/** What failed, for hosts that word it: see `ModelApiError.kind`. */
export type ModelErrorKind = 'api' | 'connection' | 'connection-lost' | 'invalid-data';

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

  constructor(fields: {
    provider: string;
    status?: number | undefined;
    type?: string | undefined;
    apiMessage: string;
    kind?: ModelErrorKind;
    cause?: unknown;
  }) {
    const { provider, status, type, apiMessage, cause } = fields;
    const head = [status, type].filter((part) => part !== undefined && part !== '').join(' ');
    super(`${provider}: ${head === '' ? '' : `${head}: `}${apiMessage}`, { cause });
    this.provider = provider;
    this.status = status;
    this.type = type;
    this.apiMessage = apiMessage;
    this.kind = fields.kind ?? 'api';
  }

  static override isInstance(value: unknown): value is ModelApiError {
    return typeof value === 'object' && value !== null && marker in value;
  }
}

/**
 * What to throw for an error out of a provider's SDK: the abort reason when the caller aborted
 * (a cancel is never reported as an API failure), else a {@link ModelApiError}.
 */
export function toModelError(provider: string, error: unknown, signal: AbortSignal): unknown {
  if (signal.aborted) return signal.reason;
  if (error instanceof ModelApiError) return error;
  return new ModelApiError({ provider, ...describeSdkError(error), cause: error });
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
  const apiMessage = stringField(inner, 'message') ?? `${prefix}${fallback}`;
  return { status, type, apiMessage: apiMessage.trim() === '' ? error.name : apiMessage, kind };
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
