import type { CallResult, ToolCall } from '../tool/call.js';
import { describeImage, emptyResultText, isRecord, jsonText, stringOr } from './result-text.js';

// Structural types for OpenAI Chat Completions, so salvo needs no runtime dependency on the
// `openai` package. The SDK's `ChatCompletionMessage` and `ChatCompletionMessageToolCall` are
// assignable to them, and the messages built here are assignable to its
// `ChatCompletionToolMessageParam`.

/** A function tool call: `arguments` is a JSON string, possibly invalid. */
export interface OpenAIFunctionToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** A custom (free-form) tool call: `input` is whatever text the model wrote. */
export interface OpenAICustomToolCall {
  id: string;
  type: 'custom';
  custom: { name: string; input: string };
}

/** An entry of an assistant message's `tool_calls`. */
export type OpenAIToolCall = OpenAIFunctionToolCall | OpenAICustomToolCall;

/** An assistant message (or anything with its `tool_calls`), e.g. the SDK's `ChatCompletionMessage`. */
export interface OpenAIMessageLike {
  tool_calls?: readonly OpenAIToolCall[] | null;
}

/**
 * The answer to one tool call. On the wire `content` may also be an array of
 * `{ type: 'text', text }` parts; salvo always sends a string.
 */
export interface OpenAIToolMessage {
  role: 'tool';
  tool_call_id: string;
  content: string;
}

/**
 * The tool calls of a Chat Completions assistant message, in the model's order.
 *
 * Takes the message or its `tool_calls` array and returns one `{ id, name, input }` per entry.
 * `input` is the raw `function.arguments` string (for custom tools, `custom.input`): the
 * scheduler parses and validates it, so invalid JSON becomes an error result the model can read.
 *
 * Never throws on malformed data: a `null` message or missing `tool_calls` yields no calls. Every
 * entry yields a call, even a malformed one, so none goes unanswered: a missing or non-string
 * `id` or `name` becomes `''`, and `input` is kept as-is (`undefined` when missing; a non-string
 * value, as some compatible servers send, reaches the scheduler as already-parsed input).
 * Entries of an unknown `type` are kept too, reading whichever of `function` or `custom` they
 * hold, so the scheduler answers them with an error result.
 */
export function fromOpenAI(
  message: OpenAIMessageLike | readonly OpenAIToolCall[] | null | undefined,
): ToolCall[] {
  const toolCalls: unknown = Array.isArray(message)
    ? message
    : isRecord(message)
      ? message.tool_calls
      : undefined;
  if (!Array.isArray(toolCalls)) return [];
  return (toolCalls as unknown[]).map(toToolCall);
}

function toToolCall(entry: unknown): ToolCall {
  if (!isRecord(entry)) return { id: '', name: '', input: undefined };
  const id = stringOr(entry.id, '');
  const { type } = entry;
  const payload =
    type === 'function'
      ? entry.function
      : type === 'custom'
        ? entry.custom
        : isRecord(entry.function)
          ? entry.function
          : entry.custom;
  if (!isRecord(payload)) return { id, name: '', input: undefined };
  const input = type === 'custom' || !('arguments' in payload) ? payload.input : payload.arguments;
  return { id, name: stringOr(payload.name, ''), input };
}

/**
 * The tool messages that answer a turn's tool calls: one `{ role: 'tool', tool_call_id, content }`
 * per result, in the order given.
 *
 * `content` is a string: text blocks as-is, JSON blocks as their JSON text, joined by newlines.
 * Chat Completions cannot carry images in tool messages, so each image becomes a line such as
 * `[image image/png, 12 KB omitted]`. A result with no content reads `(no output)`, or its error
 * message when it failed. Chat Completions has no error flag: a failure reads as its message.
 */
export function toOpenAI(results: readonly CallResult[]): OpenAIToolMessage[] {
  return results.map((result) => ({
    role: 'tool',
    tool_call_id: result.id,
    content: toText(result),
  }));
}

function toText(result: CallResult): string {
  const parts: string[] = [];
  // Results come from the scheduler, but a hand-made one may lack content: never throw.
  const content: unknown = result.content;
  for (const block of Array.isArray(content) ? (content as unknown[]) : []) {
    if (!isRecord(block)) continue;
    switch (block.type) {
      case 'text':
        if (typeof block.text === 'string' && block.text !== '') parts.push(block.text);
        break;
      case 'json':
        parts.push(jsonText(block.value));
        break;
      case 'image':
        parts.push(describeImage(block.mimeType, block.data));
        break;
    }
  }
  const text = parts.join('\n');
  return text.trim() === '' ? emptyResultText(result) : text;
}
