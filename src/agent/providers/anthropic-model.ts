import Anthropic from '@anthropic-ai/sdk';
import { InvalidOptionError } from '../../errors.js';
import { assertCount } from '../../validate-options.js';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from '../model.js';
import { toAnthropicMessages, toAnthropicTools } from './anthropic-messages.js';
import { AnthropicStreamMapper } from './anthropic-stream.js';
import { expectEventStream } from './expect-event-stream.js';
import { toModelError } from './model-api-error.js';
import { withRetries } from './request-retry.js';

/** Options of {@link anthropicModel}. */
export interface AnthropicModelOptions {
  /** The model id, such as `claude-sonnet-5-5`. */
  model: string;
  /**
   * The API key.
   * @default process.env.ANTHROPIC_API_KEY
   */
  apiKey?: string;
  /**
   * The API's base URL (a proxy, a gateway, a local test server).
   * @default process.env.ANTHROPIC_BASE_URL, else https://api.anthropic.com
   */
  baseURL?: string;
  /**
   * The most tokens the model may write per answer (`max_tokens`, which the API requires),
   * thinking included. @default 8192, plus the thinking budget when `thinking` is on
   */
  maxTokens?: number;
  /**
   * Extended thinking: the model reasons before it answers, with up to this many tokens
   * (at least 1024). Its thinking blocks go back with the next request, signatures unchanged.
   * @default off
   */
  thinking?: { budgetTokens: number };
  /** Sampling temperature, 0 to 1 (not with `thinking`, which the API runs at 1). */
  temperature?: number;
  /**
   * Marks the system prompt and the tools for prompt caching (`cache_control: ephemeral`), so
   * the steps of a run read them from the cache. @default true
   */
  cacheControl?: boolean;
  /** `false` asks for one tool call per answer (`disable_parallel_tool_use`). @default true */
  parallelToolCalls?: boolean;
  /** Headers sent with every request (a gateway's own, a beta flag). */
  headers?: Record<string, string>;
  /**
   * How many times a request is sent again after it failed with 408, 409, 429, 5xx or 529
   * (overloaded), or could not connect, before any of its stream came. Each wait (the server's
   * `retry-after`, else a backoff from 0.5 s) is streamed as a `retry` event first. Applies with
   * `client` too: the SDK's own, silent retries are off.
   * @default 2
   */
  maxRetries?: number;
  /** What the SDK itself logs (to the console): `'off'` for a host that reports errors itself. */
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /** An SDK client to use as it is; `apiKey` and `baseURL` are then ignored. */
  client?: Anthropic;
}

/**
 * A {@link Model} on Anthropic's Messages API, streaming through `@anthropic-ai/sdk`.
 *
 * Each `tool_use` block yields `tool-call-start`, one `tool-call-delta` per `input_json_delta`
 * and, once its arguments are complete, `tool-call`: a block cut off by `max_tokens` never
 * does. API failures, before or during the stream, throw a `ModelApiError` such as
 * `anthropic: 529 overloaded_error: Overloaded`; aborting `request.signal` stops the stream and
 * throws the abort reason.
 */
export function anthropicModel(options: AnthropicModelOptions): Model {
  const {
    model,
    maxRetries = 2,
    thinking,
    temperature,
    cacheControl = true,
    parallelToolCalls = true,
    headers,
  } = options;
  if (typeof model !== 'string' || model === '') {
    throw new InvalidOptionError('model', 'a model id such as `claude-sonnet-5-5`', model);
  }
  if (thinking !== undefined) {
    if (typeof thinking !== 'object' || thinking === null) {
      throw new InvalidOptionError('thinking', '{ budgetTokens } (1024 and up)', thinking);
    }
    assertCount('thinking.budgetTokens', thinking.budgetTokens, {
      min: 1024,
      allowInfinity: false,
    });
    if (temperature !== undefined && temperature !== 1) {
      throw new InvalidOptionError('temperature', 'left out (thinking runs at 1)', temperature);
    }
  }
  const maxTokens = options.maxTokens ?? 8192 + (thinking?.budgetTokens ?? 0);
  assertCount('maxTokens', maxTokens, { allowInfinity: false });
  if (thinking && maxTokens <= thinking.budgetTokens) {
    throw new InvalidOptionError(
      'maxTokens',
      `more than thinking.budgetTokens (${thinking.budgetTokens})`,
      maxTokens,
    );
  }
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 1)) {
    throw new InvalidOptionError('temperature', 'a number from 0 to 1', temperature);
  }
  assertCount('maxRetries', maxRetries, { min: 0, allowInfinity: false });
  const client =
    options.client ??
    new Anthropic({
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      ...(headers === undefined ? {} : { defaultHeaders: headers }),
      // salvo retries itself, where the user can see it (see `maxRetries`).
      maxRetries: 0,
    });

  return {
    provider: 'anthropic',
    modelId: model,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const { signal } = request;
      signal.throwIfAborted();
      const body: Anthropic.MessageCreateParamsStreaming = {
        model,
        max_tokens: maxTokens,
        messages: toAnthropicMessages(request.messages),
        stream: true,
      };
      const cache = { type: 'ephemeral' } as const;
      if (request.system !== '') {
        body.system = cacheControl
          ? [{ type: 'text', text: request.system, cache_control: cache }]
          : request.system;
      }
      if (request.tools.length > 0) {
        const tools = toAnthropicTools(request.tools);
        // The last tool closes the cached prefix: system prompt and every tool.
        const last = tools.at(-1);
        if (cacheControl && last) last.cache_control = cache;
        body.tools = tools;
        if (!parallelToolCalls)
          body.tool_choice = { type: 'auto', disable_parallel_tool_use: true };
      }
      if (thinking) body.thinking = { type: 'enabled', budget_tokens: thinking.budgetTokens };
      // Not in the SDK's types any more; the API still takes it for the models that sample.
      if (temperature !== undefined) (body as { temperature?: number }).temperature = temperature;

      const mapper = new AnthropicStreamMapper();
      const { baseURL } = client;
      try {
        const events = yield* withRetries(
          async () => {
            const { data, response } = await client.messages
              .create(body, { signal, maxRetries: 0 })
              .withResponse();
            await expectEventStream('anthropic', response, {
              baseURL,
              abort: () => data.controller.abort(),
            });
            return data;
          },
          { provider: 'anthropic', baseURL, maxRetries, signal },
        );
        for await (const event of events) yield* mapper.push(event);
      } catch (error) {
        throw toModelError('anthropic', error, signal, baseURL);
      }
      // The SDK ends its stream quietly when the request is aborted.
      signal.throwIfAborted();
      yield* mapper.end();
    },
    toProviderMessages(messages: readonly AgentMessage[]): unknown[] {
      return toAnthropicMessages(messages);
    },
  };
}
