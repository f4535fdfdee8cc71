// Anthropic Messages API streaming events, shaped as the API documents them, for the test server.

import type { ScriptedResponse, SseStep } from './test-server.js';

const model = 'claude-test-1';

export function messageStart(inputTokens = 10, id = 'msg_test_1'): SseStep {
  return {
    event: 'message_start',
    data: {
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        content: [],
        model,
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: 1,
        },
      },
    },
  };
}

export function ping(): SseStep {
  return { event: 'ping', data: { type: 'ping' } };
}

export function textStart(index: number): SseStep {
  return {
    event: 'content_block_start',
    data: { type: 'content_block_start', index, content_block: { type: 'text', text: '' } },
  };
}

export function textDelta(index: number, text: string): SseStep {
  return {
    event: 'content_block_delta',
    data: { type: 'content_block_delta', index, delta: { type: 'text_delta', text } },
  };
}

export function toolUseStart(index: number, id: string, name: string): SseStep {
  return {
    event: 'content_block_start',
    data: {
      type: 'content_block_start',
      index,
      content_block: { type: 'tool_use', id, name, input: {} },
    },
  };
}

export function inputJsonDelta(index: number, partialJson: string): SseStep {
  return {
    event: 'content_block_delta',
    data: {
      type: 'content_block_delta',
      index,
      delta: { type: 'input_json_delta', partial_json: partialJson },
    },
  };
}

export function blockStop(index: number): SseStep {
  return { event: 'content_block_stop', data: { type: 'content_block_stop', index } };
}

export function messageDelta(stopReason: string, outputTokens: number): SseStep {
  return {
    event: 'message_delta',
    data: {
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: outputTokens },
    },
  };
}

export function messageStop(): SseStep {
  return { event: 'message_stop', data: { type: 'message_stop' } };
}

/** An `error` event in the middle of a stream. */
export function errorEvent(type: string, message: string): SseStep {
  return { event: 'error', data: { type: 'error', error: { type, message } } };
}

/** A whole text block: start, one delta per piece, stop. */
export function textBlock(index: number, ...pieces: string[]): SseStep[] {
  return [textStart(index), ...pieces.map((piece) => textDelta(index, piece)), blockStop(index)];
}

/** A whole tool_use block: start, one `input_json_delta` per piece, stop. */
export function toolUseBlock(
  index: number,
  id: string,
  name: string,
  ...pieces: string[]
): SseStep[] {
  return [
    toolUseStart(index, id, name),
    ...pieces.map((piece) => inputJsonDelta(index, piece)),
    blockStop(index),
  ];
}

/** A complete streamed message around `blocks`. */
export function messageStream(
  blocks: readonly SseStep[],
  stopReason = 'end_turn',
  usage: { input: number; output: number } = { input: 10, output: 20 },
): ScriptedResponse {
  return {
    type: 'stream',
    steps: [
      messageStart(usage.input),
      ping(),
      ...blocks,
      messageDelta(stopReason, usage.output),
      messageStop(),
    ],
  };
}

/** An HTTP error answer with the API's error body. */
export function httpError(
  status: number,
  type: string,
  message: string,
  headers?: Record<string, string>,
): ScriptedResponse {
  return {
    type: 'error',
    status,
    body: { type: 'error', error: { type, message }, request_id: 'req_test_1' },
    ...(headers ? { headers } : {}),
  };
}
