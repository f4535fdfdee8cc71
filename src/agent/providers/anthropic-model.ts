import Anthropic from '@anthropic-ai/sdk';
import { InvalidOptionError } from '../../errors.js';
import { assertCount } from '../../validate-options.js';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from '../model.js';
import { toAnthropicMessages, toAnthropicTools } from './anthropic-messages.js';
import { AnthropicStreamMapper } from './anthropic-stream.js';
import { toModelError } from './model-api-error.js';

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
   * The most tokens the model may write per answer (`max_tokens`, which the API requires).
   * @default 8192
   */
  maxTokens?: number;
  /**
   * How many times the SDK retries a request that failed with 408, 409, 429 or 5xx, or lost its
   * connection before the stream began. Ignored when `client` is given.
   * @default 2
   */
  maxRetries?: number;
  /** What the SDK itself logs (to the console): `'off'` for a host that reports errors itself. */
  logLevel?: 'off' | 'error' | 'warn' | 'info' | 'debug';
  /** An SDK client to use as it is; `apiKey`, `baseURL` and `maxRetries` are then ignored. */
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
  const { model, maxTokens = 8192, maxRetries = 2 } = options;
  if (typeof model !== 'string' || model === '') {
    throw new InvalidOptionError('model', 'a model id such as `claude-sonnet-5-5`', model);
  }
  assertCount('maxTokens', maxTokens, { allowInfinity: false });
  assertCount('maxRetries', maxRetries, { min: 0, allowInfinity: false });
  const client =
    options.client ??
    new Anthropic({
      ...(options.apiKey === undefined ? {} : { apiKey: options.apiKey }),
      ...(options.baseURL === undefined ? {} : { baseURL: options.baseURL }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      maxRetries,
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
      if (request.system !== '') body.system = request.system;
      if (request.tools.length > 0) body.tools = toAnthropicTools(request.tools);

      const mapper = new AnthropicStreamMapper();
      try {
        const events = await client.messages.create(body, { signal });
        for await (const event of events) yield* mapper.push(event);
      } catch (error) {
        throw toModelError('anthropic', error, signal);
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
