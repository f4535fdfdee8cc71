import type { CallResult, ToolCall } from '../tool/call.js';
import {
  describeImage,
  emptyResultText,
  isErrorResult,
  isRecord,
  jsonText,
  stringOr,
} from './result-text.js';

// Structural types for the Anthropic Messages API, so salvo needs no runtime dependency on
// `@anthropic-ai/sdk`. The SDK's `Message`, `ContentBlock` and `MessageParam` are assignable to
// them, and the messages built here are assignable to the SDK's `MessageParam`.

/** A text block, in a response or a request. Anthropic rejects empty or blank ones. */
export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}

/** The image types the Messages API accepts. */
export type AnthropicImageMediaType = 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp';

/** An inline image: `{ type: 'image', source: { type: 'base64', media_type, data } }`. */
export interface AnthropicImageBlock {
  type: 'image';
  source: { type: 'base64'; media_type: AnthropicImageMediaType; data: string };
}

/** A client tool call in an assistant message. `input` is already parsed JSON. */
export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: unknown;
}

/** Any other block an assistant message may hold (`thinking`, `server_tool_use`...). */
export interface AnthropicOtherBlock {
  type: string;
}

/** A block of an assistant message, as the API returns it. */
export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicToolUseBlock
  | AnthropicOtherBlock;

/** The answer to one `tool_use` block. `content` may also be a plain string on the wire. */
export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | Array<AnthropicTextBlock | AnthropicImageBlock>;
  is_error?: boolean;
}

/** The user message that answers an assistant message's tool calls. */
export interface AnthropicUserMessage {
  role: 'user';
  content: Array<AnthropicToolResultBlock | AnthropicTextBlock>;
}

/** An assistant message (or anything with its `content`), e.g. the SDK's `Message`. */
export interface AnthropicMessageLike {
  content: string | readonly AnthropicContentBlock[];
}

/**
 * The tool calls of an Anthropic assistant message, in the model's order.
 *
 * Takes the message or its `content` array and returns its `tool_use` blocks as
 * `{ id, name, input }`. Text and thinking blocks are ignored, and so are server tool blocks
 * (`server_tool_use`, `mcp_tool_use`): Anthropic runs those itself.
 *
 * Never throws on malformed data: a `null` message, missing or string `content` and entries that
 * are not objects yield no calls. A `tool_use` block missing its `id` or `name` (or holding a
 * non-string one) still yields a call, with `''` in that field and `input` as-is (`undefined`
 * when missing), so the scheduler answers it with an error result instead of dropping it.
 */
export function fromAnthropic(
  message: AnthropicMessageLike | readonly AnthropicContentBlock[] | null | undefined,
): ToolCall[] {
  const content: unknown = Array.isArray(message)
    ? message
    : isRecord(message)
      ? message.content
      : undefined;
  if (!Array.isArray(content)) return [];
  const calls: ToolCall[] = [];
  for (const block of content as unknown[]) {
    if (!isRecord(block) || block.type !== 'tool_use') continue;
    calls.push({ id: stringOr(block.id, ''), name: stringOr(block.name, ''), input: block.input });
  }
  return calls;
}

/** Options of {@link toAnthropic}. */
export interface ToAnthropicOptions {
  /**
   * Text to send after the tool results in the same user message (the API requires every
   * `tool_result` block to come first). Omitted when blank: Anthropic rejects blank text.
   * @default undefined
   */
  text?: string;
}

/**
 * The user message that answers a turn's tool calls: one `tool_result` block per result, in the
 * order given, then the optional text.
 *
 * `is_error: true` marks every status but `success`. Text blocks stay text, JSON blocks become
 * their JSON text, images become image blocks (an image type Anthropic does not accept becomes a
 * short text saying so). Blank text blocks are dropped, since Anthropic rejects them; a result
 * left with no content reads `(no output)`, or its error message when it failed, so no block is
 * ever empty. With no results and no text, `content` is `[]`: there is nothing to send.
 */
export function toAnthropic(
  results: readonly CallResult[],
  options: ToAnthropicOptions = {},
): AnthropicUserMessage {
  const content: AnthropicUserMessage['content'] = results.map(toToolResult);
  const text = options.text;
  if (typeof text === 'string' && text.trim() !== '') content.push({ type: 'text', text });
  return { role: 'user', content };
}

function toToolResult(result: CallResult): AnthropicToolResultBlock {
  const blocks: Array<AnthropicTextBlock | AnthropicImageBlock> = [];
  // Results come from the scheduler, but a hand-made one may lack content: never throw.
  const content: unknown = result.content;
  for (const block of Array.isArray(content) ? (content as unknown[]) : []) {
    const converted = isRecord(block) ? toResultContent(block) : undefined;
    if (converted !== undefined) blocks.push(converted);
  }
  if (blocks.length === 0) blocks.push({ type: 'text', text: emptyResultText(result) });
  const block: AnthropicToolResultBlock = {
    type: 'tool_result',
    tool_use_id: result.id,
    content: blocks,
  };
  if (isErrorResult(result)) block.is_error = true;
  return block;
}

function toResultContent(
  block: Record<string, unknown>,
): AnthropicTextBlock | AnthropicImageBlock | undefined {
  switch (block.type) {
    case 'text':
      return typeof block.text === 'string' && block.text.trim() !== ''
        ? { type: 'text', text: block.text }
        : undefined;
    case 'json':
      return { type: 'text', text: jsonText(block.value) };
    case 'image': {
      const mediaType = imageMediaType(block.mimeType);
      const { data } = block;
      if (mediaType !== undefined && typeof data === 'string' && data !== '') {
        return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
      }
      const reason = mediaType === undefined ? 'unsupported type' : 'no data';
      return { type: 'text', text: describeImage(block.mimeType, data, reason) };
    }
    default:
      return undefined;
  }
}

/** The API's spelling of a MIME type, or `undefined` when it does not accept the type. */
function imageMediaType(mimeType: unknown): AnthropicImageMediaType | undefined {
  if (typeof mimeType !== 'string') return undefined;
  const type = mimeType.trim().toLowerCase();
  switch (type) {
    case 'image/jpeg':
    case 'image/png':
    case 'image/gif':
    case 'image/webp':
      return type;
    case 'image/jpg':
      return 'image/jpeg';
    default:
      return undefined;
  }
}
