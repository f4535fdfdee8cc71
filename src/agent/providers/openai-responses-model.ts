import OpenAI from 'openai';
import { InvalidOptionError } from '../../errors.js';
import { assertCount } from '../../validate-options.js';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from '../model.js';
import { expectEventStream } from './expect-event-stream.js';
import { toModelError } from './model-api-error.js';
import { responsesProvider, toResponsesInput, toResponsesTools } from './openai-responses-input.js';
import { ResponsesStreamMapper } from './openai-responses-stream.js';
import { withRetries } from './request-retry.js';

const logLevels = ['off', 'error', 'warn', 'info', 'debug'] as const;
const summaries = ['auto', 'concise', 'detailed'] as const;

/** Options of {@link openAIResponsesModel}. */
export interface OpenAIResponsesModelOptions {
  /** The model id, such as `gpt-5` or `o4-mini`. */
  model: string;
  /**
   * The API key. When `baseURL` is given and no key is found, `'none'` is sent.
   * @default process.env.OPENAI_API_KEY
   */
  apiKey?: string;
  /**
   * The base URL of the API, or of a server that speaks the Responses API.
   * @default process.env.OPENAI_BASE_URL, else https://api.openai.com/v1
   */
  baseURL?: string;
  /**
   * The most tokens the model may write per answer, reasoning included (`max_output_tokens`);
   * the server's own limit when unset.
   * @default undefined
   */
  maxTokens?: number;
  /**
   * How much the model reasons (`reasoning.effort`): `minimal`, `low`, `medium`, `high`...
   * Only reasoning models take it.
   * @default undefined (the model's default)
   */
  reasoningEffort?: NonNullable<OpenAI.ReasoningEffort>;
  /**
   * Asks for a readable summary of the reasoning (`reasoning.summary`), streamed as
   * `reasoning-delta`. Some models need a verified organization for it.
   * @default undefined (no summary)
   */
  reasoningSummary?: 'auto' | 'concise' | 'detailed';
  /**
   * Whether the model may make several tool calls in one answer (`parallel_tool_calls`).
   * @default true
   */
  parallelToolCalls?: boolean;
  /**
   * Sampling temperature, from 0 to 2. Reasoning models reject it.
   * @default undefined (the server's default)
   */
  temperature?: number;
  /**
   * Headers sent with every request (a proxy's or gateway's own), also with `client`.
   * @default undefined
   */
  headers?: Record<string, string>;
  /**
   * How many times a request is sent again after it failed with 408, 409, 429 or 5xx, or could
   * not connect, before any of its stream came. Each wait (the server's `retry-after`, else a
   * backoff from 0.5 s) is streamed as a `retry` event first. Applies with `client` too: the
   * SDK's own, silent retries are off.
   * @default 2
   */
  maxRetries?: number;
  /** What the SDK itself logs (to the console): `'off'` for a host that reports errors itself. */
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /**
   * An SDK client to use as it is; `apiKey`, `baseURL` and `logLevel` are then ignored
   * (`headers` still apply).
   */
  client?: OpenAI;
}

/**
 * A {@link Model} on OpenAI's Responses API, streaming through the `openai` SDK (v6).
 *
 * Nothing is stored on the server (`store: false`): each request sends the whole transcript, and
 * reasoning goes back as the encrypted items the API returned (`include:
 * ['reasoning.encrypted_content']`), so reasoning models keep their reasoning across tool calls.
 * Function calls may stream interleaved; each yields `tool-call` the moment its arguments are
 * done, and a call cut off by `max_output_tokens` yields none. API failures, before or during the
 * stream (`response.failed`, `error`), throw a `ModelApiError` such as
 * `openai-responses: server_error: The model failed to generate a response.`; aborting
 * `request.signal` stops the stream and throws the abort reason.
 */
export function openAIResponsesModel(options: OpenAIResponsesModelOptions): Model {
  const { model, maxTokens, reasoningEffort, reasoningSummary, temperature, headers } = options;
  const { parallelToolCalls = true, maxRetries = 2 } = options;
  if (typeof model !== 'string' || model === '') {
    throw new InvalidOptionError('model', 'a model id such as `gpt-5`', model);
  }
  if (maxTokens !== undefined) assertCount('maxTokens', maxTokens, { allowInfinity: false });
  // Any non-empty string: OpenAI adds efforts faster than a list here would follow.
  if (reasoningEffort !== undefined && !(typeof reasoningEffort === 'string' && reasoningEffort)) {
    throw new InvalidOptionError(
      'reasoningEffort',
      "a reasoning effort such as 'low', 'medium' or 'high'",
      reasoningEffort,
    );
  }
  if (reasoningSummary !== undefined && !summaries.includes(reasoningSummary)) {
    throw new InvalidOptionError(
      'reasoningSummary',
      "'auto', 'concise' or 'detailed'",
      reasoningSummary,
    );
  }
  if (typeof parallelToolCalls !== 'boolean') {
    throw new InvalidOptionError('parallelToolCalls', 'a boolean', parallelToolCalls);
  }
  if (
    temperature !== undefined &&
    (typeof temperature !== 'number' || !(temperature >= 0 && temperature <= 2))
  ) {
    throw new InvalidOptionError('temperature', 'a number from 0 to 2', temperature);
  }
  if (headers !== undefined && !isHeaders(headers)) {
    throw new InvalidOptionError('headers', 'an object of header names to string values', headers);
  }
  if (options.logLevel !== undefined && !logLevels.includes(options.logLevel)) {
    throw new InvalidOptionError(
      'logLevel',
      "'off', 'error', 'warn', 'info' or 'debug'",
      options.logLevel,
    );
  }
  assertCount('maxRetries', maxRetries, { min: 0, allowInfinity: false });
  const client = options.client ?? createClient(options);
  const reasoning: OpenAI.Reasoning | undefined =
    reasoningEffort === undefined && reasoningSummary === undefined
      ? undefined
      : {
          ...(reasoningEffort === undefined ? {} : { effort: reasoningEffort }),
          ...(reasoningSummary === undefined ? {} : { summary: reasoningSummary }),
        };

  return {
    provider: responsesProvider,
    modelId: model,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const { signal } = request;
      signal.throwIfAborted();
      const body: OpenAI.Responses.ResponseCreateParamsStreaming = {
        model,
        input: toResponsesInput(request.messages),
        stream: true,
        store: false,
        include: ['reasoning.encrypted_content'],
      };
      if (request.system !== '') body.instructions = request.system;
      if (request.tools.length > 0) {
        body.tools = toResponsesTools(request.tools);
        body.parallel_tool_calls = parallelToolCalls;
      }
      if (reasoning !== undefined) body.reasoning = reasoning;
      if (maxTokens !== undefined) body.max_output_tokens = maxTokens;
      if (temperature !== undefined) body.temperature = temperature;

      const mapper = new ResponsesStreamMapper();
      const { baseURL } = client;
      try {
        const events = yield* withRetries(
          async () => {
            const { data, response } = await client.responses
              .create(body, {
                signal,
                maxRetries: 0,
                ...(headers === undefined ? {} : { headers }),
              })
              .withResponse();
            await expectEventStream(responsesProvider, response, {
              baseURL,
              abort: () => data.controller.abort(),
            });
            return data;
          },
          { provider: responsesProvider, baseURL, maxRetries, signal },
        );
        for await (const event of events) {
          yield* mapper.push(event);
          // The terminal event is the last one: nothing after it can change the answer.
          if (mapper.done) break;
        }
        // The SDK ends its stream quietly when the request is aborted.
        signal.throwIfAborted();
        mapper.end();
      } catch (error) {
        throw toModelError(responsesProvider, error, signal, baseURL);
      }
    },
    toProviderMessages(messages: readonly AgentMessage[]): unknown[] {
      return toResponsesInput(messages);
    },
  };
}

function isHeaders(value: unknown): value is Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  return Object.values(value).every((v) => typeof v === 'string');
}

function createClient(options: OpenAIResponsesModelOptions): OpenAI {
  const apiKey =
    options.apiKey ?? process.env.OPENAI_API_KEY ?? (options.baseURL === undefined ? '' : 'none');
  if (apiKey === '') {
    throw new InvalidOptionError(
      'apiKey',
      'an API key (or set OPENAI_API_KEY; a local server given as `baseURL` needs none)',
      options.apiKey,
    );
  }
  return new OpenAI({
    apiKey,
    ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
    ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    // salvo retries itself, where the user can see it (see `maxRetries`).
    maxRetries: 0,
  });
}
