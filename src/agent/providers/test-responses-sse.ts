// OpenAI Responses API streaming events, shaped as OpenAI documents them for the test server:
// https://platform.openai.com/docs/api-reference/responses-streaming
// Each event is sent as `event: <type>` and `data: {...}`; every event carries a
// `sequence_number`, and the stream ends with `response.completed`, `response.incomplete` or
// `response.failed` (there is no `[DONE]`). `responsesStream` numbers the events in order.

import type { ScriptedResponse, SseStep } from './test-server.js';

export const responseId = 'resp_test1';

/** One streaming event: `type` is both the SSE event name and the payload's `type`. */
export function event(type: string, fields: Record<string, unknown> = {}): SseStep {
  return { event: type, data: { type, ...fields, sequence_number: 0 } };
}

/** `response.usage` as the API reports it. */
export function usage(input: number, output: number): Record<string, unknown> {
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: input + output,
  };
}

/** The `response` object the lifecycle events carry. */
export function responseObject(
  status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
  fields: {
    output?: unknown[];
    usage?: Record<string, unknown> | null;
    error?: { code: string; message: string } | null;
    incompleteReason?: string;
  } = {},
): Record<string, unknown> {
  return {
    id: responseId,
    object: 'response',
    created_at: 1_741_487_325,
    status,
    error: fields.error ?? null,
    incomplete_details:
      fields.incompleteReason === undefined ? null : { reason: fields.incompleteReason },
    instructions: null,
    max_output_tokens: null,
    model: 'gpt-test',
    output: fields.output ?? [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: 'text' } },
    tool_choice: 'auto',
    tools: [],
    top_p: 1,
    truncation: 'disabled',
    usage: fields.usage ?? null,
    user: null,
    metadata: {},
  };
}

export function created(): SseStep {
  return event('response.created', { response: responseObject('in_progress') });
}

export function inProgress(): SseStep {
  return event('response.in_progress', { response: responseObject('in_progress') });
}

export function outputItemAdded(outputIndex: number, item: Record<string, unknown>): SseStep {
  return event('response.output_item.added', { output_index: outputIndex, item });
}

export function outputItemDone(outputIndex: number, item: Record<string, unknown>): SseStep {
  return event('response.output_item.done', { output_index: outputIndex, item });
}

// --- Items -------------------------------------------------------------------------------------

export function messageItem(
  id: string,
  text: string,
  status = 'completed',
): Record<string, unknown> {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content: status === 'in_progress' ? [] : [{ type: 'output_text', text, annotations: [] }],
  };
}

export function functionCallItem(
  id: string,
  callId: string,
  name: string,
  args: string,
  status = 'completed',
): Record<string, unknown> {
  return { id, type: 'function_call', status, arguments: args, call_id: callId, name };
}

export function reasoningItem(
  id: string,
  summary: readonly string[],
  encryptedContent: string | null,
): Record<string, unknown> {
  return {
    id,
    type: 'reasoning',
    summary: summary.map((text) => ({ type: 'summary_text', text })),
    encrypted_content: encryptedContent,
  };
}

// --- Deltas ------------------------------------------------------------------------------------

export function textDelta(itemId: string, outputIndex: number, delta: string): SseStep {
  return event('response.output_text.delta', {
    item_id: itemId,
    output_index: outputIndex,
    content_index: 0,
    delta,
    logprobs: [],
  });
}

export function argumentsDelta(itemId: string, outputIndex: number, delta: string): SseStep {
  return event('response.function_call_arguments.delta', {
    item_id: itemId,
    output_index: outputIndex,
    delta,
  });
}

export function argumentsDone(
  itemId: string,
  outputIndex: number,
  name: string,
  args: string,
): SseStep {
  return event('response.function_call_arguments.done', {
    item_id: itemId,
    name,
    output_index: outputIndex,
    arguments: args,
  });
}

export function summaryDelta(
  itemId: string,
  outputIndex: number,
  summaryIndex: number,
  delta: string,
): SseStep {
  return event('response.reasoning_summary_text.delta', {
    item_id: itemId,
    output_index: outputIndex,
    summary_index: summaryIndex,
    delta,
  });
}

// --- Whole items, as the API streams them ---------------------------------------------------

/** A streamed item: its events, and the item as the terminal event's `response.output` has it. */
export interface StreamedItem {
  steps: SseStep[];
  item: Record<string, unknown>;
}

/** An assistant message whose text streams in `pieces`. */
export function textMessage(
  outputIndex: number,
  id: string,
  pieces: readonly string[],
): StreamedItem {
  const text = pieces.join('');
  const part = { type: 'output_text', text: '', annotations: [] };
  const where = { item_id: id, output_index: outputIndex, content_index: 0 };
  const item = messageItem(id, text);
  return {
    item,
    steps: [
      outputItemAdded(outputIndex, messageItem(id, '', 'in_progress')),
      event('response.content_part.added', { ...where, part }),
      ...pieces.map((piece) => textDelta(id, outputIndex, piece)),
      event('response.output_text.done', { ...where, text, logprobs: [] }),
      event('response.content_part.done', { ...where, part: { ...part, text } }),
      outputItemDone(outputIndex, item),
    ],
  };
}

/** A function call whose arguments stream in `pieces`. */
export function functionCall(
  outputIndex: number,
  id: string,
  callId: string,
  name: string,
  pieces: readonly string[],
): StreamedItem {
  const args = pieces.join('');
  const item = functionCallItem(id, callId, name, args);
  return {
    item,
    steps: [
      outputItemAdded(outputIndex, functionCallItem(id, callId, name, '', 'in_progress')),
      ...pieces.map((piece) => argumentsDelta(id, outputIndex, piece)),
      argumentsDone(id, outputIndex, name, args),
      outputItemDone(outputIndex, item),
    ],
  };
}

/** A reasoning item with one summary part per entry of `summary`, each streamed whole. */
export function reasoning(
  outputIndex: number,
  id: string,
  summary: readonly string[],
  encryptedContent: string | null,
): StreamedItem {
  const item = reasoningItem(id, summary, encryptedContent);
  const where = { item_id: id, output_index: outputIndex };
  return {
    item,
    steps: [
      outputItemAdded(outputIndex, { ...reasoningItem(id, [], null), encrypted_content: null }),
      ...summary.flatMap((text, i) => [
        event('response.reasoning_summary_part.added', {
          ...where,
          summary_index: i,
          part: { type: 'summary_text', text: '' },
        }),
        summaryDelta(id, outputIndex, i, text),
        event('response.reasoning_summary_text.done', { ...where, summary_index: i, text }),
        event('response.reasoning_summary_part.done', {
          ...where,
          summary_index: i,
          part: { type: 'summary_text', text },
        }),
      ]),
      outputItemDone(outputIndex, item),
    ],
  };
}

// --- Terminal events ---------------------------------------------------------------------------

export function completed(
  output: readonly unknown[],
  tokens: { input: number; output: number } | null = { input: 10, output: 20 },
): SseStep {
  return event('response.completed', {
    response: responseObject('completed', {
      output: [...output],
      usage: tokens === null ? null : usage(tokens.input, tokens.output),
    }),
  });
}

export function incomplete(
  reason: 'max_output_tokens' | 'content_filter',
  output: readonly unknown[],
  tokens: { input: number; output: number } = { input: 10, output: 20 },
): SseStep {
  return event('response.incomplete', {
    response: responseObject('incomplete', {
      output: [...output],
      usage: usage(tokens.input, tokens.output),
      incompleteReason: reason,
    }),
  });
}

export function failed(code: string, message: string): SseStep {
  return event('response.failed', {
    response: responseObject('failed', { error: { code, message } }),
  });
}

/** The `error` event, sent when the server fails mid-stream. */
export function errorEvent(code: string | null, message: string): SseStep {
  return event('error', { code, message, param: null });
}

/**
 * A whole stream: `response.created` and `response.in_progress`, then `steps`, then `terminal`
 * (when given), with `sequence_number`s counted from 0 in order.
 */
export function responsesStream(steps: readonly SseStep[], terminal?: SseStep): ScriptedResponse {
  let sequence = 0;
  const all = [created(), inProgress(), ...steps, ...(terminal ? [terminal] : [])];
  return {
    type: 'stream',
    steps: all.map((step) => {
      if (!('data' in step) || typeof step.data !== 'object' || step.data === null) return step;
      return { ...step, data: { ...step.data, sequence_number: sequence++ } };
    }),
  };
}

/** A stream with one text message, completed. */
export function textResponse(
  pieces: readonly string[],
  tokens?: { input: number; output: number } | null,
): ScriptedResponse {
  const message = textMessage(0, 'msg_1', pieces);
  return responsesStream(message.steps, completed([message.item], tokens));
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
