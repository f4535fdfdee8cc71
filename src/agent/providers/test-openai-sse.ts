// OpenAI Chat Completions streaming chunks (`chat.completion.chunk`), shaped as the API documents
// them, for the test server.

import type { ScriptedResponse, SseStep } from './test-server.js';

/** One `data: {chat.completion.chunk}` event; with `include_usage`, `usage` is null until the end. */
export function chunk(delta: Record<string, unknown>, finishReason: string | null = null): SseStep {
  return {
    data: {
      id: 'chatcmpl-test1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-test',
      system_fingerprint: 'fp_test',
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
      usage: null,
    },
  };
}

/** The first chunk: the role, with empty content. */
export function roleChunk(): SseStep {
  return chunk({ role: 'assistant', content: '', refusal: null });
}

export function textChunk(text: string): SseStep {
  return chunk({ content: text });
}

/** The first chunk of a tool call: its index, id, name and (usually empty) first arguments. */
export function toolStart(index: number, id: string, name: string, args = ''): SseStep {
  return chunk({
    tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }],
  });
}

/** A piece of a tool call's arguments. */
export function toolArgs(index: number, args: string): SseStep {
  return chunk({ tool_calls: [{ index, function: { arguments: args } }] });
}

export function finishChunk(reason: string): SseStep {
  return chunk({}, reason);
}

/** The last chunk with `stream_options.include_usage`: no choices, the usage. */
export function usageChunk(promptTokens: number, completionTokens: number): SseStep {
  return {
    data: {
      id: 'chatcmpl-test1',
      object: 'chat.completion.chunk',
      created: 1_700_000_000,
      model: 'gpt-test',
      system_fingerprint: 'fp_test',
      choices: [],
      usage: {
        prompt_tokens: promptTokens,
        completion_tokens: completionTokens,
        total_tokens: promptTokens + completionTokens,
      },
    },
  };
}

export function done(): SseStep {
  return { data: '[DONE]' };
}

/** A complete stream around `steps`: role chunk first; finish, usage and `[DONE]` last. */
export function completionStream(
  steps: readonly SseStep[],
  finishReason = 'stop',
  usage: { input: number; output: number } = { input: 10, output: 20 },
): ScriptedResponse {
  return {
    type: 'stream',
    steps: [
      roleChunk(),
      ...steps,
      finishChunk(finishReason),
      usageChunk(usage.input, usage.output),
      done(),
    ],
  };
}

/** An error object sent as a `data:` event in the middle of a stream. */
export function errorChunk(
  message: string,
  type = 'server_error',
  code: string | null = null,
): SseStep {
  return { data: { error: { message, type, param: null, code } } };
}

/** An HTTP error answer with the API's error body. */
export function httpError(
  status: number,
  message: string,
  type = 'invalid_request_error',
  code: string | null = null,
): ScriptedResponse {
  return { type: 'error', status, body: { error: { message, type, param: null, code } } };
}
