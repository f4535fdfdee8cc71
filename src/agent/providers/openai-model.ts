import OpenAI from 'openai';
import { InvalidOptionError } from '../../errors.js';
import { assertCount } from '../../validate-options.js';
import type { AgentMessage, Model, ModelEvent, ModelRequest } from '../model.js';
import { expectEventStream } from './expect-event-stream.js';
import { toModelError } from './model-api-error.js';
import { toOpenAIMessages, toOpenAITools } from './openai-messages.js';
import { OpenAIStreamMapper } from './openai-stream.js';
import { withRetries } from './request-retry.js';

/** Options of {@link openAIModel}. */
export interface OpenAIModelOptions {
  /** The model id, such as `gpt-4.1`, `qwen3:8b` or `deepseek-chat`. */
  model: string;
  /**
   * The API key. Local servers (Ollama, vLLM, llama.cpp) accept any value: when `baseURL` is
   * given and no key is found, `'none'` is sent.
   * @default process.env.OPENAI_API_KEY
   */
  apiKey?: string;
  /**
   * The base URL of any OpenAI-compatible server, such as `http://localhost:11434/v1` (Ollama).
   * @default process.env.OPENAI_BASE_URL, else https://api.openai.com/v1
   */
  baseURL?: string;
  /**
   * The most tokens the model may write per answer; the server's own limit when unset.
   * @default undefined
   */
  maxTokens?: number;
  /**
   * The request field `maxTokens` is sent in. OpenAI's reasoning models take only
   * `max_completion_tokens`; some compatible servers know only `max_tokens`.
   * @default 'max_tokens'
   */
  maxTokensParam?: 'max_tokens' | 'max_completion_tokens';
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
  /** Sampling temperature, 0 to 2 (servers may take less). */
  temperature?: number;
  /**
   * `parallel_tool_calls`: `false` for endpoints that reject parallel calls, or to ask for one
   * call per answer. Sent only when set (some compatible servers reject the field).
   */
  parallelToolCalls?: boolean;
  /** `reasoning_effort` of OpenAI's reasoning models (and DeepSeek's thinking mode). */
  reasoningEffort?: 'minimal' | 'low' | 'medium' | 'high';
  /**
   * Fields merged into every request body, for a server's own parameters (DeepSeek's
   * `thinking: { type: 'enabled' }`, vLLM's `chat_template_kwargs`).
   */
  extraBody?: Record<string, unknown>;
  /** Headers sent with every request (OpenRouter's `HTTP-Referer`, a gateway's own). */
  headers?: Record<string, string>;
  /** An SDK client to use as it is; `apiKey` and `baseURL` are then ignored. */
  client?: OpenAI;
}

/**
 * A {@link Model} on Chat Completions, streaming through the `openai` SDK (v6), for OpenAI and
 * any compatible server: Ollama, vLLM, llama.cpp, DeepSeek, Qwen.
 *
 * Tool calls are gathered by `index` and may stream interleaved; a call yields `tool-call` once
 * its arguments are complete, and never when `finish_reason: 'length'` cut them off. API
 * failures, before or during the stream, throw a `ModelApiError` such as
 * `openai: 429 rate_limit_exceeded: Rate limit reached`; aborting `request.signal` stops the
 * stream and throws the abort reason.
 */
export function openAIModel(options: OpenAIModelOptions): Model {
  const { model, maxTokens, maxTokensParam = 'max_tokens', maxRetries = 2 } = options;
  if (typeof model !== 'string' || model === '') {
    throw new InvalidOptionError('model', 'a model id such as `gpt-4.1`', model);
  }
  if (maxTokens !== undefined) assertCount('maxTokens', maxTokens, { allowInfinity: false });
  if (maxTokensParam !== 'max_tokens' && maxTokensParam !== 'max_completion_tokens') {
    throw new InvalidOptionError(
      'maxTokensParam',
      "'max_tokens' or 'max_completion_tokens'",
      maxTokensParam,
    );
  }
  assertCount('maxRetries', maxRetries, { min: 0, allowInfinity: false });
  const { temperature, parallelToolCalls, reasoningEffort, extraBody } = options;
  if (temperature !== undefined && !(temperature >= 0 && temperature <= 2)) {
    throw new InvalidOptionError('temperature', 'a number from 0 to 2', temperature);
  }
  if (parallelToolCalls !== undefined && typeof parallelToolCalls !== 'boolean') {
    throw new InvalidOptionError('parallelToolCalls', 'a boolean', parallelToolCalls);
  }
  if (extraBody !== undefined && (typeof extraBody !== 'object' || extraBody === null)) {
    throw new InvalidOptionError('extraBody', 'an object of request fields', extraBody);
  }
  const client = options.client ?? createClient(options);

  return {
    provider: 'openai',
    modelId: model,
    async *stream(request: ModelRequest): AsyncIterable<ModelEvent> {
      const { signal } = request;
      signal.throwIfAborted();
      const messages = toOpenAIMessages(request.messages);
      if (request.system !== '') messages.unshift({ role: 'system', content: request.system });
      const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsStreaming = {
        model,
        messages,
        stream: true,
        stream_options: { include_usage: true },
      };
      if (request.tools.length > 0) {
        body.tools = toOpenAITools(request.tools);
        if (parallelToolCalls !== undefined) body.parallel_tool_calls = parallelToolCalls;
      }
      if (maxTokens !== undefined) body[maxTokensParam] = maxTokens;
      if (temperature !== undefined) body.temperature = temperature;
      if (reasoningEffort !== undefined) body.reasoning_effort = reasoningEffort;
      if (extraBody) Object.assign(body, extraBody);

      const mapper = new OpenAIStreamMapper();
      const { baseURL } = client;
      try {
        const chunks = yield* withRetries(
          async () => {
            const { data, response } = await client.chat.completions
              .create(body, { signal, maxRetries: 0 })
              .withResponse();
            await expectEventStream('openai', response, {
              baseURL,
              abort: () => data.controller.abort(),
            });
            return data;
          },
          { provider: 'openai', baseURL, maxRetries, signal },
        );
        for await (const chunk of chunks) yield* mapper.push(chunk);
      } catch (error) {
        throw toModelError('openai', error, signal, baseURL);
      }
      // The SDK ends its stream quietly when the request is aborted.
      signal.throwIfAborted();
      yield* mapper.end();
    },
    toProviderMessages(messages: readonly AgentMessage[]): unknown[] {
      return toOpenAIMessages(messages);
    },
  };
}

function createClient(options: OpenAIModelOptions): OpenAI {
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
    ...(options.headers === undefined ? {} : { defaultHeaders: options.headers }),
    // salvo retries itself, where the user can see it (see `maxRetries`).
    maxRetries: 0,
  });
}
